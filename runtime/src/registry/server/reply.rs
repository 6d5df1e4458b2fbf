//! Answers in Confluent's content type.

use axum::http::header::CONTENT_TYPE as CONTENT_TYPE_HEADER;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::CONTENT_TYPE;

fn content_type() -> [(axum::http::HeaderName, HeaderValue); 1] {
    [(CONTENT_TYPE_HEADER, HeaderValue::from_static(CONTENT_TYPE))]
}

/// `value` as JSON.
pub(super) fn json(value: impl Serialize) -> Response {
    (content_type(), Json(value)).into_response()
}

/// A schema's text as the body (it is JSON itself).
pub(super) fn raw(text: String) -> Response {
    (content_type(), text).into_response()
}
