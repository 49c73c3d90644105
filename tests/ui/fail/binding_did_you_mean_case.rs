use api_action::api_action;

fn main() {
    let _ = api_action!(GET "/users/<orgId>/<page>", org = "o", pag = 1);
}
