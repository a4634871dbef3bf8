//! Prometheus metrics: requests by operation and status with latencies, and ticket charges
//! allowed and refused.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Latency bucket bounds: in microseconds, and as Prometheus writes them (seconds).
const BUCKETS: [(u64, &str); 10] = [
    (1_000, "0.001"),
    (2_500, "0.0025"),
    (5_000, "0.005"),
    (10_000, "0.01"),
    (25_000, "0.025"),
    (50_000, "0.05"),
    (100_000, "0.1"),
    (250_000, "0.25"),
    (500_000, "0.5"),
    (1_000_000, "1"),
];

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum_micros: u64,
    buckets: [u64; BUCKETS.len()],
}

/// The counters, shared by every request.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    requests: Arc<Mutex<BTreeMap<(&'static str, u16), Series>>>,
}

impl Metrics {
    /// Counts one request.
    pub fn observe(&self, operation: &'static str, status: u16, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let series = requests.entry((operation, status)).or_default();
        series.count += 1;
        series.sum_micros = series.sum_micros.saturating_add(micros);
        for (index, (bound_micros, _)) in BUCKETS.iter().enumerate() {
            if micros <= *bound_micros {
                series.buckets[index] += 1;
            }
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out = String::new();
        out.push_str("# HELP kasa_http_requests_total HTTP requests by operation and status.\n");
        out.push_str("# TYPE kasa_http_requests_total counter\n");
        for ((operation, status), series) in requests.iter() {
            let _ = writeln!(
                out,
                "kasa_http_requests_total{{operation=\"{operation}\",status=\"{status}\"}} {}",
                series.count
            );
        }
        out.push_str("# HELP kasa_ticket_charges_total Ticket and chat charges by outcome.\n");
        out.push_str("# TYPE kasa_ticket_charges_total counter\n");
        let charges = |allowed: bool| {
            requests
                .iter()
                .filter(|((operation, status), _)| {
                    *operation == "charge"
                        && ((*status == 200) == allowed)
                        && (*status == 200 || *status == 402)
                })
                .map(|(_, series)| series.count)
                .sum::<u64>()
        };
        let _ = writeln!(
            out,
            "kasa_ticket_charges_total{{outcome=\"allowed\"}} {}",
            charges(true)
        );
        let _ = writeln!(
            out,
            "kasa_ticket_charges_total{{outcome=\"refused\"}} {}",
            charges(false)
        );
        out.push_str("# HELP kasa_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE kasa_http_request_duration_seconds histogram\n");
        let mut by_operation: BTreeMap<&str, ([u64; BUCKETS.len()], u64, u64)> = BTreeMap::new();
        for ((operation, _), series) in requests.iter() {
            let entry = by_operation.entry(operation).or_default();
            for (index, count) in series.buckets.iter().enumerate() {
                entry.0[index] += count;
            }
            entry.1 += series.count;
            entry.2 += series.sum_micros;
        }
        for (operation, (buckets, count, sum_micros)) in by_operation {
            for ((_, bound), bucket) in BUCKETS.iter().zip(buckets) {
                let _ = writeln!(
                    out,
                    "kasa_http_request_duration_seconds_bucket{{operation=\"{operation}\",le=\"{bound}\"}} {bucket}"
                );
            }
            let _ = writeln!(
                out,
                "kasa_http_request_duration_seconds_bucket{{operation=\"{operation}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "kasa_http_request_duration_seconds_sum{{operation=\"{operation}\"}} {}.{:06}",
                sum_micros / 1_000_000,
                sum_micros % 1_000_000
            );
            let _ = writeln!(
                out,
                "kasa_http_request_duration_seconds_count{{operation=\"{operation}\"}} {count}"
            );
        }
        out
    }
}
