//! api-action against hand-written reqwest, in one process and one run: the same
//! request (a path parameter, two query parameters, one header, a JSON body, a
//! ~1 KiB JSON answer decoded) to the same loopback server.
//!
//! ```text
//! cargo bench --bench calls
//! ```
//!
//! A plain harness (no benchmark framework): each measurement is repeated in
//! rounds, the variants interleaved round by round so machine noise hits them
//! alike, and the median round is reported with the ratio api-action /
//! hand-written. See docs/benchmarks.md.

use api_action::{api_action, Action, ActionRequest, Auth, Connector};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(Serialize)]
struct NewItem {
    name: String,
    tags: Vec<String>,
    quantity: u32,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Item {
    id: String,
    name: String,
    description: String,
    tags: Vec<String>,
    owner: Owner,
    history: Vec<Event>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Owner {
    id: u64,
    email: String,
    display_name: String,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Event {
    at: String,
    kind: String,
    by: String,
}

#[derive(Serialize)]
struct ItemQuery {
    limit: u32,
    sort: &'static str,
}

#[derive(Serialize)]
struct Tracing {
    #[serde(rename = "X-Request-Id")]
    request_id: &'static str,
}

api_action! {
    UpdateItem = POST "/items/<itemId>" query<ItemQuery> headers<Tracing> body<NewItem> -> Item;
}

/// The ~1 KiB answer.
fn answer() -> String {
    let history: Vec<serde_json::Value> = (0..10)
        .map(|n| serde_json::json!({ "at": format!("2026-12-0{}T10:00:00Z", n + 1), "kind": "updated", "by": "ada@example.com" }))
        .collect();
    serde_json::json!({
        "id": "item-42",
        "name": "Widget",
        "description": "A widget of the kind that is measured in benchmarks, described at some length.",
        "tags": ["alpha", "beta", "gamma", "delta"],
        "owner": { "id": 7, "email": "ada@example.com", "display_name": "Ada Lovelace" },
        "history": history,
    })
    .to_string()
}

/// Starts the server on a thread and runtime of its own, so it does not compete
/// with the measured client for the same worker threads.
fn serve_on_own_thread() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            sender.send(serve().await).unwrap();
            std::future::pending::<()>().await;
        });
    });
    receiver.recv().unwrap()
}

async fn serve() -> String {
    use axum::routing::post;
    let body = answer();
    assert!(
        (900..1400).contains(&body.len()),
        "answer is {} bytes",
        body.len()
    );
    let app = axum::Router::new().route(
        "/v1/items/{id}",
        post(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn payload() -> NewItem {
    NewItem {
        name: "Widget".into(),
        tags: vec!["alpha".into(), "beta".into()],
        quantity: 3,
    }
}

const TOKEN: &str = "bench-token";
const ITEM: &str = "item 42/α";

/// The request a person would write with reqwest: the same URL, query, headers
/// and body, encoded by hand.
fn hand_written(client: &reqwest::Client, base: &str, body: &NewItem) -> reqwest::RequestBuilder {
    let id = percent_encoding::utf8_percent_encode(ITEM, percent_encoding::NON_ALPHANUMERIC);
    client
        .post(format!("{base}/items/{id}?limit=10&sort=name"))
        .bearer_auth(TOKEN)
        .header("X-Request-Id", "req-1")
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
}

async fn send_hand_written(client: &reqwest::Client, base: &str) -> Item {
    let body = payload();
    let response = hand_written(client, base, &body).send().await.unwrap();
    assert!(response.status().is_success());
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// The call form's request, built but not sent.
fn call_form(body: &NewItem) -> ActionRequest<Item> {
    api_action!(POST "/items/<itemId>" -> Item, itemId = ITEM,
        query { limit: 10, sort: "name" },
        headers { "X-Request-Id": "req-1" },
        body = body)
}

/// The declared action, with the same values.
fn declared() -> UpdateItem<&'static str> {
    UpdateItem {
        item_id: ITEM,
        query: ItemQuery {
            limit: 10,
            sort: "name",
        },
        headers: Tracing {
            request_id: "req-1",
        },
        body: payload(),
    }
}

async fn send_call_form(connector: &Connector) -> Item {
    call_form(&payload()).send(connector).await.unwrap().body
}

async fn send_declared(connector: &Connector) -> Item {
    connector.send(declared()).await.unwrap().body
}

/// Median of `rounds` timings of `f`.
fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn report(name: &str, unit: &str, baseline: Duration, variants: &[(&str, Duration)], per: u32) {
    println!("\n{name}");
    let per_op = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(per);
    println!("  hand-written reqwest   {:>9.2} {unit}", per_op(baseline));
    for (label, time) in variants {
        // Throughput ratio = baseline time / variant time; cost ratio = variant / baseline.
        println!(
            "  {label:<22} {:>9.2} {unit}   cost ratio {:.3}   throughput ratio {:.3}",
            per_op(*time),
            time.as_secs_f64() / baseline.as_secs_f64(),
            baseline.as_secs_f64() / time.as_secs_f64()
        );
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var("BENCH_QUICK").is_ok();
    let (rounds, sequential, concurrent, builds) = if quick {
        (3, 200, 640, 20_000)
    } else {
        (11, 2_000, 6_400, 200_000)
    };
    // One core for the client, one for the server (the machine has two).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = serve_on_own_thread();
    let client = reqwest::Client::builder().build().unwrap();
    let connector = Connector::builder(base.clone())
        .auth(Auth::bearer(TOKEN))
        .build()
        .unwrap();

    if std::env::args().any(|a| a == "--sizes") {
        print_sizes(&connector);
        return;
    }
    // `--only hand|call|declared N`: N sequential calls of one variant and nothing
    // else, for instruction counting (`valgrind --tool=callgrind`), which unlike
    // wall time is repeatable on a busy machine.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let which = args.get(i + 1).cloned().unwrap_or_default();
        let n: u32 = args.get(i + 2).and_then(|n| n.parse().ok()).unwrap_or(1000);
        runtime.block_on(async {
            for _ in 0..n {
                match which.as_str() {
                    "hand" => drop(black_box(send_hand_written(&client, &base).await)),
                    "call" => drop(black_box(send_call_form(&connector).await)),
                    _ => drop(black_box(send_declared(&connector).await)),
                }
            }
        });
        return;
    }

    // The three send the same bytes: checked once, then timed.
    runtime.block_on(async {
        let a = send_hand_written(&client, &base).await;
        let b = send_call_form(&connector).await;
        let c = send_declared(&connector).await;
        assert_eq!(
            (a.id.as_str(), b.id.as_str(), c.id.as_str()),
            ("item-42", "item-42", "item-42")
        );
    });
    let call_url =
        api_action!(POST "/items/<itemId>", itemId = ITEM, query { limit: 10, sort: "name" })
            .relative_url();
    let hand_url = hand_written(&client, &base, &payload())
        .build()
        .unwrap()
        .url()
        .to_string();
    assert_eq!(format!("{base}{call_url}"), hand_url, "same URL");

    // 1. Sequential calls, interleaved call by call so that whatever the machine
    //    does meanwhile falls on the three alike.
    let (mut hand, mut call, mut decl) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        runtime.block_on(async {
            let mut sums = [Duration::ZERO; 3];
            for i in 0..sequential * 3 {
                let t = Instant::now();
                match i % 3 {
                    0 => drop(black_box(send_hand_written(&client, &base).await)),
                    1 => drop(black_box(send_call_form(&connector).await)),
                    _ => drop(black_box(send_declared(&connector).await)),
                }
                sums[(i % 3) as usize] += t.elapsed();
            }
            hand.push(sums[0]);
            call.push(sums[1]);
            decl.push(sums[2]);
        });
    }
    report(
        &format!("sequential calls ({sequential} each per round, interleaved, median of {rounds})"),
        "µs/call",
        median(hand),
        &[
            ("api_action! call", median(call)),
            ("api_action! declared", median(decl)),
        ],
        sequential,
    );
    // 2. 64 concurrent calls.
    let concurrently = |which: u8| {
        let (client, base, connector) = (client.clone(), base.clone(), connector.clone());
        runtime.block_on(async move {
            let t = Instant::now();
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let (client, base, connector) =
                        (client.clone(), base.clone(), connector.clone());
                    tokio::spawn(async move {
                        for _ in 0..concurrent / 64 {
                            match which {
                                0 => drop(black_box(send_hand_written(&client, &base).await)),
                                1 => drop(black_box(send_call_form(&connector).await)),
                                _ => drop(black_box(send_declared(&connector).await)),
                            }
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            t.elapsed()
        })
    };
    let (mut hand, mut call, mut decl) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        hand.push(concurrently(0));
        call.push(concurrently(1));
        decl.push(concurrently(2));
    }
    report(
        &format!("64 concurrent callers ({concurrent} calls per round, median of {rounds})"),
        "µs/call",
        median(hand),
        &[
            ("api_action! call", median(call)),
            ("api_action! declared", median(decl)),
        ],
        concurrent,
    );

    // 3. Building the request, without sending.
    let (mut hand, mut call, mut decl) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..builds {
            black_box(hand_written(&client, &base, &payload()).build().unwrap());
        }
        hand.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..builds {
            drop(black_box(call_form(&payload())));
        }
        call.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..builds {
            drop(black_box(declared().into_request()));
        }
        decl.push(t.elapsed());
    }
    report(
        &format!("building the request ({builds} per round, median of {rounds})"),
        "µs/build",
        median(hand),
        &[
            ("api_action! call", median(call)),
            ("api_action! declared", median(decl)),
        ],
        builds,
    );
}

/// `--sizes`: the sizes of a request, its send future and its result (large
/// futures cost copies on every `.await` level).
fn print_sizes(connector: &Connector) {
    let body = payload();
    let request = api_action!(POST "/items/<itemId>" -> Item, itemId = ITEM, body = &body);
    println!("ActionRequest: {}", std::mem::size_of_val(&request));
    let future = request.send(connector);
    println!("send future: {}", std::mem::size_of_val(&future));
    drop(future);
    println!(
        "Result<Response<Item>, Error>: {}",
        std::mem::size_of::<Result<api_action::Response<Item>, api_action::Error>>()
    );
}
