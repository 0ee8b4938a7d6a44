//! Prometheus metrics and request logging: one middleware sees every request once.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    method: String,
    route: String,
}

/// The metrics Ordo exports at `/metrics`.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: Family<LatencyLabels, Histogram>,
}

impl Metrics {
    /// A fresh registry with the HTTP metrics in it.
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("ordo");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency =
            Family::<LatencyLabels, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.000_25, 2.0, 16)));
        registry.register("http_requests", "HTTP requests answered, by route and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer HTTP requests, by route", latency.clone());
        Arc::new(Metrics { registry, requests, latency })
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// Counts, times and logs every request.
pub async fn observe(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics.requests.get_or_create(&RouteLabels { method: method.clone(), route: route.clone(), status }).inc();
    metrics.latency.get_or_create(&LatencyLabels { method: method.clone(), route }).observe(elapsed.as_secs_f64());
    if status >= 500 {
        tracing::error!(%method, %path, status, micros = elapsed.as_micros() as u64, "request failed");
    } else {
        tracing::info!(%method, %path, status, micros = elapsed.as_micros() as u64, "request");
    }
    response
}
