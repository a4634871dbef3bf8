//! maildev, a real SMTP server for tests (installed by scripts/test into tests/tools from npm),
//! started on free loopback ports; received mail is read back over its HTTP API.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A free loopback port.
///
/// # Panics
/// When the system has none.
#[must_use]
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// A running maildev; killed (and its mail folder removed) when dropped.
#[derive(Debug)]
pub struct MailDev {
    child: Child,
    /// The SMTP port.
    pub smtp_port: u16,
    web: String,
    folder: std::path::PathBuf,
}

impl MailDev {
    /// Starts maildev on free loopback ports.
    ///
    /// # Panics
    /// When maildev is not installed or does not start within 30 seconds.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts maildev with extra command-line arguments.
    ///
    /// # Panics
    /// When maildev is not installed or does not start within 30 seconds.
    pub async fn start_with(extra: &[&str]) -> Self {
        Self::start_on(free_port(), extra).await
    }

    /// Starts maildev with its SMTP server on `smtp_port` (to come back where an earlier one
    /// stopped).
    ///
    /// # Panics
    /// When maildev is not installed or does not start within 30 seconds.
    pub async fn start_on(smtp_port: u16, extra: &[&str]) -> Self {
        let binary = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/tools/node_modules/.bin/maildev"
        );
        assert!(
            std::path::Path::new(binary).exists(),
            "maildev is not installed: run scripts/test (it runs `npm ci --prefix tests/tools`)"
        );
        let web_port = free_port();
        let folder = std::env::temp_dir().join(format!("kasa-maildev-{smtp_port}-{web_port}"));
        let child = Command::new(binary)
            .args([
                "--ip",
                "127.0.0.1",
                "--web-ip",
                "127.0.0.1",
                "--smtp",
                &smtp_port.to_string(),
                "--web",
                &web_port.to_string(),
                "--mail-directory",
                folder.to_str().unwrap(),
                "--silent",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("maildev starts");
        let maildev = Self {
            child,
            smtp_port,
            web: format!("http://127.0.0.1:{web_port}"),
            folder,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer = reqwest::get(format!("{}/api/email", maildev.web)).await;
            if answer.is_ok_and(|response| response.status().is_success()) {
                return maildev;
            }
            assert!(Instant::now() < deadline, "maildev did not start in 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every message received so far, as maildev's JSON.
    ///
    /// # Panics
    /// When maildev does not answer.
    pub async fn received(&self) -> Vec<Value> {
        reqwest::get(format!("{}/api/email", self.web))
            .await
            .expect("maildev answers")
            .json()
            .await
            .expect("a JSON list")
    }

    /// A received message as the mail server got it (headers and MIME parts): maildev keeps
    /// each one as a file on this machine and names it in the message's `source`.
    ///
    /// # Panics
    /// When the file cannot be read.
    #[must_use]
    pub fn source(message: &Value) -> String {
        let path = message["source"].as_str().expect("a source file");
        std::fs::read_to_string(path).expect("the message source")
    }
}

impl Drop for MailDev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
