use api_action::api_action;

api_action! {
    pub A = GET "/reports/<Query>/rows";
    pub B = GET "/a/<Crate>/<SELF>";
}

fn main() {}
