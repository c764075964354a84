//! What stands between the network and the handlers: a body limit, a bound on URLs, a per-token
//! rate limit and the security headers of every answer.
//!
//! Owns those limits and nothing else: who may do what is `auth` and `decisions`. Every refusal is
//! the API's one JSON error shape. Tokens are never kept or logged here, only their SHA-256
//! digests (as rate-limit keys).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use sha2::{Digest as _, Sha256};

use super::http::HttpError;

/// Largest request body accepted (a decision is well under 4 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest body of a pushed batch (`POST /api/v1/ingest…`): 50,000 samples fit.
pub const MAX_INGEST_BODY_BYTES: usize = 8 << 20;
/// Longest query string accepted.
pub const MAX_QUERY_BYTES: usize = 4096;
/// Request headers, all names and values together. Larger ones get 431 in the API's shape (past
/// hyper's own read buffer, ≈400 KiB, hyper answers 431 itself, without a body).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Longest path accepted.
pub const MAX_PATH_BYTES: usize = 1024;
/// Rate-limit buckets kept; past this the idle (refilled) ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

/// Requests a token may make: `per_second` sustained, `burst` at once. `per_second == 0` is off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::per_second(50.0)
    }
}

impl RateLimit {
    /// `n` requests a second, bursts of `4 n` (a console opening a view sends a few at once).
    pub fn per_second(n: f64) -> Self {
        Self {
            per_second: n.max(0.0),
            burst: (4.0 * n).max(1.0),
        }
    }

    pub fn off() -> Self {
        Self {
            per_second: 0.0,
            burst: 0.0,
        }
    }

    pub fn is_off(&self) -> bool {
        !(self.per_second > 0.0 && self.per_second.is_finite())
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by the digest of the `Authorization` header (one shared bucket for
/// callers without one).
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<[u8; 32], Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; `Err(wait)` when the bucket is empty.
    pub fn check(&self, key: [u8; 32], now: Instant) -> Result<(), Duration> {
        if self.limit.is_off() {
            return Ok(());
        }
        let RateLimit { per_second, burst } = self.limit;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&key) {
            let full_after = Duration::from_secs_f64(burst / per_second);
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < full_after);
            if buckets.len() >= MAX_BUCKETS {
                buckets.clear(); // a flood of distinct keys: forget rather than grow
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

/// Wraps the API router in the limits and headers.
pub fn harden(router: Router, limit: RateLimit) -> Router {
    let limiter = std::sync::Arc::new(RateLimiter::new(limit));
    router
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(limiter, rate_limit))
        .layer(middleware::from_fn(bound_request))
        .layer(middleware::map_response(security_headers))
}

/// A handler that panicked (a bug) answers 500 in the API's shape instead of a dropped connection;
/// the backend keeps serving.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the backend could not complete the request; it has been logged",
    )
    .into_response()
}

async fn bound_request(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let query = uri.query().map_or(0, str::len);
    if query > MAX_QUERY_BYTES || uri.path().len() > MAX_PATH_BYTES {
        return HttpError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!(
                "the path may be at most {MAX_PATH_BYTES} bytes and the query string at most \
                 {MAX_QUERY_BYTES} bytes"
            ),
        )
        .into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return HttpError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the request headers may be at most {MAX_HEADER_BYTES} bytes in all"),
        )
        .into_response();
    }
    // Refuse a body announced too big before reading any of it (the body limit would otherwise
    // read up to the limit first, and a slow sender could hold the connection meanwhile).
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = body_limit(request.uri().path());
    if announced.is_some_and(|n| n > limit as u64) {
        return too_large_for(limit).into_response();
    }
    next.run(request).await
}

/// The largest body a path takes.
pub fn body_limit(path: &str) -> usize {
    if path.starts_with("/api/v1/ingest") {
        MAX_INGEST_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// 413 in the API's error shape.
pub fn too_large() -> HttpError {
    too_large_for(MAX_BODY_BYTES)
}

fn too_large_for(limit: usize) -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body may be at most {limit} bytes"),
    )
}

async fn rate_limit(
    State(limiter): State<std::sync::Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let key: [u8; 32] = Sha256::digest(
        request
            .headers()
            .get(header::AUTHORIZATION)
            .map_or(&b""[..], HeaderValue::as_bytes),
    )
    .into();
    match limiter.check(key, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let secs = wait.as_secs().max(1);
            let mut response = HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests for this token; retry in {secs} s"),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

/// JSON and event streams only: nothing here is a page to frame, sniff, cache or run scripts in.
/// No `Access-Control-Allow-Origin` is ever sent: browsers on other origins are refused (CORS off).
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_at_the_rate_and_cap_at_the_burst() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        });
        let t0 = Instant::now();
        let key = [1u8; 32];
        for _ in 0..3 {
            assert!(limiter.check(key, t0).is_ok());
        }
        let wait = limiter.check(key, t0).expect_err("bucket empty");
        assert!(wait <= Duration::from_millis(100));
        assert!(
            limiter.check([2u8; 32], t0).is_ok(),
            "other tokens unaffected"
        );
        assert!(limiter.check(key, t0 + Duration::from_millis(110)).is_ok());
        // A long pause refills only up to the burst.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.check(key, later).is_ok());
        }
        assert!(limiter.check(key, later).is_err());
        assert!(RateLimiter::new(RateLimit::off()).check(key, t0).is_ok());
    }
}
