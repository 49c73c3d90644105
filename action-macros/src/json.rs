//! Inline JSON bodies: `body { "userName": name, "active": true }`.
//!
//! The JSON is parsed at compile time, so keys keep their written order, a key
//! given twice in one object is an error, and everything static (keys, commas,
//! brackets, literal values) is rendered into string literals: at run time only
//! the Rust expressions are serialized, straight into the body buffer.

use crate::ctxt::Ctxt;
use syn::parse::{ParseStream, Parser};
use syn::{braced, bracketed, token, Expr, Lit, LitStr, Token};

/// One JSON value as written.
pub enum Json {
    Object(Vec<(LitStr, Json)>),
    Array(Vec<Json>),
    /// Rendered at compile time: `null`, a string, number or bool literal.
    Static(String),
    /// A Rust expression, serialized at run time (any `Serialize`).
    Expr(Expr),
}

/// A run of the rendered body: static text, or a value to serialize.
pub enum Piece<'a> {
    Text(String),
    Value(&'a Expr),
}

/// Parses the content of `body { .. }` as a JSON object.
pub fn parse_object_content(cx: &mut Ctxt, content: proc_macro2::TokenStream) -> Option<Json> {
    let parser = |input: ParseStream| object_content(input);
    match parser.parse2(content) {
        Ok(json) => {
            check_duplicates(cx, &json);
            Some(json)
        }
        Err(error) => {
            cx.syn_error(error);
            None
        }
    }
}

fn object_content(input: ParseStream) -> syn::Result<Json> {
    if input.peek(token::Bracket) {
        return Err(syn::Error::new(
            input.span(),
            "an inline body is a JSON object, `body { \"key\": value }`; for a JSON array \
             write `body = [..]` or `body = vec![..]`",
        ));
    }
    let mut members = Vec::new();
    while !input.is_empty() {
        let key: LitStr = input.parse().map_err(|e| {
            syn::Error::new(e.span(), "a JSON key is a string literal: `\"key\": value`")
        })?;
        input.parse::<Token![:]>()?;
        members.push((key, value(input)?));
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(Json::Object(members))
}

fn value(input: ParseStream) -> syn::Result<Json> {
    if input.peek(token::Brace) {
        let content;
        braced!(content in input);
        return object_content(&content);
    }
    if input.peek(token::Bracket) {
        let content;
        bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(value(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Json::Array(items));
    }
    let is_null = input
        .fork()
        .parse::<syn::Ident>()
        .is_ok_and(|i| i == "null")
        && (input.peek2(Token![,]) || {
            let fork = input.fork();
            let _ = fork.parse::<syn::Ident>();
            fork.is_empty()
        });
    if is_null {
        input.parse::<syn::Ident>()?;
        return Ok(Json::Static("null".into()));
    }
    let expr: Expr = input.parse()?;
    Ok(match &expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => Json::Static(json_string(&s.value())),
            Lit::Bool(b) => Json::Static(b.value.to_string()),
            Lit::Int(i) if i.suffix().is_empty() => Json::Static(i.base10_digits().to_string()),
            _ => Json::Expr(expr),
        },
        _ => Json::Expr(expr),
    })
}

/// A key given twice in one object is an error: JSON parsers keep one of them, and
/// which one differs between parsers.
fn check_duplicates(cx: &mut Ctxt, json: &Json) {
    match json {
        Json::Object(members) => {
            for (i, (key, value)) in members.iter().enumerate() {
                if members[..i].iter().any(|(k, _)| k.value() == key.value()) {
                    cx.error(
                        key.span(),
                        format!(
                            "the JSON key \"{}\" is given twice in one object: keep one",
                            key.value()
                        ),
                    );
                }
                check_duplicates(cx, value);
            }
        }
        Json::Array(items) => items.iter().for_each(|item| check_duplicates(cx, item)),
        Json::Static(_) | Json::Expr(_) => {}
    }
}

/// Flattens the value into pieces, merging adjacent static text.
pub fn pieces(json: &Json) -> Vec<Piece<'_>> {
    fn text(out: &mut Vec<Piece<'_>>, s: &str) {
        match out.last_mut() {
            Some(Piece::Text(prev)) => prev.push_str(s),
            _ => out.push(Piece::Text(s.to_string())),
        }
    }
    fn walk<'a>(json: &'a Json, out: &mut Vec<Piece<'a>>) {
        match json {
            Json::Object(members) => {
                text(out, "{");
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        text(out, ",");
                    }
                    text(out, &json_string(&key.value()));
                    text(out, ":");
                    walk(value, out);
                }
                text(out, "}");
            }
            Json::Array(items) => {
                text(out, "[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        text(out, ",");
                    }
                    walk(item, out);
                }
                text(out, "]");
            }
            Json::Static(s) => text(out, s),
            Json::Expr(expr) => out.push(Piece::Value(expr)),
        }
    }
    let mut out = Vec::new();
    walk(json, &mut out);
    out
}

/// `s` as a JSON string literal (RFC 8259 escaping).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn render(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let mut cx = Ctxt::default();
        let json = parse_object_content(&mut cx, tokens).expect("parses");
        assert!(cx.into_errors().is_empty());
        pieces(&json)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t,
                Piece::Value(e) => format!("<{}>", quote!(#e)),
            })
            .collect()
    }

    #[test]
    fn static_json_is_rendered_in_written_order() {
        assert_eq!(
            render(quote!("z": 1, "a": [true, null, "x\"y"], "m": { "k": -1 })),
            [r#"{"z":1,"a":[true,null,"x\"y"],"m":{"k":"#, "<- 1>", "}}"]
        );
    }

    #[test]
    fn expressions_are_left_to_run_time() {
        assert_eq!(
            render(quote!("userName": name, "n": 2u8, "f": format!("{}", x))),
            [
                r#"{"userName":"#,
                "<name>",
                r#","n":"#,
                "<2u8>",
                r#","f":"#,
                "<format ! (\"{}\" , x)>",
                "}"
            ]
        );
    }

    #[test]
    fn duplicate_keys_and_bad_keys_are_errors() {
        let mut cx = Ctxt::default();
        parse_object_content(&mut cx, quote!("a": 1, "b": { "c": 1, "c": 2 }, "a": 3));
        assert_eq!(cx.into_errors().len(), 2);
        let mut cx = Ctxt::default();
        assert!(parse_object_content(&mut cx, quote!(a: 1)).is_none());
        assert_eq!(
            cx.into_errors()[0].to_string(),
            "a JSON key is a string literal: `\"key\": value`"
        );
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\u0001é""#);
    }
}
