//! [`HttpRegistry`]: a client of Confluent Schema Registry's REST API.
//!
//! It speaks HTTP through reqwest itself rather than through
//! `schema_registry_converter` (which the interop tests run against our
//! server as a second client): that crate reports errors as strings
//! (`SRCError`), so 40403 "schema not found" — which sends a record to the
//! dead-letter topic — could not be told from a registry that is down —
//! which makes it wait; it has no calls for levels, deletes or verbose
//! compatibility reasons; and its caches would sit beside
//! [`CachedRegistry`](super::CachedRegistry)'s single flight.

mod tls;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{CompatibilityReport, RegistryError, SchemaRegistry, SubjectVersion, Version};
use crate::compat::Level;

/// Confluent's content type, sent and accepted.
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// A registry reached over HTTP: Confluent Schema Registry, Karapace,
/// Redpanda, Apicurio's compatible API, or `schemabus registry serve`.
///
/// `https://` URLs need the `registry-tls` feature (on by default in the
/// `schemabus` crate): rustls, trusting the system's roots or the CA given
/// to [`ca_certificate_file`](HttpRegistryBuilder::ca_certificate_file),
/// with an optional client certificate. Requests run on the caller's tokio
/// runtime (reqwest's); [`SchemaIds`](crate::kafka::SchemaIds) keeps its own.
///
/// Several URLs may be given; a request that cannot reach one (connection
/// refused, timeout) goes on to the next. Answers of a registry, errors
/// included, are final. Wrap it in a [`CachedRegistry`](super::CachedRegistry)
/// so messages need no registry calls after warm-up.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use schemabus_runtime::registry::HttpRegistry;
///
/// let registry = HttpRegistry::builder("http://127.0.0.1:8081")
///     .url("http://127.0.0.1:8082")
///     .basic_auth("user", "secret")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(registry.urls().len(), 2);
/// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
/// ```
#[derive(Clone)]
pub struct HttpRegistry {
    urls: Vec<String>,
    client: reqwest::Client,
    auth: Auth,
    timeout: Duration,
}

#[derive(Clone)]
enum Auth {
    None,
    Basic(String, String),
    Bearer(String),
}

impl fmt::Debug for HttpRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRegistry")
            .field("urls", &self.urls)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Settings of an [`HttpRegistry`].
#[derive(Debug)]
#[must_use]
pub struct HttpRegistryBuilder {
    urls: Vec<String>,
    auth: Auth,
    timeout: Duration,
    tls: tls::TlsFiles,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Auth::None => "none",
            Auth::Basic(..) => "basic (redacted)",
            Auth::Bearer(_) => "bearer (redacted)",
        })
    }
}

impl HttpRegistryBuilder {
    /// Settings as configuration files and environment variables give them:
    /// `urls` comma-separated, tried in order, and basic auth from
    /// `user_info` (`user:password`), if any.
    ///
    /// ```
    /// use schemabus_runtime::registry::HttpRegistryBuilder;
    ///
    /// let registry =
    ///     HttpRegistryBuilder::from_settings("http://a:8081, http://b:8081", Some("svc:pw"))?
    ///         .build()?;
    /// assert_eq!(registry.urls(), ["http://a:8081", "http://b:8081"]);
    /// assert!(HttpRegistryBuilder::from_settings("http://a:8081", Some("no-colon")).is_err());
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RegistryError::Transport`] for user info without `:`.
    pub fn from_settings(urls: &str, user_info: Option<&str>) -> Result<Self, RegistryError> {
        let mut urls = urls.split(',').map(str::trim).filter(|u| !u.is_empty());
        let first = urls.next().unwrap_or_default();
        let mut builder = urls.fold(HttpRegistry::builder(first), Self::url);
        if let Some(user_info) = user_info {
            let (user, password) =
                user_info
                    .split_once(':')
                    .ok_or_else(|| RegistryError::Transport {
                        url: first.to_owned(),
                        message: "the registry's user info must be `user:password`".to_owned(),
                    })?;
            builder = builder.basic_auth(user, password);
        }
        Ok(builder)
    }

    /// Adds a fallback URL, tried when the ones before cannot be reached.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// HTTP basic authentication (Confluent Cloud: API key and secret).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Auth::Basic(user.into(), password.into());
        self
    }

    /// A bearer token.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Auth::Bearer(token.into());
        self
    }

    /// How long one request may take, connecting included (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts only the CA certificates in this PEM file (read by
    /// [`build`](Self::build)) for `https://` URLs, as librdkafka's
    /// `ssl.ca.location`: the way to reach a registry whose certificate a
    /// private CA signed. Needs the `registry-tls` feature.
    pub fn ca_certificate_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls.ca = Some(path.into());
        self
    }

    /// Presents this client certificate (PEM chain) and private key (PEM,
    /// PKCS#8, PKCS#1 or SEC1) to registries that ask for one (mutual TLS).
    /// Read by [`build`](Self::build); needs the `registry-tls` feature.
    pub fn client_certificate_files(
        mut self,
        certificate: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Self {
        self.tls.identity = Some((certificate.into(), key.into()));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Transport`] for a URL that is neither `http://` nor
    /// `https://` (or `https://` in a build without `registry-tls`), TLS
    /// files that cannot be read or parsed, or a client that cannot be built.
    pub fn build(self) -> Result<HttpRegistry, RegistryError> {
        let mut urls = Vec::with_capacity(self.urls.len());
        let mut auth = self.auth;
        for url in self.urls {
            // `http://user:password@host` is basic auth, kept out of the URL
            // so it never shows in Debug output or errors.
            let (url, user_info) = split_user_info(url.trim_end_matches('/'));
            if let (Some((user, password)), Auth::None) = (user_info, &auth) {
                auth = Auth::Basic(user, password);
            }
            if let Err(message) = tls::scheme_supported(&url) {
                return Err(RegistryError::Transport {
                    message: message.to_owned(),
                    url,
                });
            }
            urls.push(url);
        }
        let transport = |message: String| RegistryError::Transport {
            url: urls.join(", "),
            message,
        };
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout);
        let client = self.tls.apply(client).map_err(transport)?;
        let client = client.build().map_err(|e| transport(e.to_string()))?;
        Ok(HttpRegistry {
            urls,
            client,
            auth,
            timeout: self.timeout,
        })
    }
}

impl HttpRegistry {
    /// A client of the registry at `url`, with the default settings.
    ///
    /// # Errors
    ///
    /// As [`HttpRegistryBuilder::build`].
    pub fn new(url: impl Into<String>) -> Result<Self, RegistryError> {
        Self::builder(url).build()
    }

    /// Settings for a client of the registry at `url`.
    pub fn builder(url: impl Into<String>) -> HttpRegistryBuilder {
        HttpRegistryBuilder {
            urls: vec![url.into()],
            auth: Auth::None,
            timeout: Duration::from_secs(10),
            tls: tls::TlsFiles::default(),
        }
    }

    /// The registry URLs, in the order they are tried.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Sends a request to each URL in turn until one answers; returns the
    /// JSON body of a success, or the registry's error.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, RegistryError> {
        let mut last = None;
        for base in &self.urls {
            let url = format!("{base}{path}");
            let mut request = self
                .client
                .request(method.clone(), &url)
                .header("Accept", CONTENT_TYPE);
            request = match &self.auth {
                Auth::None => request,
                Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
                Auth::Bearer(token) => request.bearer_auth(token),
            };
            if let Some(body) = &body {
                request = request
                    .header("Content-Type", CONTENT_TYPE)
                    .body(body.to_string());
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) => {
                    last = Some(self.transport(&url, &e));
                    continue;
                }
            };
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|e| self.transport(&url, &e))?;
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|e| RegistryError::Transport {
                    url,
                    message: format!(
                        "answered {status} with a body that is not JSON ({e}): {}",
                        excerpt(&text)
                    ),
                });
            }
            return Err(error_from(status, &text));
        }
        Err(last.unwrap_or_else(|| RegistryError::Transport {
            url: String::new(),
            message: "no URL".to_owned(),
        }))
    }

    fn transport(&self, url: &str, error: &reqwest::Error) -> RegistryError {
        // reqwest's own message repeats the URL; the innermost cause says
        // why: refused, unknown host, a certificate the client does not
        // trust, or one the server wanted and did not get.
        let mut cause: &dyn std::error::Error = error;
        while let Some(source) = cause.source() {
            cause = source;
        }
        let message = if error.is_timeout() {
            format!("no answer within {:?}", self.timeout)
        } else if error.is_connect() {
            format!("cannot connect: {cause}")
        } else {
            format!("request failed: {cause}")
        };
        RegistryError::Transport {
            url: url.to_owned(),
            message,
        }
    }
}

/// `http://user:pass@host/x` → (`http://host/x`, Some((user, pass))),
/// percent-escapes in the user info decoded.
fn split_user_info(url: &str) -> (String, Option<(String, String)>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_owned(), None);
    };
    let (user, password) = rest[..at].split_once(':').unwrap_or((&rest[..at], ""));
    let stripped = format!("{scheme}://{}", &rest[at + 1..]);
    (
        stripped,
        Some((percent_decode(user), percent_decode(password))),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn excerpt(text: &str) -> &str {
    let end = text.char_indices().nth(200).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// The registry's error answer as a [`RegistryError`], by Confluent code.
fn error_from(status: StatusCode, text: &str) -> RegistryError {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let code = body["error_code"]
        .as_u64()
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(u32::from(status.as_u16()));
    let message = body["message"]
        .as_str()
        .map_or_else(|| excerpt(text).to_owned(), str::to_owned);
    match code {
        40401 => RegistryError::SubjectNotFound(message),
        // The version and subject are only known at the call site
        // (`version` fills them in); elsewhere keep the server's words.
        40402 => RegistryError::Server {
            status: status.as_u16(),
            code,
            message,
        },
        40403 => RegistryError::SchemaNotFound(message),
        40404 => RegistryError::SubjectSoftDeleted(message),
        40405 => RegistryError::SubjectNotSoftDeleted(message),
        40408 => RegistryError::SubjectLevelNotConfigured(message),
        42201 => RegistryError::InvalidSchema(message),
        42202 => RegistryError::InvalidVersion(message),
        42203 => RegistryError::InvalidLevel(message),
        409 => RegistryError::Incompatible {
            subject: String::new(),
            messages: vec![message],
        },
        code => RegistryError::Server {
            status: status.as_u16(),
            code,
            message,
        },
    }
}

/// Percent-encodes one path segment (subjects may hold `/`, `%`, spaces).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn field<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, RegistryError> {
    serde_json::from_value(value.clone()).map_err(|e| RegistryError::Transport {
        url: String::new(),
        message: format!(
            "unexpected answer for {what} ({e}): {}",
            excerpt(&value.to_string())
        ),
    })
}

fn subject_version(value: &Value) -> Result<SubjectVersion, RegistryError> {
    field(value, "a subject version")
}

fn level_of(value: &Value) -> Result<Level, RegistryError> {
    let text = value["compatibilityLevel"]
        .as_str()
        .or_else(|| value["compatibility"].as_str())
        .ok_or_else(|| RegistryError::Transport {
            url: String::new(),
            message: format!("no level in {value}"),
        })?;
    text.parse()
        .map_err(|_| RegistryError::InvalidLevel(text.to_owned()))
}

impl SchemaRegistry for HttpRegistry {
    fn register<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<u32, RegistryError>> {
        async move {
            let path = format!("/subjects/{}/versions", segment(subject));
            let answer = self
                .call(Method::POST, &path, Some(json!({ "schema": schema })))
                .await;
            let answer = answer.map_err(|e| with_subject(e, subject))?;
            field(&answer["id"], "a registration")
        }
        .boxed()
    }

    fn lookup<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        async move {
            let path = format!("/subjects/{}", segment(subject));
            let answer = self
                .call(Method::POST, &path, Some(json!({ "schema": schema })))
                .await;
            subject_version(&answer.map_err(|e| with_subject(e, subject))?)
        }
        .boxed()
    }

    fn schema_by_id(&self, id: u32) -> BoxFuture<'_, Result<String, RegistryError>> {
        async move {
            let answer = self
                .call(Method::GET, &format!("/schemas/ids/{id}"), None)
                .await?;
            field(&answer["schema"], "a schema")
        }
        .boxed()
    }

    fn subjects(&self) -> BoxFuture<'_, Result<Vec<String>, RegistryError>> {
        async move {
            field(
                &self.call(Method::GET, "/subjects", None).await?,
                "the subjects",
            )
        }
        .boxed()
    }

    fn versions<'a>(&'a self, subject: &'a str) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        async move {
            let path = format!("/subjects/{}/versions", segment(subject));
            field(
                &self
                    .call(Method::GET, &path, None)
                    .await
                    .map_err(|e| with_subject(e, subject))?,
                "versions",
            )
        }
        .boxed()
    }

    fn version<'a>(
        &'a self,
        subject: &'a str,
        version: Version,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        async move {
            let path = format!("/subjects/{}/versions/{version}", segment(subject));
            let answer = self
                .call(Method::GET, &path, None)
                .await
                .map_err(|e| match e {
                    RegistryError::Server { code: 40402, .. } => RegistryError::VersionNotFound {
                        subject: subject.to_owned(),
                        version: version.to_string(),
                    },
                    e => with_subject(e, subject),
                })?;
            subject_version(&answer)
        }
        .boxed()
    }

    fn check_compatibility<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<CompatibilityReport, RegistryError>> {
        async move {
            let path = format!(
                "/compatibility/subjects/{}/versions?verbose=true",
                segment(subject)
            );
            let answer = match self
                .call(Method::POST, &path, Some(json!({ "schema": schema })))
                .await
            {
                Ok(answer) => answer,
                // A subject without versions accepts any schema.
                Err(
                    RegistryError::SubjectNotFound(_) | RegistryError::Server { code: 40402, .. },
                ) => {
                    return Ok(CompatibilityReport {
                        compatible: true,
                        messages: Vec::new(),
                    });
                }
                Err(e) => return Err(e),
            };
            Ok(CompatibilityReport {
                compatible: field(&answer["is_compatible"], "a compatibility check")?,
                messages: answer
                    .get("messages")
                    .map(|m| field(m, "messages"))
                    .transpose()?
                    .unwrap_or_default(),
            })
        }
        .boxed()
    }

    fn level<'a>(
        &'a self,
        subject: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Level, RegistryError>> {
        async move {
            let path = match subject {
                Some(s) => format!("/config/{}?defaultToGlobal=true", segment(s)),
                None => "/config".to_owned(),
            };
            level_of(&self.call(Method::GET, &path, None).await?)
        }
        .boxed()
    }

    fn set_level<'a>(
        &'a self,
        subject: Option<&'a str>,
        level: Level,
    ) -> BoxFuture<'a, Result<(), RegistryError>> {
        async move {
            let path = subject.map_or_else(
                || "/config".to_owned(),
                |s| format!("/config/{}", segment(s)),
            );
            self.call(
                Method::PUT,
                &path,
                Some(json!({ "compatibility": level.name() })),
            )
            .await?;
            Ok(())
        }
        .boxed()
    }

    fn delete_subject<'a>(
        &'a self,
        subject: &'a str,
        permanent: bool,
    ) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        async move {
            let path = format!("/subjects/{}?permanent={permanent}", segment(subject));
            field(
                &self
                    .call(Method::DELETE, &path, None)
                    .await
                    .map_err(|e| with_subject(e, subject))?,
                "deleted versions",
            )
        }
        .boxed()
    }
}

/// Fills in the subject where the server's message is all we have.
fn with_subject(error: RegistryError, subject: &str) -> RegistryError {
    match error {
        RegistryError::Incompatible { messages, .. } => RegistryError::Incompatible {
            subject: subject.to_owned(),
            messages,
        },
        RegistryError::SubjectNotFound(_) => RegistryError::SubjectNotFound(subject.to_owned()),
        e => e,
    }
}
