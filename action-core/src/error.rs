//! The one error type of a call, with the context to act on it.

use crate::response::Response;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::fmt;

/// Everything that can go wrong in a call, each variant with the context to act on.
///
/// Variants name the call by method and relative-URL *template* (`GET /Users/<userId>`),
/// never by filled-in values, so an error message holds no user data or secret.
///
/// ```
/// use action_core::Error;
///
/// fn explain(error: &Error) -> String {
///     match error {
///         Error::Status(failure) => format!("the service said {}", failure.status()),
///         Error::Decode(failure) => format!("unexpected body: {}", failure.message),
///         other => other.to_string(),
///     }
/// }
/// # let _ = explain;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector was configured with a base URL it cannot use.
    #[error("invalid base URL `{url}`: {reason}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The connector's configuration was refused (a header name or value it cannot
    /// send, a client that cannot be built). Never holds a secret.
    #[error("invalid connector configuration: {0}")]
    Config(String),

    /// The request could not be built from the call's values; nothing was sent.
    #[error("{call}: {problem}; nothing was sent")]
    Request {
        /// Which call.
        call: Call,
        /// What was wrong with its values.
        problem: RequestProblem,
    },

    /// The request could not be sent, or no response came (connection refused or
    /// reset, invalid HTTP), after every attempt the retry policy allowed.
    #[error("{call}: {}{}", with_cause(source), attempts_suffix(*.attempts))]
    Transport {
        /// Which call.
        call: Call,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },

    /// The call took longer than its timeout (connecting, waiting for the
    /// response, or reading the body).
    #[error("{call}: timed out{}", attempts_suffix(*.attempts))]
    Timeout {
        /// Which call.
        call: Call,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The response's body could not be read whole: the connection was reset or
    /// closed early, or its length did not match `Content-Length`.
    #[error(
        "{call}: the {status} response's body could not be read: {}",
        with_cause(source)
    )]
    Body {
        /// Which call.
        call: Call,
        /// The response's status.
        status: StatusCode,
        /// How many attempts were made.
        attempts: u32,
        /// The error.
        #[source]
        source: reqwest::Error,
    },

    /// The response's body is larger than the connector's limit; it was not read.
    #[error("{call}: the {status} response's body is larger than the {limit}-byte limit")]
    BodyTooLarge {
        /// Which call.
        call: Call,
        /// The response's status.
        status: StatusCode,
        /// The limit, in bytes.
        limit: usize,
        /// How many attempts were made.
        attempts: u32,
    },

    /// A 2xx answer to a typed call is not JSON (its `Content-Type` says so).
    #[error(
        "{call} returned {status} with `Content-Type: {content_type}`, not JSON; body: {excerpt}"
    )]
    NotJson {
        /// Which call.
        call: Call,
        /// The response's status.
        status: StatusCode,
        /// The response's `Content-Type`.
        content_type: String,
        /// Up to 160 characters of the body.
        excerpt: String,
    },

    /// The service answered with a status other than 2xx. The whole response is kept.
    #[error("{0}")]
    Status(Box<StatusError>),

    /// A 2xx body did not decode into the type the call asked for.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The token endpoint refused the OAuth grant (`invalid_grant`): the refresh
    /// token is expired, revoked or already used. The user must authorise the app
    /// again; retrying will not help.
    #[error(
        "the OAuth grant was refused by {token_url} (invalid_grant{}): the user must authorise the app again",
        .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    InvalidGrant {
        /// The token endpoint.
        token_url: String,
        /// The endpoint's `error_description`, if any.
        description: Option<String>,
    },

    /// An OAuth token could not be obtained.
    #[error("{0}")]
    Token(Box<TokenError>),
}

/// Why an OAuth token could not be obtained. Token endpoint bodies are never
/// quoted (they may hold tokens); only the OAuth `error` code and
/// `error_description` are, and a token URL is shown with credentials redacted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint could not be reached or read.
    #[error("token endpoint {token_url}: {source}")]
    Transport {
        /// The token endpoint.
        token_url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The token endpoint answered with an error (a 4xx or 5xx).
    #[error(
        "token endpoint {token_url} answered {status}{}{}",
        .error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default(),
        .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    Rejected {
        /// The token endpoint.
        token_url: String,
        /// Its status.
        status: StatusCode,
        /// The OAuth `error` code (`invalid_client`, ...), if any.
        error: Option<String>,
        /// The OAuth `error_description`, if any.
        description: Option<String>,
    },
    /// The token endpoint answered something that is not JSON (an HTML error page).
    #[error("token endpoint {token_url} answered {status} with a body that is not JSON")]
    NotJson {
        /// The token endpoint.
        token_url: String,
        /// Its status.
        status: StatusCode,
    },
    /// The token endpoint answered a token type other than `bearer` (RFC 6749
    /// §7.1: a client must not use a type it does not understand).
    #[error("token endpoint {token_url} answered a `{token_type}` token, not a bearer token")]
    UnsupportedTokenType {
        /// The token endpoint.
        token_url: String,
        /// The `token_type` it answered.
        token_type: String,
    },
    /// The access token holds characters a header cannot carry.
    #[error("token endpoint {token_url} answered an access token that cannot be sent in a header")]
    InvalidAccessToken {
        /// The token endpoint.
        token_url: String,
    },
    /// A token request made by another call, which this call waited for, failed.
    #[error("{message}")]
    Shared {
        /// The token endpoint.
        token_url: String,
        /// What the other call's error said.
        message: String,
        /// Whether it failed by timing out.
        timed_out: bool,
    },
    /// The token endpoint answered without an `access_token`.
    #[error("token endpoint {token_url} answered {status} without an `access_token`")]
    MissingAccessToken {
        /// The token endpoint.
        token_url: String,
        /// Its status.
        status: StatusCode,
    },
}

impl Error {
    /// The status the service answered, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status(failure) => Some(failure.status()),
            Error::Decode(failure) => Some(failure.status),
            Error::Body { status, .. }
            | Error::BodyTooLarge { status, .. }
            | Error::NotJson { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How many attempts the call made, when it was sent.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Status(failure) => Some(failure.attempts),
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Body { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    /// True for [`Error::Timeout`], and for a token request that timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Token(error) => error.is_timeout(),
            _ => false,
        }
    }
}

impl TokenError {
    /// True when the token request timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            TokenError::Transport { source, .. } => source.is_timeout(),
            TokenError::Shared { timed_out, .. } => *timed_out,
            _ => false,
        }
    }
}

/// An error and its innermost cause ("error sending request: connection reset by
/// peer"): reqwest's own message rarely says what happened.
fn with_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut root = error;
    while let Some(next) = root.source() {
        root = next;
    }
    if std::ptr::addr_eq(root, error) {
        error.to_string()
    } else {
        format!("{error}: {root}")
    }
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// Which call an error is about: method and relative-URL template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The request type.
    pub method: Method,
    /// The relative URL as written in the source (`/Users/<userId>`).
    pub template: &'static str,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// Why a request could not be built. Values are never quoted: they may be secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestProblem {
    /// A placeholder's value was empty, `.` or `..`: as a path segment it would
    /// address another resource (`/Users/` lists users instead of reading one).
    #[error("placeholder `<{placeholder}>` is {}", describe_segment(.value))]
    PathSegment {
        /// The placeholder.
        placeholder: &'static str,
        /// The refused value (empty, `.` or `..`; never user data beyond that).
        value: &'static str,
    },
    /// A header value holds CR, LF, NUL or another control character (tab is
    /// allowed, as in HTTP).
    #[error("the value of header `{name}` contains a control character (such as CR or LF) that could split the request")]
    HeaderValue {
        /// The header's name.
        name: String,
    },
    /// A header name is not a valid HTTP token.
    #[error("`{name}` is not a valid header name")]
    HeaderName {
        /// The name.
        name: String,
    },
    /// The call set a header the connector owns (its auth header, `Content-Type`, ...).
    #[error("header `{name}` is set by the connector and cannot be set by a call")]
    ReservedHeader {
        /// The header's name.
        name: String,
    },
    /// A query value could not be written as `key=value` pairs.
    #[error("query: {0}")]
    Query(String),
    /// A `headers = value` could not be written as headers.
    #[error("headers: {0}")]
    Headers(String),
    /// The body could not be serialized to JSON.
    #[error("body: {0}")]
    Body(String),
    /// The base URL and relative URL did not form a valid URL.
    #[error("the URL is invalid: {0}")]
    Url(String),
}

fn describe_segment(value: &str) -> String {
    if value.is_empty() {
        "empty: an empty path segment would address another resource".to_string()
    } else {
        format!("`{value}`: a dot segment is resolved away by URL parsers and would address another resource")
    }
}

/// A non-2xx answer, kept whole: status, headers and body.
#[derive(Debug)]
pub struct StatusError {
    /// Which call.
    pub call: Call,
    /// How many attempts were made; more than 1 when retries ran out.
    pub attempts: u32,
    /// The response: its body as JSON where it parsed, else as a JSON string.
    pub response: Response<serde_json::Value>,
}

impl StatusError {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.response.status
    }
    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.response.headers
    }
    /// The response body.
    pub fn body(&self) -> &serde_json::Value {
        &self.response.body
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} returned {}", self.call, self.response.status)?;
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        let body = match &self.response.body {
            serde_json::Value::Null => return Ok(()),
            serde_json::Value::String(text) => text.clone(),
            json => json.to_string(),
        };
        write!(f, ": {}", excerpt(body.as_bytes(), 0))
    }
}

/// A 2xx body that did not decode into the requested type.
#[derive(Debug)]
pub struct DecodeError {
    /// Which call.
    pub call: Call,
    /// The response status.
    pub status: StatusCode,
    /// Where in the value decoding failed, as serde sees it (`Resources[0].userName`).
    pub path: String,
    /// 1-based line of the failure in the body (0 when the body was not reached).
    pub line: usize,
    /// 1-based column of the failure in the body.
    pub column: usize,
    /// serde's message.
    pub message: String,
    /// Up to 160 characters of the body around the failure.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} returned {} with a body that does not decode",
            self.call, self.status
        )?;
        if !self.path.is_empty() && self.path != "." {
            write!(f, " at `{}`", self.path)?;
        }
        write!(
            f,
            " (line {}, column {}): {}; body: {}",
            self.line, self.column, self.message, self.excerpt
        )
    }
}

/// At most 160 characters of `body` around byte `at`, on character boundaries, with
/// `…` where text was cut.
pub(crate) fn excerpt(body: &[u8], at: usize) -> String {
    const BEFORE: usize = 60;
    const LEN: usize = 160;
    if body.is_empty() {
        return "(empty)".to_string();
    }
    let text = String::from_utf8_lossy(body);
    let at = at.min(text.len());
    let mut start = at.saturating_sub(BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + LEN).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end - start + 6);
    if start > 0 {
        out.push('…');
    }
    // The body is the server's text: escape control characters so it cannot
    // forge log lines or terminal colours where the error is printed.
    for c in text[start..end].chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if end < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_around_the_position_on_char_boundaries() {
        assert_eq!(excerpt(b"", 0), "(empty)");
        assert_eq!(excerpt(b"short", 3), "short");
        let long = "é".repeat(200);
        let cut = excerpt(long.as_bytes(), 201);
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        let long = "x".repeat(300);
        assert_eq!(excerpt(long.as_bytes(), 0), format!("{}…", "x".repeat(160)));
        assert_eq!(
            excerpt(b"\x1b[31mFAKE\nINFO ok", 0),
            "\\u{1b}[31mFAKE\\nINFO ok"
        );
    }
}
