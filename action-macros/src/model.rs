//! The one model of an action that validation builds and expansion reads.

use crate::template::Template;
use proc_macro2::Span;
use syn::{Attribute, Expr, Ident, LitStr, Type, Visibility};

/// The five request types of a Custom API Action card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const ALL: [(&'static str, Method); 5] = [
        ("GET", Method::Get),
        ("POST", Method::Post),
        ("PUT", Method::Put),
        ("PATCH", Method::Patch),
        ("DELETE", Method::Delete),
    ];

    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m)
    }

    pub fn name(self) -> &'static str {
        Method::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("GET", |(n, _)| n)
    }

    /// RFC 9110 gives GET and DELETE no body semantics; the card sends a body only
    /// with POST, PUT and PATCH.
    pub fn takes_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

/// A checked action: everything expansion needs, nothing it must re-check.
pub struct Action {
    pub method: Method,
    pub method_span: Span,
    /// The URL literal as written, for spans and for error messages at run time.
    pub url: LitStr,
    pub template: Template,
    /// `-> T`, or `None` for `serde_json::Value`.
    pub response: Option<Type>,
    /// One binding per placeholder, in the template's order.
    pub bindings: Vec<Binding>,
    pub query: Option<Query>,
    pub headers: Option<Headers>,
    pub body: Option<Body>,
}

/// A declaration: a struct whose fields are an action's values, and the action
/// built from them (its bindings and clauses read `self.field`).
pub struct Decl {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// The user's own generics (`Name<'a>`), before the path parameters.
    pub generics: syn::Generics,
    /// One field per placeholder, typed by a generic parameter bound by `Display`.
    pub path_fields: Vec<PathField>,
    /// `query<Q>`, `headers<H>`, `body<B>`: each a field of that name and type.
    pub typed_clauses: Vec<(Ident, Type)>,
    pub action: Action,
}

pub struct PathField {
    pub placeholder: String,
    /// The placeholder in snake_case (`userId` → `user_id`).
    pub field: Ident,
    /// The field's type parameter (`userId` → `UserId`).
    pub generic: Ident,
}

pub struct Binding {
    pub placeholder: String,
    pub value: Expr,
}

pub enum Query {
    /// `query { key: value, .. }`
    Pairs(Vec<(String, Expr)>),
    /// `query = value`: any `Serialize` struct or map.
    Value(Expr),
}

pub enum Headers {
    /// `headers { "Name": value, .. }`: names checked at compile time.
    Pairs(Vec<Header>),
    /// `headers = value`: a `Serialize` struct or map, checked at run time.
    Value(Expr),
}

pub struct Header {
    /// The name as written; its case is kept on the wire by HTTP/1 peers that care.
    pub name: String,
    pub value: Expr,
}

pub enum Body {
    /// `body = value`: any `Serialize`.
    Value(Expr),
    /// `body { .. }`: JSON written inline, checked and rendered at compile time.
    Json(crate::json::Json),
}

/// The value of a bare binding `userId`: the variable of that name.
pub fn bare_value(name: &Ident) -> Expr {
    syn::parse_quote_spanned!(name.span()=> #name)
}
