//! RFC 8288 `Link: rel="next"` paging, and the generic paginator's error handling.

mod common;

use api_action::paging::{follow_links, paginate, Step};
use api_action::{api_action, Auth, Connector, Error, RetryPolicy};
use common::{Reply, TestServer};
use futures_util::StreamExt;

#[tokio::test]
async fn next_links_are_followed_within_the_base_url() {
    let server = TestServer::start(|request| {
        let page: u32 = request.target().rsplit('=').next().and_then(|p| p.parse().ok()).unwrap_or(1);
        let items = format!("[{}, {}]", page * 10 + 1, page * 10 + 2);
        let reply = Reply::json(200, &items);
        match page {
            1 => reply.header("Link", r#"</api/items?page=2>; rel="next", </api/items?page=3>; rel="last""#),
            2 => reply.header("Link", r#"<http://HOST/api/items?page=3>; rel="next""#.replace("HOST", request.header("host").unwrap()).as_str()),
            _ => reply,
        }
    })
    .await;
    let api = Connector::builder(format!("{}/api", server.url()))
        .build()
        .unwrap();
    let items: Vec<u32> = follow_links(&api, api_action!(GET "/items?page=1" -> Vec<u32>))
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items, [11, 12, 21, 22, 31, 32]);
    let targets: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.target().to_string())
        .collect();
    assert_eq!(
        targets,
        [
            "/api/items?page=1",
            "/api/items?page=2",
            "/api/items?page=3"
        ]
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_ends_the_stream_with_an_error() {
    let elsewhere = TestServer::replying(Reply::json(200, "[]")).await;
    let next = format!(r#"<{}/steal?page=2>; rel="next""#, elsewhere.url());
    let server = TestServer::replying(Reply::json(200, "[1]").header("Link", &next)).await;
    let api = Connector::builder(server.url()).build().unwrap();
    let results: Vec<Result<u32, Error>> =
        follow_links(&api, api_action!(GET "/items" -> Vec<u32>))
            .collect()
            .await;
    assert_eq!(results.len(), 2);
    assert_eq!(*results[0].as_ref().unwrap(), 1);
    let err = results[1].as_ref().unwrap_err();
    assert!(
        err.to_string()
            .contains("the next-page link leaves the connector's base URL"),
        "{err}"
    );
    assert_eq!(elsewhere.count(), 0);
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_after_its_error() {
    let server = TestServer::start(|request| match request.target() {
        "/pages/0" => Reply::json(200, r#"{"items":[1,2],"next":1}"#),
        _ => Reply::json(500, r#"{"error":"boom"}"#),
    })
    .await;
    let api = Connector::builder(server.url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    #[derive(serde::Deserialize)]
    struct Page {
        items: Vec<u32>,
        next: Option<u32>,
    }
    let results: Vec<Result<u32, Error>> = paginate(
        &api,
        0u32,
        |page| api_action!(GET "/pages/<page>" -> Page, page = *page),
        |_, page| Step {
            items: page.body.items,
            next: page.body.next,
        },
    )
    .collect()
    .await;
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[2].as_ref().unwrap_err().status(),
        Some(api_action::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
/// No next link, however written, sends the connector's credentials to another
/// origin or outside the base path: other hosts, `//host`, `/\\host`, user info,
/// dot segments plain or encoded.
async fn follow_links_never_leave_the_base() {
    let evil = TestServer::replying(Reply::json(200, "[99]")).await;
    let evil_port = evil.addr.port();
    let links: Vec<String> = vec![
        format!("//127.0.0.1:{evil_port}/x"),
        format!("/\\127.0.0.1:{evil_port}/x"),
        format!("/\t/127.0.0.1:{evil_port}/x"),
        format!("/ /127.0.0.1:{evil_port}/x"),
        format!("http://127.0.0.1:{evil_port}/x"),
        format!("http://HOST@127.0.0.1:{evil_port}/x"),
        "?page=2".to_string(),
        "PREFIX/items?page=2".to_string(),
        "http://HOSTPREFIX/items?page=2".to_string(),
        "http://HOSTPREFIX?page=2".to_string(),
        "PREFIX/items?page=2#frag".to_string(),
        "PREFIX/%2e%2e/admin".to_string(),
        "PREFIX/../admin".to_string(),
        "PREFIX\\..\\admin".to_string(),
    ];
    for prefix in ["", "/api"] {
        for link in &links {
            let server_link = link.clone();
            let prefix_owned = prefix.to_string();
            let server = TestServer::start(move |request| {
                if request.target() == format!("{prefix_owned}/first") {
                    let host = request.header("host").unwrap().to_string();
                    let l = server_link
                        .replace("HOST", &host)
                        .replace("PREFIX", &prefix_owned);
                    Reply::json(200, "[1]").header("Link", &format!("<{l}>; rel=\"next\""))
                } else {
                    Reply::json(200, "[2]")
                }
            })
            .await;
            let api = Connector::builder(format!("{}{prefix}", server.url()))
                .auth(Auth::bearer("SECRET"))
                .build()
                .unwrap();
            let results: Vec<Result<u32, Error>> =
                follow_links(&api, api_action!(GET "/first" -> Vec<u32>))
                    .collect()
                    .await;
            let targets: Vec<String> = server
                .requests()
                .iter()
                .map(|r| r.target().to_string())
                .collect();
            let values: Vec<Option<u32>> =
                results.iter().map(|r| r.as_ref().ok().copied()).collect();
            // Links within the base are followed; the first page always arrives.
            let within = [
                "PREFIX/items?page=2",
                "http://HOSTPREFIX/items?page=2",
                "http://HOSTPREFIX?page=2",
                "PREFIX/items?page=2#frag",
            ];
            if within.contains(&link.as_str()) {
                assert_eq!(values, [Some(1), Some(2)], "{prefix:?} {link:?}");
            } else {
                assert_eq!(values[0], Some(1), "{prefix:?} {link:?}");
            }
            assert_eq!(
                evil.count(),
                0,
                "credentials left for another origin with link {link:?}"
            );
            for t in &targets {
                assert!(
                    t.starts_with(&format!("{prefix}/"))
                        || t.starts_with(&format!("{prefix}?"))
                        || t == prefix,
                    "prefix {prefix:?} link {link:?} left the base path: {t}"
                );
            }
        }
    }
}
