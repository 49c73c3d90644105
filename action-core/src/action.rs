//! Typed actions: what `api_action!` declarations generate, sent with
//! [`Connector::send`].

use crate::connector::Connector;
use crate::error::Error;
use crate::request::ActionRequest;
use crate::response::Response;
use serde::de::DeserializeOwned;
use std::future::Future;

/// A call with its values as fields: one of a typed SDK's operations.
///
/// `api_action!` declarations generate a struct and this impl; a hand-written impl
/// builds its request with `api_action!` in call form.
///
/// ```
/// use api_action::{api_action, Action, ActionRequest};
///
/// /// `GET /Users/<userId>`, written by hand.
/// struct GetUser {
///     user_id: String,
/// }
///
/// impl Action for GetUser {
///     type Response = serde_json::Value;
///     fn into_request(self) -> ActionRequest<serde_json::Value> {
///         api_action!(GET "/Users/<userId>", userId = self.user_id)
///     }
/// }
///
/// let request = GetUser { user_id: "a b".into() }.into_request();
/// assert_eq!(request.relative_url(), "/Users/a%20b");
/// ```
pub trait Action {
    /// The type a 2xx body decodes into.
    type Response: DeserializeOwned;

    /// Encodes the action's values into a request.
    fn into_request(self) -> ActionRequest<Self::Response>;
}

/// A built request is an action too, so `connector.send(api_action!(..))` works.
impl<T: DeserializeOwned> Action for ActionRequest<T> {
    type Response = T;

    fn into_request(self) -> ActionRequest<T> {
        self
    }
}

impl Connector {
    /// Sends an action and decodes a 2xx body into its response type; any other
    /// status is [`Error::Status`]. See [`ActionRequest::send`].
    pub fn send<A: Action>(
        &self,
        action: A,
    ) -> impl Future<Output = Result<Response<A::Response>, Error>> + Send + '_ {
        action.into_request().send(self)
    }

    /// Sends an action and reports every status as data. See
    /// [`ActionRequest::send_raw`].
    pub fn send_raw<A: Action>(
        &self,
        action: A,
    ) -> impl Future<Output = Result<Response<serde_json::Value>, Error>> + Send + '_ {
        action.into_request().send_raw(self)
    }
}
