//! How each marketplace words its answers (refused credentials, 429, 5xx, 400, 404) and where it
//! expects its credentials, so every simulator fails the way its marketplace does.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// How a marketplace words its answers and where it expects its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Amazon,
    Shopify,
    Flipkart,
    Edi,
    Paytm,
    Ajio,
}

/// Why a request is refused as unauthenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthProblem {
    /// No credential on the request.
    Missing,
    /// A credential the marketplace doesn't know, or an expired token.
    Invalid,
    /// The seller's credentials were revoked (until restored).
    Revoked,
}

impl Dialect {
    /// The path of the marketplace's token endpoint, for OAuth marketplaces.
    pub fn token_path(self) -> Option<&'static str> {
        match self {
            Dialect::Amazon => Some("/auth/o2/token"),
            Dialect::Flipkart => Some("/oauth-service/oauth/token"),
            _ => None,
        }
    }

    /// Whether `path` is one of the marketplace's packing, document, handover or return routes, whose
    /// calls the simulator records (its order and return feeds and token endpoint are not recorded).
    pub fn is_fulfilment_route(self, path: &str) -> bool {
        match self {
            Dialect::Flipkart => {
                (path.starts_with("/v3/shipments/") && !path.starts_with("/v3/shipments/filter"))
                    || ["/v2/orders/labels", "/v2/orders/shipments", "/v2/orders/invoices", "/v2/orders/dispatch"].contains(&path)
            }
            Dialect::Amazon => path.ends_with("/shipmentConfirmation") || path.starts_with("/easyShip/"),
            Dialect::Shopify => path.ends_with("/fulfillment_orders.json") || path.ends_with("/fulfillments.json"),
            Dialect::Edi => path == "/edi/856",
            Dialect::Ajio => {
                path == "/manifests"
                    || (path.starts_with("/orders/b2c/")
                        && ["/pack", "/invoice", "/label", "/rto"].iter().any(|s| path.ends_with(s)))
                    || (path.starts_with("/orders/b2b/") && (path.ends_with("/e-invoice") || path.ends_with("/cancellations")))
                    || (path.starts_with("/returns/") && (path.ends_with("/qc") || path.ends_with("/credit-note")))
            }
            Dialect::Paytm => {
                path == "/v1/manifests"
                    || (path.starts_with("/v1/orders/") && (path.ends_with("/pack") || path.ends_with("/label")))
                    || (path.starts_with("/v1/returns/") && path.ends_with("/qc"))
            }
        }
    }

    /// Whether the marketplace hands out short-lived tokens (otherwise it takes a static key).
    pub fn issues_tokens(self) -> bool {
        self.token_path().is_some()
    }

    /// The credential a request carries.
    pub fn credential(self, headers: &HeaderMap) -> Option<String> {
        let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string());
        match self {
            Dialect::Amazon => h("x-amz-access-token"),
            Dialect::Shopify => h("x-shopify-access-token"),
            _ => h("authorization")
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).map(|t| t.trim().to_string())),
        }
        .filter(|s| !s.is_empty())
    }

    /// The marketplace's answer to a refused credential, in its own words.
    pub fn auth_error(self, problem: AuthProblem, on_token_endpoint: bool) -> Response {
        match (self, on_token_endpoint) {
            // Login with Amazon answers a revoked refresh token with 400 invalid_grant, a wrong client with 401.
            (Dialect::Amazon, true) => match problem {
                AuthProblem::Revoked => json_response(
                    StatusCode::BAD_REQUEST,
                    json!({"error_description": "The request has an invalid grant parameter : refresh_token", "error": "invalid_grant"}),
                ),
                _ => json_response(
                    StatusCode::UNAUTHORIZED,
                    json!({"error_description": "Client authentication failed", "error": "invalid_client"}),
                ),
            },
            // The SP-API answers 403 for missing, expired and revoked tokens alike.
            (Dialect::Amazon, false) => {
                let details = match problem {
                    AuthProblem::Missing => "The request is missing the x-amz-access-token header.",
                    AuthProblem::Invalid => "The access token you provided has expired.",
                    AuthProblem::Revoked => "The access token you provided is revoked, malformed or invalid.",
                };
                json_response(
                    StatusCode::FORBIDDEN,
                    json!({"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": details}]}),
                )
            }
            (Dialect::Shopify, _) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
            ),
            (Dialect::Flipkart, true) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"error": "unauthorized", "error_description": match problem {
                    AuthProblem::Revoked => "Application access has been revoked by the seller",
                    _ => "Bad credentials",
                }}),
            ),
            (Dialect::Flipkart, false) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"error": "invalid_token", "error_description": match problem {
                    AuthProblem::Missing => "Full authentication is required to access this resource",
                    AuthProblem::Invalid => "Invalid access token: the token has expired",
                    AuthProblem::Revoked => "Invalid access token: application access has been revoked by the seller",
                }}),
            ),
            (Dialect::Edi | Dialect::Paytm | Dialect::Ajio, _) => {
                let (code, message) = match problem {
                    AuthProblem::Missing => ("UNAUTHORIZED", "Missing bearer API key"),
                    AuthProblem::Invalid => ("UNAUTHORIZED", "Invalid API key"),
                    AuthProblem::Revoked => ("KEY_REVOKED", "This API key has been revoked by the seller"),
                };
                json_response(StatusCode::UNAUTHORIZED, json!({"error": {"code": code, "message": message}}))
            }
        }
    }

    /// The marketplace's 429.
    pub fn rate_limited(self, retry_after_seconds: u64) -> Response {
        let (body, retry_after) = match self {
            Dialect::Amazon => (
                json!({"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]}),
                retry_after_seconds.to_string(),
            ),
            // Shopify writes Retry-After with a decimal: "2.0".
            Dialect::Shopify => (
                json!({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}),
                format!("{retry_after_seconds}.0"),
            ),
            Dialect::Flipkart => (
                json!({"errors": [{"severity": "ERROR", "code": "TOO_MANY_REQUESTS", "description": "Request rate limit exceeded"}]}),
                retry_after_seconds.to_string(),
            ),
            _ => (
                json!({"error": {"code": "RATE_LIMITED", "message": "Too many requests, slow down"}}),
                retry_after_seconds.to_string(),
            ),
        };
        let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, body);
        if let Ok(v) = HeaderValue::from_str(&retry_after) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }

    /// The marketplace's 5xx.
    pub fn server_error(self, status: StatusCode) -> Response {
        let body = match self {
            Dialect::Amazon => {
                json!({"errors": [{"code": "InternalFailure", "message": "We encountered an internal error. Please try again."}]})
            }
            Dialect::Shopify => json!({"errors": "Internal Server Error"}),
            Dialect::Flipkart => {
                json!({"errors": [{"severity": "ERROR", "code": "INTERNAL_SERVER_ERROR", "description": "Something went wrong"}]})
            }
            _ => json!({"error": {"code": "UNAVAILABLE", "message": "Service temporarily unavailable"}}),
        };
        json_response(status, body)
    }

    /// The marketplace's 400, with `message`.
    pub fn bad_request(self, message: &str) -> Response {
        let body = match self {
            Dialect::Amazon => json!({"errors": [{"code": "InvalidInput", "message": message}]}),
            Dialect::Shopify => json!({"errors": message}),
            Dialect::Flipkart => json!({"errors": [{"severity": "ERROR", "code": "INVALID_REQUEST", "description": message}]}),
            _ => json!({"error": {"code": "INVALID_REQUEST", "message": message}}),
        };
        json_response(StatusCode::BAD_REQUEST, body)
    }

    /// The marketplace's 404.
    pub fn not_found(self, what: &str) -> Response {
        let body = match self {
            Dialect::Amazon => json!({"errors": [{"code": "NotFound", "message": format!("{what} not found")}]}),
            Dialect::Shopify => json!({"errors": "Not Found"}),
            Dialect::Flipkart => {
                json!({"errors": [{"severity": "ERROR", "code": "NOT_FOUND", "description": format!("{what} not found")}]})
            }
            _ => json!({"error": {"code": "NOT_FOUND", "message": format!("{what} not found")}}),
        };
        json_response(StatusCode::NOT_FOUND, body)
    }
}

/// A JSON answer with a status.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}
