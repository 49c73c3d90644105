//! The card's three outputs, and how a body becomes one.

use crate::error::{excerpt, Call, DecodeError, Error};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

/// What a call returns: the card's Status Code, Headers and Body.
///
/// ```
/// use action_core::{Response, StatusCode};
///
/// let out = Response { status: StatusCode::CREATED, headers: Default::default(), body: 7 };
/// assert_eq!(out.status, 201);
/// assert_eq!(out.map(|n| n * 2).body, 14);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T> Response<T> {
    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The same response with its body transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }
}

/// A body as raw sending reports it: JSON where it parses, `Null` when empty, and
/// otherwise the text as a JSON string, so nothing the service said is lost.
pub(crate) fn body_as_value(body: &[u8]) -> serde_json::Value {
    if is_blank(body) {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Decodes a 2xx body into `T`. An empty body (a `204`) decodes as JSON `null`, so
/// `()` and `Option<_>` accept it and other types fail with a clear error.
pub(crate) fn decode<T: DeserializeOwned>(
    call: &Call,
    status: StatusCode,
    body: &[u8],
) -> Result<T, Error> {
    let empty = is_blank(body);
    let input: &[u8] = if empty { b"null" } else { body };
    // The fast path, as a hand-written call decodes; only a failure is decoded
    // again with path tracking, to say where it failed.
    if let Ok(value) = serde_json::from_slice(input) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(input);
    let failure = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(error) => ("".to_string(), error),
        },
        Err(error) => (error.path().to_string(), error.into_inner()),
    };
    let (path, error) = failure;
    let mut message = strip_position(&error.to_string());
    if empty {
        message.push_str(" (the body is empty)");
    }
    let (line, column) = if empty {
        (0, 0)
    } else {
        (error.line(), error.column())
    };
    Err(Error::Decode(Box::new(DecodeError {
        call: call.clone(),
        status,
        path,
        line,
        column,
        message,
        excerpt: excerpt(body, byte_offset(body, line, column)),
    })))
}

/// serde_json appends " at line L column C"; the error reports those as fields.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The byte offset of a 1-based line and column.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = body
        .split(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    line_start + column.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    const CALL: Call = Call {
        method: Method::GET,
        template: "/Users/<userId>",
    };

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct User {
        id: String,
        emails: Vec<Email>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Email {
        value: String,
    }

    fn decode_error(body: &str) -> DecodeError {
        match decode::<User>(&CALL, StatusCode::OK, body.as_bytes()) {
            Err(Error::Decode(e)) => *e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_error_names_the_path_position_and_excerpt() {
        let e = decode_error("{\"id\":\"7\",\n\"emails\":[{\"value\":3}]}");
        assert_eq!(e.path, "emails[0].value");
        assert_eq!((e.line, e.column), (2, 20));
        assert_eq!(e.message, "invalid type: integer `3`, expected a string");
        // Line breaks are escaped so the excerpt stays on one line.
        assert_eq!(e.excerpt, "{\"id\":\"7\",\\n\"emails\":[{\"value\":3}]}");
    }

    #[test]
    fn empty_body_decodes_as_null() {
        decode::<()>(&CALL, StatusCode::NO_CONTENT, b"").unwrap();
        assert_eq!(
            decode::<Option<u8>>(&CALL, StatusCode::OK, b" ").unwrap(),
            None
        );
        let e = decode_error("");
        assert_eq!(
            e.message,
            "invalid type: null, expected struct User (the body is empty)"
        );
        assert_eq!(e.excerpt, "(empty)");
    }

    #[test]
    fn trailing_data_is_an_error() {
        let e = match decode::<u8>(&CALL, StatusCode::OK, b"1 2") {
            Err(Error::Decode(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(e.message, "trailing characters");
        assert_eq!((e.line, e.column), (1, 3));
    }

    /// Property: whatever bytes a server sends, decoding returns a value or an
    /// error, and the error's excerpt is built, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic_the_decoder() {
        let mut gen = crate::testgen::Gen::new(0xBAD_B0D1E5);
        for _ in 0..20_000 {
            let body = gen.bytes(64);
            let _ = body_as_value(&body);
            let _ = decode::<serde_json::Value>(&CALL, StatusCode::OK, &body);
            if let Err(Error::Decode(e)) = decode::<User>(&CALL, StatusCode::OK, &body) {
                assert!(e.excerpt.chars().count() <= 162, "{}", e.excerpt);
            }
            let _ = crate::error::excerpt(&body, gen.below(80));
        }
    }

    #[test]
    fn raw_bodies_keep_everything() {
        assert_eq!(body_as_value(b""), serde_json::Value::Null);
        assert_eq!(body_as_value(b"{\"a\":1}"), serde_json::json!({"a": 1}));
        assert_eq!(
            body_as_value(b"<html>bad gateway</html>"),
            serde_json::json!("<html>bad gateway</html>")
        );
    }
}
