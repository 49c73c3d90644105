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

/// The current access token, and the lock that makes refreshing single-flight.
struct TokenCache {
    current: RwLock<Option<Cached>>,
    /// Held by the one call that asks the token endpoint; the others wait on it
    /// and then find the fresh token.
    refreshing: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    skew: Duration,
    default_lifetime: Duration,
}

struct Cached {
    credentials: Credentials,
    expires_at: Instant,
}

impl TokenCache {
    fn new() -> Self {
        TokenCache {
            current: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
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

    /// Returns valid credentials, asking `fetch` for a token only if no other call
    /// did while this one waited for the lock.
    async fn get_or_refresh<F, Fut>(&self, fetch: F) -> Result<Credentials, Error>
    where
        F: FnOnce(u64) -> Fut,
        Fut: std::future::Future<Output = Result<(Credentials, Option<u64>), Error>>,
    {
        let _flight = self.refreshing.lock().await;
        if let Some(credentials) = self.current() {
            return Ok(credentials);
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let (credentials, expires_in) = fetch(generation).await?;
        let lifetime = match expires_in {
            Some(secs) => {
                let lifetime = Duration::from_secs(secs);
                // A token shorter-lived than the skew is still used for half its life.
                lifetime
                    .checked_sub(self.skew)
                    .filter(|d| !d.is_zero())
                    .unwrap_or(lifetime / 2)
            }
            None => self.default_lifetime,
        };
        tracing::debug!(
            generation,
            lifetime_secs = lifetime.as_secs(),
            "OAuth token cached"
        );
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
            credentials: credentials.clone(),
            expires_at: Instant::now() + lifetime,
        });
        Ok(credentials)
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

/// What a token endpoint answers (RFC 6749 §5.1 and §5.2).
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    /// Some endpoints send it as a string.
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A token endpoint's answer, secrets already wrapped.
struct Token {
    access: SecretString,
    expires_in: Option<u64>,
    refresh: Option<SecretString>,
}

/// POSTs a form to a token endpoint and reads the answer.
async fn request_token(
    http: &reqwest::Client,
    token_url: &str,
    form: &[(&str, &str)],
) -> Result<Token, Error> {
    let grant = form
        .iter()
        .find(|(k, _)| *k == "grant_type")
        .map_or("", |(_, v)| *v);
    tracing::debug!(token_url, grant, "requesting an OAuth token");
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let fail = |error: TokenError| Error::Token(Box::new(error));
    let response = http
        .post(token_url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|source| {
            fail(TokenError::Transport {
                token_url: token_url.to_string(),
                source: source.without_url(),
            })
        })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|source| {
        fail(TokenError::Transport {
            token_url: token_url.to_string(),
            source: source.without_url(),
        })
    })?;
    let Ok(answer) = serde_json::from_slice::<TokenAnswer>(&bytes) else {
        return Err(fail(TokenError::NotJson {
            token_url: token_url.to_string(),
            status,
        }));
    };
    if !status.is_success() || answer.error.is_some() {
        if answer.error.as_deref() == Some("invalid_grant") {
            tracing::warn!(token_url, %status, "OAuth grant refused (invalid_grant)");
            return Err(Error::InvalidGrant {
                token_url: token_url.to_string(),
                description: answer.error_description,
            });
        }
        return Err(fail(TokenError::Rejected {
            token_url: token_url.to_string(),
            status,
            error: answer.error,
            description: answer.error_description,
        }));
    }
    let Some(access) = answer.access_token.filter(|t| !t.is_empty()) else {
        return Err(fail(TokenError::MissingAccessToken {
            token_url: token_url.to_string(),
            status,
        }));
    };
    let expires_in = match answer.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    Ok(Token {
        access: access.into(),
        expires_in,
        refresh: answer
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(Into::into),
    })
}

fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
    let value = crate::auth::header_value(&name, value).map_err(Error::Config)?;
    Ok((name, value))
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
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    scope: Option<String>,
    extra_headers: Vec<(String, String)>,
    /// Built from `extra_headers` on first use; a bad one is reported by `check`.
    extra: Result<Vec<(HeaderName, HeaderValue)>, String>,
    cache: TokenCache,
}

impl ClientCredentials {
    /// A client of `token_url` identified by `client_id` and `client_secret`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        ClientCredentials {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            scope: None,
            extra_headers: Vec::new(),
            extra: Ok(Vec::new()),
            cache: TokenCache::new(),
        }
    }

    /// The `scope` to ask for.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Also sends the client id in this header with every call (Adobe: `X-Api-Key`).
    pub fn client_id_header(self, name: impl Into<String>) -> Self {
        let id = self.client_id.clone();
        self.header(name, id)
    }

    /// Also sends this header with every call.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self.extra = self
            .extra_headers
            .iter()
            .map(|(n, v)| header(n, v).map_err(|e| e.to_string()))
            .collect();
        self
    }

    /// Renew tokens this long before they expire (default 60 s).
    pub fn expiry_skew(mut self, skew: Duration) -> Self {
        self.cache.skew = skew;
        self
    }

    /// How long to trust a token whose answer has no `expires_in` (default 1 h).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.cache.default_lifetime = lifetime;
        self
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// Points the scheme at another token endpoint (a test server, another region).
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        self.token_url = token_url.into();
        self
    }
}

impl AuthScheme for ClientCredentials {
    fn current(&self) -> Option<Credentials> {
        self.cache.current()
    }

    fn refresh<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Credentials, Error>> {
        Box::pin(self.cache.get_or_refresh(move |generation| async move {
            let extra = self.extra.clone().map_err(Error::Config)?;
            let mut form = vec![
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose_secret()),
            ];
            if let Some(scope) = &self.scope {
                form.push(("scope", scope));
            }
            let token = request_token(http, &self.token_url, &form).await?;
            let credentials = Credentials::bearer(&token.access, &extra, generation)?;
            Ok((credentials, token.expires_in))
        }))
    }

    fn may_refresh(&self) -> bool {
        true
    }

    fn rejected(&self, used: &Credentials) -> bool {
        self.cache.invalidate(used);
        true
    }

    fn header_names(&self) -> Vec<HeaderName> {
        let extra = self.extra.as_deref().unwrap_or_default();
        std::iter::once(AUTHORIZATION)
            .chain(extra.iter().map(|(name, _)| name.clone()))
            .collect()
    }

    fn check(&self) -> Result<(), Error> {
        self.extra
            .as_ref()
            .map(|_| ())
            .map_err(|e| Error::Config(e.clone()))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth::ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
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
/// application can persist it: after a restart, only the newest one works. A
/// refused grant (`invalid_grant`) is [`Error::InvalidGrant`]: the user must
/// authorise the app again, and later calls fail the same way without asking.
///
/// ```
/// use action_core::{Auth, RefreshToken};
///
/// let auth = Auth::refresh_token(
///     RefreshToken::new("https://auth.atlassian.com/oauth/token", "client-id", "client-secret", "refresh-1")
///         .on_rotate(|new_refresh_token| {
///             // store `new_refresh_token.expose_secret()` where the old one was
///             let _ = new_refresh_token;
///         }),
/// );
/// assert!(!format!("{auth:?}").contains("refresh-1"));
/// ```
pub struct RefreshToken {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    /// The newest refresh token; replaced on every rotation.
    refresh: Mutex<SecretString>,
    on_rotate: Option<OnRotate>,
    /// Set once the grant is refused: no request is made after that.
    dead: Mutex<Option<Option<String>>>,
    cache: TokenCache,
}

impl RefreshToken {
    /// A client of `token_url` holding `refresh_token`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        RefreshToken {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            refresh: Mutex::new(SecretString::from(refresh_token.into())),
            on_rotate: None,
            dead: Mutex::new(None),
            cache: TokenCache::new(),
        }
    }

    /// Called with every new refresh token, right after the token endpoint issued
    /// it and before any call uses the new access token.
    pub fn on_rotate(mut self, callback: impl Fn(&SecretString) + Send + Sync + 'static) -> Self {
        self.on_rotate = Some(Arc::new(callback));
        self
    }

    /// Renew access tokens this long before they expire (default 60 s).
    pub fn expiry_skew(mut self, skew: Duration) -> Self {
        self.cache.skew = skew;
        self
    }

    /// How long to trust a token whose answer has no `expires_in` (default 1 h).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.cache.default_lifetime = lifetime;
        self
    }

    /// Points the scheme at another token endpoint.
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        self.token_url = token_url.into();
        self
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        generation: u64,
    ) -> Result<(Credentials, Option<u64>), Error> {
        let dead = self
            .dead
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(description) = dead {
            return Err(Error::InvalidGrant {
                token_url: self.token_url.clone(),
                description,
            });
        }
        // Only this call refreshes (the cache's lock is held), so reading the
        // refresh token here and replacing it below cannot race.
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
        let token = match request_token(http, &self.token_url, &form).await {
            Err(Error::InvalidGrant {
                token_url,
                description,
            }) => {
                *self.dead.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(description.clone());
                return Err(Error::InvalidGrant {
                    token_url,
                    description,
                });
            }
            other => other?,
        };
        if let Some(new_refresh) = token.refresh {
            *self.refresh.lock().unwrap_or_else(PoisonError::into_inner) = new_refresh.clone();
            tracing::debug!(token_url = %self.token_url, "refresh token rotated");
            if let Some(callback) = &self.on_rotate {
                callback(&new_refresh);
            }
        }
        let credentials = Credentials::bearer(&token.access, &[], generation)?;
        Ok((credentials, token.expires_in))
    }
}

impl AuthScheme for RefreshToken {
    fn current(&self) -> Option<Credentials> {
        self.cache.current()
    }

    fn refresh<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Credentials, Error>> {
        Box::pin(
            self.cache
                .get_or_refresh(move |generation| self.fetch(http, generation)),
        )
    }

    fn may_refresh(&self) -> bool {
        true
    }

    fn rejected(&self, used: &Credentials) -> bool {
        self.cache.invalidate(used);
        true
    }

    fn header_names(&self) -> Vec<HeaderName> {
        vec![AUTHORIZATION]
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth::RefreshToken")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}
