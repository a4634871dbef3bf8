//! `kasa report REPORT …`: the same report as `GET /v1/reports/{report}`, printed for cron jobs
//! and exports (JSON by default, or CSV). Reads only. Exit codes: 0 printed, 2 refused (a bad
//! argument, an unreachable database).

use std::io::Write;
use std::process::ExitCode;

use kasa_billing::reports::ReportZone;
use kasa_postgres::{SqlStore, StoreConfig};

use crate::database::{DatabaseArgs, redacted};
use crate::reports::{
    ReportFormat, ReportQuery, csv, decimal_mark, report_body, report_format, report_kind,
    report_request,
};

/// The arguments of `kasa report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// revenue, invoices, tax, refunds, usage, subscriptions or credit-liability.
    pub report: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The first day, YYYY-MM-DD (default: the first of the month of --to).
    #[arg(long)]
    pub from: Option<String>,
    /// The last day, included, YYYY-MM-DD (default: today).
    #[arg(long)]
    pub to: Option<String>,
    /// month or day.
    #[arg(long, default_value = "month")]
    pub group: String,
    /// The time zone days and months are counted in.
    #[arg(long, env = "KASA_REPORT_TIME_ZONE", default_value = ReportZone::DEFAULT)]
    pub time_zone: String,
    /// json or csv.
    #[arg(long, default_value = "json")]
    pub format: String,
    /// CSV amounts: dot, or comma (fields then separated by semicolons).
    #[arg(long, default_value = "dot")]
    pub decimal: String,
    /// The subscriptions report: "ending soon" means within this many days.
    #[arg(long)]
    pub ending_within_days: Option<u32>,
}

fn refuse(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Prints the report on standard output.
pub async fn report(args: ReportArgs) -> ExitCode {
    let zone = match ReportZone::named(&args.time_zone) {
        Ok(zone) => zone,
        Err(error) => return refuse(&error.to_string()),
    };
    let prepared = report_kind(&args.report).and_then(|kind| {
        let format = report_format(Some(&args.format))?;
        let mark = decimal_mark(Some(&args.decimal))?;
        let query = ReportQuery {
            from: args.from.clone(),
            to: args.to.clone(),
            group: Some(args.group.clone()),
            time_zone: None,
            ending_within_days: args.ending_within_days,
        };
        let request = report_request(kind, &query, &zone, time::OffsetDateTime::now_utc())?;
        Ok((request, format, mark))
    });
    let (request, format, mark) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            return refuse(&format!(
                "--{}: {}",
                error.field.replace('_', "-"),
                error.detail
            ));
        }
    };
    let shown = redacted(&args.database.database_url);
    let store = match SqlStore::connect(&StoreConfig::new(args.database.database_url)).await {
        Ok(store) => store,
        Err(error) => return refuse(&format!("cannot open the database {shown}: {error}")),
    };
    let made = match crate::reports::run(&store, &request).await {
        Ok(made) => made,
        Err(error) => return refuse(&format!("the report failed: {error}")),
    };
    let bytes = match format {
        ReportFormat::Json => {
            let mut text =
                serde_json::to_string_pretty(&report_body(&request, &made)).unwrap_or_default();
            text.push('\n');
            text.into_bytes()
        }
        ReportFormat::Csv => csv(&made.table(&request.window), mark),
    };
    match std::io::stdout().lock().write_all(&bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => refuse(&format!("cannot write the report: {error}")),
    }
}
