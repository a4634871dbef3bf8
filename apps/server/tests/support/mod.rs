//! Starts the real `kasa` binary on a free loopback port, on a fresh SQLite file or a fresh
//! PostgreSQL database, and talks to it over HTTP.

#![allow(dead_code)]

pub mod html;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// The administrator every test server starts with.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// Their password.
pub const ADMIN_PASSWORD: &str = "correct-horse-battery-staple";
/// The secrets key test servers encrypt payment-system credentials with (demo servers run
/// without one, as a newcomer's would).
pub const TEST_SECRETS_KEY: &str = "a2FzYS10ZXN0LXNlY3JldHMta2V5LTMyLWJ5dGVzISE=";

/// Which database a server runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// A new SQLite file.
    Sqlite,
    /// A new PostgreSQL database.
    Postgres,
}

/// A running server; stopped (and its database dropped) when dropped.
#[derive(Debug)]
pub struct Kasa {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    client: Client,
    /// Removed when the server stops (`None`: the caller's, kept).
    folder: Option<PathBuf>,
    postgres: Option<(String, String)>,
    /// How it was started, to start it again after [`Kasa::kill_and_restart`].
    restart: Restart,
}

/// What starting the same server again needs.
#[derive(Debug)]
struct Restart {
    database_url: String,
    working_folder: PathBuf,
    arguments: Vec<String>,
    env: Vec<(String, String)>,
}

impl Restart {
    /// Spawns `kasa serve` as described, on a free port; the child and its base URL.
    fn spawn(&self, log: Stdio) -> (Child, String) {
        let port = free_port();
        let child = kasa_command(&self.database_url, &self.working_folder)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(&self.arguments)
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("kasa serve starts");
        (child, format!("http://127.0.0.1:{port}"))
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// `kasa` in `folder` on `database_url`, with none of the settings a test's environment might
/// carry.
pub fn kasa_command(database_url: &str, folder: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kasa"));
    command
        .current_dir(folder)
        .env("KASA_DATABASE_URL", database_url)
        .env_remove("KASA_CONFIG")
        .env_remove("KASA_LISTEN");
    for setting in [
        "KASA_SECRETS_KEY",
        "KASA_SECRETS_KEY_FILE",
        "KASA_NEW_SECRETS_KEY",
        "KASA_NEW_SECRETS_KEY_FILE",
    ] {
        command.env_remove(setting);
    }
    command
}

fn postgres_server() -> Option<String> {
    if std::env::var("KASA_TEST_POSTGRES").as_deref() == Ok("absent") {
        eprintln!(
            "PostgreSQL end-to-end test NOT RUN: no PostgreSQL installed (KASA_TEST_POSTGRES=absent)"
        );
        return None;
    }
    Some(
        std::env::var("KASA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned()),
    )
}

fn with_database(server_url: &str, database: &str) -> String {
    let base = server_url
        .rsplit_once('/')
        .map_or(server_url, |(base, _)| base);
    format!("{base}/{database}")
}

async fn admin_sql(server_url: &str, sql: &str) {
    let admin = Database::connect(server_url)
        .await
        .unwrap_or_else(|error| panic!("PostgreSQL at {server_url} does not answer: {error}"));
    admin.execute_unprepared(sql).await.expect("admin SQL");
    admin.close().await.expect("closed");
}

impl Kasa {
    /// Starts a server with an administrator; `None` when the backend is not installed.
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, false, &[]).await
    }

    /// Starts a SQLite server with extra environment (mail server settings, ...).
    pub async fn start_with_env(env: &[(&str, String)]) -> Self {
        Self::start_with(Backend::Sqlite, false, env)
            .await
            .expect("SQLite is always there")
    }

    /// Starts a server on `backend` with extra environment; `None` when the backend is missing.
    pub async fn start_on(backend: Backend, env: &[(&str, String)]) -> Option<Self> {
        Self::start_with(backend, false, env).await
    }

    /// Starts a server in demo mode (demo data, no other administrator).
    pub async fn start_demo() -> Self {
        Self::start_with(Backend::Sqlite, true, &[])
            .await
            .expect("SQLite is always there")
    }

    async fn start_with(backend: Backend, demo: bool, env: &[(&str, String)]) -> Option<Self> {
        let folder = std::env::temp_dir().join(format!("kasa-e2e-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).expect("a test folder");
        let (database_url, postgres) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", folder.join("kasa.sqlite3").display()),
                None,
            ),
            Backend::Postgres => {
                let server = postgres_server()?;
                let database = format!("kasa_e2e_{}", uuid::Uuid::now_v7().simple());
                admin_sql(&server, &format!("CREATE DATABASE {database}")).await;
                (with_database(&server, &database), Some((server, database)))
            }
        };
        if !demo {
            let created = kasa_command(&database_url, &folder)
                .args(["create-admin", "--email", ADMIN_EMAIL])
                .env("KASA_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .output()
                .expect("kasa create-admin runs");
            assert!(created.status.success(), "create-admin: {created:?}");
        }
        let mut server_env: Vec<(String, String)> = env
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        if !demo {
            server_env.insert(
                0,
                ("KASA_SECRETS_KEY".to_owned(), TEST_SECRETS_KEY.to_owned()),
            );
        }
        let restart = Restart {
            database_url,
            working_folder: folder.clone(),
            arguments: if demo {
                vec!["--demo".to_owned()]
            } else {
                Vec::new()
            },
            env: server_env,
        };
        let (child, base) = restart.spawn(Stdio::null());
        let mut kasa = Self {
            child,
            base,
            client: Client::new(),
            folder: Some(folder),
            postgres,
            restart,
        };
        if let Err(status) = kasa.wait_until_healthy().await {
            panic!("kasa serve stopped before it served: {status}");
        }
        Some(kasa)
    }

    /// Runs `kasa serve` (with `arguments`) on `database_url` in `folder`, which the caller
    /// keeps, with `env`: the server once it is healthy, or what it said (standard error) and
    /// its exit status when it stops before it serves.
    pub async fn serve_on(
        database_url: &str,
        folder: &std::path::Path,
        arguments: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Self, (std::process::ExitStatus, String)> {
        let restart = Restart {
            database_url: database_url.to_owned(),
            working_folder: folder.to_owned(),
            arguments: arguments
                .iter()
                .map(|argument| (*argument).to_owned())
                .collect(),
            env: env
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
        };
        let log = folder.join(format!("kasa-{}.log", uuid::Uuid::now_v7().simple()));
        let (child, base) = restart.spawn(std::fs::File::create(&log).expect("a log file").into());
        let mut kasa = Self {
            child,
            base,
            client: Client::new(),
            folder: None,
            postgres: None,
            restart,
        };
        match kasa.wait_until_healthy().await {
            Ok(()) => Ok(kasa),
            Err(status) => Err((status, std::fs::read_to_string(&log).unwrap_or_default())),
        }
    }

    /// The database it serves (for tests that reach the store the way another part of Kasa
    /// would).
    pub fn database_url(&self) -> &str {
        &self.restart.database_url
    }

    /// Kills the server at once (SIGKILL: no graceful shutdown, as in a crash or an OOM kill),
    /// then starts it again on the same database (on a new port: `base` changes).
    pub async fn kill_and_restart(&mut self) {
        self.child.kill().expect("kasa is killed");
        self.child.wait().expect("kasa exited");
        let (child, base) = self.restart.spawn(Stdio::null());
        self.child = child;
        self.base = base;
        if let Err(status) = self.wait_until_healthy().await {
            panic!("kasa serve stopped before it served again: {status}");
        }
    }

    /// Waits until `/healthz` answers; the exit status if the server stops first.
    async fn wait_until_healthy(&mut self) -> Result<(), std::process::ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("the server's status") {
                return Err(status);
            }
            let answer = self
                .client
                .get(format!("{}/healthz", self.base))
                .send()
                .await;
            if answer.is_ok_and(|response| response.status().is_success()) {
                return Ok(());
            }
            assert!(
                Instant::now() < deadline,
                "kasa did not become healthy in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A department, a 10-credit package "10 kredi" at `price` TRY and the customer Ayşe
    /// Yılmaz, granted the package as paid by bank transfer (a `manual` payment, invoiced);
    /// returns the grant's answer.
    #[allow(dead_code)]
    pub async fn bank_transfer_grant(&self, admin: &str, price: &str) -> Value {
        let id = |value: &Value| value["id"].as_str().expect("an id").to_owned();
        let department = self
            .post(
                "/v1/departments",
                admin,
                serde_json::json!({ "name": "Teknik Destek", "credits_per_request": 2,
                                    "reason": "setup" }),
            )
            .await;
        let package = self
            .post(
                "/v1/packages",
                admin,
                serde_json::json!({ "name": "10 kredi", "kind": "credit", "credits": 10,
                    "department_ids": [id(&department)],
                    "price": { "amount": price, "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
            )
            .await;
        let customer = self
            .post(
                "/v1/customers",
                admin,
                serde_json::json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz",
                                    "reason": "new" }),
            )
            .await;
        self.post(
            &format!("/v1/customers/{}/grants", id(&customer)),
            admin,
            serde_json::json!({ "package_id": id(&package), "charged": true,
                                "reason": "bank transfer" }),
        )
        .await
    }

    /// Sends a request; returns the status and the JSON body (or the text as a JSON string).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("kasa answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// A GET that must succeed.
    pub async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// A GET of a file: the status, the content type and the bytes.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("kasa answers");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.bytes().await.expect("a body").to_vec();
        (status, content_type, bytes)
    }

    /// A POST that must succeed.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let (status, answer) = self.call(Method::POST, path, Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {answer}");
        answer
    }

    /// A browser holding a new billing link's cookie for `customer_id` (the link sets it and sends the
    /// browser on without the token in the address); redirects are not followed.
    pub async fn billing_browser(&self, admin: &str, customer_id: &str) -> BillingBrowser {
        let link = self
            .post(
                &format!("/v1/customers/{customer_id}/billing-links"),
                admin,
                serde_json::json!({ "reason": "checkout" }),
            )
            .await;
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let arrived = browser
            .get(format!(
                "{}/billing?token={}",
                self.base,
                link["token"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(arrived.status(), StatusCode::SEE_OTHER);
        let cookie = arrived.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("kasa_billing=kasa_customer_"));
        BillingBrowser {
            client: browser,
            cookie,
            token: link["token"].as_str().unwrap().to_owned(),
        }
    }

    /// Signs the administrator in; returns the session token.
    pub async fn admin_token(&self) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign in: {body}");
        body["token"].as_str().expect("a token").to_owned()
    }

    /// Creates an API key with `role`; returns the key.
    pub async fn api_key(&self, admin: &str, role: &str) -> String {
        let body = self
            .post(
                "/v1/api-keys",
                admin,
                json!({ "name": format!("{role} key"), "role": role, "reason": "test" }),
            )
            .await;
        body["key"].as_str().expect("a key").to_owned()
    }
}

impl Drop for Kasa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(folder) = &self.folder {
            let _ = std::fs::remove_dir_all(folder);
        }
        if let Some((server, database)) = self.postgres.take() {
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(admin_sql(
                    &server,
                    &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
                ));
            })
            .join();
            if dropped.is_err() {
                eprintln!("could not drop a test database");
            }
        }
    }
}

/// The local NestPay bank (apps/nestpay-sandbox), started on a free port; stopped when dropped.
#[derive(Debug)]
pub struct Sandbox {
    child: Child,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

/// The sandbox's store, as its defaults have it.
pub const SANDBOX_CLIENT_ID: &str = "100200127";
/// The sandbox store's key.
pub const SANDBOX_STORE_KEY: &str = "TEST1234";
/// The sandbox's XML API user.
pub const SANDBOX_API_USER: &str = "kasa-api";
/// The sandbox's XML API password.
pub const SANDBOX_API_PASSWORD: &str = "kasa-api-pass";

impl Sandbox {
    /// Starts the sandbox built next to the `kasa` binary (scripts/test builds it).
    pub fn start() -> Self {
        use std::io::BufRead;
        let binary = std::path::Path::new(env!("CARGO_BIN_EXE_kasa"))
            .with_file_name(format!("nestpay-sandbox{}", std::env::consts::EXE_SUFFIX));
        assert!(
            binary.exists(),
            "{} is missing: build it with `cargo build -p kasa-nestpay-sandbox` (scripts/test does)",
            binary.display()
        );
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        let stdout = child.stdout.take().expect("its output");
        let mut line = String::new();
        let mut stdout = std::io::BufReader::new(stdout);
        stdout
            .read_line(&mut line)
            .expect("the sandbox says where it listens");
        let base = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|url| url.starts_with("http://"))
            .unwrap_or_else(|| panic!("unexpected first line from the sandbox: {line:?}"))
            .to_owned();
        Self {
            child,
            _stdout: stdout,
            base,
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a browser script of `tests/tools/browser` (node + playwright-core + chromium, installed
/// by scripts/test) and reads the one JSON line it prints.
pub fn run_browser_script(script: &str, args: &[&str]) -> Value {
    let path = format!(
        "{}/../../tests/tools/browser/{script}",
        env!("CARGO_MANIFEST_DIR")
    );
    // The script finds playwright-core in tests/tools/node_modules, beside it.
    let output = std::process::Command::new("node")
        .arg(&path)
        .args(args)
        .output()
        .expect("node runs (scripts/test installs the browser tools)");
    assert!(
        output.status.success(),
        "the browser run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(
        output
            .stdout
            .split(|byte| *byte == b'\n')
            .find(|line| line.starts_with(b"{"))
            .expect("a report line"),
    )
    .unwrap()
}

/// A customer's browser after opening a billing link.
#[derive(Debug)]
pub struct BillingBrowser {
    /// The HTTP client (redirects are not followed).
    pub client: reqwest::Client,
    /// The `Cookie` header value the link set.
    pub cookie: String,
    /// The billing link's token.
    pub token: String,
}

/// Asserts that the browser checks of a report found no serious or critical accessibility
/// violation (axe-core) and no horizontal scroll at the width checked.
pub fn assert_pages_pass(report: &Value) {
    assert!(
        report.get("error").is_none(),
        "the browser run failed: {report:#}"
    );
    let checks = report["checks"].as_array().expect("checks");
    assert!(!checks.is_empty(), "no page was checked: {report:#}");
    for check in checks {
        assert_eq!(
            check["violations"],
            serde_json::json!([]),
            "axe-core on {check:#}"
        );
        assert_eq!(check["overflow"], 0, "horizontal scroll on {check:#}");
    }
}

/// The value of the first `<input name="NAME" value="…">` of a page.
pub fn field_value(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} field in {html}"));
    let rest = &html[start + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Signs `email` in on the console's sign-in form (its CSRF cookie and token) and returns the
/// session's `Cookie` header value (`kasa_console=...`).
pub async fn console_cookie(kasa: &Kasa, email: &str, password: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let form = client
        .get(format!("{}/console/sign-in", kasa.base))
        .send()
        .await
        .expect("the sign-in form");
    let pre_cookie = form.headers()["set-cookie"]
        .to_str()
        .expect("a cookie")
        .to_owned();
    let token = field_value(&form.text().await.expect("a page"), "csrf");
    let signed_in = client
        .post(format!("{}/console/sign-in", kasa.base))
        .header("cookie", pre_cookie.split(';').next().unwrap_or_default())
        .form(&[("email", email), ("password", password), ("csrf", &token)])
        .send()
        .await
        .expect("signed in");
    assert_eq!(
        signed_in.status(),
        StatusCode::SEE_OTHER,
        "{email} signs in"
    );
    signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("kasa_console="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_owned()
}
