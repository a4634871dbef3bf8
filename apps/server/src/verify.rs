//! `kasa verify`: are the books whole? For an operator restoring a backup or upgrading.
//!
//! Reads the database as it is (it applies no migration and writes nothing), runs
//! `kasa_billing::verify_books` over it, draws progress on standard error and prints each
//! problem, then what was checked, on standard output. Exit codes: 0 whole, 1 inconsistent
//! (each problem named), 2 the check could not run (database unreachable, schema not current).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kasa_billing::{BooksChecked, BooksObserver, BooksPages, BooksProblem, BooksSection};
use kasa_ports::BooksSize;
use kasa_postgres::{SqlStore, StoreConfig};

use crate::database::{DatabaseArgs, redacted};

/// Exit code when the books are not whole.
const INCONSISTENT: u8 = 1;
/// Exit code when the check could not run.
const NOT_CHECKED: u8 = 2;

/// Progress on standard error (a redrawn bar on a terminal, a line per tenth otherwise) and
/// problems on standard output as they are found.
struct Progress {
    terminal: bool,
    section: Option<(BooksSection, u64)>,
    done: u64,
    drawn_at: Option<Instant>,
    tenths_shown: u64,
}

impl Progress {
    fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            section: None,
            done: 0,
            drawn_at: None,
            tenths_shown: 0,
        }
    }

    fn line(&self) -> Option<String> {
        let (section, total) = self.section?;
        let percent = (self.done * 100).checked_div(total).unwrap_or(100).min(100);
        let filled = usize::try_from(percent / 5).unwrap_or(20);
        Some(format!(
            "{:<20} [{}{}] {}/{} ({percent}%)",
            section.label(),
            "#".repeat(filled),
            ".".repeat(20 - filled),
            self.done,
            total,
        ))
    }

    fn draw(&mut self, force: bool) {
        let Some(line) = self.line() else {
            return;
        };
        if self.terminal {
            let due = self
                .drawn_at
                .is_none_or(|at| at.elapsed() >= Duration::from_millis(100));
            if force || due {
                eprint!("\r\x1b[2K{line}");
                let _ = std::io::stderr().flush();
                self.drawn_at = Some(Instant::now());
            }
            return;
        }
        let Some((_, total)) = self.section else {
            return;
        };
        let tenths = (self.done * 10).checked_div(total).unwrap_or(10);
        if force || tenths > self.tenths_shown {
            eprintln!("{line}");
            self.tenths_shown = tenths;
        }
    }

    /// Ends the current section's progress: its last state stays on screen.
    fn end_section(&mut self) {
        if self.section.is_none() {
            return;
        }
        if self.terminal {
            self.draw(true);
            eprintln!();
        } else if self.tenths_shown < 10 {
            self.draw(true);
        }
        self.section = None;
    }
}

impl BooksObserver for Progress {
    fn started(&mut self, size: &BooksSize) {
        eprintln!(
            "checking {} customers with {} ledger entries, {} invoice numbers, {} payments",
            size.customers, size.ledger_entries, size.invoices, size.payments
        );
    }

    fn section_started(&mut self, section: BooksSection, total: u64) {
        self.end_section();
        self.section = Some((section, total));
        self.done = 0;
        self.tenths_shown = 0;
        self.drawn_at = None;
        if self.terminal {
            self.draw(true);
        }
    }

    fn progressed(&mut self, _section: BooksSection, done: u64) {
        self.done = done;
        self.draw(false);
    }

    fn found(&mut self, problem: BooksProblem) {
        if self.terminal && self.section.is_some() {
            eprint!("\r\x1b[2K");
        }
        println!("problem: {problem}");
        if self.terminal {
            self.draw(true);
        }
    }
}

fn summary(checked: &BooksChecked) -> String {
    format!(
        "checked {} customers and {} ledger entries, {} invoice numbers in {} series-year(s), {} payments, \
         {} hour(s) of the usage summary, {} row(s) of the revenue and tax summaries, \
         {} valued movement(s) and hour(s) of the credit liability",
        checked.customers,
        checked.ledger_entries,
        checked.invoice_numbers,
        checked.invoice_series,
        checked.payments,
        checked.usage_summary_rows,
        checked.document_summary_rows,
        checked.liability_rows
    )
}

/// Where a SQLite URL points, when it names a file (not `:memory:`).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// Runs `kasa verify`.
pub(crate) async fn verify(database: DatabaseArgs) -> ExitCode {
    let shown = redacted(&database.database_url);
    // Opening a SQLite file that is not there would create an empty one and find it whole.
    if let Some(file) = sqlite_file(&database.database_url)
        && !file.exists()
    {
        eprintln!(
            "error: {} does not exist: nothing to verify",
            file.display()
        );
        return ExitCode::from(NOT_CHECKED);
    }
    let store = match SqlStore::connect(&StoreConfig::new(database.database_url)).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: cannot open the database {shown}: {error}");
            return ExitCode::from(NOT_CHECKED);
        }
    };
    match store.pending_migrations_read_only().await {
        Ok(pending) if pending.is_empty() => {}
        Ok(pending) => {
            eprintln!(
                "error: the schema of {shown} is not current ({} migration(s) not applied: {}); \
                 run `kasa migrate` first (verify reads the books as they are and changes nothing)",
                pending.len(),
                pending.join(", ")
            );
            return ExitCode::from(NOT_CHECKED);
        }
        Err(error) => {
            eprintln!("error: cannot read the schema version of {shown}: {error}");
            return ExitCode::from(NOT_CHECKED);
        }
    }
    eprintln!("verifying the books of {shown}");
    let mut progress = Progress::new();
    let result = kasa_billing::verify_books(&store, BooksPages::default(), &mut progress).await;
    progress.end_section();
    let _ = store.close().await;
    match result {
        Ok(checked) if checked.is_whole() => {
            println!("{}", summary(&checked));
            println!("the books are whole");
            ExitCode::SUCCESS
        }
        Ok(checked) => {
            println!("{}", summary(&checked));
            println!(
                "the books are NOT whole: {} problem(s), each named above",
                checked.problems
            );
            ExitCode::from(INCONSISTENT)
        }
        Err(error) => {
            eprintln!("error: the check of {shown} could not finish: {error}");
            ExitCode::from(NOT_CHECKED)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://kasa.sqlite3"),
            Some("kasa.sqlite3".into())
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/kasa/kasa.sqlite3?mode=rwc"),
            Some("/var/lib/kasa/kasa.sqlite3".into())
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://kasa@db/kasa"), None);
    }
}
