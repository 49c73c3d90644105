//! Step 1: tokens to a raw, unchecked syntax tree.
//!
//! Parsing accepts more than is valid (any identifier as a method, any expression
//! as the URL, any clause keyword) so that [`crate::validate`] can report those
//! mistakes with a precise message instead of syn's generic "expected ...".

use proc_macro2::{Span, TokenStream};
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{braced, token, Attribute, Expr, Generics, Ident, LitStr, Token, Type, Visibility};

/// What `api_action!` was given: one call, or a list of declarations.
pub enum Input {
    Call(Box<CallInput>),
    /// The declarations that parsed, and the errors of those that did not (each
    /// skipped up to its `;`, so the others are still checked and defined).
    Decls(Vec<DeclInput>, Vec<syn::Error>),
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // A declaration starts with doc comments, a visibility, or `Name =`; a call
        // starts with its method and URL.
        let is_decl = input.peek(Token![#])
            || input.peek(Token![pub])
            || (input.peek(Ident) && (input.peek2(Token![=]) || input.peek2(Token![<])));
        if input.is_empty() {
            return Err(syn::Error::new(
                input.span(),
                "expected a call, `api_action!(GET \"/Users\")`, or declarations, \
                 `api_action! { pub ListUsers = GET \"/Users\"; }`",
            ));
        }
        if !is_decl {
            return input.parse().map(|call| Input::Call(Box::new(call)));
        }
        let (mut decls, mut errors) = (Vec::new(), Vec::new());
        while !input.is_empty() {
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
                continue;
            }
            let fork = input.fork();
            match fork.parse::<DeclInput>() {
                Ok(decl) => {
                    input.advance_to(&fork);
                    decls.push(decl);
                }
                Err(error) => {
                    errors.push(error);
                    skip_past(input, ';')?;
                }
            }
        }
        Ok(Input::Decls(decls, errors))
    }
}

/// `#[attrs] vis Name = METHOD "RELATIVE_URL" [query<Q>] [headers<H>] [body<B>] [-> R];`
pub struct DeclInput {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// `Name<'a>`: lifetimes and type parameters the clause types use.
    pub generics: Generics,
    pub method: Ident,
    pub url: UrlInput,
    pub clauses: Vec<TypedClause>,
    pub response: Option<Type>,
}

/// `keyword<Type>` in a declaration.
pub struct TypedClause {
    pub keyword: Ident,
    pub ty: Type,
}

impl Parse for DeclInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a declaration: `pub Name = METHOD \"/relative/url\" [query<Q>] \
                 [headers<H>] [body<B>] [-> R];`",
            )
        })?;
        let generics: Generics = input.parse()?;
        input.parse::<Token![=]>()?;
        let method = parse_method(input)?;
        let url = parse_url(input)?;
        let mut clauses = Vec::new();
        while input.peek(Ident) {
            let keyword: Ident = input.parse()?;
            if input.peek(token::Brace) || input.peek(Token![=]) {
                return Err(syn::Error::new(
                    keyword.span(),
                    format!(
                        "a declaration names types, not values: write `{keyword}<Type>`; its \
                         values are the generated struct's `{keyword}` field"
                    ),
                ));
            }
            input.parse::<Token![<]>().map_err(|_| {
                syn::Error::new(
                    keyword.span(),
                    format!("expected `{keyword}<Type>`, e.g. `query<UserQuery>`"),
                )
            })?;
            let ty = input.parse()?;
            input.parse::<Token![>]>()?;
            clauses.push(TypedClause { keyword, ty });
        }
        let response = parse_response(input)?;
        if !input.is_empty() {
            input.parse::<Token![;]>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `;` after the declaration (or a clause: `query<Q>`, \
                     `headers<H>`, `body<B>`, `-> R`)",
                )
            })?;
        }
        Ok(DeclInput {
            attrs,
            vis,
            name,
            generics,
            method,
            url,
            clauses,
            response,
        })
    }
}

/// Skips tokens up to (not including) the next top-level `stop`, or to the end.
fn skip_to(input: ParseStream, stop: char) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, proc_macro2::TokenTree::Punct(p) if p.as_char() == stop) {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

/// Skips tokens up to and including the next top-level `stop`.
fn skip_past(input: ParseStream, stop: char) -> syn::Result<()> {
    skip_to(input, stop)?;
    if !input.is_empty() {
        input.step(|cursor| match cursor.token_tree() {
            Some((_, rest)) => Ok(((), rest)),
            None => Ok(((), *cursor)),
        })?;
    }
    Ok(())
}

fn parse_method(input: ParseStream) -> syn::Result<Ident> {
    if input.peek(LitStr) {
        let url: LitStr = input.parse()?;
        return Err(syn::Error::new(
            url.span(),
            format!(
                "missing request type: write it before the URL, e.g. `GET {}`",
                quote::quote!(#url)
            ),
        ));
    }
    let method: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a request type (GET, POST, PUT, PATCH or DELETE) followed by a \
             relative URL, e.g. `GET \"/Users\"`",
        )
    })?;
    if input.is_empty() || input.peek(Token![;]) || input.peek(Token![,]) {
        return Err(syn::Error::new(
            method.span(),
            "expected a relative URL after the request type, e.g. `\"/Users\"`",
        ));
    }
    Ok(method)
}

fn parse_url(input: ParseStream) -> syn::Result<UrlInput> {
    if input.peek(LitStr) {
        Ok(UrlInput::Literal(input.parse()?))
    } else {
        Ok(UrlInput::Other(input.parse()?))
    }
}

fn parse_response(input: ParseStream) -> syn::Result<Option<Type>> {
    if input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        Ok(Some(input.parse()?))
    } else {
        Ok(None)
    }
}

/// `METHOD "RELATIVE_URL" [-> T] (, item)*`
pub struct CallInput {
    pub method: Ident,
    pub url: UrlInput,
    pub response: Option<Type>,
    pub items: Vec<Item>,
    /// Items that did not parse, each skipped up to the next `,`, so the rest of
    /// the call is still checked.
    pub errors: Vec<syn::Error>,
    /// The names those items started with: a placeholder of that name is not
    /// reported as unbound on top of the item's own error.
    pub attempted: Vec<String>,
}

/// The relative URL as written: a string literal, or something else to refuse.
pub enum UrlInput {
    Literal(LitStr),
    Other(Expr),
}

/// One comma-separated item after the URL.
pub enum Item {
    /// `name = expr`, or a bare `name` (shorthand for `name = name`).
    Assign { name: Ident, value: Option<Expr> },
    /// `keyword { ... }`: a clause with braced content, parsed later by its kind.
    Braced {
        keyword: Ident,
        content: TokenStream,
    },
}

impl Item {
    pub fn name(&self) -> &Ident {
        match self {
            Item::Assign { name, .. } => name,
            Item::Braced { keyword, .. } => keyword,
        }
    }
}

impl Parse for CallInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let method = parse_method(input)?;
        let url = parse_url(input)?;
        let response = parse_response(input)?;
        let (mut items, mut errors, mut attempted) = (Vec::new(), Vec::new(), Vec::new());
        while !input.is_empty() {
            if let Err(error) = input.parse::<Token![,]>() {
                errors.push(error);
                skip_to(input, ',')?;
                continue;
            }
            if input.is_empty() {
                break;
            }
            let fork = input.fork();
            match fork.parse::<Item>() {
                Ok(item) => {
                    input.advance_to(&fork);
                    items.push(item);
                }
                Err(error) => {
                    errors.push(error);
                    if let Ok(name) = input.fork().call(<Ident as syn::ext::IdentExt>::parse_any) {
                        attempted.push(syn::ext::IdentExt::unraw(&name).to_string());
                    }
                    skip_to(input, ',')?;
                }
            }
        }
        Ok(CallInput {
            method,
            url,
            response,
            items,
            errors,
            attempted,
        })
    }
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = syn::ext::IdentExt::parse_any(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a path binding (`userId = value`) or a clause \
                 (`query { .. }`, `headers { .. }`, `body = ..`)",
            )
        })?;
        // `type = id` for `<type>`: a keyword binds as a raw identifier.
        let text = name.to_string();
        if syn::parse_str::<Ident>(&text).is_err() && !text.starts_with("r#") {
            return Err(syn::Error::new(
                name.span(),
                format!("`{text}` is a Rust keyword: bind `<{text}>` as `r#{text} = value`"),
            ));
        }
        if input.peek(Token![=]) && !input.peek(Token![==]) {
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            return Ok(Item::Assign {
                name,
                value: Some(value),
            });
        }
        if input.peek(token::Brace) {
            let content;
            braced!(content in input);
            return Ok(Item::Braced {
                keyword: name,
                content: content.parse()?,
            });
        }
        if input.peek(Token![:]) {
            return Err(syn::Error::new(
                input.span(),
                format!("bind with `=`, not `:`: write `{name} = value`"),
            ));
        }
        if input.peek(Token![<]) {
            return Err(syn::Error::new(
                input.span(),
                format!(
                    "`{name}<Type>` belongs in a declaration (`pub Name = GET \"/..\" \
                     {name}<Type>;`); a call gives values: `{name} {{ .. }}` or `{name} = value`"
                ),
            ));
        }
        if !(input.is_empty() || input.peek(Token![,])) {
            return Err(syn::Error::new(
                input.span(),
                format!(
                    "expected `,`, `=` or `{{` after `{name}`: a binding is `{name} = value`, \
                     a clause is `query {{ .. }}`"
                ),
            ));
        }
        Ok(Item::Assign { name, value: None })
    }
}

/// `key: expr` pairs inside `query { .. }` and `headers { .. }`; a key is an
/// identifier or a string literal.
pub struct Pair {
    pub key: Key,
    pub value: Expr,
}

pub enum Key {
    Ident(Ident),
    Str(LitStr),
}

impl Key {
    pub fn text(&self) -> String {
        match self {
            Key::Ident(ident) => syn::ext::IdentExt::unraw(ident).to_string(),
            Key::Str(lit) => lit.value(),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Key::Ident(ident) => ident.span(),
            Key::Str(lit) => lit.span(),
        }
    }
}

/// Parses the content of a `{ key: value, ... }` clause.
pub fn parse_pairs(input: ParseStream) -> syn::Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    while !input.is_empty() {
        let key = if input.peek(LitStr) {
            Key::Str(input.parse()?)
        } else {
            Key::Ident(syn::ext::IdentExt::parse_any(input).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a key: an identifier or a string literal",
                )
            })?)
        };
        if input.peek(Token![=]) {
            return Err(syn::Error::new(
                input.span(),
                format!("write `{}: value` here, with a colon", key.text()),
            ));
        }
        input.parse::<Token![:]>()?;
        let value = input.parse()?;
        pairs.push(Pair { key, value });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(pairs)
}
