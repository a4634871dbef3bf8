//! The `kasa` binary as an operator runs it.

use std::process::Command;

fn kasa(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kasa"))
        .args(arguments)
        .output()
        .expect("kasa runs")
}

#[test]
fn help_describes_kasa_and_its_commands() {
    let output = kasa(&["--help"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("billing support for help desks"), "{text}");
    assert!(text.contains("renewal-opens"), "{text}");
}

#[test]
fn renewal_opens_thirty_days_before_the_end() {
    let output = kasa(&["renewal-opens", "2027-01-31T09:30:00Z"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "renewal opens at 2027-01-01T09:30:00Z (30 days before the end)"
    );
}

#[test]
fn a_bad_time_is_a_clear_error_and_exit_code_2() {
    let output = kasa(&["renewal-opens", "next tuesday"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("RFC 3339")
    );
}

#[test]
fn migrate_creates_a_sqlite_database_and_is_safe_to_repeat() {
    let folder = std::env::temp_dir().join(format!("kasa-cli-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let url = format!("sqlite://{}", folder.join("kasa.sqlite3").display());
    let steps = {
        use kasa_migrations::MigratorTrait as _;
        kasa_migrations::Migrator::migrations().len()
    };
    let dry = kasa(&["migrate", "--dry-run", "--database-url", &url]);
    assert!(dry.status.success(), "{dry:?}");
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains(&format!("would apply {steps} migration(s)"))
    );
    let first = kasa(&["migrate", "--database-url", &url]);
    assert!(first.status.success(), "{first:?}");
    let first = String::from_utf8(first.stdout).unwrap();
    assert!(
        first.contains(&format!("applied {steps} migration(s)"))
            && first.contains("m20261123_000001_billing_core"),
        "{first}"
    );
    let again = kasa(&["migrate", "--database-url", &url]);
    assert!(
        String::from_utf8(again.stdout)
            .unwrap()
            .contains("nothing to apply")
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn migrate_reports_an_unreachable_database_without_its_password() {
    let output = kasa(&[
        "migrate",
        "--database-url",
        "postgres://kasa:s3cret@127.0.0.1:1/kasa",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("cannot open the database"), "{error}");
    assert!(!error.contains("s3cret"), "{error}");
}

#[test]
fn the_committed_openapi_spec_is_what_the_server_serves() {
    let output = kasa(&["openapi"]);
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        generated.trim() == committed.trim(),
        "docs/openapi.json is out of date: run `scripts/run openapi > docs/openapi.json` \
         (or `just openapi`) and commit it"
    );
    let spec: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            assert!(
                operation["operationId"].is_string(),
                "{method} {path} has no operation id"
            );
            assert!(
                operation["responses"]["4XX"]["content"]["application/problem+json"].is_object(),
                "{method} {path} does not document its problem responses"
            );
        }
    }
}

/// Every problem code in the server's source, and every code docs/api-errors.md lists.
#[test]
fn every_problem_code_is_catalogued_in_docs_api_errors_md() {
    fn kebab_literals(text: &str) -> std::collections::BTreeSet<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| {
                literal.len() > 2
                    && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !literal.starts_with('-')
                    && !literal.ends_with('-')
            })
            .map(str::to_owned)
            .collect()
    }
    let source_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut source = String::new();
    let mut folders = vec![std::path::PathBuf::from(source_dir)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs")
                // Problems are made in these files; the others hold no codes.
                && [
                    "problem.rs",
                    "auth.rs",
                    "billing_module.rs",
                    "idempotency.rs",
                    "server.rs",
                    "webhook.rs",
                    "helpscout.rs",
                ]
                .iter()
                    .any(|name| path.ends_with(name))
                || path.parent().is_some_and(|parent| parent.ends_with("api"))
                || path
                    .parent()
                    .is_some_and(|parent| parent.ends_with("api/helpdesk_events"))
            {
                source.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/api-errors.md"
    ))
    .unwrap();
    let documented: std::collections::BTreeSet<String> = docs
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect();
    // Kebab-case literals in the source that are not problem codes.
    let not_codes = ["x-request-id", "helpscout-dynamic-app"];
    let used: Vec<String> = kebab_literals(&source)
        .into_iter()
        .filter(|literal| literal.contains('-') && !not_codes.contains(&literal.as_str()))
        .collect();
    let missing: Vec<&String> = used
        .iter()
        .filter(|code| !documented.contains(*code))
        .collect();
    assert!(missing.is_empty(), "not in docs/api-errors.md: {missing:?}");
    let stale: Vec<&String> = documented
        .iter()
        .filter(|code| !source.contains(&format!("\"{code}\"")))
        .collect();
    assert!(
        stale.is_empty(),
        "listed in docs/api-errors.md but never used: {stale:?}"
    );
}

/// Runs `kasa` with `input` on standard input.
fn kasa_with_input(arguments: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kasa"))
        .args(arguments)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kasa runs");
    // A command that refuses its arguments exits without reading: ignore the broken pipe.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("kasa ends")
}

#[test]
fn stripe_verify_webhook_exits_zero_only_for_a_genuine_fresh_delivery() {
    let body = br#"{"id":"evt_1","type":"charge.refunded"}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = i64::try_from(now).unwrap();
    let fresh = kasa_stripe::webhook::sign(body, "whsec_cli", now);
    let old = kasa_stripe::webhook::sign(body, "whsec_cli", now - 3600);
    let verify = |header: &str, tolerance: &str, body: &[u8]| {
        kasa_with_input(
            &[
                "stripe",
                "verify-webhook",
                "--secret",
                "whsec_cli",
                "--header",
                header,
                "--tolerance",
                tolerance,
            ],
            body,
        )
    };
    let ok = verify(&format!("Stripe-Signature: {fresh}"), "300", body);
    assert!(ok.status.success(), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("valid"));
    let tampered = verify(&fresh, "300", br#"{"id":"evt_1","type":"charge.captured"}"#);
    assert_eq!(tampered.status.code(), Some(1));
    let stale = verify(&old, "300", body);
    assert_eq!(stale.status.code(), Some(1));
    let said = String::from_utf8_lossy(&stale.stdout);
    assert!(said.contains("more than the 300 s allowed"), "{said}");
    let stored = verify(&old, "none", body);
    assert!(stored.status.success(), "{stored:?}");
    let bad_tolerance = verify(&fresh, "soon", body);
    assert_eq!(bad_tolerance.status.code(), Some(2));
}

#[test]
fn nestpay_hash_and_verify_help_operators_debug_a_store() {
    // The vendor's example from docs (nestpay.md): fields on standard input, the hash out.
    let example = b"clientid=100200127&amount=95.93&okurl=https%3A%2F%2Fyoursite.com%2Fok\
        &failUrl=https%3A%2F%2Fyoursite.com%2Ffail&TranType=Auth&Instalment=\
        &callbackUrl=https%3A%2F%2Fyoursite.com%2Fcallback&currency=949&rnd=1715000000\
        &storetype=3d&hashAlgorithm=ver3&lang=tr&BillToName=name&BillToCompany=billToCompany\n";
    let hashed = kasa_with_input(&["nestpay", "hash", "--store-key", "TEST1234"], example);
    assert!(hashed.status.success(), "{hashed:?}");
    assert_eq!(
        String::from_utf8_lossy(&hashed.stdout).trim(),
        "TX/adVRVplssPyiZuXkvUxlRRroHIvbChDcK2gbi03HkzcopbMVUqkfk8FO0HXuSC7QgRS6t6cnUYE51nKiKbQ=="
    );

    // A callback signed with the store key verifies; changed by one field, it does not.
    let fields = [
        ("clientid", "100200127"),
        ("oid", "ORDER-1"),
        ("Response", "Approved"),
        ("ProcReturnCode", "00"),
        ("mdStatus", "1"),
        ("hashAlgorithm", "ver3"),
        ("rnd", "abc"),
    ];
    let hash = kasa_nestpay::hash_ver3_callback(&fields, "TEST1234");
    let body = |fields: &[(&str, &str)]| {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.extend_pairs(fields.iter().copied());
        body.append_pair("HASH", &hash);
        body.finish().into_bytes()
    };
    let verify =
        |body: &[u8]| kasa_with_input(&["nestpay", "verify", "--store-key", "TEST1234"], body);
    let valid = verify(&body(&fields));
    assert!(valid.status.success(), "{valid:?}");
    let said = String::from_utf8_lossy(&valid.stdout);
    assert!(said.starts_with("valid: the ver3"), "{said}");
    let mut tampered = fields;
    tampered[3] = ("ProcReturnCode", "05");
    let invalid = verify(&body(&tampered));
    assert_eq!(invalid.status.code(), Some(1), "{invalid:?}");
    let wrong_key = kasa_with_input(
        &["nestpay", "verify", "--store-key", "OTHER"],
        &body(&fields),
    );
    assert_eq!(wrong_key.status.code(), Some(1));
    let empty = verify(b"");
    assert_eq!(empty.status.code(), Some(2));

    // A callback echoing the card's expiry: `hash --callback` covers it as the bank does, the
    // gate-request hash leaves it out, and `verify` takes the bank's.
    let with_expiry = b"clientid=100200127&oid=ORDER-1&Response=Approved&ProcReturnCode=00\
        &mdStatus=1&hashAlgorithm=ver3&rnd=abc&Ecom_Payment_Card_ExpDate_Month=12\
        &Ecom_Payment_Card_ExpDate_Year=30&ACQBIN=454672";
    let hash_as = |extra: &[&str]| {
        let mut arguments = vec!["nestpay", "hash", "--store-key", "TEST1234"];
        arguments.extend_from_slice(extra);
        let hashed = kasa_with_input(&arguments, with_expiry);
        assert!(hashed.status.success(), "{hashed:?}");
        String::from_utf8_lossy(&hashed.stdout).trim().to_owned()
    };
    let callback_hash = hash_as(&["--callback"]);
    let request_hash = hash_as(&[]);
    assert_ne!(callback_hash, request_hash);
    let plaintext = hash_as(&["--callback", "--show-plaintext"]);
    assert!(
        plaintext.starts_with("454672|100200127|12|30|ver3|"),
        "{plaintext}"
    );
    let signed = |hash: &str| {
        let mut body = with_expiry.to_vec();
        body.extend_from_slice(format!("&HASH={}", urlencode(hash)).as_bytes());
        body
    };
    let valid = verify(&signed(&callback_hash));
    assert!(valid.status.success(), "{valid:?}");
    let signed_without_expiry = verify(&signed(&request_hash));
    assert_eq!(signed_without_expiry.status.code(), Some(1));
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn webhooks_verify_exits_zero_only_for_a_genuine_fresh_delivery() {
    let body = br#"{"id":"0193","type":"purchase.completed","created_at":"2026-12-05T00:00:00Z","data":{}}"#;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let fresh = kasa_webhooks::sign(body, "whsec_cli", now);
    let old = kasa_webhooks::sign(body, "whsec_cli", now - 3600);
    let verify = |header: &str, body: &[u8]| {
        kasa_with_input(
            &[
                "webhooks",
                "verify",
                "--secret",
                "whsec_cli",
                "--header",
                header,
            ],
            body,
        )
    };
    let ok = verify(&format!("Kasa-Signature: {fresh}"), body);
    assert!(ok.status.success(), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("valid"));
    let tampered = verify(&fresh, br#"{"id":"0193","type":"purchase.failed"}"#);
    assert_eq!(tampered.status.code(), Some(1));
    let stale = verify(&old, body);
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stdout).contains("tolerance 300 s"));
    let wrong_secret = kasa_with_input(
        &[
            "webhooks",
            "verify",
            "--secret",
            "whsec_other",
            "--header",
            &fresh,
        ],
        body,
    );
    assert_eq!(wrong_secret.status.code(), Some(1));
}
