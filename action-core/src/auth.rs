//! How a connector authenticates: the schemes that send a fixed credential.

use crate::error::Error;
use base64::Engine as _;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;

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
pub struct Auth(Arc<Scheme>);

enum Scheme {
    None,
    Bearer(SecretString),
    Basic { user: String, secret: SecretString },
    ApiKey { header: String, key: SecretString },
}

impl Auth {
    /// No authentication: nothing is added.
    pub fn none() -> Self {
        Auth(Arc::new(Scheme::None))
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth(Arc::new(Scheme::Bearer(token.into().into())))
    }

    /// `Authorization: Basic base64(user:secret)` (Jira Cloud: email and API token).
    pub fn basic(user: impl Into<String>, secret: impl Into<String>) -> Self {
        Auth(Arc::new(Scheme::Basic {
            user: user.into(),
            secret: secret.into().into(),
        }))
    }

    /// `<header>: <key>`, for services that take an API key in a header of their own.
    /// The header then belongs to the connector: a call cannot set it.
    pub fn api_key(header: impl Into<String>, key: impl Into<String>) -> Self {
        Auth(Arc::new(Scheme::ApiKey {
            header: header.into(),
            key: key.into().into(),
        }))
    }

    /// The header this scheme sends, computed once when the connector is built.
    /// The value is marked sensitive so HTTP libraries leave it out of their logs.
    pub(crate) fn header(&self) -> Result<Option<(HeaderName, HeaderValue)>, Error> {
        let (name, value) = match &*self.0 {
            Scheme::None => return Ok(None),
            Scheme::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose_secret())),
            Scheme::Basic { user, secret } => {
                let pair = format!("{user}:{}", secret.expose_secret());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                (AUTHORIZATION, format!("Basic {encoded}"))
            }
            Scheme::ApiKey { header, key } => {
                let name = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                    Error::Config(format!(
                        "`{header}` is not a valid header name for an API key"
                    ))
                })?;
                (name, key.expose_secret().to_string())
            }
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            Error::Config(format!(
                "the credential for `{name}` contains characters a header cannot carry \
                 (control characters such as CR or LF)"
            ))
        })?;
        value.set_sensitive(true);
        Ok(Some((name, value)))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Scheme::None => f.write_str("Auth::None"),
            Scheme::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
            Scheme::Basic { user, .. } => {
                write!(f, "Auth::Basic {{ user: {user:?}, secret: <redacted> }}")
            }
            Scheme::ApiKey { header, .. } => {
                write!(f, "Auth::ApiKey {{ header: {header:?}, key: <redacted> }}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_built_once_and_marked_sensitive() {
        let (name, value) = Auth::basic("ada", "pw").header().unwrap().unwrap();
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value, "Basic YWRhOnB3");
        assert!(value.is_sensitive());
        let (name, value) = Auth::api_key("X-Api-Key", "k1").header().unwrap().unwrap();
        assert_eq!(name.as_str(), "x-api-key");
        assert_eq!(value, "k1");
        assert!(Auth::none().header().unwrap().is_none());
    }

    #[test]
    fn a_credential_with_a_newline_is_refused_without_showing_it() {
        let err = Auth::bearer("abc\r\nX-Evil: 1").header().unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("abc"), "{text}");
        assert!(
            text.contains("control characters such as CR or LF"),
            "{text}"
        );
    }
}
