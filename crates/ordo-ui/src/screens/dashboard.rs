//! `/`: orders per status, failed orders, dead letters, today's throughput and the channels'
//! health, each tile opening the list it counts.

use crate::UiState;
use crate::chart::{self, Bar};
use crate::page::{Layout, Screen, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_domain::kinds::OrderStatus;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/", get(dashboard))
}

pub struct StatusTile {
    pub word: &'static str,
    pub count: i64,
}

pub struct ChannelRow {
    pub code: String,
    pub channel_type: &'static str,
    pub status: &'static str,
    pub healthy: bool,
    pub lag: String,
    pub last_success: String,
    pub last_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    statuses: Vec<StatusTile>,
    total: i64,
    failed_orders: i64,
    dead_letters: i64,
    created_today: i64,
    packed_today: i64,
    dispatched_today: i64,
    status_chart: String,
    hourly_chart: String,
    channels: Vec<ChannelRow>,
}

/// How long ago, in the largest whole unit.
pub fn lag_words(seconds: Option<i64>) -> String {
    match seconds {
        None => "never synced".into(),
        Some(s) if s < 120 => format!("{s} s"),
        Some(s) if s < 7200 => format!("{} min", s / 60),
        Some(s) if s < 172_800 => format!("{} h", s / 3600),
        Some(s) => format!("{} days", s / 86_400),
    }
}

async fn dashboard(screen: Screen, State(state): State<UiState>) -> Response {
    let d = match state.app.dashboard(screen.caller()).await {
        Ok(d) => d,
        Err(e) => return screen.error(e),
    };
    let count_of = |s: OrderStatus| d.counts.by_status.iter().find(|(x, _)| *x == s).map_or(0, |(_, n)| *n);
    let statuses: Vec<StatusTile> =
        OrderStatus::ALL.iter().map(|s| StatusTile { word: s.as_str(), count: count_of(*s) }).collect();
    let bars: Vec<Bar> = statuses
        .iter()
        .map(|t| Bar { label: t.word.into(), value: t.count, href: Some(format!("/orders?status={}", t.word)) })
        .collect();
    let c = &d.counts;
    let hourly = chart::hourly(
        "Today per hour: orders created, packed, dispatched",
        &[("created", &c.created_per_hour), ("packed", &c.packed_per_hour), ("dispatched", &c.dispatched_per_hour)],
    );
    let channels = d
        .channels
        .iter()
        .map(|ch| ChannelRow {
            code: ch.code.clone(),
            channel_type: ch.channel_type.as_str(),
            status: ch.status.as_str(),
            healthy: ch.status.as_str() == "ACTIVE",
            lag: lag_words(ch.lag_seconds),
            last_success: when_opt(ch.last_success_at),
            last_error: ch.last_error.clone().unwrap_or_default(),
        })
        .collect();
    DashboardPage {
        layout: screen.layout("Dashboard"),
        total: statuses.iter().map(|t| t.count).sum(),
        statuses,
        failed_orders: c.failed_orders,
        dead_letters: c.dead_letters,
        created_today: c.created_per_hour.iter().sum(),
        packed_today: c.packed_per_hour.iter().sum(),
        dispatched_today: c.dispatched_per_hour.iter().sum(),
        status_chart: chart::bars("Orders per status", &bars),
        hourly_chart: hourly,
        channels,
    }
    .into_response()
}
