//! Step 2: every rule of the DSL, checked on the raw input; the result is a
//! [`model::Action`] or every error found, each spanned on the token it is about.

use crate::ctxt::Ctxt;
use crate::json;
use crate::model::{self, Action, Binding, Body, Decl, Header, Headers, Method, PathField, Query};
use crate::names;
use crate::parse::{self, CallInput, DeclInput, Item, UrlInput};
use crate::suggest::closest;
use crate::template::{self, Template};
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::{Expr, Ident, LitStr, Type};

/// The clause keywords, in the order the README lists them.
const CLAUSES: [&str; 3] = ["query", "headers", "body"];

/// Headers the connector sets; a call may not set them (rule 5).
const RESERVED_HEADERS: [&str; 6] = [
    "Authorization",
    "Proxy-Authorization",
    "Content-Type",
    "Content-Length",
    "Host",
    "Transfer-Encoding",
];

/// What is left of an invalid invocation: enough for a fallback expansion that
/// type-checks, so one mistake does not cause follow-on errors.
pub struct Invalid {
    pub errors: Vec<syn::Error>,
    pub response: Option<Type>,
    /// The user's expressions, still evaluated so they raise no "unused" warnings.
    pub exprs: Vec<Expr>,
}

pub fn validate(input: CallInput) -> Result<Action, Box<Invalid>> {
    let mut cx = Ctxt::default();
    for error in input.errors {
        cx.syn_error(error);
    }
    let method = check_method(&mut cx, &input.method);
    let before = cx.count();
    let (url, template) = check_url(&mut cx, input.url);
    let url_clean = cx.count() == before;
    let mut clauses = Clauses::default();
    let mut assigns: Vec<(Ident, Expr)> = Vec::new();
    let mut exprs: Vec<Expr> = Vec::new();

    for item in input.items {
        let name = item.name().to_string();
        if CLAUSES.contains(&name.as_str()) {
            if clauses.is_repeat(&name) {
                cx.error(
                    item.name().span(),
                    format!("the `{name}` clause is given twice: merge them into one"),
                );
                continue;
            }
            clauses.add(&mut cx, item, method, &template, &mut exprs);
            continue;
        }
        match item {
            Item::Assign { name, value } => {
                let value = value.unwrap_or_else(|| model::bare_value(&name));
                exprs.push(value.clone());
                assigns.push((name, value));
            }
            Item::Braced { keyword, .. } => unknown_clause(
                &mut cx,
                &keyword,
                "`query { .. }`, `query = ..`, `headers { .. }`, `headers = ..`, `body = ..` \
                 and `body { .. }`",
            ),
        }
    }

    let bindings = match (&template, &url) {
        (Some(template), Some(url)) => {
            check_bindings(&mut cx, template, url, url_clean, assigns, &input.attempted)
        }
        _ => Vec::new(),
    };
    let errors = cx.into_errors();
    match (method, url, template) {
        (Some(method), Some(url), Some(template)) if errors.is_empty() => Ok(Action {
            method,
            method_span: input.method.span(),
            url,
            template,
            response: input.response,
            bindings,
            query: clauses.query,
            headers: clauses.headers,
            body: clauses.body,
        }),
        _ => Err(Box::new(Invalid {
            errors,
            response: input.response,
            exprs,
        })),
    }
}

/// Rule 1.
fn check_method(cx: &mut Ctxt, method: &Ident) -> Option<Method> {
    let name = method.to_string();
    if let Some(m) = Method::from_name(&name) {
        return Some(m);
    }
    let upper = name.to_ascii_uppercase();
    let assumed = Method::from_name(&upper);
    let hint = if assumed.is_some() {
        format!("; request types are upper case: write `{upper}`")
    } else if let Some(near) = closest(&upper, Method::ALL.map(|(n, _)| n)) {
        format!("; did you mean `{near}`?")
    } else {
        String::new()
    };
    cx.error(
        method.span(),
        format!(
            "unknown request type `{name}`: expected one of GET, POST, PUT, PATCH, DELETE{hint}"
        ),
    );
    // Go on checking as the method it stands for (the error above stops expansion).
    assumed
}

/// Rule 2.
fn check_url(cx: &mut Ctxt, url: UrlInput) -> (Option<syn::LitStr>, Option<Template>) {
    let lit = match url {
        UrlInput::Literal(lit) => lit,
        UrlInput::Other(expr) => {
            cx.error(
                syn::spanned::Spanned::span(&expr),
                "the relative URL must be a string literal, such as `\"/Users/<userId>\"`, \
                 so it can be checked at compile time; bind run-time values to `<placeholders>`",
            );
            return (None, None);
        }
    };
    let (template, errors) = template::parse_lenient(&lit.value());
    for error in errors {
        cx.error(lit.span(), error);
    }
    for name in template.placeholders() {
        if CLAUSES.contains(&name) {
            cx.error(
                lit.span(),
                format!(
                    "placeholder `<{name}>` has the name of a clause: rename it, e.g. `<{name}Id>`"
                ),
            );
        }
    }
    (Some(lit), Some(template))
}

/// Rule 3: every placeholder bound exactly once, no binding without a placeholder.
/// A placeholder is bound by its own name or its snake_case (`<userId>` by `userId`
/// or `user_id`), so the shorthand works with Rust-style variable names.
///
/// When the URL itself had errors, its placeholders may be misread; a binding that
/// matches none is then reported only with a likely correction, so a broken URL does
/// not also produce an error on every binding.
fn check_bindings(
    cx: &mut Ctxt,
    template: &Template,
    url: &LitStr,
    url_clean: bool,
    assigns: Vec<(Ident, Expr)>,
    attempted: &[String],
) -> Vec<Binding> {
    let url_span = url.span();
    // A repeated placeholder is already an error; bind it once here.
    let mut placeholders: Vec<&str> = Vec::new();
    for name in template.placeholders() {
        if !placeholders.contains(&name) {
            placeholders.push(name);
        }
    }
    let mut bound: Vec<Option<Expr>> = vec![None; placeholders.len()];
    for (name, value) in assigns {
        let text = syn::ext::IdentExt::unraw(&name).to_string();
        let matches = |p: &&str| *p == text || names::snake_case(p) == text;
        match placeholders.iter().position(matches) {
            Some(i) if bound[i].is_some() => cx.error(
                name.span(),
                format!(
                    "`<{}>` is bound twice: bind each placeholder once",
                    placeholders[i]
                ),
            ),
            Some(i) => bound[i] = Some(value),
            None if !url_clean
                && (url.value().contains(&text)
                    || closest(&text, placeholders.iter().copied()).is_none()) => {}
            None => {
                let hint = match closest(&text, placeholders.iter().copied()) {
                    Some(near) => format!(": did you mean `<{near}>`?"),
                    None if placeholders.is_empty() => match closest(&text, CLAUSES) {
                        Some(clause) => format!(
                            " (the URL has no placeholders); did you mean the `{clause}` clause?"
                        ),
                        None => " (the URL has no placeholders)".to_string(),
                    },
                    None => format!(
                        "; the placeholders are {}",
                        placeholders
                            .iter()
                            .map(|p| format!("`<{p}>`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                cx.error(
                    name.span(),
                    format!("`{text}` binds no placeholder in the URL{hint}"),
                );
            }
        }
    }
    let mut bindings = Vec::new();
    for (placeholder, value) in placeholders.iter().zip(bound) {
        match value {
            Some(value) => bindings.push(Binding {
                placeholder: placeholder.to_string(),
                value,
            }),
            // A binding for it was written but did not parse: that is the error.
            None if attempted
                .iter()
                .any(|a| a == placeholder || *a == names::snake_case(placeholder)) => {}
            None => cx.error(
                url_span,
                format!("placeholder `<{placeholder}>` is not bound: add `{placeholder} = value`"),
            ),
        }
    }
    bindings
}

#[derive(Default)]
struct Clauses {
    seen: Vec<String>,
    query: Option<Query>,
    headers: Option<Headers>,
    body: Option<Body>,
}

impl Clauses {
    /// Records the clause `name`; true if it was already given.
    fn is_repeat(&mut self, name: &str) -> bool {
        if self.seen.iter().any(|s| s == name) {
            return true;
        }
        self.seen.push(name.to_string());
        false
    }

    fn add(
        &mut self,
        cx: &mut Ctxt,
        item: Item,
        method: Option<Method>,
        template: &Option<Template>,
        exprs: &mut Vec<Expr>,
    ) {
        let keyword = item.name().clone();
        match (keyword.to_string().as_str(), item) {
            (
                "query",
                Item::Assign {
                    value: Some(value), ..
                },
            ) => {
                exprs.push(value.clone());
                self.query = Some(Query::Value(value));
            }
            ("query", Item::Braced { content, .. }) => {
                let pairs = match parse::parse_pairs.parse2(content) {
                    Ok(pairs) => pairs,
                    Err(error) => return cx.syn_error(error),
                };
                exprs.extend(pairs.iter().map(|p| p.value.clone()));
                self.query = Some(Query::Pairs(check_query(cx, template, pairs)));
            }
            ("headers", Item::Braced { content, .. }) => {
                let pairs = match parse::parse_pairs.parse2(content) {
                    Ok(pairs) => pairs,
                    Err(error) => return cx.syn_error(error),
                };
                exprs.extend(pairs.iter().map(|p| p.value.clone()));
                self.headers = Some(Headers::Pairs(check_headers(cx, pairs)));
            }
            (
                "headers",
                Item::Assign {
                    value: Some(value), ..
                },
            ) => {
                exprs.push(value.clone());
                self.headers = Some(Headers::Value(value));
            }
            ("body", item) => {
                check_body_allowed(cx, method, &keyword);
                self.body = match item {
                    Item::Assign {
                        value: Some(value), ..
                    } => {
                        exprs.push(value.clone());
                        Some(Body::Value(value))
                    }
                    Item::Braced { content, .. } => {
                        json::parse_object_content(cx, content).map(Body::Json)
                    }
                    Item::Assign { value: None, .. } => {
                        cx.error(
                            keyword.span(),
                            "`body` needs a value: `body = value` or `body { \"key\": value }`",
                        );
                        None
                    }
                };
            }
            (name, _) => cx.error(
                keyword.span(),
                match name {
                    "headers" => {
                        "headers take literal names: write `headers { \"X-Name\": value }`"
                    }
                    _ => "the query clause is `query { key: value }` or `query = value`",
                },
            ),
        }
    }
}

/// Rule 4.
fn check_body_allowed(cx: &mut Ctxt, method: Option<Method>, keyword: &Ident) {
    if let Some(method) = method.filter(|m| !m.takes_body()) {
        cx.error(
            keyword.span(),
            format!(
                "{} takes no body: only POST, PUT and PATCH send a body; remove the `body` \
                 clause or change the request type",
                method.name()
            ),
        );
    }
}

/// Rule 7: an unknown clause keyword, with a suggestion.
fn unknown_clause(cx: &mut Ctxt, keyword: &Ident, forms: &str) {
    let name = keyword.to_string();
    let hint = match closest(&name, CLAUSES) {
        Some(near) => format!("did you mean `{near}`? The "),
        None => "the ".to_string(),
    };
    cx.error(
        keyword.span(),
        format!("unknown clause `{name}`: {hint}clauses are {forms}"),
    );
}

/// Checks a declaration. Unlike a call, a declaration always yields its struct
/// (with whatever could be read), so uses of it elsewhere do not fail as well.
pub fn validate_decl(input: DeclInput) -> (Decl, Vec<syn::Error>) {
    let mut cx = Ctxt::default();
    let method = check_method(&mut cx, &input.method);
    let (url, template) = check_url(&mut cx, input.url);
    let url = url.unwrap_or_else(|| LitStr::new("/", input.name.span()));
    let template = template.unwrap_or_else(|| template::parse_lenient("/").0);

    let mut typed_clauses: Vec<(Ident, Type)> = Vec::new();
    for clause in input.clauses {
        let name = clause.keyword.to_string();
        if !CLAUSES.contains(&name.as_str()) {
            unknown_clause(
                &mut cx,
                &clause.keyword,
                "`query<Q>`, `headers<H>` and `body<B>`",
            );
        } else if typed_clauses.iter().any(|(k, _)| *k == name) {
            cx.error(
                clause.keyword.span(),
                format!("the `{name}` clause is given twice: keep one"),
            );
        } else {
            if name == "body" {
                check_body_allowed(&mut cx, method, &clause.keyword);
            }
            typed_clauses.push((clause.keyword, clause.ty));
        }
    }

    let taken = type_idents(&input.name, &typed_clauses, input.response.as_ref());
    let path_fields = path_fields(&mut cx, &template, &url, &taken);
    // `self.query` etc., spanned on the clause's type: rule 8 errors (a type that
    // is not `Serialize`) then point at the user's type.
    let field = |name: &str| -> Option<Expr> {
        let (_, ty) = typed_clauses.iter().find(|(k, _)| k == name)?;
        let ident = Ident::new(name, Span::call_site());
        Some(syn::parse_quote_spanned!(syn::spanned::Spanned::span(ty)=> self.#ident))
    };
    let action = Action {
        method: method.unwrap_or(Method::Get),
        method_span: input.method.span(),
        url,
        template,
        response: input.response,
        bindings: path_fields
            .iter()
            .map(|f| {
                let ident = &f.field;
                Binding {
                    placeholder: f.placeholder.clone(),
                    value: syn::parse_quote!(self.#ident),
                }
            })
            .collect(),
        query: field("query").map(Query::Value),
        headers: field("headers").map(Headers::Value),
        body: field("body").map(Body::Value),
    };
    if let Some(clause) = &input.generics.where_clause {
        cx.error(
            clause.where_token.span,
            "declarations take no `where` clause: put bounds in `<..>`",
        );
    }
    let decl = Decl {
        attrs: input.attrs,
        vis: input.vis,
        name: input.name,
        generics: input.generics,
        path_fields,
        typed_clauses,
        action,
    };
    (decl, cx.into_errors())
}

/// One field per distinct placeholder, named in snake_case, typed by a generic
/// parameter named in CamelCase (renamed if a type in the declaration has that name).
fn path_fields(
    cx: &mut Ctxt,
    template: &Template,
    url: &LitStr,
    taken: &[String],
) -> Vec<PathField> {
    let mut fields: Vec<PathField> = Vec::new();
    for placeholder in template.placeholders() {
        if fields.iter().any(|f| f.placeholder == placeholder) {
            continue; // a repeated placeholder is already an error
        }
        let snake = names::snake_case(placeholder);
        if CLAUSES.contains(&snake.as_str()) {
            // `<query>` itself is already an error; `<Query>` would collide the same way.
            if snake != placeholder {
                cx.error(
                    url.span(),
                    format!(
                        "placeholder `<{placeholder}>` would become the field `{snake}`, which \
                         the `{snake}` clause uses: rename it"
                    ),
                );
            }
            continue;
        }
        if names::is_path_keyword(&snake) {
            cx.error(
                url.span(),
                format!(
                    "placeholder `<{placeholder}>` would become the field `{snake}`, which \
                     cannot be a field name in Rust: rename it"
                ),
            );
            continue;
        }
        if let Some(other) = fields.iter().find(|f| names::unraw(&f.field) == snake) {
            cx.error(
                url.span(),
                format!(
                    "placeholders `<{}>` and `<{placeholder}>` both become the field `{snake}`: rename one",
                    other.placeholder
                ),
            );
            continue;
        }
        let field = names::field_ident(&snake, url.span());
        let mut generic = names::camel_case(placeholder);
        while generic == "Self"
            || taken.contains(&generic)
            || fields.iter().any(|f| f.generic == generic)
        {
            generic.insert(0, 'P');
        }
        fields.push(PathField {
            placeholder: placeholder.to_string(),
            field,
            generic: Ident::new(&generic, Span::call_site()),
        });
    }
    fields
}

/// Every identifier in the declaration's types and its name: a generic parameter
/// must not shadow any of them.
fn type_idents(name: &Ident, clauses: &[(Ident, Type)], response: Option<&Type>) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        for token in tokens {
            match token {
                TokenTree::Ident(ident) => out.push(ident.to_string()),
                TokenTree::Group(group) => walk(group.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = vec![name.to_string()];
    for ty in clauses.iter().map(|(_, ty)| ty).chain(response) {
        walk(quote::quote!(#ty), &mut out);
    }
    out
}

/// Rule 6.
fn check_query(
    cx: &mut Ctxt,
    template: &Option<Template>,
    pairs: Vec<parse::Pair>,
) -> Vec<(String, Expr)> {
    let literal_keys: &[String] = template.as_ref().map_or(&[], |t| &t.query_keys);
    let mut out: Vec<(String, Expr)> = Vec::new();
    for pair in pairs {
        let key = pair.key.text();
        let span = pair.key.span();
        if key.is_empty() {
            cx.error(span, "a query key cannot be empty");
        } else if literal_keys.contains(&key) {
            cx.error(
                span,
                format!(
                    "query key `{key}` is already set in the URL's literal query string: set \
                     it in one place (to send several values, pass a sequence: `{key}: [x, y]`)"
                ),
            );
        } else if out.iter().any(|(k, _)| *k == key) {
            cx.error(
                span,
                format!(
                    "query key `{key}` is given twice: to send several values, pass a \
                     sequence (`{key}: [x, y]` sends `{key}=x&{key}=y`)"
                ),
            );
        } else {
            out.push((key, pair.value));
        }
    }
    out
}

/// RFC 9110 `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Rule 5.
fn check_headers(cx: &mut Ctxt, pairs: Vec<parse::Pair>) -> Vec<Header> {
    let mut out: Vec<Header> = Vec::new();
    for pair in pairs {
        let name = match &pair.key {
            parse::Key::Str(lit) => lit.value(),
            parse::Key::Ident(ident) => {
                cx.error(
                    ident.span(),
                    format!("header names are string literals: write `\"{ident}\": value`"),
                );
                continue;
            }
        };
        let span = pair.key.span();
        if name.is_empty() {
            cx.error(span, "a header name cannot be empty");
            continue;
        }
        if let Some(bad) = name.chars().find(|c| !is_token_char(*c)) {
            cx.error(
                span,
                format!(
                    "`{name}` is not a valid header name: {} is not allowed (use letters, \
                     digits and `-`)",
                    template::describe_char(bad)
                ),
            );
            continue;
        }
        if let Some(reserved) = RESERVED_HEADERS
            .iter()
            .find(|r| r.eq_ignore_ascii_case(&name))
        {
            cx.error(
                span,
                format!(
                    "`{reserved}` is set by the connector and cannot be set by a call \
                     (the connector owns {})",
                    match *reserved {
                        "Authorization" | "Proxy-Authorization" => "authentication",
                        "Content-Type" => "the body's content type",
                        _ => "message framing",
                    }
                ),
            );
            continue;
        }
        if out.iter().any(|h| h.name.eq_ignore_ascii_case(&name)) {
            cx.error(
                span,
                format!("header `{name}` is given twice (names are case-insensitive): keep one"),
            );
            continue;
        }
        if let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(value),
            ..
        }) = &pair.value
        {
            if value.value().contains(['\r', '\n']) {
                cx.error(
                    value.span(),
                    format!(
                        "the value of header `{name}` contains a carriage return or line \
                         feed, which would split the request: remove it"
                    ),
                );
                continue;
            }
        }
        out.push(Header {
            name,
            value: pair.value,
        });
    }
    out
}
