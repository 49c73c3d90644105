use api_action::api_action;

fn main() {
    let _ = api_action!(get "/Users/<userId>/<userId>", usrId = 1, body { }, headers { "Host": "h" }, params { });
}
