//! The runtime of [api-action](https://docs.rs/api-action): what a compile-checked
//! call does once `api_action!` has checked it.
//!
//! A call goes through a handful of files, one concern each:
//!
//! * [`action`](Action): typed actions, what `api_action!` declarations generate;
//! * [`request`](ActionRequest): the call's values, encoded (path segments, query,
//!   headers, JSON body);
//! * [`connector`](Connector): base URL, authentication, default headers and the one
//!   shared HTTP client; sends the request;
//! * [`auth`](Auth): the credential added to every call, and the [`AuthScheme`]
//!   trait; `oauth.rs`: [`ClientCredentials`] and [`RefreshToken`];
//! * [`response`](Response): the card's three outputs, status, headers and body;
//! * [`retry`](RetryPolicy): which outcomes are retried, and after how long;
//! * [`error`](Error): one error enum whose variants carry the call's context.
//!
//! Most users depend on the `api-action` crate, which re-exports this one and the
//! macro.

#![warn(missing_docs)]

mod action;
mod auth;
mod connector;
mod encode;
mod error;
mod oauth;
pub mod paging;
pub mod presets;
mod request;
mod response;
mod retry;
#[cfg(test)]
mod testgen;

pub use action::Action;
pub use auth::{Auth, AuthScheme, BoxFuture, Credentials};
pub use connector::{Connector, ConnectorBuilder, DEFAULT_MAX_BODY_BYTES};
pub use error::{Call, DecodeError, Error, RequestProblem, StatusError, TokenError};
pub use oauth::{ClientCredentials, RefreshToken};
pub use request::ActionRequest;
#[doc(hidden)]
pub use request::JsonBody;
pub use response::Response;
pub use retry::RetryPolicy;

/// Secret strings as the auth schemes hold them (a rotated refresh token is handed
/// to you as a [`SecretString`]; read it with [`ExposeSecret::expose_secret`]).
pub use secrecy::{ExposeSecret, SecretString};

/// The HTTP client underneath, for custom [`AuthScheme`]s (`refresh` gets the
/// connector's `reqwest::Client`, `sign` a `reqwest::Request`) without a version
/// mismatch.
pub use reqwest;

/// HTTP types used in the API, re-exported so users need no `http` dependency.
pub use reqwest::header;
pub use reqwest::{Method, StatusCode};
