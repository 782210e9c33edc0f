//! Request metrics in the Prometheus text format: counts by route and status, and a latency histogram.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The process's request metrics.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Inner>>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut inner) = self.0.lock() else {
            return;
        };
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let h = inner.latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The metrics in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let Ok(inner) = self.0.lock() else {
            return String::new();
        };
        let mut out = String::new();
        out.push_str(
            "# HELP roster_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE roster_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            out.push_str(&format!(
                "roster_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}\n",
                escape(route)
            ));
        }
        out.push_str(
            "# HELP roster_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE roster_http_request_duration_seconds histogram\n");
        for (route, h) in &inner.latency {
            let r = escape(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "roster_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{bound}\"}} {}\n",
                    h.counts[i]
                ));
            }
            out.push_str(&format!(
                "roster_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}\n",
                h.count
            ));
            out.push_str(&format!(
                "roster_http_request_duration_seconds_sum{{route=\"{r}\"}} {}\n",
                h.sum
            ));
            out.push_str(&format!(
                "roster_http_request_duration_seconds_count{{route=\"{r}\"}} {}\n",
                h.count
            ));
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Middleware: times every request and counts it under its route template (never the raw path).
#[expect(
    clippy::disallowed_methods,
    reason = "request latency is measured on the monotonic clock, never shown as a date"
)]
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn endpoint(State(metrics): State<Metrics>) -> impl IntoResponse {
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_bucketed_by_latency() {
        let m = Metrics::default();
        m.record("GET", "/login", 200, 0.003);
        m.record("GET", "/login", 200, 0.2);
        m.record("POST", "/api/login", 302, 0.04);
        let text = m.render();
        assert!(text.contains(
            "roster_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "roster_http_request_duration_seconds_bucket{route=\"/login\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "roster_http_request_duration_seconds_bucket{route=\"/login\",le=\"0.25\"} 2"
        ));
        assert!(
            text.contains("roster_http_request_duration_seconds_count{route=\"/api/login\"} 1")
        );
    }
}
