//! What handlers take from requests: flags from the query, path segments,
//! and JSON bodies (content type checked, size limited).

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::App;
use crate::compat::Level;
use crate::registry::Version;

/// The boolean query parameters: `deleted`, `permanent`, `verbose`,
/// `defaultToGlobal` (true when given as `true`, in any case).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Flags {
    pub(super) deleted: bool,
    pub(super) permanent: bool,
    pub(super) verbose: bool,
    pub(super) default_to_global: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Flags {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut flags = Flags::default();
        for pair in parts.uri.query().unwrap_or("").split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let on = value.eq_ignore_ascii_case("true");
            match key {
                "deleted" => flags.deleted = on,
                "permanent" => flags.permanent = on,
                "verbose" => flags.verbose = on,
                "defaultToGlobal" => flags.default_to_global = on,
                _ => {}
            }
        }
        Ok(flags)
    }
}

/// Path segments, percent-decoded.
pub(super) struct Segments<T>(pub(super) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Segments<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Segments(value))
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    400,
                    format!("bad path: {}", e.body_text()),
                )
            })
    }
}

/// A version in a path: a number from 1 to 2³¹−1, `latest` or `-1`.
pub(super) fn version(text: &str) -> Result<Version, ApiError> {
    if text == "latest" || text == "-1" {
        return Ok(Version::Latest);
    }
    text.parse::<u32>()
        .ok()
        .filter(|n| (1..=i32::MAX as u32).contains(n))
        .map(Version::Number)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                42202,
                format!("invalid version `{text}`: a version is a number from 1 to 2147483647, `latest` or `-1`"),
            )
        })
}

/// A schema id in a path.
pub(super) fn id(text: &str) -> Result<u32, ApiError> {
    text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            40403,
            format!("schema not found: `{text}` is not a schema id"),
        )
    })
}

/// The content types a request body may have, as Confluent's (a missing
/// one is JSON too).
const ACCEPTED: [&str; 4] = [
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// A JSON object body: content type checked, at most the configured size.
pub(super) struct Body(pub(super) Map<String, Value>);

impl FromRequest<App> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &App) -> Result<Self, ApiError> {
        if let Some(value) = request.headers().get(CONTENT_TYPE) {
            let text = value.to_str().unwrap_or("");
            let essence = text
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if !ACCEPTED.contains(&essence.as_str()) {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    415,
                    format!(
                        "unsupported content type `{text}`; send {}",
                        ACCEPTED.join(", ")
                    ),
                ));
            }
        }
        let too_large = || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                413,
                format!(
                    "request body larger than the limit of {} bytes",
                    app.max_body
                ),
            )
        };
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > app.max_body as u64) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        let mut stream = request.into_body().into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    400,
                    format!("reading the request body: {e}"),
                )
            })?;
            if bytes.len() + chunk.len() > app.max_body {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(_) => Err(ApiError::unprocessable(
                "the request body must be a JSON object",
            )),
            Err(e) => Err(ApiError::unprocessable(format!(
                "unparseable request body: {e}"
            ))),
        }
    }
}

impl Body {
    /// The schema text of a register, lookup or compatibility request:
    /// `{"schema": "…", "schemaType"?: "AVRO", "references"?: []}`.
    pub(super) fn schema(self) -> Result<String, ApiError> {
        let mut schema = None;
        for (key, value) in self.0 {
            match (key.as_str(), value) {
                (_, Value::Null) => {}
                ("schema", Value::String(text)) => schema = Some(text),
                ("schema", _) => {
                    return Err(ApiError::invalid_schema(
                        "`schema` must be a string holding the schema's JSON text",
                    ))
                }
                ("schemaType", Value::String(kind)) if kind.eq_ignore_ascii_case("AVRO") => {}
                ("schemaType", kind) => {
                    let kind = kind
                        .as_str()
                        .map_or_else(|| kind.to_string(), str::to_owned);
                    return Err(ApiError::invalid_schema(format!(
                        "schema type `{kind}` is not supported: this registry holds AVRO schemas only"
                    )));
                }
                ("references", Value::Array(refs)) if refs.is_empty() => {}
                ("references", _) => {
                    return Err(ApiError::invalid_schema(
                        "schema references are not supported: register self-contained schemas \
                         (named types defined inline)",
                    ))
                }
                ("metadata" | "ruleSet", _) => {
                    return Err(ApiError::invalid_schema(format!(
                        "`{key}` (data contracts) is not supported by this registry"
                    )))
                }
                ("id" | "version", _) => {
                    return Err(ApiError::unprocessable(format!(
                        "`{key}` cannot be chosen: this registry assigns ids and versions itself \
                         (Confluent's IMPORT mode is not supported)"
                    )))
                }
                // Confluent ignores fields it does not know (newer clients
                // send some); so does this registry.
                _ => {}
            }
        }
        match schema {
            Some(text) if !text.trim().is_empty() => Ok(text),
            _ => Err(ApiError::invalid_schema(
                "empty schema: the request has no `schema`",
            )),
        }
    }

    /// The level of a configuration update: `{"compatibility": "FULL"}`
    /// (`compatibilityLevel` accepted too).
    pub(super) fn level(self) -> Result<Level, ApiError> {
        let mut level = None;
        for (key, value) in self.0 {
            match (key.as_str(), value) {
                (_, Value::Null) => {}
                ("compatibility" | "compatibilityLevel", Value::String(text)) => level = Some(text),
                ("compatibility" | "compatibilityLevel", other) => level = Some(other.to_string()),
                _ => {
                    return Err(ApiError::unprocessable(format!(
                        "unrecognized field `{key}`"
                    )))
                }
            }
        }
        let invalid = |text: &str| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                42203,
                format!(
                    "invalid compatibility level `{text}`; the levels are NONE, BACKWARD, \
                     BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE"
                ),
            )
        };
        let text = level.ok_or_else(|| invalid(""))?;
        text.parse().map_err(|_| invalid(&text))
    }

    /// The mode of a mode update: `{"mode": "READWRITE"}`.
    pub(super) fn mode(self) -> Result<String, ApiError> {
        match self.0.get("mode") {
            Some(Value::String(mode)) => Ok(mode.clone()),
            _ => Err(ApiError::unprocessable("the request has no `mode`")),
        }
    }
}
