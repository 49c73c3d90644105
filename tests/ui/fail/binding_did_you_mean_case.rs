use api_action::api_action;

fn main() {
    let _ = api_action!(GET "/users/<orgId>/<page>", org_id = "o", pag = 1);
}
