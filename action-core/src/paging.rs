//! Listings as streams of items, one page in memory at a time.
//!
//! [`paginate`] drives any paging scheme: a cursor, a function that builds the
//! request for a cursor, and a function that splits a page into its items and the
//! next cursor. The vendors' schemes (SCIM `startIndex`, Jira `startAt` and
//! `nextPageToken`, UMAPI page numbers) are a few lines on top of it, in the
//! service modules of `api-action`; RFC 8288 `Link: rel="next"` is [`follow_links`].

use crate::connector::Connector;
use crate::error::Error;
use crate::request::ActionRequest;
use crate::response::Response;
use futures_core::Stream;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A stream of items, fetched a page at a time as it is polled.
pub type Items<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// What a page brings: its items, and the cursor of the next page (`None` on the
/// last one).
#[derive(Debug)]
pub struct Step<C, T> {
    /// The page's items, in order.
    pub items: Vec<T>,
    /// Where the next page starts, or `None` when this was the last.
    pub next: Option<C>,
}

type PageFuture<P> = Pin<Box<dyn Future<Output = Result<Response<P>, Error>> + Send>>;

struct Paginate<C, P, T, R, S> {
    connector: Connector,
    cursor: Option<C>,
    request: R,
    step: S,
    buffer: VecDeque<T>,
    in_flight: Option<(C, PageFuture<P>)>,
}

/// Streams the items of a listing: requests the page at `first`, hands each page
/// (status, headers and decoded body) to `step`, yields its items, and requests the next page only when the items
/// run out. One page is in memory at a time. An error ends the stream after it
/// is yielded.
///
/// ```no_run
/// use api_action::{api_action, paging::{paginate, Step}, Connector};
/// use futures_util::StreamExt;
///
/// #[derive(serde::Deserialize)]
/// struct Page { values: Vec<serde_json::Value>, next: Option<u32> }
///
/// # async fn run(api: Connector) -> Result<(), api_action::Error> {
/// let mut items = paginate(
///     &api,
///     0u32,
///     |page| api_action!(GET "/things/<page>" -> Page, page = *page),
///     |_, page| Step { items: page.body.values, next: page.body.next },
/// );
/// while let Some(item) = items.next().await {
///     println!("{}", item?);
/// }
/// # Ok(()) }
/// ```
pub fn paginate<C, P, T, R, S>(connector: &Connector, first: C, request: R, step: S) -> Items<T>
where
    C: Clone + Send + Unpin + 'static,
    P: DeserializeOwned + Send + 'static,
    T: Send + Unpin + 'static,
    R: FnMut(&C) -> ActionRequest<P> + Send + Unpin + 'static,
    S: FnMut(&C, Response<P>) -> Step<C, T> + Send + Unpin + 'static,
{
    Box::pin(Paginate {
        connector: connector.clone(),
        cursor: Some(first),
        request,
        step,
        buffer: VecDeque::new(),
        in_flight: None,
    })
}

impl<C, P, T, R, S> Stream for Paginate<C, P, T, R, S>
where
    C: Clone + Send + Unpin + 'static,
    P: DeserializeOwned + Send + 'static,
    T: Send + Unpin + 'static,
    R: FnMut(&C) -> ActionRequest<P> + Send + Unpin,
    S: FnMut(&C, Response<P>) -> Step<C, T> + Send + Unpin,
{
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.in_flight.is_none() {
                let Some(cursor) = this.cursor.take() else {
                    return Poll::Ready(None);
                };
                let request = (this.request)(&cursor);
                let connector = this.connector.clone();
                let future: PageFuture<P> = Box::pin(async move { request.send(&connector).await });
                this.in_flight = Some((cursor, future));
            }
            let (cursor, future) = this.in_flight.as_mut().expect("a page is in flight");
            match future.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) => {
                    // `cursor` stays taken: the stream ends after the error.
                    this.in_flight = None;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(Ok(page)) => {
                    let cursor = cursor.clone();
                    this.in_flight = None;
                    let step = (this.step)(&cursor, page);
                    this.buffer.extend(step.items);
                    this.cursor = step.next;
                }
            }
        }
    }
}

/// Streams a listing that pages with RFC 8288 `Link: <..>; rel="next"` headers
/// (GitHub style): `first` is the first page's request, each page's body is a
/// JSON array of items, and the `next` link is followed while there is one.
///
/// A `next` link must stay under the connector's base URL: a link to another
/// host (or outside the base path) ends the stream with
/// [`RequestProblem::Url`](crate::RequestProblem::Url) rather than sending
/// the connector's credentials there.
pub fn follow_links<T>(connector: &Connector, first: ActionRequest<Vec<T>>) -> Items<T>
where
    T: DeserializeOwned + Send + Unpin + 'static,
{
    let base = connector.base_url().to_string();
    let template = first.template();
    let method = first.method().clone();
    let first = std::sync::Mutex::new(Some(first));
    paginate(
        connector,
        LinkCursor::First,
        move |cursor| match cursor {
            LinkCursor::First => first
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .unwrap_or_else(|| ActionRequest::new(method.clone(), template, 0)),
            LinkCursor::Next(url) => ActionRequest::from_link(method.clone(), template, &base, url),
        },
        |_, page: Response<Vec<T>>| Step {
            next: page
                .header("link")
                .and_then(next_link)
                .map(LinkCursor::Next),
            items: page.body,
        },
    )
}

/// Where a link-paged listing is.
#[derive(Debug, Clone)]
enum LinkCursor {
    First,
    Next(String),
}

/// The `rel="next"` target of a `Link` header value, if any.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        is_next.then(|| target.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_are_found_among_others() {
        let header = r#"<https://api.example/items?page=1>; rel="prev", <https://api.example/items?page=3>; rel="next", <https://api.example/items?page=9>; rel="last""#;
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.example/items?page=3")
        );
        assert_eq!(
            next_link(r#"</x?p=2>; title="n"; REL=next"#).as_deref(),
            Some("/x?p=2")
        );
        assert_eq!(next_link(r#"<https://a/x>; rel="prev""#), None);
        assert_eq!(next_link("garbage"), None);
        assert_eq!(next_link(""), None);
    }
}
