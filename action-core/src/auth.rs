//! How a connector authenticates: the [`AuthScheme`] trait, the schemes that send
//! a fixed credential, and [`Auth`], the value a connector is configured with.
//! OAuth2 schemes live in `oauth.rs`.

use crate::error::Error;
use crate::oauth::{ClientCredentials, RefreshToken};
use base64::Engine as _;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, `Send` future, as [`AuthScheme::refresh`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A way to authenticate calls. Implement it to plug in a scheme of your own; the
/// built-in ones are constructed through [`Auth`].
///
/// A call asks [`current`](Self::current) first (no I/O: the common path), and only
/// when that is `None` awaits [`refresh`](Self::refresh). When the service answers
/// `401`, the call reports the credentials it used to [`rejected`](Self::rejected);
/// if that returns `true`, the call is sent once more with fresh credentials.
///
/// ```
/// use action_core::{AuthScheme, BoxFuture, Credentials, Error};
/// use action_core::header::{HeaderName, HeaderValue};
///
/// /// Datadog: two keys, two headers.
/// #[derive(Debug)]
/// struct DatadogKeys(Credentials);
///
/// impl AuthScheme for DatadogKeys {
///     fn current(&self) -> Option<Credentials> {
///         Some(self.0.clone())
///     }
///     fn header_names(&self) -> Vec<HeaderName> {
///         self.0.header_names().cloned().collect()
///     }
/// }
///
/// let keys = Credentials::new([
///     (HeaderName::from_static("dd-api-key"), HeaderValue::from_static("api-key")),
///     (HeaderName::from_static("dd-application-key"), HeaderValue::from_static("app-key")),
/// ]);
/// let auth = action_core::Auth::custom(DatadogKeys(keys));
/// assert!(!format!("{auth:?}").contains("app-key"));
/// ```
pub trait AuthScheme: Send + Sync + fmt::Debug + 'static {
    /// Credentials usable right now without I/O, if any.
    fn current(&self) -> Option<Credentials>;

    /// Obtains fresh credentials, e.g. from a token endpoint, with the connector's
    /// HTTP client. Called when [`current`](Self::current) is `None`; however many
    /// calls get here at once, an implementation should make one request for them
    /// all. The default reports that the scheme has no credentials.
    fn refresh<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<Credentials, Error>> {
        let _ = http;
        Box::pin(async { Err(Error::Config("the auth scheme has no credentials".into())) })
    }

    /// Whether a `401` may be cured by fresh credentials. When `true`, a call keeps
    /// a copy of its request so it can be sent once more. Default: `false`.
    fn may_refresh(&self) -> bool {
        false
    }

    /// The service answered `401` to a call sent with `used`. Forget `used` if it is
    /// still the current credential, and return `true` if a retry with fresh
    /// credentials may succeed. A call retries at most once.
    fn rejected(&self, used: &Credentials) -> bool {
        let _ = used;
        false
    }

    /// The headers this scheme sets. A call may not set them.
    fn header_names(&self) -> Vec<HeaderName>;

    /// Last look at each request before it is sent, with the credentials' headers
    /// already set: schemes that sign requests (an HMAC of method, URL and body)
    /// add their signature here. The body is always in memory
    /// (`request.body().and_then(|b| b.as_bytes())`). Default: nothing.
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        let _ = request;
        Ok(())
    }

    /// Checks the configuration when the connector is built.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// The headers one authenticated call carries, and which generation of the
/// scheme's credentials they are (so a `401` invalidates only the token it was
/// answered for). Cheap to clone; values are marked sensitive, and `Debug` shows
/// header names only.
#[derive(Clone)]
pub struct Credentials {
    headers: Arc<[(HeaderName, HeaderValue)]>,
    generation: u64,
}

impl Credentials {
    /// Credentials of generation 0 (for schemes that never change them).
    pub fn new(headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>) -> Self {
        Credentials::with_generation(headers, 0)
    }

    /// Credentials of a given generation.
    pub fn with_generation(
        headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
        generation: u64,
    ) -> Self {
        let headers: Vec<_> = headers
            .into_iter()
            .map(|(name, mut value)| {
                value.set_sensitive(true);
                (name, value)
            })
            .collect();
        Credentials {
            headers: headers.into(),
            generation,
        }
    }

    /// `Authorization: Bearer <token>`, plus `extra` headers.
    pub(crate) fn bearer(
        token: &SecretString,
        extra: &[(HeaderName, HeaderValue)],
        generation: u64,
    ) -> Result<Self, Error> {
        let value = header_value(&AUTHORIZATION, &format!("Bearer {}", token.expose_secret()))
            .map_err(Error::Config)?;
        let headers = std::iter::once((AUTHORIZATION, value)).chain(extra.iter().cloned());
        Ok(Credentials::with_generation(headers, generation))
    }

    /// The headers, in order.
    pub fn headers(&self) -> impl Iterator<Item = &(HeaderName, HeaderValue)> {
        self.headers.iter()
    }

    /// The header names.
    pub fn header_names(&self) -> impl Iterator<Item = &HeaderName> {
        self.headers.iter().map(|(name, _)| name)
    }

    /// Which generation of the scheme's credentials these are.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("headers", &self.header_names().collect::<Vec<_>>())
            .field("generation", &self.generation)
            .finish()
    }
}

/// A credential as a header value; the error names the header, never the value.
pub(crate) fn header_value(name: &HeaderName, value: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_str(value).map_err(|_| {
        format!(
            "the credential for `{name}` contains characters a header cannot carry \
             (control characters such as CR or LF)"
        )
    })
}

/// The credential a [`Connector`](crate::Connector) adds to every call.
///
/// Secrets are held in [`SecretString`]: `Debug` shows the scheme, never the secret.
///
/// ```
/// use action_core::Auth;
///
/// let auth = Auth::bearer("s3cr3t-directory-key");
/// assert_eq!(format!("{auth:?}"), "Auth::Bearer(<redacted>)");
/// let auth = Auth::basic("ada@example.com", "api-token");
/// assert_eq!(format!("{auth:?}"), r#"Auth::Basic { user: "ada@example.com", secret: <redacted> }"#);
/// ```
#[derive(Clone)]
pub struct Auth(pub(crate) Arc<dyn AuthScheme>);

impl Auth {
    /// No authentication: nothing is added.
    pub fn none() -> Self {
        Auth(Arc::new(Fixed {
            shown: Shown::None,
            credentials: Ok(Credentials::new([])),
        }))
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        let token = SecretString::from(token.into());
        Auth(Arc::new(Fixed {
            shown: Shown::Bearer,
            credentials: header_value(&AUTHORIZATION, &format!("Bearer {}", token.expose_secret()))
                .map(|value| Credentials::new([(AUTHORIZATION, value)])),
        }))
    }

    /// `Authorization: Basic base64(user:secret)` (Jira Cloud: email and API token).
    pub fn basic(user: impl Into<String>, secret: impl Into<String>) -> Self {
        let user = user.into();
        let secret = SecretString::from(secret.into());
        let pair = SecretString::from(format!("{user}:{}", secret.expose_secret()));
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.expose_secret());
        let credentials = header_value(&AUTHORIZATION, &format!("Basic {encoded}"))
            .map(|value| Credentials::new([(AUTHORIZATION, value)]));
        Auth(Arc::new(Fixed {
            shown: Shown::Basic(user),
            credentials,
        }))
    }

    /// `<header>: <key>`, for services that take an API key in a header of their own.
    /// The header then belongs to the connector: a call cannot set it.
    pub fn api_key(header: impl Into<String>, key: impl Into<String>) -> Self {
        let header = header.into();
        let key = SecretString::from(key.into());
        let credentials = HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| format!("`{header}` is not a valid header name for an API key"))
            .and_then(|name| {
                let value = header_value(&name, key.expose_secret())?;
                Ok(Credentials::new([(name, value)]))
            });
        Auth(Arc::new(Fixed {
            shown: Shown::ApiKey(header),
            credentials,
        }))
    }

    /// OAuth 2.0 client credentials (server to server, as Adobe IMS): a token is
    /// requested, cached until shortly before it expires, and shared by all calls.
    pub fn client_credentials(scheme: ClientCredentials) -> Self {
        Auth(Arc::new(scheme))
    }

    /// OAuth 2.0 with a rotating refresh token (as Atlassian 3LO): each refresh
    /// returns a new refresh token, handed to your callback to persist.
    pub fn refresh_token(scheme: RefreshToken) -> Self {
        Auth(Arc::new(scheme))
    }

    /// A scheme of your own.
    pub fn custom(scheme: impl AuthScheme) -> Self {
        Auth(Arc::new(scheme))
    }

    /// The scheme.
    pub fn scheme(&self) -> &dyn AuthScheme {
        &*self.0
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// What `Debug` shows of a fixed credential.
enum Shown {
    None,
    Bearer,
    Basic(String),
    ApiKey(String),
}

/// A credential that never changes: computed once, cloned into every call.
struct Fixed {
    shown: Shown,
    /// An invalid credential (say, with a line break) is reported when the
    /// connector is built.
    credentials: Result<Credentials, String>,
}

impl AuthScheme for Fixed {
    fn current(&self) -> Option<Credentials> {
        self.credentials.as_ref().ok().cloned()
    }

    fn header_names(&self) -> Vec<HeaderName> {
        match &self.credentials {
            Ok(credentials) => credentials.header_names().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    fn check(&self) -> Result<(), Error> {
        match &self.credentials {
            Ok(_) => Ok(()),
            Err(message) => Err(Error::Config(message.clone())),
        }
    }
}

impl fmt::Debug for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.shown {
            Shown::None => f.write_str("Auth::None"),
            Shown::Bearer => f.write_str("Auth::Bearer(<redacted>)"),
            Shown::Basic(user) => write!(f, "Auth::Basic {{ user: {user:?}, secret: <redacted> }}"),
            Shown::ApiKey(header) => {
                write!(f, "Auth::ApiKey {{ header: {header:?}, key: <redacted> }}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_header(auth: &Auth) -> (HeaderName, HeaderValue) {
        let credentials = auth.scheme().current().expect("fixed credentials");
        let mut headers = credentials.headers();
        let header = headers.next().cloned().expect("one header");
        assert!(headers.next().is_none());
        header
    }

    #[test]
    fn headers_are_built_once_and_marked_sensitive() {
        let (name, value) = only_header(&Auth::basic("ada", "pw"));
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value, "Basic YWRhOnB3");
        assert!(value.is_sensitive());
        let (name, value) = only_header(&Auth::api_key("X-Api-Key", "k1"));
        assert_eq!(name.as_str(), "x-api-key");
        assert_eq!(value, "k1");
        assert_eq!(
            Auth::none().scheme().current().unwrap().headers().count(),
            0
        );
    }

    #[test]
    fn a_credential_with_a_newline_is_refused_without_showing_it() {
        let auth = Auth::bearer("abc\r\nX-Evil: 1");
        assert!(auth.scheme().current().is_none());
        let err = auth.scheme().check().unwrap_err();
        let text = format!("{err} {err:?} {auth:?}");
        assert!(!text.contains("abc"), "{text}");
        assert!(
            text.contains("control characters such as CR or LF"),
            "{text}"
        );
    }

    #[test]
    fn credentials_debug_shows_names_only() {
        let credentials =
            Credentials::new([(AUTHORIZATION, HeaderValue::from_static("Bearer t0k"))]);
        assert_eq!(
            format!("{credentials:?}"),
            r#"Credentials { headers: ["authorization"], generation: 0 }"#
        );
    }
}
