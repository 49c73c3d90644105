use api_action::umapi::Command;
use api_action::umapi_batch;

fn main() {
    let c = || Command::new("ada@example.com");
    let _ = umapi_batch![c(), c(), c(), c(), c(), c(), c(), c(), c(), c(), c()];
}
