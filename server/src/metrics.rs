//! Request metrics in the Prometheus text format (through the `metrics` facade and its Prometheus
//! exporter): counts by method, route and status, and a latency histogram by route.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};
use std::sync::Arc;
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const REQUESTS: &str = "roster_http_requests_total";
const RUNS: &str = "roster_sync_runs_total";
const RUN_SECONDS: &str = "roster_sync_run_duration_seconds";
const CONTACTS_WRITTEN: &str = "roster_sync_contacts_written_total";
const GRAPH_REQUESTS: &str = "roster_microsoft_requests_total";
const GRAPH_THROTTLED: &str = "roster_microsoft_throttled_total";

/// Upper bounds of the run duration histogram, in seconds.
const RUN_BUCKETS: [f64; 9] = [0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0];
const LATENCY: &str = "roster_http_request_duration_seconds";

/// The process's request metrics: a Prometheus recorder of this application's own (not the
/// process-global one, so two applications in one process — as in tests — count apart).
#[derive(Clone)]
pub struct Metrics(Arc<PrometheusRecorder>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        // Only an empty bucket list is refused; ours are not.
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), &BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(RUN_SECONDS.to_owned()), &RUN_BUCKETS)
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!(REQUESTS, "HTTP requests by method, route and status.");
            metrics::describe_histogram!(LATENCY, "HTTP request latency by route.");
            metrics::describe_counter!(RUNS, "Sync runs by outcome.");
            metrics::describe_histogram!(RUN_SECONDS, "Sync run duration by outcome.");
            metrics::describe_counter!(CONTACTS_WRITTEN, "Contact rows written by syncs.");
            metrics::describe_counter!(
                GRAPH_REQUESTS,
                "Requests to Microsoft (each attempt) by service and status; status \"none\" when no answer came."
            );
            metrics::describe_counter!(
                GRAPH_THROTTLED,
                "Answers from Microsoft asking to slow down (429, or 503 with Retry-After) by service."
            );
        });
        Self(Arc::new(recorder))
    }
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        metrics::with_local_recorder(self.0.as_ref(), || {
            metrics::counter!(
                REQUESTS,
                "method" => method.to_owned(),
                "route" => route.to_owned(),
                "status" => status.to_string()
            )
            .increment(1);
            metrics::histogram!(LATENCY, "route" => route.to_owned()).record(seconds);
        });
    }

    /// The metrics in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.0.handle().render()
    }
}

impl roster_core::sync::engine::SyncMetrics for Metrics {
    fn run_finished(&self, outcome: &str, seconds: f64, contacts: u64) {
        metrics::with_local_recorder(self.0.as_ref(), || {
            metrics::counter!(RUNS, "outcome" => outcome.to_owned()).increment(1);
            metrics::histogram!(RUN_SECONDS, "outcome" => outcome.to_owned()).record(seconds);
            metrics::counter!(CONTACTS_WRITTEN).increment(contacts);
        });
    }
}

impl roster_graph::Observe for Metrics {
    fn exchange(&self, service: roster_graph::Service, status: Option<u16>, throttled: bool) {
        metrics::with_local_recorder(self.0.as_ref(), || {
            let status = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
            metrics::counter!(GRAPH_REQUESTS, "service" => service.as_str(), "status" => status)
                .increment(1);
            if throttled {
                metrics::counter!(GRAPH_THROTTLED, "service" => service.as_str()).increment(1);
            }
        });
    }
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
