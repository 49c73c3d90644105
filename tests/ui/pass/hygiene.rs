//! The expansion names nothing the user wrote: local items called `request`,
//! `Result`, `Method` or `serde_json` do not interfere.
use api_action::api_action;

#[allow(dead_code)]
struct Method;
#[allow(dead_code)]
type Result = ();
#[allow(dead_code)]
mod serde_json {}

fn main() {
    let request = "r-1";
    let built = api_action!(GET "/Users/<request>", request = request, headers { "X-Request": request });
    assert_eq!(built.relative_url(), "/Users/r-1");
}
