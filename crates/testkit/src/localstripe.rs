//! localstripe, a stateful fake Stripe server for tests (PyPI; installed by `scripts/test` into a
//! Python venv at `tests/tools/localstripe-venv`), started on a free port, one per test.
//!
//! localstripe pickles its whole state to the fixed file `/tmp/localstripe.pickle` after every
//! change (the path is written in its source; `TMPDIR` does not move it). Started with
//! `--from-scratch` it never *reads* that file, so instances running at the same time (nextest
//! runs each test in its own process) keep separate states and only overwrite each other's copy
//! on disk, which nobody reads; a test of one instance never sees another's objects. It listens
//! on every interface (it has no bind option), IPv4 and IPv6.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::maildev::free_port;

/// The secret key tests use: localstripe accepts any key that starts with `sk_`.
pub const SECRET_KEY: &str = "sk_test_kasa_localstripe";

/// The publishable key that goes with [`SECRET_KEY`] (localstripe checks only its `pk_` prefix).
pub const PUBLISHABLE_KEY: &str = "pk_test_kasa_localstripe";

/// How long localstripe may take to answer after it was started (it usually takes half a second).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running localstripe; killed (and its log removed) when dropped.
#[derive(Debug)]
pub struct LocalStripe {
    child: Child,
    port: u16,
    base_url: String,
    log: PathBuf,
    http: reqwest::Client,
}

/// The venv's `localstripe` script.
fn binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tools/localstripe-venv/bin/localstripe")
}

impl LocalStripe {
    /// Starts localstripe with an empty state on a free port and waits until it answers.
    ///
    /// # Panics
    /// When localstripe is not installed (run `scripts/test`, which installs it), or when it
    /// does not answer within 30 seconds.
    pub async fn start() -> Self {
        let binary = binary();
        assert!(
            binary.exists(),
            "localstripe is not installed at {}: run scripts/test (its `ensure_localstripe` makes \
             the venv from tests/tools/localstripe-requirements.txt)",
            binary.display()
        );
        // The free port can be taken by someone else before localstripe binds it; then it exits
        // at once and another port is tried.
        let mut last_log = String::new();
        for _ in 0..5 {
            match Self::try_start(&binary).await {
                Ok(localstripe) => return localstripe,
                Err(log) => last_log = log,
            }
        }
        panic!("localstripe did not start; its last output:\n{last_log}");
    }

    /// One attempt on one port: the running server, or its output when it exited.
    async fn try_start(binary: &Path) -> Result<Self, String> {
        let port = free_port();
        let log = std::env::temp_dir().join(format!(
            "kasa-localstripe-{}-{port}.log",
            std::process::id()
        ));
        let log_file = std::fs::File::create(&log).expect("a log file for localstripe");
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--from-scratch"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("localstripe starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        let mut localstripe = Self {
            child,
            port,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
            http,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let answer = localstripe
                .http
                .get(format!("{}/v1/balance", localstripe.base_url))
                .bearer_auth(SECRET_KEY)
                .send()
                .await;
            if answer.is_ok_and(|response| response.status().is_success()) {
                return Ok(localstripe);
            }
            if let Ok(Some(status)) = localstripe.child.try_wait() {
                let output = std::fs::read_to_string(&localstripe.log).unwrap_or_default();
                return Err(format!("(exited with {status})\n{output}"));
            }
            assert!(
                Instant::now() < deadline,
                "localstripe did not answer on port {} within {START_TIMEOUT:?}",
                localstripe.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The API's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port it listens on.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Forgets every object (`DELETE /_config/data`). Registered webhooks stay.
    ///
    /// # Panics
    /// When localstripe does not answer with success.
    pub async fn reset(&self) {
        let response = self
            .http
            .delete(format!("{}/_config/data", self.base_url))
            .send()
            .await
            .expect("localstripe answers");
        assert!(
            response.status().is_success(),
            "resetting localstripe failed: HTTP {}",
            response.status()
        );
    }

    /// Registers (or replaces) the webhook endpoint `id`: localstripe then posts every event,
    /// signed with `secret` in `Stripe-Signature`, to `url` (about a second after the event).
    ///
    /// # Panics
    /// When localstripe refuses (e.g. a URL that does not start with `http`).
    pub async fn register_webhook(&self, id: &str, url: &str, secret: &str) {
        let response = self
            .http
            .post(format!("{}/_config/webhooks/{id}", self.base_url))
            // localstripe reads a JSON body as readily as a form.
            .json(&serde_json::json!({ "url": url, "secret": secret }))
            .send()
            .await
            .expect("localstripe answers");
        assert!(
            response.status().is_success(),
            "registering the webhook {id} failed: HTTP {}",
            response.status()
        );
    }

    /// What localstripe printed so far (its access log), for a failing test's message.
    #[must_use]
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
