//! Finance reports: `GET /v1/reports/{report}` as JSON, or as a CSV file with `format=csv`.

use crate::api::problems::{query_problem, report_problem};
use kasa_domain::Permission;
use poem::web::Data;
use poem::{IntoResponse, Response};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::app::App;
use crate::auth::Bearer;
use crate::problem::ApiError;
use crate::reports::{
    QueryError, ReportBody, ReportFormat, ReportQuery, csv, csv_file_name, decimal_mark,
    register_csv_stream, register_paging, report_body, report_format, report_kind, report_request,
};

/// A report: the JSON body, or a CSV file.
#[derive(Debug)]
pub enum ReportResponse {
    /// The JSON body.
    Json(ReportBody),
    /// The CSV file and its name.
    Csv(Vec<u8>, String),
    /// A CSV file written as it is read (the whole register, page by page), and its name.
    CsvStream(poem::Body, String),
}

impl IntoResponse for ReportResponse {
    fn into_response(self) -> Response {
        match self {
            Self::Json(body) => Json(body).into_response(),
            Self::Csv(bytes, name) => Response::builder()
                .content_type("text/csv; charset=utf-8")
                .header(
                    "Content-Disposition",
                    format!("attachment; filename=\"{name}\""),
                )
                .body(bytes),
            Self::CsvStream(body, name) => Response::builder()
                .content_type("text/csv; charset=utf-8")
                .header(
                    "Content-Disposition",
                    format!("attachment; filename=\"{name}\""),
                )
                .body(body),
        }
    }
}

impl ApiResponse for ReportResponse {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The report: JSON (columns and rows), or with `format=csv` a CSV \
                              file (RFC 4180, UTF-8 with a byte-order mark, CRLF lines; with \
                              `decimal=comma`, amounts like 149,90 separated by semicolons).",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: ReportBody::schema_ref(),
                    },
                    MetaMediaType {
                        content_type: "text/csv; charset=utf-8",
                        schema: String::schema_ref(),
                    },
                ],
                headers: Vec::new(),
            }],
        }
    }

    fn register(registry: &mut Registry) {
        ReportBody::register(registry);
    }
}

/// Finance reports.
#[derive(Debug)]
pub struct ReportsApi;

#[OpenApi(prefix_path = "/v1")]
impl ReportsApi {
    /// A finance report over the days `from` to `to` (both included, counted in `time_zone`),
    /// grouped by day or month: `revenue` (gross, refunds and net per period, currency, gateway
    /// and package), `invoices` (the register of invoices, receipts and credit notes, with the
    /// numbering checked for gaps per series and year), `tax` (KDV per period, currency and
    /// rate: invoices minus credit notes), `refunds`, `usage` (tickets and chats per period and
    /// department, and how each was covered), `subscriptions` (where they stand at the end of
    /// the window, or now), `credit-liability` (credits sold but not delivered, valued first
    /// in, first out, with the movement per period). docs/finance.md explains every figure.
    ///
    /// The register comes in pages as JSON: `limit` documents (1,000 unless asked, at most
    /// 10,000) in the register's order (issue time, series, year, number), and `next_cursor`
    /// to pass as `cursor` for the next page (absent on the last); the numbering check covers
    /// every document of the years the window touches on every page. As CSV the register is
    /// the whole window, streamed page by page.
    #[oai(
        path = "/reports/:report",
        method = "get",
        operation_id = "get_report",
        tag = "Tag::Reports"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn report(
        &self,
        app: Data<&App>,
        auth: Bearer,
        /// `revenue`, `invoices`, `tax`, `refunds`, `usage`, `subscriptions` or
        /// `credit-liability`.
        report: Path<String>,
        /// The first day, `YYYY-MM-DD` (default: the first of the month of `to`).
        from: Query<Option<String>>,
        /// The last day, included, `YYYY-MM-DD` (default: today).
        to: Query<Option<String>>,
        /// `month` (default) or `day` (at most 400 days).
        group: Query<Option<String>>,
        /// An IANA time zone (default: the server's `report_time_zone`, Europe/Istanbul).
        time_zone: Query<Option<String>>,
        /// `json` (default) or `csv`.
        format: Query<Option<String>>,
        /// CSV amounts: `dot` (default) or `comma` (fields then separated by semicolons).
        decimal: Query<Option<String>>,
        /// The subscriptions report: "ending soon" means within this many days (default 30).
        ending_within_days: Query<Option<u32>>,
        /// The invoices report as JSON: documents per page (default 1000, at most 10000).
        limit: Query<Option<u32>>,
        /// The invoices report as JSON: the page after the one that gave this `next_cursor`.
        cursor: Query<Option<String>>,
    ) -> Result<ReportResponse, ApiError> {
        auth.0.require(Permission::ReadFinance)?;
        let kind = report_kind(&report.0).map_err(query_problem)?;
        let format = report_format(format.0.as_deref()).map_err(query_problem)?;
        let mark = decimal_mark(decimal.0.as_deref()).map_err(query_problem)?;
        let query = ReportQuery {
            from: from.0,
            to: to.0,
            group: group.0,
            time_zone: time_zone.0,
            ending_within_days: ending_within_days.0,
        };
        let request = report_request(kind, &query, &app.report_zone, app.clock.now())
            .map_err(query_problem)?;
        let paging = register_paging(kind, limit.0, cursor.0.as_deref()).map_err(query_problem)?;
        if format == ReportFormat::Csv && paging.is_some() {
            if limit.0.is_some() || cursor.0.is_some() {
                return Err(query_problem(QueryError {
                    field: if limit.0.is_some() { "limit" } else { "cursor" },
                    detail: "the register's CSV is the whole window; pages are for JSON".into(),
                }));
            }
            // The first page is read here, so that a store that cannot answer is a problem
            // response rather than a cut file.
            crate::reports::run_paged(app.store.as_ref(), &request, paging.as_ref())
                .await
                .map_err(report_problem)?;
            let name = csv_file_name(&request);
            let stream = register_csv_stream(app.store.clone(), request, mark);
            return Ok(ReportResponse::CsvStream(
                poem::Body::from_bytes_stream(stream),
                name,
            ));
        }
        let made = crate::reports::run_paged(app.store.as_ref(), &request, paging.as_ref())
            .await
            .map_err(report_problem)?;
        Ok(match format {
            ReportFormat::Json => ReportResponse::Json(report_body(&request, &made)),
            ReportFormat::Csv => ReportResponse::Csv(
                csv(&made.table(&request.window), mark),
                csv_file_name(&request),
            ),
        })
    }
}
