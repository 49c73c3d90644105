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
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll};
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

/// Sequential calls of one variant in a row, before the next variant's turn.
const BLOCK: usize = 50;

/// Processes the sequential measurement runs in, each with its own memory layout.
const PROCESSES: usize = 5;

/// The variants, in the order they are reported. The last is an A/A control:
/// the baseline's code and client once more, so the spread between two identical
/// variants is printed beside the ratios.
const VARIANTS: [&str; 4] = [
    "hand-written reqwest",
    "api_action! call",
    "api_action! declared",
    "hand-written again (A/A)",
];

struct Clients {
    base: String,
    client: reqwest::Client,
    connector: Connector,
}

impl Clients {
    /// One call of variant `which`. Each variant's future is polled through one
    /// non-inlined function per future type, so the two hand-written variants run
    /// the very same machine code and no variant is inlined into this dispatch
    /// (code placement alone moves timings by a percent or two).
    async fn send(&self, which: usize) {
        match which {
            1 => apart(send_call_form(&self.connector)).await,
            2 => apart(send_declared(&self.connector)).await,
            // 0, and 3 (the A/A control).
            _ => apart(send_hand_written(&self.client, &self.base)).await,
        }
    }
}

async fn apart<F: Future<Output = Item>>(future: F) {
    let mut future = std::pin::pin!(future);
    let item = std::future::poll_fn(|cx| poll_apart(future.as_mut(), cx)).await;
    drop(black_box(item));
}

#[inline(never)]
fn poll_apart<F: Future>(future: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    future.poll(cx)
}

/// CPU time the calling thread has run, user and kernel (Linux; `None`
/// elsewhere): it tells the client's own cost apart from waiting for the server.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The median of some samples.
fn median<T: PartialOrd + Copy>(mut samples: Vec<T>) -> T {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    samples[samples.len() / 2]
}

/// Prints each variant's median time per operation, and its ratio to the
/// baseline (variant 0) as the median of paired ratios: `samples[v][i]` and
/// `samples[0][i]` were taken back to back, so each pair saw the same machine,
/// and a hiccup in one pair does not move the median.
fn report(name: &str, unit: &str, samples: Vec<Vec<Duration>>, per: usize) -> Vec<f64> {
    println!("\n{name}");
    let per_op = |d: Duration| d.as_secs_f64() * 1e6 / per as f64;
    let baseline = &samples[0];
    println!(
        "  {:<26} {:>9.2} {unit}",
        VARIANTS[0],
        per_op(median(baseline.clone()))
    );
    let mut costs = Vec::new();
    for (label, variant) in VARIANTS.iter().zip(&samples).skip(1) {
        let cost = median(
            variant
                .iter()
                .zip(baseline)
                .map(|(v, b)| v.as_secs_f64() / b.as_secs_f64())
                .collect(),
        );
        // Throughput ratio = baseline time / variant time; cost ratio = variant / baseline.
        println!(
            "  {label:<26} {:>9.2} {unit}   cost ratio {cost:.3}   throughput ratio {:.3}",
            per_op(median(variant.clone())),
            1.0 / cost
        );
        costs.push(cost);
    }
    costs
}

/// Round `round`'s order of the variants: rotated every round, so that no
/// variant always runs first, or always after the same other one.
fn order(round: usize, step: usize) -> impl Iterator<Item = usize> {
    let n = VARIANTS.len();
    (0..n).map(move |k| (k + round + step) % n)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var("BENCH_QUICK").is_ok();
    // Concurrent rounds are short and many: their timings spread more.
    let (rounds, concurrent_rounds, sequential, concurrent, builds): (
        usize,
        usize,
        usize,
        usize,
        usize,
    ) = if quick {
        (3, 3, 200, 640, 20_000)
    } else {
        (11, 31, 2_000, 3_200, 200_000)
    };
    // One core for the client, one for the server (the machine has two).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = serve_on_own_thread();
    let connector = Connector::builder(base.clone())
        .auth(Auth::bearer(TOKEN))
        .build()
        .unwrap();
    // The hand-written calls go through the connector's own client, so all
    // variants share one connection pool (on two connections, which one is
    // faster varies from run to run by a percent or two).
    let clients = std::sync::Arc::new(Clients {
        client: connector.http_client().clone(),
        connector,
        base,
    });

    if std::env::args().any(|a| a == "--sizes") {
        print_sizes(&clients.connector, &clients.client, &clients.base);
        return;
    }
    // `--only hand|call|declared N`: N sequential calls of one variant and nothing
    // else, for instruction counting (`valgrind --tool=callgrind`), which unlike
    // wall time is repeatable on a busy machine.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let which = match args.get(i + 1).map(String::as_str) {
            Some("hand") => 0,
            Some("call") => 1,
            _ => 2,
        };
        let n: u32 = args.get(i + 2).and_then(|n| n.parse().ok()).unwrap_or(1000);
        runtime.block_on(async {
            for _ in 0..n {
                clients.send(which).await;
            }
        });
        return;
    }

    // The three send the same bytes: checked once, then timed.
    runtime.block_on(async {
        let a = send_hand_written(&clients.client, &clients.base).await;
        let b = send_call_form(&clients.connector).await;
        let c = send_declared(&clients.connector).await;
        assert_eq!(
            (a.id.as_str(), b.id.as_str(), c.id.as_str()),
            ("item-42", "item-42", "item-42")
        );
    });
    let call_url =
        api_action!(POST "/items/<itemId>", itemId = ITEM, query { limit: 10, sort: "name" })
            .relative_url();
    let hand_url = hand_written(&clients.client, &clients.base, &payload())
        .build()
        .unwrap()
        .url()
        .to_string();
    assert_eq!(format!("{}{call_url}", clients.base), hand_url, "same URL");

    // 1. Sequential calls, interleaved in blocks of BLOCK calls (in a rotating
    //    order) so that whatever the machine does meanwhile falls on all variants
    //    alike, while each block runs with its own code warm in the caches, as a
    //    program that makes many such calls would. Measured in PROCESSES child
    //    processes: each process lays out memory differently (address-space
    //    randomization), which moves a ratio by a point or so from one process to
    //    the next however long it runs, so the median over processes is reported.
    let child = std::env::args().any(|a| a == "--sequential-only");
    if quick || child {
        // A child is one of PROCESSES: fewer rounds each, as many in all.
        let rounds = if child { rounds.div_ceil(2) } else { rounds };
        let costs = sequential_calls(&runtime, &clients, rounds, sequential);
        if child {
            let costs: Vec<String> = costs.iter().map(f64::to_string).collect();
            println!("COSTS {}", costs.join(" "));
            return;
        }
    } else {
        let mut per_process: Vec<Vec<f64>> = vec![Vec::new(); VARIANTS.len() - 1];
        println!(
            "\nsequential calls, in {PROCESSES} processes of {} rounds of {sequential} calls per variant:",
            rounds.div_ceil(2)
        );
        for process in 1..=PROCESSES {
            let output = std::process::Command::new(std::env::current_exe().unwrap())
                .arg("--sequential-only")
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let costs: Vec<f64> = stdout
                .lines()
                .find_map(|line| line.strip_prefix("COSTS "))
                .unwrap_or_else(|| panic!("process {process} printed no result: {stdout}"))
                .split(' ')
                .map(|c| c.parse().unwrap())
                .collect();
            let shown: Vec<String> = VARIANTS[1..]
                .iter()
                .zip(&costs)
                .map(|(label, cost)| format!("{label} ×{:.3}", 1.0 / cost))
                .collect();
            println!("  process {process}: throughput {}", shown.join(", "));
            for (all, cost) in per_process.iter_mut().zip(costs) {
                all.push(cost);
            }
        }
        println!("  median over processes:");
        for (label, costs) in VARIANTS[1..].iter().zip(per_process) {
            let cost = median(costs);
            println!(
                "  {label:<26} cost ratio {cost:.3}   throughput ratio {:.3}",
                1.0 / cost
            );
        }
    }

    // 2. 64 concurrent callers, one variant at a time, in a rotating order.
    let concurrently = |which: usize| {
        let clients = clients.clone();
        runtime.block_on(async move {
            let t = Instant::now();
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let clients = clients.clone();
                    tokio::spawn(async move {
                        for _ in 0..concurrent / 64 {
                            clients.send(which).await;
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
    let mut samples = vec![Vec::new(); VARIANTS.len()];
    for round in 0..concurrent_rounds {
        for which in order(round, 0) {
            samples[which].push(concurrently(which));
        }
    }
    report(
        &format!(
            "64 concurrent callers ({concurrent} calls per round, median of {concurrent_rounds})"
        ),
        "µs/call",
        samples,
        concurrent,
    );

    // 3. Building the request, without sending.
    let mut samples = vec![Vec::new(); VARIANTS.len()];
    let (client, base) = (&clients.client, &clients.base);
    for round in 0..rounds {
        for which in order(round, 0) {
            let t = Instant::now();
            for _ in 0..builds {
                match which {
                    1 => drop(black_box(call_form(&payload()))),
                    2 => drop(black_box(declared().into_request())),
                    _ => drop(black_box(hand_written(client, base, &payload()).build())),
                }
            }
            samples[which].push(t.elapsed());
        }
    }
    report(
        &format!("building the request ({builds} per round, median of {rounds})"),
        "µs/build",
        samples,
        builds,
    );
}

/// Sequential calls of every variant, interleaved in blocks; prints the figures
/// and returns each variant's cost ratio to the baseline.
fn sequential_calls(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    rounds: usize,
    sequential: usize,
) -> Vec<f64> {
    let mut samples = vec![Vec::new(); VARIANTS.len()];
    let mut cpus = vec![Vec::new(); VARIANTS.len()];
    for round in 0..rounds {
        runtime.block_on(async {
            for step in 0..sequential / BLOCK {
                for which in order(round, step) {
                    let cpu_before = thread_cpu();
                    let t = Instant::now();
                    for _ in 0..BLOCK {
                        clients.send(which).await;
                    }
                    samples[which].push(t.elapsed());
                    if let (Some(after), Some(before)) = (thread_cpu(), cpu_before) {
                        cpus[which].push(after - before);
                    }
                }
            }
        });
    }
    let costs = report(
        &format!("sequential calls ({rounds} rounds of {sequential} per variant, interleaved in blocks of {BLOCK}; medians of blocks)"),
        "µs/call",
        samples,
        BLOCK,
    );

    if cpus.iter().all(|c| !c.is_empty()) {
        report(
            "  of which CPU time of the calling thread (user + kernel)",
            "µs/call",
            cpus,
            BLOCK,
        );
    }
    costs
}

/// `--sizes`: the sizes of a request, its send future and its result (large
/// futures cost copies on every `.await` level).
fn print_sizes(connector: &Connector, client: &reqwest::Client, base: &str) {
    let body = payload();
    let request = api_action!(POST "/items/<itemId>" -> Item, itemId = ITEM, body = &body);
    println!("ActionRequest: {}", std::mem::size_of_val(&request));
    let future = request.send(connector);
    println!("send future: {}", std::mem::size_of_val(&future));
    drop(future);
    let size = |name: &str, size: usize| println!("{name}: {size}");
    size(
        "hand-written call future",
        std::mem::size_of_val(&send_hand_written(client, base)),
    );
    size(
        "call form future",
        std::mem::size_of_val(&send_call_form(connector)),
    );
    size(
        "declared future",
        std::mem::size_of_val(&send_declared(connector)),
    );
    println!(
        "Result<Response<Item>, Error>: {}",
        std::mem::size_of::<Result<api_action::Response<Item>, api_action::Error>>()
    );
}
