//! What calls leave in traces: one span per call with its shape, and never a
//! secret. In a test binary of their own: each test here captures events with a
//! thread-local subscriber, and `tracing` caches a callsite as disabled if another
//! test thread without a subscriber reaches it first, at the same moment.

mod common;

use api_action::{api_action, Auth, Connector, RetryPolicy};
use common::oauth::{ims, issuing_tokens, rotating_tokens, seen_auth, three_lo, CLIENT_SECRET};
use common::{Capture, Reply, TestServer};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use tracing::Instrument;

fn connector(api: &TestServer, auth: Auth) -> Connector {
    Connector::new(api.url(), auth).unwrap()
}

#[tokio::test]
async fn secrets_never_show_in_debug_display_errors_or_traces() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let tokens = rotating_tokens().await;
    let api = TestServer::replying(Reply::new(401)).await;
    let jira = connector(&api, three_lo(&tokens, "r-1", Arc::default()));
    let err = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap_err();
    let dead = connector(&api, three_lo(&tokens, "r-1", Arc::default()));
    let grant_err = api_action!(GET "/x").send(&dead).await.unwrap_err();
    let ims_tokens = issuing_tokens(Some(10), Duration::ZERO).await;
    let umapi = connector(&api, Auth::client_credentials(ims(&ims_tokens)));
    let umapi_err = api_action!(GET "/x").send(&umapi).await.unwrap_err();

    let events = capture.0.lock().unwrap().clone();
    assert!(
        events.contains("OAuth token cached"),
        "the capture works: {events}"
    );
    let printed = format!(
        "{events} {jira:?} {err} {err:?} {grant_err} {grant_err:?} {umapi:?} {umapi_err} {umapi_err:?}"
    );
    for secret in [CLIENT_SECRET, "tok-1", "tok-2", "r-1", "r-2", "r-3"] {
        assert!(!printed.contains(secret), "{secret} leaked in:\n{printed}");
    }
    // They did go where they belong.
    assert!(seen_auth(&api).contains(&"Bearer tok-1".to_string()));
}

#[tokio::test]
async fn each_call_is_one_span_with_method_template_status_attempts_and_latency() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = TestServer::replying(Reply::json(200, r#"{"password":"body-SECRET"}"#)).await;
    let api = Connector::builder(server.url())
        .auth(Auth::api_key("X-Api-Key", "k-1"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    api_action!(GET "/Users/<id>", id = "value-SECRET", query { token: "query-SECRET" })
        .send_raw(&api)
        .await
        .unwrap();
    let traced = capture.0.lock().unwrap().clone();
    assert!(
        traced.contains("method=GET template=\"/Users/<id>\""),
        "{traced}"
    );
    assert!(traced.contains("status=200"), "{traced}");
    assert!(traced.contains("attempts=1"), "{traced}");
    assert!(traced.contains("latency_ms="), "{traced}");
    for secret in ["body-SECRET", "value-SECRET", "query-SECRET", "k-1"] {
        assert!(!traced.contains(secret), "{secret} in {traced}");
    }
}

/// A subscriber that keeps each span's name, parent and fields.
#[derive(Default, Debug)]
struct SpanInfo {
    name: String,
    parent: Option<u64>,
    fields: Vec<(String, String)>,
}

#[derive(Clone, Default)]
struct Tree {
    next: Arc<AtomicU64>,
    spans: Arc<Mutex<HashMap<u64, SpanInfo>>>,
    // One stack: the test runs on a current-thread runtime.
    stack: Arc<Mutex<Vec<u64>>>,
}

type Fields = Vec<(String, String)>;

struct Recorder<'a>(&'a mut Fields);
impl tracing::field::Visit for Recorder<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
}

impl tracing::Subscriber for Tree {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let parent = if attrs.is_root() {
            None
        } else if let Some(p) = attrs.parent() {
            Some(p.into_u64())
        } else {
            self.stack.lock().unwrap().last().copied()
        };
        let mut info = SpanInfo {
            name: attrs.metadata().name().to_string(),
            parent,
            fields: Vec::new(),
        };
        attrs.record(&mut Recorder(&mut info.fields));
        self.spans.lock().unwrap().insert(id, info);
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let info = spans.get_mut(&id.into_u64()).unwrap();
        values.record(&mut Recorder(&mut info.fields));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, id: &tracing::span::Id) {
        self.stack.lock().unwrap().push(id.into_u64());
    }
    fn exit(&self, _: &tracing::span::Id) {
        self.stack.lock().unwrap().pop();
    }
}

impl Tree {
    /// Each `api_action` span: its parent's name and its fields.
    fn calls(&self) -> Vec<(Option<String>, Fields)> {
        let spans = self.spans.lock().unwrap();
        let mut ids: Vec<_> = spans.keys().copied().collect();
        ids.sort();
        ids.into_iter()
            .filter(|id| spans[id].name == "api_action")
            .map(|id| {
                let info = &spans[&id];
                (
                    info.parent.map(|p| spans[&p].name.clone()),
                    info.fields.clone(),
                )
            })
            .collect()
    }
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The span opens when the call starts: under the span that polls it (also when
/// the call's own future is instrumented), with latency counted from there.
#[tokio::test]
async fn a_call_span_opens_where_the_call_runs() {
    let tree = Tree::default();
    let _guard = tracing::subscriber::set_default(tree.clone());
    let server = TestServer::replying(Reply::json(200, "{}")).await;
    let api = Connector::builder(server.url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    // 1. Created inside the parent span's async block: child of "job".
    async {
        api_action!(GET "/a").send_raw(&api).await.unwrap();
    }
    .instrument(tracing::info_span!("job"))
    .await;

    // 2. The call's own future instrumented with a parent (the usual
    //    `tokio::spawn(fut.instrument(span))` shape).
    api_action!(GET "/b")
        .send_raw(&api)
        .instrument(tracing::info_span!("job2"))
        .await
        .unwrap();

    // 3. Latency: a future created, then awaited 300 ms later.
    let fut = api_action!(GET "/c").send_raw(&api);
    tokio::time::sleep(Duration::from_millis(300)).await;
    fut.await.unwrap();

    // 4. Retries: attempts recorded.
    let n = Arc::new(AtomicU64::new(0));
    let count = n.clone();
    let busy = TestServer::start(move |_| {
        if count.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::new(503).header("Retry-After", "0")
        } else {
            Reply::json(200, "{}")
        }
    })
    .await;
    let retrying = Connector::builder(busy.url())
        .retry(RetryPolicy::default().sleep_with(|_| Box::pin(async {})))
        .build()
        .unwrap();
    api_action!(GET "/d").send_raw(&retrying).await.unwrap();

    // 5. A request refused before sending.
    let _ = api_action!(GET "/e", headers { "X-A": String::from("a\r\nb") })
        .send_raw(&api)
        .await;

    let calls = tree.calls();
    // The refused request (5) never started: it has no span.
    assert_eq!(calls.len(), 4, "{calls:?}");
    let mut failures = Vec::new();
    if calls[0].0.as_deref() != Some("job") {
        failures.push(format!("1: parent {:?}, expected job", calls[0].0));
    }
    if calls[1].0.as_deref() != Some("job2") {
        failures.push(format!(
            "2: send_raw(..).instrument(job2): parent {:?}, expected job2",
            calls[1].0
        ));
    }
    let latency: u64 = field(&calls[2].1, "latency_ms").unwrap().parse().unwrap();
    if latency >= 300 {
        failures.push(format!(
            "3: latency_ms={latency} for a ~1 ms call created 300 ms before it was awaited"
        ));
    }
    if field(&calls[3].1, "attempts").as_deref() != Some("3")
        || field(&calls[3].1, "status").as_deref() != Some("200")
    {
        failures.push(format!("4: {:?}", calls[3].1));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
