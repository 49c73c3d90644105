//! A checked call, built by `api_action!` and sent through a connector.

use crate::connector::RawResponse;
use crate::connector::{CallOptions, Connector, RequestParts};
use crate::encode::{self, CheckedQuerySink, EncodeError, HeaderSink, QuerySink};
use crate::error::{excerpt, Call, Error, RequestProblem, StatusError};
use crate::response::{body_as_value, decode, Response};
use crate::retry::RetryPolicy;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::{self, Display, Write};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

/// One call, ready to send: what `api_action!` evaluates to.
///
/// The macro has already checked the method, relative URL, bindings, body and
/// header rules at compile time; building this value only encodes the call's
/// values. A value that cannot be encoded (a header value with a line break, an
/// empty path segment) is kept as an error and returned by `send`, before anything
/// goes on the wire.
///
/// `T` is the type a 2xx body decodes into (`-> T` in the macro; `serde_json::Value`
/// without it).
///
/// ```no_run
/// # async fn run(scim: &api_action::Connector) -> Result<(), api_action::Error> {
/// use api_action::api_action;
///
/// let request = api_action!(GET "/Users?count=10");
/// assert_eq!(request.relative_url(), "/Users?count=10");
/// let users = request.send(scim).await?;
/// println!("{} {}", users.status, users.body["totalResults"]);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent with `.send(&connector).await`"]
pub struct ActionRequest<T> {
    method: Method,
    template: &'static str,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    /// The first value that could not be encoded; reported by `send`.
    problem: Option<RequestProblem>,
    options: CallOptions,
    response: PhantomData<fn() -> T>,
}

impl<T> ActionRequest<T> {
    /// Starts a request. Used by `api_action!`; `path_capacity` is its estimate of
    /// the encoded path's length, so building does not reallocate.
    #[doc(hidden)]
    pub fn new(method: Method, template: &'static str, path_capacity: usize) -> Self {
        ActionRequest {
            method,
            template,
            path: String::with_capacity(path_capacity),
            query: String::new(),
            headers: HeaderMap::new(),
            body: None,
            problem: None,
            options: CallOptions::default(),
            response: PhantomData,
        }
    }

    /// A `GET` of a link a server gave (`Link: <..>; rel="next"`), which must stay
    /// under the connector's `base` URL: the connector's credentials never follow
    /// a link elsewhere.
    pub(crate) fn from_link(
        method: Method,
        template: &'static str,
        base: &str,
        link: &str,
    ) -> Self {
        let mut request = ActionRequest::new(method, template, link.len());
        let origin_end = base
            .find("://")
            .map(|i| i + 3)
            .and_then(|start| base[start..].find('/').map(|i| start + i))
            .unwrap_or(base.len());
        let absolute = if link.starts_with('/') && !link.starts_with("//") {
            format!("{}{link}", &base[..origin_end])
        } else {
            link.to_string()
        };
        // Compared as the URL parser resolves it, dot segments (`..`, `%2e%2e`)
        // and all: `/api/../admin` starts with `/api` as text, not as a path.
        let absolute = match reqwest::Url::parse(&absolute) {
            Ok(mut url) => {
                url.set_fragment(None);
                String::from(url)
            }
            Err(_) => absolute,
        };
        match absolute.strip_prefix(base) {
            Some(rest) if rest.is_empty() || rest.starts_with(['/', '?']) => {
                let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
                request.path.push_str(path);
                request.query.push_str(query);
            }
            _ => request.fail(RequestProblem::Url(format!(
                "the next-page link leaves the connector's base URL {}",
                crate::connector::describe_base_url(base)
            ))),
        }
        request
    }

    /// The request type.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The relative URL as written in the source, placeholders and all.
    pub fn template(&self) -> &'static str {
        self.template
    }

    /// The relative URL as it will be sent: encoded path, then `?query` if any.
    pub fn relative_url(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// The headers the call sets (the connector adds its own when sending).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The JSON body, serialized, if the call has one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The most this call may take, overriding the connector's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// How this call is retried, overriding the connector's policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(Box::new(policy));
        self
    }

    /// Declares that sending this call twice has the effect of sending it once,
    /// so a `POST` or `PATCH` may be retried like a `GET` (sending an
    /// `Idempotency-Key` header does the same).
    pub fn idempotent(mut self) -> Self {
        self.options.idempotent = true;
        self
    }

    fn fail(&mut self, problem: RequestProblem) {
        self.problem.get_or_insert(problem);
    }

    #[doc(hidden)]
    pub fn push_path(&mut self, text: &'static str) {
        self.path.push_str(text);
    }

    /// Appends a placeholder's value as one encoded segment, formatting it straight
    /// into the path (no intermediate string).
    #[doc(hidden)]
    pub fn push_segment<V: Display + ?Sized>(&mut self, placeholder: &'static str, value: &V) {
        let start = self.path.len();
        let _ = write!(SegmentWriter(&mut self.path), "{value}");
        match &self.path[start..] {
            "" => self.fail(RequestProblem::PathSegment {
                placeholder,
                value: "",
            }),
            "." => self.fail(RequestProblem::PathSegment {
                placeholder,
                value: ".",
            }),
            ".." => self.fail(RequestProblem::PathSegment {
                placeholder,
                value: "..",
            }),
            _ => {}
        }
    }

    #[doc(hidden)]
    pub fn push_query_literal(&mut self, query: &'static str) {
        if self.query.is_empty() {
            // Room for the pairs that usually follow.
            self.query.reserve(query.len() + 32);
        } else {
            self.query.push('&');
        }
        self.query.push_str(query);
    }

    #[doc(hidden)]
    pub fn push_query_pair<V: Serialize + ?Sized>(&mut self, key: &'static str, value: &V) {
        let result = encode::push_pair(&mut QuerySink(&mut self.query), key, value);
        self.check(result, RequestProblem::Query);
    }

    /// `query = value`: a struct or map; `literal_keys` are the keys the URL's
    /// literal query string set, which the value may not set again.
    #[doc(hidden)]
    pub fn push_query_value<V: Serialize + ?Sized>(&mut self, value: &V, literal_keys: &[&str]) {
        let mut sink = CheckedQuerySink {
            query: QuerySink(&mut self.query),
            taken: literal_keys,
        };
        let result = encode::push_fields(&mut sink, value);
        self.check(result, RequestProblem::Query);
    }

    /// A header from `headers { "Name": value }`: the name was checked at compile
    /// time and comes as a constant; the value is anything `Display`.
    #[doc(hidden)]
    pub fn push_header<V: Display + ?Sized>(
        &mut self,
        name: &'static str,
        header: HeaderName,
        value: &V,
    ) {
        match HeaderValue::try_from(value.to_string()) {
            Ok(value) => {
                self.headers.append(header, value);
            }
            Err(_) => self.fail(RequestProblem::HeaderValue { name: name.into() }),
        }
    }

    /// A header whose name and value are both compile-time constants.
    #[doc(hidden)]
    pub fn push_header_value(&mut self, header: HeaderName, value: HeaderValue) {
        self.headers.append(header, value);
    }

    /// Headers from `headers = value`: a `Serialize` struct or map, one header per
    /// field, checked here since the names are only known at run time.
    #[doc(hidden)]
    pub fn push_header_fields<V: Serialize + ?Sized>(&mut self, value: &V) {
        let result = encode::push_fields(&mut HeaderSink(&mut self.headers), value);
        self.check(result, RequestProblem::Headers);
    }

    fn check(&mut self, result: Result<(), EncodeError>, shape: fn(String) -> RequestProblem) {
        match result {
            Ok(()) => {}
            Err(EncodeError::Shape(message)) => self.fail(shape(message)),
            Err(EncodeError::HeaderName(name)) => self.fail(RequestProblem::HeaderName { name }),
            Err(EncodeError::HeaderValue(name)) => self.fail(RequestProblem::HeaderValue { name }),
        }
    }

    #[doc(hidden)]
    pub fn set_json_body<V: Serialize + ?Sized>(&mut self, value: &V) {
        // Serialized once, here: a retried request sends these same bytes.
        match serde_json::to_vec(value) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => self.fail(RequestProblem::Body(e.to_string())),
        }
    }

    /// An inline `body { .. }`, rendered by the macro.
    #[doc(hidden)]
    pub fn set_json_text(&mut self, body: JsonBody) {
        match body.error {
            None => self.body = Some(body.buf),
            Some(error) => self.fail(RequestProblem::Body(error)),
        }
    }

    fn call(&self) -> Call {
        Call {
            method: self.method.clone(),
            template: self.template,
        }
    }

    /// Sends the request; every status comes back as data, like the card's outputs.
    /// Errors are only for requests that could not be built or sent.
    ///
    /// The request is checked and its URL resolved when `send_raw` is called;
    /// nothing goes on the wire until the future is awaited.
    pub fn send_raw(
        self,
        connector: &Connector,
    ) -> impl Future<Output = Result<Response<serde_json::Value>, Error>> + Send + '_ {
        let (call, parts) = self.into_parts();
        Finish::new(
            connector.execute(call, parts),
            |raw: Result<RawResponse, _>| {
                let raw = raw?;
                Ok(Response {
                    status: raw.status,
                    body: body_as_value(&raw.body),
                    headers: raw.headers,
                })
            },
        )
    }

    /// The call, and the parts to send (or why they cannot be sent).
    fn into_parts(self) -> (Call, Result<RequestParts, Error>) {
        let call = self.call();
        if let Some(problem) = self.problem {
            let error = Error::Request {
                call: call.clone(),
                problem,
            };
            return (call, Err(error));
        }
        let parts = RequestParts {
            method: self.method,
            path: self.path,
            query: self.query,
            headers: self.headers,
            body: self.body,
            options: self.options,
        };
        (call, Ok(parts))
    }
}

impl<T: DeserializeOwned> ActionRequest<T> {
    /// Sends the request and decodes a 2xx body into `T` (an empty body, as in a
    /// `204`, decodes into `()` or `None`). Any other status is
    /// [`Error::Status`], which keeps the status, headers and body.
    ///
    /// The request is checked and its URL resolved when `send` is called; nothing
    /// goes on the wire until the future is awaited.
    pub fn send(
        self,
        connector: &Connector,
    ) -> impl Future<Output = Result<Response<T>, Error>> + Send + '_ {
        let (call, parts) = self.into_parts();
        let sending = connector.execute(call.clone(), parts);
        Finish::new(sending, move |raw| typed(call, raw?))
    }
}

/// A response as the call's `T`: a 2xx JSON body decoded, any other status an
/// error that keeps it.
fn typed<T: DeserializeOwned>(call: Call, raw: RawResponse) -> Result<Response<T>, Error> {
    if !raw.status.is_success() {
        return Err(Error::Status(Box::new(StatusError {
            call,
            attempts: raw.attempts,
            response: Response {
                status: raw.status,
                body: body_as_value(&raw.body),
                headers: raw.headers,
            },
        })));
    }
    check_json(&call, &raw)?;
    let body = decode(&call, raw.status, &raw.body)?;
    Ok(Response {
        status: raw.status,
        headers: raw.headers,
        body,
    })
}

pin_project_lite::pin_project! {
    /// A future and what is done with its output. Not an `async` block, which
    /// would keep a copy of the sending future's first state beside the one it
    /// awaits: every call would move and carry that much more.
    struct Finish<F, G> {
        #[pin]
        future: F,
        finish: Option<G>,
    }
}

impl<F, G> Finish<F, G> {
    fn new(future: F, finish: G) -> Self {
        Finish {
            future,
            finish: Some(finish),
        }
    }
}

impl<F: Future, G: FnOnce(F::Output) -> O, O> Future for Finish<F, G> {
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let this = self.project();
        if this.finish.is_none() {
            // Polled again after it was ready, which the `Future` contract rules
            // out: stay pending rather than resume a finished future (a panic).
            return Poll::Pending;
        }
        let output = ready!(this.future.poll(cx));
        match this.finish.take() {
            Some(finish) => Poll::Ready(finish(output)),
            None => Poll::Pending,
        }
    }
}

/// A typed call expects JSON: a non-empty 2xx body whose `Content-Type` names
/// another format (an HTML login page, a CSV export) is refused as such rather
/// than as a confusing decode error. No `Content-Type` at all is given a chance.
fn check_json(call: &Call, raw: &RawResponse) -> Result<(), Error> {
    let Some(content_type) = raw.headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let media = content_type
        .as_bytes()
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default();
    let media = media.trim_ascii();
    let ends_with = |suffix: &[u8]| {
        media.len() >= suffix.len()
            && media[media.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    let is_json = ends_with(b"/json") || ends_with(b"+json");
    if is_json || raw.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    Err(Error::NotJson {
        call: call.clone(),
        status: raw.status,
        content_type: String::from_utf8_lossy(content_type.as_bytes()).into_owned(),
        excerpt: excerpt(&raw.body, 0),
    })
}

impl<T> fmt::Debug for ActionRequest<T> {
    /// Shows the method, URL template and header names: path and query values,
    /// header values and the body may be secret and are left out (use
    /// [`relative_url`](Self::relative_url) to see the encoded URL on purpose).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionRequest")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// The bytes of an inline `body { .. }`: the macro renders keys, brackets and
/// literal values at compile time and pushes them as text; only the Rust
/// expressions in it are serialized here.
#[doc(hidden)]
pub struct JsonBody {
    buf: Vec<u8>,
    error: Option<String>,
}

impl JsonBody {
    #[doc(hidden)]
    pub fn with_capacity(capacity: usize) -> Self {
        JsonBody {
            buf: Vec::with_capacity(capacity),
            error: None,
        }
    }

    /// Static JSON text, already valid in place.
    #[doc(hidden)]
    pub fn push_text(&mut self, text: &'static str) {
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// A value, serialized as JSON.
    #[doc(hidden)]
    pub fn push_value<V: Serialize + ?Sized>(&mut self, value: &V) {
        if let Err(e) = serde_json::to_writer(&mut self.buf, value) {
            self.error.get_or_insert(e.to_string());
        }
    }
}

/// Percent-encodes whatever is written through it into one path segment.
struct SegmentWriter<'a>(&'a mut String);

impl Write for SegmentWriter<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        encode::push_segment_text(self.0, text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ActionRequest<serde_json::Value> {
        ActionRequest::new(Method::GET, "/Users/<userId>", 16)
    }

    #[test]
    fn placeholders_are_encoded_as_they_are_formatted() {
        let mut r = request();
        r.push_path("/Users/");
        r.push_segment("userId", &format_args!("{}/{}", "a", "b c"));
        assert_eq!(r.relative_url(), "/Users/a%2Fb%20c");
        assert!(r.problem.is_none());
    }

    #[test]
    fn a_segment_that_moves_the_path_is_a_problem() {
        for value in ["", ".", ".."] {
            let mut r = request();
            r.push_path("/Users/");
            r.push_segment("userId", value);
            assert_eq!(
                r.problem,
                Some(RequestProblem::PathSegment {
                    placeholder: "userId",
                    value: match value {
                        "" => "",
                        "." => ".",
                        _ => "..",
                    }
                })
            );
        }
    }

    #[test]
    fn header_values_with_line_breaks_are_a_problem() {
        let mut r = request();
        r.push_header(
            "X-Request-Id",
            HeaderName::from_static("x-request-id"),
            "a\r\nInjected: 1",
        );
        assert_eq!(
            r.problem,
            Some(RequestProblem::HeaderValue {
                name: "X-Request-Id".into()
            })
        );
        assert!(r.headers().is_empty());
    }

    #[test]
    fn debug_leaves_out_values() {
        let mut r = request();
        r.push_path("/Users/");
        r.push_segment("userId", "hunter2");
        r.push_query_pair("token", "hunter2");
        r.push_header("X-Secret", HeaderName::from_static("x-secret"), "hunter2");
        r.set_json_body(&serde_json::json!({"password": "hunter2"}));
        let text = format!("{r:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("x-secret"), "{text}");
    }
}
