//! `query { key: expr, "dashed-key": expr }` and `query = expr`.
use api_action::api_action;

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    start_at: u32,
    max_results: Option<u32>,
}

fn main() {
    let filter: Option<&str> = None;
    let request = api_action!(GET "/Users?count=100",
        query { startIndex: 1, "x-ids": vec![1, 2], filter: filter });
    assert_eq!(request.relative_url(), "/Users?count=100&startIndex=1&x-ids=1&x-ids=2");

    let page = Page { start_at: 50, max_results: Some(25) };
    let request = api_action!(GET "/rest/api/3/project/search", query = &page);
    assert_eq!(request.relative_url(), "/rest/api/3/project/search?startAt=50&maxResults=25");
}
