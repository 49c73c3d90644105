//! Step 2: every rule of the DSL, checked on the raw input; the result is a
//! [`model::Action`] or every error found, each spanned on the token it is about.

use crate::ctxt::Ctxt;
use crate::model::{self, Action, Binding, Body, Header, Method, Query};
use crate::parse::{self, CallInput, Item, UrlInput};
use crate::suggest::closest;
use crate::template::{self, Template};
use proc_macro2::Span;
use syn::parse::Parser;
use syn::{Expr, Ident, Type};

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
    let method = check_method(&mut cx, &input.method);
    let (url, template) = check_url(&mut cx, input.url);
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
            Item::Braced { keyword, .. } => {
                let hint = match closest(&name, CLAUSES) {
                    Some(near) => format!("did you mean `{near}`? The "),
                    None => "the ".to_string(),
                };
                cx.error(
                    keyword.span(),
                    format!(
                        "unknown clause `{name}`: {hint}clauses are `query {{ .. }}`, \
                         `query = ..`, `headers {{ .. }}`, `body = ..` and `body {{ .. }}`"
                    ),
                );
            }
        }
    }

    let bindings = match (&template, &url) {
        (Some(template), Some(url)) => check_bindings(&mut cx, template, url.span(), assigns),
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
fn check_bindings(
    cx: &mut Ctxt,
    template: &Template,
    url_span: Span,
    assigns: Vec<(Ident, Expr)>,
) -> Vec<Binding> {
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
        match placeholders.iter().position(|p| *p == text) {
            Some(i) if bound[i].is_some() => cx.error(
                name.span(),
                format!("`{text}` is bound twice: bind each placeholder once"),
            ),
            Some(i) => bound[i] = Some(value),
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
    headers: Vec<Header>,
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
                self.headers = check_headers(cx, pairs);
            }
            ("body", item) => {
                if let Some(method) = method.filter(|m| !m.takes_body()) {
                    cx.error(
                        keyword.span(),
                        format!(
                            "{} takes no body: only POST, PUT and PATCH send a body; remove \
                             the `body` clause or change the request type",
                            method.name()
                        ),
                    );
                }
                self.body = match item {
                    Item::Assign {
                        value: Some(value), ..
                    } => {
                        exprs.push(value.clone());
                        Some(Body::Value(value))
                    }
                    Item::Braced { brace, content, .. } => Some(Body::Json { brace, content }),
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
                    if bad == ' ' {
                        "a space".to_string()
                    } else {
                        format!("`{}`", bad.escape_default())
                    }
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
