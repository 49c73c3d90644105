//! A connector: one configured service (base URL, auth, policies) and the one
//! HTTP client its calls share.

use crate::auth::{Auth, AuthScheme, Credentials};
use crate::error::{Call, Error, RequestProblem};
use crate::retry::{self, RetryPolicy};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST,
    PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use reqwest::{Method, StatusCode, Url};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// One configured service: where calls go, as whom, and how.
///
/// A connector is cheap to clone (an `Arc`); clones share one connection pool.
///
/// ```
/// use action_core::{Auth, Connector};
///
/// let scim = Connector::builder("https://api.atlassian.com/scim/directory/d-1")
///     .auth(Auth::bearer("directory-api-key"))
///     .content_type("application/scim+json")
///     .build()?;
/// assert_eq!(scim.base_url(), "https://api.atlassian.com/scim/directory/d-1");
/// assert!(!format!("{scim:?}").contains("directory-api-key"));
/// # Ok::<(), action_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Connector {
    inner: Arc<Inner>,
}

struct Inner {
    /// Scheme, host and path prefix, without a trailing `/`: relative URLs start
    /// with `/` and go after the prefix (a plain `Url::join` would drop it).
    base: String,
    /// The same base URL, parsed once: each call's URL is resolved against it,
    /// so scheme, host and port are never parsed again.
    base_url: Url,
    /// Where the path prefix starts in `base` (after scheme, host and port).
    prefix_at: usize,
    client: reqwest::Client,
    auth: Auth,
    /// The headers the auth scheme sets: a call may not set them.
    auth_headers: Vec<HeaderName>,
    content_type: HeaderValue,
    default_headers: HeaderMap,
    retry: RetryPolicy,
    max_body_bytes: usize,
    /// The whole-call timeout, also applied to waiting for credentials.
    timeout: Option<Duration>,
}

/// Configures a [`Connector`]; see [`Connector::builder`].
#[must_use]
pub struct ConnectorBuilder {
    base: String,
    auth: Auth,
    content_type: String,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: RetryPolicy,
    max_body_bytes: usize,
}

/// The largest response body read by default (16 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Headers a call may never set: the connector owns authentication and framing.
const RESERVED: [HeaderName; 6] = [
    AUTHORIZATION,
    PROXY_AUTHORIZATION,
    CONTENT_TYPE,
    CONTENT_LENGTH,
    HOST,
    TRANSFER_ENCODING,
];

impl Connector {
    /// Starts configuring a connector for the service at `base_url`. The base URL's
    /// path is a prefix every relative URL is appended to.
    pub fn builder(base_url: impl Into<String>) -> ConnectorBuilder {
        ConnectorBuilder {
            base: base_url.into(),
            auth: Auth::none(),
            content_type: "application/json".into(),
            headers: Vec::new(),
            timeout: None,
            connect_timeout: None,
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// A connector with default settings: JSON bodies, no timeouts beyond the OS's.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Result<Self, Error> {
        Connector::builder(base_url).auth(auth).build()
    }

    /// The base URL every relative URL is appended to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The HTTP client the connector sends with, for a request made outside
    /// `api_action!` that should share the connector's connection pool. It adds
    /// no credentials and no base URL: those are the connector's.
    ///
    /// ```
    /// # let connector = action_core::Connector::builder("https://h.example").build()?;
    /// let client: reqwest::Client = connector.http_client().clone();
    /// # drop(client);
    /// # Ok::<(), action_core::Error>(())
    /// ```
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// The connector's credential; clone it to share one OAuth grant (and its
    /// token cache) with another connector.
    pub fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// Sends a call: prepares the request once, then makes attempts under the
    /// retry policy, inside one `tracing` span that records the method, template,
    /// status, attempts and latency (never values, headers or bodies).
    pub(crate) fn execute(
        &self,
        call: Call,
        parts: Result<RequestParts, Error>,
    ) -> impl Future<Output = Result<RawResponse, Error>> + Send + '_ {
        // Prepared now, so the attempts' future does not also carry the parts.
        let prepared = parts.and_then(|parts| self.prepare(&call, parts));
        // A request refused before sending has no span, as it never started.
        let traced = prepared.is_ok().then(|| call.clone());
        Traced::new(traced, self.execute_in_span(call, prepared))
    }

    /// The attempts under the retry policy, within the call's one deadline, then
    /// the body of the answer kept; run inside the span `execute` opens.
    #[allow(clippy::manual_async_fn)] // on purpose: see the comment inside
    fn execute_in_span(
        &self,
        call: Call,
        mut prepared: Result<Prepared, Error>,
    ) -> impl Future<Output = Result<RawResponse, Error>> + Send + '_ {
        // An `async` block that uses the request where it was captured: an `async
        // fn` (or a `let` here) would keep a second copy of it in the future.
        async move {
            let call = &call;
            let prepared = match &mut prepared {
                Ok(prepared) => prepared,
                // The error is moved out; what is left in its place is never read.
                Err(error) => return Err(std::mem::replace(error, Error::Config(String::new()))),
            };
            let inner = &*self.inner;
            let call_policy = prepared.retry.take();
            let policy = call_policy.as_deref().unwrap_or(&inner.retry);
            let may_retry =
                prepared.idempotent || retry::is_idempotent(&prepared.method, &prepared.headers);
            // When the request can only ever be sent once, the first attempt takes
            // its parts instead of copying them, as a hand-written call would.
            let retries = may_retry && policy.attempts() > 1;
            let reusable = retries || inner.auth.scheme().may_refresh();
            let limit = prepared.timeout.or(inner.timeout);
            // The clock is read only if a deadline or a retry will need it.
            let started = (retries || limit.is_some()).then(Instant::now);
            // The timeout bounds the whole call: every attempt, the waits between
            // them, and waiting for credentials share one deadline.
            let deadline = limit
                .zip(started)
                .map(|(limit, started)| Deadline { started, limit });
            let elapsed = |waited: Duration| started.map_or(waited, |s| s.elapsed().max(waited));
            // Time spent waiting between attempts; counted even if a policy's own sleep
            // does not let the clock run (as in tests).
            let mut waited = Duration::ZERO;
            // Requests sent, including a re-send after a 401.
            let mut sent = 0;
            let mut attempt = 0;
            // The loop ends with the body-reading future, awaited after it: the
            // attempt's response is then not kept in the future beside it.
            loop {
                attempt += 1;
                let timed_out = |sent| Error::Timeout {
                    call: call.clone(),
                    attempts: sent,
                };
                let remaining = match deadline.map(|d| d.remaining()) {
                    Some(Some(remaining)) => Some(remaining),
                    Some(None) => return Err(timed_out(sent)),
                    None => None,
                };
                // A delay is taken only if it leaves time to send again.
                let fits = |delay: Duration| deadline.map_or(true, |d| d.leaves(delay));
                // Bound before the `match`: a future awaited in the scrutinee would keep
                // its storage through every arm, beside the body-reading future.
                // One attempt: credentials, send, and at most one re-send after a
                // `401` when the scheme can refresh them, all within `remaining`.
                // Written inline rather than as a nested `async fn`: one future
                // less to create, move and poll on every call.
                let outcome: Result<reqwest::Response, AttemptError> = 'attempt: {
                    let scheme = inner.auth.scheme();
                    // What is left of the call's time, read off the clock only when
                    // there is a deadline at all.
                    let attempt_started = remaining.map(|r| (Instant::now(), r));
                    let left = || attempt_started.map(|(at, r)| r.saturating_sub(at.elapsed()));
                    // Cached credentials (the usual case, and always for fixed
                    // schemes) need no future at all; a token request is boxed.
                    let credentials = match scheme.current() {
                        Some(credentials) => credentials,
                        None => match Box::pin(self.credentials(call, left())).await {
                            Ok(credentials) => credentials,
                            Err(error) => break 'attempt Err(error),
                        },
                    };
                    sent += 1;
                    let request = if reusable {
                        prepared.request(&credentials, left())
                    } else {
                        prepared.take_request(&credentials, left())
                    };
                    let request = match self.signed(request) {
                        Ok(request) => request,
                        Err(error) => break 'attempt Err(error),
                    };
                    let response = match inner.client.execute(request).await {
                        Ok(response) => response,
                        Err(error) => break 'attempt Err(AttemptError::Transport(error)),
                    };
                    if response.status() != StatusCode::UNAUTHORIZED
                        || !scheme.may_refresh()
                        || !scheme.rejected(&credentials)
                    {
                        break 'attempt Ok(response);
                    }
                    drop(response);
                    Box::pin(self.resend_after_401(call, prepared, left(), &mut sent)).await
                };
                match outcome {
                    Ok(response) => {
                        let status = response.status();
                        if may_retry && retry::is_retryable_status(status) {
                            let wait = retry::retry_after(response.headers());
                            let delay = policy.next_delay(attempt, elapsed(waited), wait);
                            if let Some(delay) = delay.filter(|d| fits(*d)) {
                                tracing::debug!(
                                    attempt,
                                    status = status.as_u16(),
                                    delay_ms = delay.as_millis() as u64,
                                    "retrying"
                                );
                                drop(response);
                                Box::pin(policy.sleep(delay)).await;
                                waited += delay;
                                continue;
                            }
                        }
                        break self.read(call, response, sent);
                    }
                    Err(AttemptError::Auth(Error::Timeout { .. })) => return Err(timed_out(sent)),
                    Err(AttemptError::Auth(error)) => return Err(error),
                    Err(AttemptError::Transport(error)) => {
                        if may_retry && retry::is_retryable_error(&error) {
                            let delay = policy.next_delay(attempt, elapsed(waited), None);
                            if let Some(delay) = delay.filter(|d| fits(*d)) {
                                tracing::debug!(
                                    attempt,
                                    delay_ms = delay.as_millis() as u64,
                                    "retrying after a transport error"
                                );
                                Box::pin(policy.sleep(delay)).await;
                                waited += delay;
                                continue;
                            }
                        }
                        return Err(transport_error(call, error, sent));
                    }
                }
            }
            .await
        }
    }

    /// Everything that is the same for every attempt: URL, headers, body.
    fn prepare(&self, call: &Call, parts: RequestParts) -> Result<Prepared, Error> {
        let inner = &*self.inner;
        let refuse = |problem| Error::Request {
            call: call.clone(),
            problem,
        };
        let url = inner
            .url(&parts.path, &parts.query)
            .map_err(|e| refuse(RequestProblem::Url(e)))?;

        let mut headers = parts.headers;
        for name in headers.keys() {
            if RESERVED.contains(name) || inner.auth_headers.contains(name) {
                return Err(refuse(RequestProblem::ReservedHeader {
                    name: name.as_str().to_string(),
                }));
            }
        }
        for (name, value) in &inner.default_headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        if parts.body.is_some() {
            headers.insert(CONTENT_TYPE, inner.content_type.clone());
        }
        Ok(Prepared {
            method: parts.method,
            url: Some(url),
            headers,
            // Shared bytes: every attempt sends the same body without copying it.
            body: parts.body.map(bytes::Bytes::from),
            timeout: parts.options.timeout,
            retry: parts.options.retry,
            idempotent: parts.options.idempotent,
        })
    }

    /// The re-send after a `401` when the scheme can refresh its credentials:
    /// fresh credentials, then the request once more. Boxed by its caller: it is
    /// rare, and its future would otherwise widen every call's.
    async fn resend_after_401(
        &self,
        call: &Call,
        prepared: &Prepared,
        left: Option<Duration>,
        sent: &mut u32,
    ) -> Result<reqwest::Response, AttemptError> {
        tracing::debug!(call = %call, "401 Unauthorized: retrying once with fresh credentials");
        let started = left.map(|r| (Instant::now(), r));
        let left = || started.map(|(at, r)| r.saturating_sub(at.elapsed()));
        let fresh = self.credentials(call, left()).await?;
        *sent += 1;
        // A second 401 is returned as it is, never retried again. The fresh token is
        // kept: the 401 may be about this endpoint (a missing scope), and the token
        // is good for others.
        let request = self.signed(prepared.request(&fresh, left()))?;
        self.inner
            .client
            .execute(request)
            .await
            .map_err(AttemptError::Transport)
    }

    /// The request after the auth scheme's last look (signing schemes sign here).
    fn signed(&self, mut request: reqwest::Request) -> Result<reqwest::Request, AttemptError> {
        self.inner
            .auth
            .scheme()
            .sign(&mut request)
            .map_err(AttemptError::Auth)?;
        Ok(request)
    }

    /// The scheme's credentials, within what is left of the call's timeout:
    /// waiting for a token counts against it like waiting for the response.
    async fn credentials(
        &self,
        call: &Call,
        remaining: Option<Duration>,
    ) -> Result<Credentials, AttemptError> {
        let inner = &*self.inner;
        let fetch = credentials_for(inner.auth.scheme(), &inner.client);
        let timed_out = || Error::Timeout {
            call: call.clone(),
            attempts: 0,
        };
        let result = match remaining {
            Some(limit) => tokio::time::timeout(limit, fetch)
                .await
                .unwrap_or_else(|_| Err(timed_out())),
            None => fetch.await,
        };
        result.map_err(|error| match error {
            // The token request ran out of the same time as the call.
            Error::Token(token) if token.is_timeout() => AttemptError::Auth(timed_out()),
            other => AttemptError::Auth(other),
        })
    }

    /// Reads the whole body, refusing more than the connector's limit without
    /// buffering it.
    #[allow(clippy::manual_async_fn)] // on purpose: see the comment inside
    fn read<'a>(
        &self,
        call: &'a Call,
        mut response: reqwest::Response,
        attempts: u32,
    ) -> impl Future<Output = Result<RawResponse, Error>> + Send + 'a {
        let limit = self.inner.max_body_bytes;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        // The response is read where the block captured it: an `async fn` would
        // hold it twice, as its argument and as its local.
        async move {
            let too_large = || Error::BodyTooLarge {
                call: call.clone(),
                status,
                limit,
                attempts,
            };
            let body_error = |source: reqwest::Error| {
                if source.is_timeout() {
                    Error::Timeout {
                        call: call.clone(),
                        attempts,
                    }
                } else {
                    Error::Body {
                        call: call.clone(),
                        status,
                        attempts,
                        source: source.without_url(),
                    }
                }
            };
            if response
                .content_length()
                .is_some_and(|length| length > limit as u64)
            {
                return Err(too_large());
            }
            // Chunks are kept as they come and joined once, so memory never grows
            // past the limit (a growing buffer would double past it). A body that
            // arrives in one chunk, as a small one does, is taken as it is: no copy.
            // (`bytes()` would do the same work with a future three times the size.)
            let mut chunks = Vec::new();
            let mut length = 0;
            while let Some(chunk) = response.chunk().await.map_err(body_error)? {
                length += chunk.len();
                if length > limit {
                    return Err(too_large());
                }
                chunks.push(chunk);
            }
            let body = match chunks.len() {
                0 => bytes::Bytes::new(),
                1 => chunks.pop().unwrap_or_default(),
                _ => {
                    let mut body = Vec::with_capacity(length);
                    for chunk in &chunks {
                        body.extend_from_slice(chunk);
                    }
                    body.into()
                }
            };
            Ok(RawResponse {
                status,
                headers,
                body,
                attempts,
            })
        }
    }
}

impl Inner {
    /// The absolute URL of a call: the base URL's path prefix, the call's path and
    /// query.
    ///
    /// Resolved against the parsed base URL as a path-absolute reference, which
    /// parses only what follows the host; the same as parsing `base + path + ?query`
    /// whole (a property test holds the two equal), at a fraction of the cost: no
    /// scheme, host or IDNA processing per call.
    fn url(&self, path: &str, query: &str) -> Result<Url, String> {
        let prefix = &self.base[self.prefix_at..];
        let mut relative = String::with_capacity(prefix.len() + path.len() + query.len() + 1);
        relative.push_str(prefix);
        relative.push_str(path);
        if !query.is_empty() {
            relative.push('?');
            relative.push_str(query);
        }
        // Only a reference that starts with one `/` keeps the base's host: `//x`,
        // `/\x` or `/\n/x` (the parser drops tabs and newlines) would name another
        // host, and anything else resolves differently from concatenation. Those
        // take the whole-URL parse; encoded values never do.
        let path_absolute = relative.starts_with('/')
            && !matches!(relative.as_bytes().get(1), Some(b'/' | b'\\'))
            && !relative.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r'));
        let url = if path_absolute || relative.is_empty() {
            self.base_url.join(&relative)
        } else {
            Url::parse(&format!("{}{relative}", &self.base[..self.prefix_at]))
        };
        url.map_err(|e| e.to_string())
    }
}

pin_project_lite::pin_project! {
    /// A call's future inside its span. Not an `async` wrapper: that would be one
    /// more layer of state moved and polled on every call. The span is opened at
    /// the first poll, under whatever span polls the call then, and its clock
    /// starts there; when no subscriber wants it, polling goes straight through.
    struct Traced<F> {
        #[pin]
        call: F,
        // The call that names the span, until the first poll opens it.
        opening: Option<Call>,
        span: Option<(tracing::Span, Instant)>,
    }
}

impl<F> Traced<F> {
    fn new(opening: Option<Call>, call: F) -> Self {
        Traced {
            call,
            opening,
            span: None,
        }
    }
}

impl<F: Future<Output = Result<RawResponse, Error>>> Future for Traced<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(call) = this.opening.take() {
            let span = tracing::info_span!(
                "api_action",
                method = %call.method,
                template = call.template,
                status = tracing::field::Empty,
                attempts = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            if !span.is_disabled() {
                *this.span = Some((span, Instant::now()));
            }
        }
        let Some((span, started)) = this.span.as_ref() else {
            return this.call.poll(cx);
        };
        let result = {
            let _entered = span.enter();
            match this.call.poll(cx) {
                Poll::Ready(result) => result,
                Poll::Pending => return Poll::Pending,
            }
        };
        span.record(
            "latency_ms",
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
        match &result {
            Ok(response) => {
                span.record("status", response.status.as_u16());
                span.record("attempts", response.attempts);
            }
            Err(error) => {
                if let Some(status) = error.status() {
                    span.record("status", status.as_u16());
                }
                if let Some(attempts) = error.attempts() {
                    span.record("attempts", attempts);
                }
            }
        }
        Poll::Ready(result)
    }
}

/// When a call must be over.
#[derive(Clone, Copy)]
struct Deadline {
    started: Instant,
    limit: Duration,
}

impl Deadline {
    /// The time left, or `None` when it is up.
    fn remaining(self) -> Option<Duration> {
        self.limit
            .checked_sub(self.started.elapsed())
            .filter(|left| !left.is_zero())
    }

    /// Whether waiting `delay` still leaves time to send again.
    fn leaves(self, delay: Duration) -> bool {
        self.remaining().is_some_and(|left| left > delay)
    }
}

/// A request ready to send, kept for every attempt.
struct Prepared {
    method: Method,
    /// Taken by the one send of a request that is never sent twice.
    url: Option<Url>,
    headers: HeaderMap,
    body: Option<bytes::Bytes>,
    timeout: Option<Duration>,
    retry: Option<Box<RetryPolicy>>,
    idempotent: bool,
}

impl Prepared {
    /// The request, moving the parts out: for a request that is sent only once.
    fn take_request(
        &mut self,
        credentials: &Credentials,
        timeout: Option<Duration>,
    ) -> reqwest::Request {
        let url = self.url.take().unwrap_or_else(|| self.fallback_url());
        let mut request = reqwest::Request::new(self.method.clone(), url);
        let headers = request.headers_mut();
        *headers = std::mem::take(&mut self.headers);
        for (name, value) in credentials.headers() {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(body) = self.body.take() {
            *request.body_mut() = Some(body.into());
        }
        with_timeout(request, timeout)
    }

    /// Never used: a taken request is not sent again. Kept total rather than
    /// panicking.
    fn fallback_url(&self) -> Url {
        Url::parse("http://127.0.0.1/").expect("a valid URL")
    }

    /// A fresh request with `credentials`' headers, to finish within `timeout`.
    fn request(&self, credentials: &Credentials, timeout: Option<Duration>) -> reqwest::Request {
        let url = self.url.clone().unwrap_or_else(|| self.fallback_url());
        let mut request = reqwest::Request::new(self.method.clone(), url);
        let headers = request.headers_mut();
        *headers = self.headers.clone();
        for (name, value) in credentials.headers() {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(body) = &self.body {
            *request.body_mut() = Some(body.clone().into());
        }
        with_timeout(request, timeout)
    }
}

/// `request` bounded by `timeout`, if any.
fn with_timeout(mut request: reqwest::Request, timeout: Option<Duration>) -> reqwest::Request {
    if timeout.is_some() {
        // `timeout_mut` allocates the request's extension map even to store
        // `None`; a request without a deadline skips it.
        *request.timeout_mut() = timeout;
    }
    request
}

enum AttemptError {
    /// No response: connection refused or reset, timeout, invalid HTTP.
    Transport(reqwest::Error),
    /// Credentials could not be obtained (a token endpoint failed).
    Auth(Error),
}

/// A transport failure as the call's error. reqwest's errors carry the full URL,
/// with the call's path and query values in it; the call is named by its template.
fn transport_error(call: &Call, source: reqwest::Error, attempts: u32) -> Error {
    if source.is_timeout() {
        Error::Timeout {
            call: call.clone(),
            attempts,
        }
    } else {
        Error::Transport {
            call: call.clone(),
            attempts,
            source: source.without_url(),
        }
    }
}

/// The scheme's credentials: cached ones if any, else freshly obtained.
async fn credentials_for(
    scheme: &dyn AuthScheme,
    http: &reqwest::Client,
) -> Result<Credentials, Error> {
    match scheme.current() {
        Some(credentials) => Ok(credentials),
        None => scheme.refresh(http).await,
    }
}

/// A request as the runtime sends it, after the call's values were encoded.
pub(crate) struct RequestParts {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    pub options: CallOptions,
}

/// Per-call overrides of the connector's policies.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub timeout: Option<Duration>,
    /// Boxed: rarely set, and it would widen every request.
    pub retry: Option<Box<RetryPolicy>>,
    /// The caller vouches that sending twice has the effect of sending once.
    pub idempotent: bool,
}

/// A response read whole, before decoding.
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    pub attempts: u32,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("base_url", &self.inner.base)
            .field("auth", &self.inner.auth)
            .field("content_type", &self.inner.content_type)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ConnectorBuilder {
    /// Header values may be keys of their own (a second API key), so only their
    /// names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorBuilder")
            .field("base_url", &describe_base_url(&self.base))
            .field("auth", &self.auth)
            .field("content_type", &self.content_type)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl ConnectorBuilder {
    /// Replaces the base URL (to point a preset at a test server or another region).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base = base_url.into();
        self
    }

    /// The credential added to every call (default: none).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// The `Content-Type` of request bodies (default `application/json`; SCIM
    /// services take `application/scim+json`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// A header sent with every call unless the call sets it (e.g. `Accept`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The most a whole call may take, from connecting to the last body byte.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The most connecting may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How calls are retried (default: [`RetryPolicy::default`]; a call may override it).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body to read (default 16 MiB); a larger one is
    /// [`Error::BodyTooLarge`], refused without being buffered.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Checks the configuration and builds the connector and its HTTP client.
    pub fn build(self) -> Result<Connector, Error> {
        let base = check_base_url(&self.base)?;
        let base_url = Url::parse(&base)
            .map_err(|e| Error::Config(format!("the base URL could not be parsed again: {e}")))?;
        self.auth.scheme().check()?;
        let auth_headers = self.auth.scheme().header_names();
        let content_type = HeaderValue::from_str(&self.content_type).map_err(|_| {
            Error::Config(format!(
                "`{}` is not a valid Content-Type",
                self.content_type
            ))
        })?;
        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
            if RESERVED.contains(&header) {
                return Err(Error::Config(format!(
                    "`{name}` is set by the connector itself; configure it with `.auth(..)` or `.content_type(..)`"
                )));
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::Config(format!(
                    "the value of header `{name}` contains control characters"
                ))
            })?;
            default_headers.insert(header, value);
        }

        let mut client = reqwest::Client::builder().redirect(same_origin_redirects());
        if let Some(timeout) = self.timeout {
            client = client.timeout(timeout);
        }
        if let Some(timeout) = self.connect_timeout {
            client = client.connect_timeout(timeout);
        }
        let client = client
            .build()
            .map_err(|e| Error::Config(format!("the HTTP client could not be built: {e}")))?;

        Ok(Connector {
            inner: Arc::new(Inner {
                prefix_at: prefix_at(&base_url),
                base_url,
                base,
                client,
                auth: self.auth,
                auth_headers,
                content_type,
                default_headers,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                timeout: self.timeout,
            }),
        })
    }
}

/// Redirects are followed only within the origin the call was sent to; a redirect
/// to another origin comes back to the caller unfollowed, so no credential (the
/// `Authorization` header, an API-key header, a cookie) ever leaves for another host.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 10 || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// Checks a base URL and returns it without a trailing `/`.
fn check_base_url(base: &str) -> Result<String, Error> {
    let refuse = |reason: &str| Error::BaseUrl {
        url: describe_base_url(base),
        reason: reason.to_string(),
    };
    let url = Url::parse(base).map_err(|e| refuse(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("the scheme must be http or https"));
    }
    if url.host().is_none() {
        return Err(refuse("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "it carries credentials; give them to the connector with `.auth(..)`",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            "it has a query or fragment; put query values in each call instead",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Where the path starts in a checked base URL without its trailing `/`.
fn prefix_at(base: &Url) -> usize {
    let path = base.path().trim_end_matches('/');
    base.as_str().trim_end_matches('/').len() - path.len()
}

/// A base URL as errors and `Debug` may show it: anything that may hold a
/// credential (user info, query, fragment) is replaced by `<redacted>`.
pub(crate) fn describe_base_url(base: &str) -> String {
    match Url::parse(base) {
        Ok(url) => {
            let mut shown = format!("{}://", url.scheme());
            if !url.username().is_empty() || url.password().is_some() {
                shown.push_str("<redacted>@");
            }
            shown.push_str(url.host_str().unwrap_or_default());
            if let Some(port) = url.port() {
                shown.push_str(&format!(":{port}"));
            }
            shown.push_str(url.path());
            if url.query().is_some() || url.fragment().is_some() {
                shown.push_str("?<redacted>");
            }
            shown
        }
        // Unparsable: where user info or a query ends cannot be told reliably.
        Err(_) if base.contains(['@', '?', '#']) => "<redacted>".to_string(),
        Err(_) => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_its_prefix_with_or_without_trailing_slash() {
        for base in [
            "https://h.example/v2/usermanagement",
            "https://h.example/v2/usermanagement/",
        ] {
            assert_eq!(
                check_base_url(base).unwrap(),
                "https://h.example/v2/usermanagement"
            );
        }
        assert_eq!(
            check_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn unusable_base_urls_are_refused() {
        for (base, message) in [
            ("ftp://h.example", "invalid base URL `ftp://h.example/`: the scheme must be http or https"),
            (
                "https://user:pw@h.example",
                "invalid base URL `https://<redacted>@h.example/`: it carries credentials; give them to the connector with `.auth(..)`",
            ),
            (
                "https://h.example/x?api_key=k1",
                "invalid base URL `https://h.example/x?<redacted>`: it has a query or fragment; put query values in each call instead",
            ),
            ("https://ada:pa/ss@h.example/x", "invalid base URL `<redacted>`: invalid port number"),
            ("not a url", "invalid base URL `not a url`: relative URL without a base"),
        ] {
            assert_eq!(check_base_url(base).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn builder_debug_shows_header_names_only() {
        let builder = Connector::builder("https://h.example/v1?token=t0")
            .auth(Auth::bearer("b3arer"))
            .header("DD-APPLICATION-KEY", "app-key-1");
        let text = format!("{builder:?}");
        for secret in ["t0", "b3arer", "app-key-1"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("DD-APPLICATION-KEY"), "{text}");
    }

    #[test]
    fn reserved_default_headers_are_refused() {
        let err = Connector::builder("https://h.example")
            .header("authorization", "x")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("set by the connector"), "{err}");
    }

    /// Resolving a call's URL against the parsed base gives exactly what parsing
    /// the concatenation whole gives, for any path and query, including ones no
    /// expansion produces (`//host`, backslashes, dots, controls, non-ASCII).
    #[test]
    fn resolving_against_the_base_equals_parsing_the_whole_url() {
        let bases = [
            "http://127.0.0.1:8080",
            "https://api.atlassian.com/scim/directory/d-1/",
            "https://Bücher.example/v2/usermanagement",
            "http://[::1]:9/a%20b",
        ];
        let mut gen = crate::testgen::Gen::new(0x05ee_d0f0_ba5e);
        for base in bases {
            let connector = Connector::builder(base).build().unwrap();
            let inner = &*connector.inner;
            for case in 0..10_000 {
                let mut path = gen.string(12);
                if case % 4 != 0 {
                    path.insert(0, '/');
                }
                let query = if case % 3 == 0 {
                    String::new()
                } else {
                    gen.string(8)
                };
                let whole = if query.is_empty() {
                    format!("{}{path}", inner.base)
                } else {
                    format!("{}{path}?{query}", inner.base)
                };
                let expected = Url::parse(&whole).map(String::from);
                let resolved = inner.url(&path, &query).map(String::from);
                assert_eq!(
                    resolved.is_ok(),
                    expected.is_ok(),
                    "{base} {path:?} {query:?}: {resolved:?} vs {expected:?}"
                );
                if let (Ok(resolved), Ok(expected)) = (resolved, expected) {
                    assert_eq!(resolved, expected, "{base} {path:?} {query:?}");
                }
            }
        }
    }
}
