//! `GET /v1/reports/{report}` and `kasa report` against the real binary: a charged grant and
//! its refund show in revenue, the register, KDV, refunds and the liability; CSV comes with a
//! byte-order mark, CRLF lines and (asked for) decimal commas; bad queries are problems on their
//! field; only finance (and admins, billing managers) may read reports.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

fn column(body: &Value, key: &str) -> usize {
    body["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|column| column["key"] == key)
        .unwrap_or_else(|| panic!("a column {key}: {body}"))
}

/// The first row's value of `key`.
fn first(body: &Value, key: &str) -> Value {
    body["rows"][0][column(body, key)].clone()
}

async fn a_grant_and_its_refund_show_in_every_money_report(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let granted = kasa.bank_transfer_grant(&admin, "120.00").await;
    let finance = kasa.api_key(&admin, "finance").await;

    // Today in UTC+3 may be tomorrow in UTC: ask for a window around now in UTC.
    let today = time::OffsetDateTime::now_utc().date();
    let window = format!(
        "from={}&to={}&time_zone=UTC",
        today.previous_day().expect("a day"),
        today
    );
    let revenue = kasa
        .get(&format!("/v1/reports/revenue?{window}"), &finance)
        .await;
    assert_eq!(revenue["time_zone"], "UTC");
    assert_eq!(first(&revenue, "gross"), "120.00", "{revenue}");
    assert_eq!(first(&revenue, "gateway"), "manual");
    assert_eq!(first(&revenue, "package"), "10 kredi");

    let (status, refunded) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{}/refunds", id(&granted["purchase"])),
            Some(&admin),
            Some(json!({ "reason": "money sent back" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");

    let revenue = kasa
        .get(&format!("/v1/reports/revenue?{window}&group=day"), &finance)
        .await;
    let nets: Vec<&Value> = revenue["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| &row[column(&revenue, "net")])
        .collect();
    assert_eq!(nets, [&json!("0.00")], "{revenue}");

    let register = kasa
        .get(&format!("/v1/reports/invoices?{window}"), &finance)
        .await;
    assert_eq!(register["rows"].as_array().expect("rows").len(), 2);
    assert_eq!(first(&register, "state"), "fully_credited");
    assert_eq!(first(&register, "buyer"), "Ayşe Yılmaz");
    assert_eq!(register["summary"]["missing_numbers"], 0);
    assert!(
        register["numbering"]
            .as_array()
            .expect("numbering")
            .iter()
            .all(|check| check["missing"] == json!([]))
    );

    let tax = kasa
        .get(&format!("/v1/reports/tax?{window}"), &finance)
        .await;
    assert_eq!(first(&tax, "base"), "0.00", "{tax}");
    assert_eq!(first(&tax, "tax"), "0.00");
    assert_eq!(first(&tax, "invoiced_tax"), "20.00", "{tax}");

    let refunds = kasa
        .get(&format!("/v1/reports/refunds?{window}"), &finance)
        .await;
    assert_eq!(first(&refunds, "amount"), "120.00");
    assert_eq!(first(&refunds, "reason"), "money sent back");
    assert!(first(&refunds, "credit_note").is_string(), "{refunds}");

    let liability = kasa
        .get(&format!("/v1/reports/credit-liability?{window}"), &finance)
        .await;
    let total = liability["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row[0] == "total")
        .cloned()
        .expect("a total row");
    assert_eq!(total[column(&liability, "sold")], "120.00", "{liability}");
    assert_eq!(total[column(&liability, "refunded")], "120.00");
    assert_eq!(total[column(&liability, "closing")], "0.00");

    // The register as a spreadsheet file, with decimal commas.
    let (status, content_type, bytes) = kasa
        .get_bytes(
            &format!("/v1/reports/invoices?{window}&format=csv&decimal=comma"),
            &finance,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "number;kind;issued_at;buyer;tax_number;currency;net;tax;gross;refers_to;state;credited"
    );
    assert!(
        lines[1].contains(";Ayşe Yılmaz;;TRY;100,00;20,00;120,00;;fully_credited;120,00"),
        "{text}"
    );
    assert_eq!(
        lines.len(),
        4,
        "header, two documents, and the last CRLF: {text:?}"
    );

    // The register in pages of one: the same documents, each page with the whole numbering.
    let mut numbers = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 1..=3 {
        let path = match &cursor {
            None => format!("/v1/reports/invoices?{window}&limit=1"),
            Some(cursor) => format!("/v1/reports/invoices?{window}&limit=1&cursor={cursor}"),
        };
        let body = kasa.get(&path, &finance).await;
        let rows = body["rows"].as_array().expect("rows");
        assert!(rows.len() <= 1, "{body}");
        assert_eq!(body["numbering"], register["numbering"], "{body}");
        numbers.extend(rows.iter().map(|row| row[column(&body, "number")].clone()));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert_eq!(page, 3, "two documents, then an empty last page: {body}");
                break;
            }
        }
    }
    let whole: Vec<Value> = register["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row[column(&register, "number")].clone())
        .collect();
    assert_eq!(numbers, whole);
    assert!(register.get("next_cursor").is_none(), "one page holds both");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_and_its_refund_show_in_every_money_report_on_sqlite() {
    a_grant_and_its_refund_show_in_every_money_report(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_and_its_refund_show_in_every_money_report_on_postgres() {
    a_grant_and_its_refund_show_in_every_money_report(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_are_problems_and_only_finance_reads_reports() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let agent = kasa.api_key(&admin, "agent").await;
    let finance = kasa.api_key(&admin, "finance").await;
    let (status, body) = kasa
        .call(Method::GET, "/v1/reports/revenue", Some(&agent), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for (query, field) in [
        ("revenue?from=2026-13-01", "from"),
        ("revenue?from=2026-02-01&to=2026-01-01", "from"),
        ("revenue?group=week", "group"),
        ("revenue?time_zone=Mars/Olympus", "time_zone"),
        ("revenue?format=xlsx", "format"),
        ("revenue?format=csv&decimal=point", "decimal"),
        ("usage?from=2024-01-01&to=2026-01-01&group=day", "from"),
        ("invoices?limit=0", "limit"),
        ("invoices?limit=10001", "limit"),
        ("invoices?cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("invoices?format=csv&limit=5", "limit"),
        ("revenue?limit=5", "limit"),
        ("tax?cursor=abc", "cursor"),
    ] {
        let (status, body) = kasa
            .call(
                Method::GET,
                &format!("/v1/reports/{query}"),
                Some(&finance),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["code"], "invalid-input", "{query}: {body}");
        assert_eq!(body["facts"]["field"], field, "{query}: {body}");
    }
    let (status, body) = kasa
        .call(Method::GET, "/v1/reports/payroll", Some(&finance), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // The defaults: this month so far, by month, in Istanbul.
    let body = kasa.get("/v1/reports/subscriptions", &finance).await;
    assert_eq!(body["time_zone"], "Europe/Istanbul");
    assert_eq!(body["grouping"], "month");
    assert_eq!(body["summary"]["ending_within_days"], 30);
}
