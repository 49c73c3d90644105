//! OAuth 2.0 schemes: client credentials (Adobe IMS) and rotating refresh tokens
//! (Atlassian 3LO), over one token cache that makes concurrent calls share a
//! single token request.

use crate::auth::{AuthScheme, BoxFuture, Credentials};
use crate::error::{Error, TokenError};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// Tokens are renewed this long before they expire, unless configured otherwise.
const DEFAULT_SKEW: Duration = Duration::from_secs(60);
/// How long a token is trusted when the endpoint gives no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The current access token, and the flight that refreshes it.
///
/// One call at a time runs a *flight*: it asks the token endpoint in a task of its
/// own, so cancelling that call (a timeout, a `select!`) never loses the answer,
/// which matters when the answer carries the only valid refresh token. Calls that
/// waited for a flight take its outcome, success or failure, instead of asking
/// again: however many calls find the token missing, one request is made.
struct TokenCache {
    current: RwLock<Option<Cached>>,
    flight: Arc<tokio::sync::Mutex<Option<Landed>>>,
    /// Flights completed so far; a waiter takes the outcome of any flight that
    /// landed after it began to wait.
    landed: AtomicU64,
    generation: AtomicU64,
    skew: Duration,
    default_lifetime: Duration,
}

struct Cached {
    credentials: Credentials,
    expires_at: Instant,
}

/// The outcome of the last flight.
struct Landed {
    number: u64,
    outcome: Result<Credentials, SharedFailure>,
}

/// A failed flight as the calls that waited for it report it.
#[derive(Clone)]
enum SharedFailure {
    InvalidGrant {
        token_url: String,
        description: Option<String>,
    },
    Other {
        token_url: String,
        message: String,
        timed_out: bool,
    },
}

impl SharedFailure {
    fn of(error: &Error, token_url: &str) -> Self {
        match error {
            Error::InvalidGrant {
                token_url,
                description,
            } => SharedFailure::InvalidGrant {
                token_url: token_url.clone(),
                description: description.clone(),
            },
            other => SharedFailure::Other {
                token_url: token_url.to_string(),
                message: other.to_string(),
                timed_out: other.is_timeout(),
            },
        }
    }

    fn into_error(self) -> Error {
        match self {
            SharedFailure::InvalidGrant {
                token_url,
                description,
            } => Error::InvalidGrant {
                token_url,
                description,
            },
            SharedFailure::Other {
                token_url,
                message,
                timed_out,
            } => Error::Token(Box::new(TokenError::Shared {
                token_url,
                message,
                timed_out,
            })),
        }
    }
}

/// What a flight brings back: credentials, their lifetime in seconds, and what to
/// do once they are cached and the flight is over (hand a rotated refresh token
/// to the application).
type FlightResult = Result<(Credentials, Option<u64>, Option<Box<dyn FnOnce() + Send>>), Error>;

impl TokenCache {
    fn new() -> Self {
        TokenCache {
            current: RwLock::new(None),
            flight: Arc::new(tokio::sync::Mutex::new(None)),
            landed: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            skew: DEFAULT_SKEW,
            default_lifetime: DEFAULT_LIFETIME,
        }
    }

    /// The cached credentials, if not (nearly) expired.
    fn current(&self) -> Option<Credentials> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|cached| Instant::now() < cached.expires_at)
            .map(|cached| cached.credentials.clone())
    }

    /// How long a token is trusted: `expires_in` minus the skew (half its life if
    /// that leaves nothing), at most a year, or the default when unknown.
    fn lifetime(&self, expires_in: Option<u64>) -> Duration {
        const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
        match expires_in {
            Some(secs) => {
                let lifetime = Duration::from_secs(secs).min(YEAR);
                lifetime
                    .checked_sub(self.skew)
                    .filter(|d| !d.is_zero())
                    .unwrap_or(lifetime / 2)
            }
            None => self.default_lifetime,
        }
    }

    /// Returns valid credentials: cached ones, those of a flight that landed while
    /// this call waited, or those of a new flight run by `fetch`.
    async fn get_or_refresh<F, Fut>(
        self: &Arc<Self>,
        token_url: &str,
        fetch: F,
    ) -> Result<Credentials, Error>
    where
        F: FnOnce(u64) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = FlightResult> + Send + 'static,
    {
        let seen = self.landed.load(Ordering::SeqCst);
        let guard = self.flight.clone().lock_owned().await;
        if let Some(credentials) = self.current() {
            return Ok(credentials);
        }
        if let Some(landed) = guard.as_ref().filter(|landed| landed.number > seen) {
            return landed.outcome.clone().map_err(SharedFailure::into_error);
        }
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let cache = self.clone();
        let token_url = token_url.to_string();
        // The flight runs detached and holds the lock until it has landed.
        let flight = tokio::spawn(async move {
            let mut guard = guard;
            let result = fetch(generation).await;
            let (outcome, after) = match result {
                Ok((credentials, expires_in, after)) => {
                    let lifetime = cache.lifetime(expires_in);
                    tracing::debug!(
                        generation,
                        lifetime_secs = lifetime.as_secs(),
                        "OAuth token cached"
                    );
                    *cache
                        .current
                        .write()
                        .unwrap_or_else(PoisonError::into_inner) = Some(Cached {
                        credentials: credentials.clone(),
                        expires_at: Instant::now()
                            .checked_add(lifetime)
                            .unwrap_or_else(Instant::now),
                    });
                    (Ok(credentials), after)
                }
                Err(error) => (Err(error), None),
            };
            let number = cache.landed.fetch_add(1, Ordering::SeqCst) + 1;
            *guard = Some(Landed {
                number,
                outcome: outcome
                    .as_ref()
                    .map(Credentials::clone)
                    .map_err(|e| SharedFailure::of(e, &token_url)),
            });
            drop(guard);
            // After the lock is released, so a callback may itself make calls.
            if let Some(after) = after {
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(after)).is_err() {
                    tracing::error!(
                        "the on_rotate callback panicked; the new refresh token is kept in memory"
                    );
                }
            }
            outcome
        });
        match flight.await {
            Ok(outcome) => outcome,
            Err(_) => Err(Error::Config("the token request task failed".into())),
        }
    }

    /// Forgets the token if it is the one that was rejected; a token refreshed by
    /// another call meanwhile is kept.
    fn invalidate(&self, used: &Credentials) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|cached| cached.credentials.generation() == used.generation())
        {
            tracing::debug!(
                generation = used.generation(),
                "OAuth token rejected; forgotten"
            );
            *current = None;
        }
    }
}

/// What a token endpoint answers (RFC 6749 §5.1 and §5.2). Loosely typed, so an
/// unusual answer is reported for what it is rather than as "not JSON".
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Option<serde_json::Value>,
    token_type: Option<serde_json::Value>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<serde_json::Value>,
    error: Option<serde_json::Value>,
    error_description: Option<serde_json::Value>,
}

/// A token endpoint's answer, secrets already wrapped.
struct Token {
    access: SecretString,
    expires_in: Option<u64>,
    refresh: Option<SecretString>,
}

fn text(value: Option<serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s),
        serde_json::Value::String(_) | serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Seconds from `expires_in`, which some endpoints send as a string or a float; a
/// negative one means "already expired".
fn seconds(value: Option<serde_json::Value>) -> Option<u64> {
    let number = match value? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    number
        .is_finite()
        .then(|| number.max(0.0).min(u64::MAX as f64) as u64)
}

/// POSTs a form to a token endpoint and reads the answer. `shown_url` is the
/// endpoint as errors and traces may show it (credentials in it redacted).
async fn request_token(
    http: &reqwest::Client,
    token_url: &str,
    shown_url: &str,
    form: &[(&str, &str)],
) -> Result<Token, Error> {
    let grant = form
        .iter()
        .find(|(k, _)| *k == "grant_type")
        .map_or("", |(_, v)| *v);
    tracing::debug!(token_url = shown_url, grant, "requesting an OAuth token");
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let fail = |error: TokenError| Error::Token(Box::new(error));
    let transport = |source: reqwest::Error| {
        fail(TokenError::Transport {
            token_url: shown_url.to_string(),
            source: source.without_url(),
        })
    };
    let response = http
        .post(token_url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(transport)?;
    let Ok(answer) = serde_json::from_slice::<TokenAnswer>(&bytes) else {
        return Err(fail(TokenError::NotJson {
            token_url: shown_url.to_string(),
            status,
        }));
    };
    let error = text(answer.error);
    if !status.is_success() || error.is_some() {
        return Err(fail(TokenError::Rejected {
            token_url: shown_url.to_string(),
            status,
            error,
            description: text(answer.error_description),
        }));
    }
    let Some(access) = text(answer.access_token) else {
        return Err(fail(TokenError::MissingAccessToken {
            token_url: shown_url.to_string(),
            status,
        }));
    };
    // RFC 6749 §7.1: a client must not use a token type it does not understand.
    if let Some(token_type) = text(answer.token_type).filter(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        return Err(fail(TokenError::UnsupportedTokenType {
            token_url: shown_url.to_string(),
            token_type,
        }));
    }
    Ok(Token {
        access: access.into(),
        expires_in: seconds(answer.expires_in),
        refresh: text(answer.refresh_token).map(Into::into),
    })
}

fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
    let value = crate::auth::header_value(&name, value).map_err(Error::Config)?;
    Ok((name, value))
}

/// Bearer credentials from an access token; a token a header cannot carry is a
/// token error, not a configuration one.
fn bearer(
    token: &SecretString,
    extra: &[(HeaderName, HeaderValue)],
    generation: u64,
    shown_url: &str,
) -> Result<Credentials, Error> {
    Credentials::bearer(token, extra, generation).map_err(|_| {
        Error::Token(Box::new(TokenError::InvalidAccessToken {
            token_url: shown_url.to_string(),
        }))
    })
}

/// The part of an OAuth scheme that differs between grants: where the token
/// endpoint is and what is asked of it.
trait GrantConfig: Send + Sync + 'static {
    fn token_url(&self) -> &str;
    /// Asks the token endpoint once; runs as the cache's single flight.
    fn fetch(
        self: Arc<Self>,
        http: reqwest::Client,
        generation: u64,
    ) -> BoxFuture<'static, FlightResult>;
}

/// A grant's configuration and the token cache it fills: what both OAuth schemes
/// share.
struct Grant<C> {
    config: Arc<C>,
    cache: Arc<TokenCache>,
}

impl<C: GrantConfig> Grant<C> {
    fn new(config: C) -> Self {
        Grant {
            config: Arc::new(config),
            cache: Arc::new(TokenCache::new()),
        }
    }

    /// The configuration, to change while the scheme is being built (before any
    /// call shares it).
    fn config(&mut self) -> &mut C {
        Arc::get_mut(&mut self.config).expect("configured before use")
    }

    fn cache(&mut self) -> &mut TokenCache {
        Arc::get_mut(&mut self.cache).expect("configured before use")
    }

    fn refresh<'a>(&'a self, http: &reqwest::Client) -> BoxFuture<'a, Result<Credentials, Error>> {
        let config = self.config.clone();
        let http = http.clone();
        let shown = redact_url(config.token_url());
        Box::pin(async move {
            self.cache
                .get_or_refresh(&shown, move |generation| config.fetch(http, generation))
                .await
        })
    }

    /// A 401: forget the token if it is still the one used; always worth one retry.
    fn rejected(&self, used: &Credentials) -> bool {
        self.cache.invalidate(used);
        true
    }
}

/// OAuth 2.0 client credentials, as Adobe IMS issues them to server-to-server
/// integrations.
///
/// The token is requested with a form POST (`grant_type=client_credentials`,
/// `client_id`, `client_secret`, `scope`), cached until `expires_in` minus a skew
/// (60 s by default), and shared by every call of the connector; no refresh token
/// is involved: a new token is asked for when the old one expires or is rejected.
///
/// ```
/// use action_core::{Auth, ClientCredentials};
/// use std::time::Duration;
///
/// let ims = ClientCredentials::new(
///     "https://ims-na1.adobelogin.com/ims/token/v3",
///     "my-client-id",
///     "my-client-secret",
/// )
/// .scope("openid,AdobeID,user_management_sdk")
/// .client_id_header("X-Api-Key")
/// .expiry_skew(Duration::from_secs(300));
/// let auth = Auth::client_credentials(ims);
/// assert!(!format!("{auth:?}").contains("my-client-secret"));
/// ```
pub struct ClientCredentials(Grant<ClientConfig>);

struct ClientConfig {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    scope: Option<String>,
    extra_headers: Vec<(String, String)>,
    /// Built from `extra_headers`; a bad one is reported by `check`.
    extra: Result<Vec<(HeaderName, HeaderValue)>, String>,
}

impl ClientCredentials {
    /// A client of `token_url` identified by `client_id` and `client_secret`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        ClientCredentials(Grant::new(ClientConfig {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            scope: None,
            extra_headers: Vec::new(),
            extra: Ok(Vec::new()),
        }))
    }

    /// The `scope` to ask for.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.0.config().scope = Some(scope.into());
        self
    }

    /// Also sends the client id in this header with every call (Adobe: `X-Api-Key`).
    pub fn client_id_header(self, name: impl Into<String>) -> Self {
        let id = self.0.config.client_id.clone();
        self.header(name, id)
    }

    /// Also sends this header with every call.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let config = self.0.config();
        config.extra_headers.push((name.into(), value.into()));
        config.extra = config
            .extra_headers
            .iter()
            .map(|(n, v)| header(n, v).map_err(|e| e.to_string()))
            .collect();
        self
    }

    /// Renew tokens this long before they expire (default 60 s).
    pub fn expiry_skew(mut self, skew: Duration) -> Self {
        self.0.cache().skew = skew;
        self
    }

    /// How long to trust a token whose answer has no `expires_in` (default 1 h).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.0.cache().default_lifetime = lifetime;
        self
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.0.config.token_url
    }

    /// Points the scheme at another token endpoint (a test server, another region).
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        self.0.config().token_url = token_url.into();
        self
    }
}

impl AuthScheme for ClientCredentials {
    fn current(&self) -> Option<Credentials> {
        self.0.cache.current()
    }

    fn refresh<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Credentials, Error>> {
        self.0.refresh(http)
    }

    fn may_refresh(&self) -> bool {
        true
    }

    fn rejected(&self, used: &Credentials) -> bool {
        self.0.rejected(used)
    }

    fn header_names(&self) -> Vec<HeaderName> {
        let extra = self.0.config.extra.as_deref().unwrap_or_default();
        std::iter::once(AUTHORIZATION)
            .chain(extra.iter().map(|(name, _)| name.clone()))
            .collect()
    }

    fn check(&self) -> Result<(), Error> {
        self.0
            .config
            .extra
            .as_ref()
            .map(|_| ())
            .map_err(|e| Error::Config(e.clone()))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth::ClientCredentials")
            .field("token_url", &redact_url(&self.0.config.token_url))
            .field("client_id", &self.0.config.client_id)
            .field("client_secret", &"<redacted>")
            .field("scope", &self.0.config.scope)
            .finish_non_exhaustive()
    }
}

impl GrantConfig for ClientConfig {
    fn token_url(&self) -> &str {
        &self.token_url
    }

    fn fetch(
        self: Arc<Self>,
        http: reqwest::Client,
        generation: u64,
    ) -> BoxFuture<'static, FlightResult> {
        Box::pin(async move {
            let shown = redact_url(&self.token_url);
            let extra = self.extra.clone().map_err(Error::Config)?;
            let mut form = vec![
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose_secret()),
            ];
            if let Some(scope) = &self.scope {
                form.push(("scope", scope));
            }
            let token = request_token(&http, &self.token_url, &shown, &form).await?;
            let credentials = bearer(&token.access, &extra, generation, &shown)?;
            Ok((credentials, token.expires_in, None))
        })
    }
}

/// Called with each new refresh token, so it can be persisted.
type OnRotate = Arc<dyn Fn(&SecretString) + Send + Sync>;

/// OAuth 2.0 access tokens obtained with a rotating refresh token, as Atlassian's
/// 3LO apps use them.
///
/// Each refresh (`grant_type=refresh_token`) answers a new refresh token and kills
/// the one sent. The new one replaces the old in memory at once (the old one is
/// never sent again) and is handed to [`on_rotate`](Self::on_rotate), so the
/// application can persist it: after a restart, only the newest one works. The
/// token request runs in a task of its own, so a call cancelled while it is in
/// flight does not lose the new refresh token. A refused grant (`invalid_grant`)
/// is [`Error::InvalidGrant`]: the user must authorise the app again, and later
/// calls fail the same way without asking.
///
/// One grant must be used by one `RefreshToken`: to reach several APIs with one
/// consent (Jira and Confluence), build one [`Auth`](crate::Auth) and give clones
/// of it to each connector.
///
/// ```
/// use action_core::{Auth, ExposeSecret, RefreshToken};
///
/// let auth = Auth::refresh_token(
///     RefreshToken::new("https://auth.atlassian.com/oauth/token", "client-id", "client-secret", "refresh-1")
///         .on_rotate(|new_refresh_token| {
///             // store `new_refresh_token.expose_secret()` where the old one was
///             let _ = new_refresh_token.expose_secret();
///         }),
/// );
/// assert!(!format!("{auth:?}").contains("refresh-1"));
/// ```
pub struct RefreshToken(Grant<RefreshConfig>);

struct RefreshConfig {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    /// The newest refresh token; replaced on every rotation.
    refresh: Mutex<SecretString>,
    on_rotate: Option<OnRotate>,
    /// Set once the grant is refused: no request is made after that.
    dead: Mutex<Option<Option<String>>>,
}

impl RefreshToken {
    /// A client of `token_url` holding `refresh_token`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        RefreshToken(Grant::new(RefreshConfig {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            refresh: Mutex::new(SecretString::from(refresh_token.into())),
            on_rotate: None,
            dead: Mutex::new(None),
        }))
    }

    /// Called with every new refresh token, once the token endpoint issued it and
    /// the new access token is cached. It runs outside any lock, so it may itself
    /// make calls; a panic in it is caught and logged.
    pub fn on_rotate(mut self, callback: impl Fn(&SecretString) + Send + Sync + 'static) -> Self {
        self.0.config().on_rotate = Some(Arc::new(callback));
        self
    }

    /// Renew access tokens this long before they expire (default 60 s).
    pub fn expiry_skew(mut self, skew: Duration) -> Self {
        self.0.cache().skew = skew;
        self
    }

    /// How long to trust a token whose answer has no `expires_in` (default 1 h).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.0.cache().default_lifetime = lifetime;
        self
    }

    /// Points the scheme at another token endpoint.
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        self.0.config().token_url = token_url.into();
        self
    }
}

impl GrantConfig for RefreshConfig {
    fn token_url(&self) -> &str {
        &self.token_url
    }

    fn fetch(
        self: Arc<Self>,
        http: reqwest::Client,
        generation: u64,
    ) -> BoxFuture<'static, FlightResult> {
        Box::pin(self.fetch_rotating(http, generation))
    }
}

impl RefreshConfig {
    async fn fetch_rotating(
        self: Arc<Self>,
        http: reqwest::Client,
        generation: u64,
    ) -> FlightResult {
        let shown = redact_url(&self.token_url);
        let dead = self
            .dead
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(description) = dead {
            return Err(Error::InvalidGrant {
                token_url: shown,
                description,
            });
        }
        // Only one flight runs at a time, so reading the refresh token here and
        // replacing it below cannot race.
        let refresh = self
            .refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("refresh_token", refresh.expose_secret()),
        ];
        let token = match request_token(&http, &self.token_url, &shown, &form).await {
            Err(Error::Token(error)) => match *error {
                TokenError::Rejected {
                    error: Some(code),
                    description,
                    token_url,
                    ..
                } if code == "invalid_grant" => {
                    tracing::warn!(token_url, "OAuth grant refused (invalid_grant)");
                    *self.dead.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(description.clone());
                    return Err(Error::InvalidGrant {
                        token_url,
                        description,
                    });
                }
                other => return Err(Error::Token(Box::new(other))),
            },
            other => other?,
        };
        let credentials = bearer(&token.access, &[], generation, &shown)?;
        let mut after: Option<Box<dyn FnOnce() + Send>> = None;
        if let Some(new_refresh) = token.refresh {
            *self.refresh.lock().unwrap_or_else(PoisonError::into_inner) = new_refresh.clone();
            tracing::debug!(token_url = %shown, "refresh token rotated");
            if let Some(callback) = self.on_rotate.clone() {
                after = Some(Box::new(move || callback(&new_refresh)));
            }
        }
        Ok((credentials, token.expires_in, after))
    }
}

impl AuthScheme for RefreshToken {
    fn current(&self) -> Option<Credentials> {
        self.0.cache.current()
    }

    fn refresh<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Credentials, Error>> {
        self.0.refresh(http)
    }

    fn may_refresh(&self) -> bool {
        true
    }

    fn rejected(&self, used: &Credentials) -> bool {
        self.0.rejected(used)
    }

    fn header_names(&self) -> Vec<HeaderName> {
        vec![AUTHORIZATION]
    }
}

impl From<RefreshToken> for crate::Auth {
    fn from(scheme: RefreshToken) -> Self {
        crate::Auth::refresh_token(scheme)
    }
}

impl From<ClientCredentials> for crate::Auth {
    fn from(scheme: ClientCredentials) -> Self {
        crate::Auth::client_credentials(scheme)
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth::RefreshToken")
            .field("token_url", &redact_url(&self.0.config.token_url))
            .field("client_id", &self.0.config.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A URL as errors, traces and `Debug` may show it.
fn redact_url(url: &str) -> String {
    crate::connector::describe_base_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_bounded_and_skewed() {
        let cache = TokenCache::new();
        assert_eq!(cache.lifetime(Some(3600)), Duration::from_secs(3540));
        assert_eq!(
            cache.lifetime(Some(30)),
            Duration::from_secs(15),
            "shorter than the skew"
        );
        assert_eq!(cache.lifetime(Some(0)), Duration::ZERO);
        assert_eq!(
            cache.lifetime(Some(u64::MAX)),
            Duration::from_secs(365 * 24 * 3600 - 60)
        );
        assert_eq!(cache.lifetime(None), Duration::from_secs(3600));
    }

    #[test]
    fn expires_in_is_read_leniently() {
        use serde_json::json;
        assert_eq!(seconds(Some(json!(3600))), Some(3600));
        assert_eq!(seconds(Some(json!("86399"))), Some(86399));
        assert_eq!(seconds(Some(json!(3599.5))), Some(3599));
        assert_eq!(seconds(Some(json!(-5))), Some(0));
        assert_eq!(seconds(Some(json!("soon"))), None);
        assert_eq!(seconds(Some(json!(1e300))), Some(u64::MAX));
    }
}
