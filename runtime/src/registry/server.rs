//! A schema registry server: Confluent Schema Registry's REST API over an
//! [`EmbeddedRegistry`] — what `schemabus registry serve` runs.
//!
//! Any Confluent client (serializers in Java, Go, Python, `HttpRegistry`,
//! `curl`) can use it for Avro schemas. Bodies are JSON in
//! `application/vnd.schemaregistry.v1+json` (`application/json` and
//! `application/vnd.schemaregistry+json` are accepted too); errors are
//! `{"error_code": N, "message": "…"}` with Confluent's codes.
//!
//! | method and path | answer |
//! | --- | --- |
//! | `GET /` | `{}` |
//! | `GET /subjects` (`?deleted=true`) | `["subject", …]` |
//! | `POST /subjects/{subject}/versions` | `{"id": 1}` — registers `{"schema": "…"}` |
//! | `GET /subjects/{subject}/versions` (`?deleted=true`) | `[1, 2]` |
//! | `GET /subjects/{subject}/versions/{version}` (`?deleted=true`) | `{"subject", "id", "version", "schema"}`; version `latest` or `-1` for the latest |
//! | `GET /subjects/{subject}/versions/{version}/schema` | the schema itself |
//! | `GET /subjects/{subject}/versions/{version}/referencedby` | `[]` (references are not supported) |
//! | `DELETE /subjects/{subject}/versions/{version}` (`?permanent=true`) | `1` |
//! | `POST /subjects/{subject}` (`?deleted=true`) | the version having the schema in the body |
//! | `DELETE /subjects/{subject}` (`?permanent=true`) | `[1, 2]` |
//! | `GET /schemas/ids/{id}` | `{"schema": "…"}` |
//! | `GET /schemas/ids/{id}/schema` | the schema itself |
//! | `GET /schemas/ids/{id}/subjects` (`?deleted=true`) | `["subject"]` |
//! | `GET /schemas/ids/{id}/versions` (`?deleted=true`) | `[{"subject", "version"}]` |
//! | `GET /schemas/types` | `["AVRO"]` |
//! | `POST /compatibility/subjects/{subject}/versions` (`?verbose=true`) | `{"is_compatible": true}`, with `"messages"` when verbose; checked against the versions the level names |
//! | `POST /compatibility/subjects/{subject}/versions/{version}` | the same, against one version |
//! | `GET /config` | `{"compatibilityLevel": "BACKWARD"}` |
//! | `PUT /config` | `{"compatibility": "FULL"}`, echoed |
//! | `GET /config/{subject}` (`?defaultToGlobal=true`) | `{"compatibilityLevel": "…"}`; 40408 when the subject has no level of its own |
//! | `PUT /config/{subject}` | `{"compatibility": "FULL"}`, echoed |
//! | `DELETE /config/{subject}` | the level it had |
//! | `GET /mode`, `GET /mode/{subject}` | `{"mode": "READWRITE"}` (the only mode) |
//!
//! Error codes: 40401 subject, 40402 version, 40403 schema not found;
//! 40404/40406 subject/version already soft-deleted; 40405/40407 permanent
//! delete without a soft delete first; 40408 no subject-level compatibility;
//! 409 incompatible schema (the reasons in the message); 42201 invalid schema
//! (also other schema types, references); 42202 invalid version; 42203
//! invalid compatibility level; 422 a body that is not the expected JSON;
//! 413 a body over the limit ([`ServerOptions::max_body`]); 415 another
//! content type; 401 missing or wrong credentials
//! ([`ServerOptions::basic_auth`]); 50001 the state could not be saved.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use schemabus_runtime::registry::server::{self, ServerOptions};
//! use schemabus_runtime::registry::EmbeddedRegistry;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let registry = Arc::new(EmbeddedRegistry::in_memory());
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(server::serve_with_shutdown(
//!     listener,
//!     registry,
//!     ServerOptions::new().max_body(64 * 1024),
//!     async move {
//!         let _ = stopped.await;
//!     },
//! ));
//! println!("registry at http://{addr}");
//! // … clients use it …
//! let _ = stop.send(());
//! server.await??;
//! # Ok(())
//! # }
//! ```

mod auth;
mod error;
mod extract;
mod reply;
mod routes;

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use super::EmbeddedRegistry;

/// The content type of every answer (Confluent's).
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// How the server runs: body limit and authentication.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::registry::server::ServerOptions;
///
/// let options = ServerOptions::new().max_body(256 * 1024).basic_auth("ci", "s3cret");
/// assert_eq!(options.max_body_bytes(), 256 * 1024);
/// assert!(!format!("{options:?}").contains("s3cret")); // Debug hides the password
/// ```
#[derive(Clone)]
#[must_use]
pub struct ServerOptions {
    max_body: usize,
    basic_auth: Option<(String, String)>,
}

impl ServerOptions {
    /// The default body limit: 1 MiB.
    pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

    /// No authentication, bodies up to [`Self::DEFAULT_MAX_BODY`].
    pub fn new() -> Self {
        Self {
            max_body: Self::DEFAULT_MAX_BODY,
            basic_auth: None,
        }
    }

    /// The largest request body accepted, in bytes; larger ones are
    /// answered 413.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Requires HTTP basic authentication with this user and password;
    /// other requests are answered 401 with a `WWW-Authenticate` challenge.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// The body limit set.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerOptions")
            .field("max_body", &self.max_body)
            .field(
                "basic_auth",
                &self
                    .basic_auth
                    .as_ref()
                    .map(|(user, _)| format!("{user}:(redacted)")),
            )
            .finish()
    }
}

/// What every handler gets.
#[derive(Clone)]
struct App {
    registry: Arc<EmbeddedRegistry>,
    max_body: usize,
}

/// The API as an axum [`Router`], to serve or to merge into another one.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use schemabus_runtime::registry::server::{router, ServerOptions};
/// use schemabus_runtime::registry::EmbeddedRegistry;
///
/// let app = router(Arc::new(EmbeddedRegistry::in_memory()), ServerOptions::new());
/// # let _: axum::Router = app;
/// ```
pub fn router(registry: Arc<EmbeddedRegistry>, options: ServerOptions) -> Router {
    let app = App {
        registry,
        max_body: options.max_body,
    };
    let router = routes::routes().with_state(app);
    match options.basic_auth {
        Some((user, password)) => {
            let expected: auth::Credentials = Arc::new(format!("{user}:{password}").into_bytes());
            router.layer(axum::middleware::from_fn_with_state(
                expected,
                auth::require,
            ))
        }
        None => router,
    }
}

/// Serves the API on `listener` until the process ends.
///
/// # Errors
///
/// Never in practice: axum retries failed accepts.
pub async fn serve(
    listener: TcpListener,
    registry: Arc<EmbeddedRegistry>,
    options: ServerOptions,
) -> io::Result<()> {
    axum::serve(listener, router(registry, options)).await
}

/// Serves the API on `listener` until `shutdown` completes, then finishes
/// the requests in flight and returns.
///
/// # Errors
///
/// Never in practice: axum retries failed accepts.
///
/// # Examples
///
/// See the [module documentation](self).
pub async fn serve_with_shutdown(
    listener: TcpListener,
    registry: Arc<EmbeddedRegistry>,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router(registry, options))
        .with_graceful_shutdown(shutdown)
        .await
}
