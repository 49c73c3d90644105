use api_action::api_action;

api_action! {
    pub A = get "https://x/<id>";
    pub B = GET "/b/<id>" query { a: 1 };
    pub C = GTE "/c/../<id>";
    pub D = GET "/d/<id>";
}

fn main() {
    let _ = D { id: 1 };
    let _ = api_action!(get "/Users/<id>", quey { a: 1 }, id: 1, body = 2);
}
