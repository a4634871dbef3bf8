//! The demo's help desk, as a newcomer meets it: `scripts/demo` gives the demo a throwaway
//! secrets key, the demo seeds a help desk posting Kasa's own signed webhook, and
//! `scripts/demo-ticket` plays that help desk against the real binary: a ticket charges once,
//! however often it is posted; a customer without credits is refused.

mod support;

use std::process::Command;

use serde_json::Value;
use support::Kasa;

/// The demo help desk's API key (apps/server/src/demo.rs).
const HELP_DESK_KEY: &str = "kasa_key_demo_help_desk";
/// A throwaway secrets key, as `scripts/demo` makes one.
const KEY: &str = "ZGVtby1oZWxwLWRlc2stdGhyb3dhd2F5LWtleS0zMmI=";

struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `scripts/demo-ticket` against the demo at `base`; returns Kasa's JSON answer.
fn demo_ticket(base: &str, arguments: &[&str]) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/demo-ticket");
    let output = Command::new(script)
        .args(arguments)
        .env("KASA_DEMO_URL", base)
        .output()
        .expect("scripts/demo-ticket runs (bash, openssl, curl)");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(said.trim()).unwrap_or_else(|_| panic!("JSON from Kasa: {said}"))
}

async fn balance(kasa: &Kasa, email: &str) -> Value {
    kasa.get(&format!("/v1/billing-context?email={email}"), HELP_DESK_KEY)
        .await["holding"]["balance"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_help_desk_charges_a_ticket_once_and_refuses_a_customer_without_credits() {
    let folder =
        Folder(std::env::temp_dir().join(format!("kasa-demo-desk-{}", uuid::Uuid::now_v7())));
    std::fs::create_dir_all(&folder.0).expect("a test folder");
    let url = format!("sqlite://{}", folder.0.join("kasa.sqlite3").display());
    let demo = Kasa::serve_on(&url, &folder.0, &["--demo"], &[("KASA_SECRETS_KEY", KEY)])
        .await
        .expect("the demo serves with a throwaway key");

    let before = balance(&demo, "ayse@example.com").await;
    assert_eq!(before, 10, "Ayşe starts with the demo's 10 credits");
    let first = demo_ticket(&demo.base, &["ayse@example.com", "T-1"]);
    assert_eq!(first["outcome"], "charged", "{first}");
    assert_eq!(
        first["credits_charged"], 2,
        "Teknik Destek costs 2: {first}"
    );
    let again = demo_ticket(&demo.base, &["ayse@example.com", "T-1"]);
    // Posted within the same second it is the same signed delivery (`replayed`); later, a new
    // delivery of the same ticket (`repeated`): charged nothing either way.
    assert!(
        again["outcome"] == "replayed" || again["outcome"] == "repeated",
        "{again}"
    );
    let reply = demo_ticket(
        &demo.base,
        &["ayse@example.com", "T-1", "ticket", "replied"],
    );
    assert_eq!(reply["outcome"], "ignored", "{reply}");
    assert_eq!(balance(&demo, "ayse@example.com").await, 8);

    let refused = demo_ticket(&demo.base, &["john@example.com", "T-2", "chat"]);
    assert_eq!(refused["outcome"], "refused", "{refused}");
    assert_eq!(refused["note_queued"], true, "{refused}");
}
