#!/usr/bin/env bash
# Compile time of api_action! against hand-written reqwest calls.
#
# Generates two crates of 200 calls each (the same requests: a path parameter,
# two query parameters, a header, a JSON body, a decoded JSON answer), builds
# their dependencies once, then times the build of each crate alone (debug, as in
# the edit-compile loop), median of 5. Prints the ratio and ms per invocation.
#
#   bash benches/compile_time.sh [CALLS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
calls="${1:-200}"
work="$root/target/compile-bench"
rm -rf "$work/src-macro" "$work/src-hand"
mkdir -p "$work"

reqwest_line=$(grep '^reqwest = ' "$root/Cargo.toml")

cat > "$work/Cargo.toml" <<TOML
[workspace]
members = ["with_macro", "hand_written"]
resolver = "2"
TOML

mkdir -p "$work/with_macro/src" "$work/hand_written/src"
cat > "$work/with_macro/Cargo.toml" <<TOML
[package]
name = "with_macro"
version = "0.0.0"
edition = "2021"
[dependencies]
api-action = { path = "$root" }
serde = { version = "1", features = ["derive"] }
TOML
cat > "$work/hand_written/Cargo.toml" <<TOML
[package]
name = "hand_written"
version = "0.0.0"
edition = "2021"
[dependencies]
$reqwest_line
serde = { version = "1", features = ["derive"] }
serde_json = "1"
percent-encoding = "2"
TOML

common='#[derive(serde::Serialize)]
pub struct Body { pub name: String, pub quantity: u32 }
#[derive(serde::Deserialize)]
pub struct Item { pub id: String, pub name: String }
'
{
  echo "use api_action::{api_action, Connector, Error};"
  echo "$common"
  for n in $(seq 1 "$calls"); do
    cat <<RS
pub async fn call_$n(api: &Connector, id: &str, body: &Body) -> Result<Item, Error> {
    Ok(api_action!(POST "/items/<itemId>/part$n" -> Item, itemId = id,
        query { limit: $n, sort: "name" },
        headers { "X-Request-Id": "req-$n" },
        body = body)
    .send(api)
    .await?
    .body)
}
RS
  done
} > "$work/with_macro/src/lib.rs"
{
  echo "$common"
  for n in $(seq 1 "$calls"); do
    cat <<RS
pub async fn call_$n(client: &reqwest::Client, base: &str, token: &str, id: &str, body: &Body) -> Result<Item, Box<dyn std::error::Error + Send + Sync>> {
    let id = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
    let response = client
        .post(format!("{base}/items/{id}/part$n?limit=$n&sort=name"))
        .bearer_auth(token)
        .header("X-Request-Id", "req-$n")
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(body)?)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()).into());
    }
    Ok(serde_json::from_slice(&response.bytes().await?)?)
}
RS
  done
} > "$work/hand_written/src/lib.rs"

cd "$work"
echo "building dependencies once..."
cargo build -q -p with_macro -p hand_written

time_build() {
  local crate="$1" samples=()
  for _ in 1 2 3 4 5; do
    touch "$crate/src/lib.rs"
    local start end
    start=$(date +%s%N)
    cargo build -q -p "$crate"
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | sed -n 3p
}

macro_ms=$(time_build with_macro)
hand_ms=$(time_build hand_written)
awk -v m="$macro_ms" -v h="$hand_ms" -v n="$calls" 'BEGIN {
  printf "crate of %d calls, debug build of the crate alone, median of 5:\n", n
  printf "  hand-written reqwest  %6d ms  (%.2f ms per call)\n", h, h / n
  printf "  api_action!           %6d ms  (%.2f ms per invocation)\n", m, m / n
  printf "  ratio api_action! / hand-written: %.3f\n", m / h
}'
