//! `serve`: scoring over HTTP (axum on tokio). The model is loaded once and shared; every request is
//! scored by the same code path as `apply` ([`rows`]), on tokio's blocking pool so a large batch never
//! stalls the connections.
//!
//! - `POST /score` with `Content-Type: application/json` (an array of row objects keyed by the original
//!   column names) or `text/csv` (header + rows) → `{"segments", "names", "distances"}` (+ `"probabilities"`
//!   for mixtures), in request order;
//! - `GET /model` → `{"features", "inputs", "prepared_features", "segments": [{"id", "name", "size",
//!   "share"}], "method", "k", "version", "segscope_version", "source", "n_rows"}`;
//! - `GET /health` → `{"status": "ok"}`.
//!
//! Bad requests are answered, never fatal: a malformed body, missing columns or a wrong kind → 400, a body
//! over the limit → 413, another content type → 415, a wrong method → 405, an unknown path → 404, each
//! with `{"error": message}`. [`Server::run_until_signal`] stops gracefully on SIGINT or SIGTERM (requests
//! in flight finish, idle connections close).

pub mod rows;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::error::{Error, Result};
use crate::model::SegmentModel;
use rows::{BodyKind, score_body};

/// Largest request body accepted by default (16 MiB: about 100,000 rows of ten columns).
pub const DEFAULT_BODY_LIMIT: usize = 16 << 20;

/// What the handlers share.
struct App {
    model: SegmentModel,
    /// `GET /model`, rendered once.
    model_json: Bytes,
    body_limit: usize,
}

/// The JSON of `GET /model`.
pub fn model_description(model: &SegmentModel) -> serde_json::Value {
    json!({
        "features": model.input_columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        "inputs": model.input_columns,
        "prepared_features": model.feature_names,
        "segments": model.segments.iter().map(|s| json!({
            "id": s.segment,
            "name": s.name,
            "size": s.size,
            "share": s.share,
        })).collect::<Vec<_>>(),
        "method": model.info.method,
        "k": model.info.k,
        "version": model.version,
        "segscope_version": model.segscope_version,
        "source": model.source,
        "n_rows": model.n_rows,
    })
}

/// The routes, for `model`, refusing bodies over `body_limit` bytes.
pub fn router(model: SegmentModel, body_limit: usize) -> Router {
    let model_json = Bytes::from(model_description(&model).to_string());
    let app = Arc::new(App {
        model,
        model_json,
        body_limit,
    });
    Router::new()
        .route("/score", post(score))
        .route("/model", get(describe))
        .route("/health", get(health))
        .method_not_allowed_fallback(wrong_method)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(app)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": message.into() }).to_string(),
    )
        .into_response()
}

fn json_bytes(body: impl Into<Bytes>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body.into()).into_response()
}

async fn health() -> Response {
    json_bytes(r#"{"status":"ok"}"#)
}

async fn describe(State(app): State<Arc<App>>) -> Response {
    json_bytes(app.model_json.clone())
}

async fn wrong_method() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: POST /score, GET /model, GET /health",
    )
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such path: POST /score, GET /model, GET /health",
    )
}

/// The body kind named by a `Content-Type` (parameters such as `charset` ignored).
fn body_kind(headers: &HeaderMap) -> Option<BodyKind> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Some(BodyKind::Json),
        "text/csv" => Some(BodyKind::Csv),
        _ => None,
    }
}

async fn score(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is larger than {}; send the rows in smaller batches",
                crate::error::human_bytes(app.body_limit as u64)
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.body_limit as u64) {
        return too_large();
    }
    let Some(kind) = body_kind(&headers) else {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the rows as Content-Type: application/json (an array of objects) or text/csv",
        );
    };
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
        Err(e) => return error(e.status(), e.body_text()),
    };
    let worker = Arc::clone(&app);
    let scored = tokio::task::spawn_blocking(move || score_body(&worker.model, kind, &body)).await;
    match scored {
        Ok(Ok(response)) => match serde_json::to_vec(&response) {
            Ok(v) => json_bytes(v),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        },
        Ok(Err(bad)) => error(StatusCode::BAD_REQUEST, bad.0),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("scoring failed: {e}"),
        ),
    }
}

/// A bound server, not yet running.
#[derive(Debug)]
pub struct Server {
    listener: std::net::TcpListener,
    model: SegmentModel,
    body_limit: usize,
}

impl Server {
    /// Binds `host:port` (port 0 picks a free one) for `model`.
    pub fn bind(model: SegmentModel, host: &str, port: u16) -> Result<Self> {
        let what = format!("{host}:{port}");
        let listener =
            std::net::TcpListener::bind((host, port)).map_err(|e| Error::io(&what, e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io(&what, e))?;
        Ok(Self {
            listener,
            model,
            body_limit: DEFAULT_BODY_LIMIT,
        })
    }

    /// Another body limit (bytes).
    #[must_use]
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The address bound (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener
            .local_addr()
            .map_err(|e| Error::io("<listener>", e))
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and returns.
    pub fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("segscope-serve")
            .build()
            .map_err(|e| Error::io("<tokio runtime>", e))?;
        let Self {
            listener,
            model,
            body_limit,
        } = self;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)
                .map_err(|e| Error::io("<listener>", e))?;
            // Answers are one small write each; no Nagle delay on a keep-alive connection.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, router(model, body_limit))
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(|e| Error::io("<server>", e))
        })
    }

    /// Serves until SIGINT (Ctrl-C) or SIGTERM.
    pub fn run_until_signal(self) -> Result<()> {
        self.run_until(termination())
    }
}

/// Completes on the first SIGINT or SIGTERM (SIGINT only off Unix).
async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = interrupt() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => interrupt().await,
        }
    }
    #[cfg(not(unix))]
    interrupt().await;
}

/// Completes on Ctrl-C; never, when Ctrl-C cannot be watched.
async fn interrupt() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
