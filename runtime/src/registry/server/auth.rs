//! HTTP basic authentication.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// The expected `user:password`.
pub(super) type Credentials = Arc<Vec<u8>>;

/// Lets requests through whose `Authorization: Basic …` header carries the
/// expected credentials; answers 401 with a `WWW-Authenticate` challenge
/// otherwise.
pub(super) async fn require(
    State(expected): State<Credentials>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then(|| token.trim())
        })
        .and_then(decode_base64);
    if given.is_some_and(|given| same(&given, &expected)) {
        return next.run(request).await;
    }
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        401,
        "authentication required: send HTTP basic credentials",
    )
    .into_response();
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"schemabus registry\", charset=\"UTF-8\""),
    );
    response
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Decodes standard base64 with its padding optional (clients differ);
/// `None` if invalid.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let padding = "=".repeat((4 - text.len() % 4) % 4);
    crate::codec::base64::decode(&format!("{text}{padding}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(decode_base64("dXNlcjpzZWNyZXQ=").unwrap(), b"user:secret");
        assert_eq!(decode_base64("YWxpY2U6cHc=").unwrap(), b"alice:pw");
        assert_eq!(decode_base64("YWxpY2U6cHc").unwrap(), b"alice:pw");
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
        assert_eq!(decode_base64("YWI=").unwrap(), b"ab");
        assert_eq!(decode_base64("YWJj").unwrap(), b"abc");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("Y").is_none());
        assert!(decode_base64("Y!==").is_none());
        assert!(decode_base64("YQ===").is_none());
    }

    #[test]
    fn compares_whole_values() {
        assert!(same(b"user:pw", b"user:pw"));
        assert!(!same(b"user:pw", b"user:pX"));
        assert!(!same(b"user:pw", b"user:pw2"));
    }
}
