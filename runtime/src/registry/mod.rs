//! Schema registries: where schemas get their ids.
//!
//! Avro messages in the Confluent wire format carry a 4-byte schema id
//! instead of the schema; a registry maps subjects (named by a
//! [`SubjectNameStrategy`]) to versions of a schema, and ids to schemas.
//!
//! - [`SchemaRegistry`] is the interface, the subset of Confluent Schema
//!   Registry's REST API that producers, consumers and `schemabus` use.
//! - [`EmbeddedRegistry`] keeps the registry in-process and in a directory
//!   (the default when no registry URL is configured); it has Confluent's
//!   semantics — global ids, versions per subject, soft and permanent
//!   deletes, compatibility levels checked by [`crate::compat`].
//! - `HttpRegistry` (feature `registry`) talks to any registry with
//!   Confluent's API: Confluent, Karapace, Redpanda, Apicurio (its
//!   compatible API) or `schemabus registry serve` (the `server` module,
//!   feature `registry` too).
//! - [`CachedRegistry`] wraps any of them: ids and schemas are immutable
//!   once known, so after warm-up no message needs a registry call, and
//!   concurrent misses for one key make one request.

mod cache;
mod embedded;
mod error;
#[cfg(feature = "registry")]
#[cfg_attr(docsrs, doc(cfg(feature = "registry")))]
mod http;
#[cfg(feature = "registry")]
#[cfg_attr(docsrs, doc(cfg(feature = "registry")))]
pub mod server;
mod subject;

use std::fmt;

use futures_util::future::BoxFuture;

pub use cache::CachedRegistry;
pub use embedded::EmbeddedRegistry;
pub use error::RegistryError;
#[cfg(feature = "registry")]
pub use http::{HttpRegistry, HttpRegistryBuilder};
pub use subject::{SubjectNameStrategy, UnknownStrategy};

use crate::compat::Level;

/// One version of a subject; in JSON, the body Confluent's API answers
/// with (`subject`, `id`, `version`, `schema`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The schema's global id.
    pub id: u32,
    /// The version within the subject, from 1.
    pub version: u32,
    /// The schema text.
    pub schema: String,
}

/// Which version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The latest (non-deleted) version.
    Latest,
    /// A version number.
    Number(u32),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Number(n) => write!(f, "{n}"),
        }
    }
}

/// The answer of a compatibility check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompatibilityReport {
    /// Whether the schema may be registered.
    pub compatible: bool,
    /// Why not, one message per incompatibility (Confluent's verbose form).
    pub messages: Vec<String>,
}

/// A schema registry with Confluent's semantics.
///
/// Methods return boxed futures so the trait can be used as
/// `Arc<dyn SchemaRegistry>`. Errors keep Confluent's error codes
/// ([`RegistryError::code`]).
pub trait SchemaRegistry: Send + Sync + fmt::Debug {
    /// Registers `schema` under `subject` and returns its id; a schema
    /// already registered under the subject returns its existing id.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Incompatible`] when the subject's compatibility
    /// level rejects it, [`RegistryError::InvalidSchema`], transport errors.
    fn register<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<u32, RegistryError>>;

    /// The version of `subject` whose schema is `schema`.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`], [`RegistryError::SchemaNotFound`].
    fn lookup<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>>;

    /// The schema with global id `id`.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SchemaNotFound`].
    fn schema_by_id(&self, id: u32) -> BoxFuture<'_, Result<String, RegistryError>>;

    /// Every subject with at least one live version.
    fn subjects(&self) -> BoxFuture<'_, Result<Vec<String>, RegistryError>>;

    /// The live versions of `subject`, ascending.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`].
    fn versions<'a>(&'a self, subject: &'a str) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>>;

    /// One version of `subject`.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`], [`RegistryError::VersionNotFound`].
    fn version<'a>(
        &'a self,
        subject: &'a str,
        version: Version,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>>;

    /// Whether `schema` could be registered under `subject` at its
    /// compatibility level (a subject without versions accepts anything).
    ///
    /// # Errors
    ///
    /// [`RegistryError::InvalidSchema`], transport errors.
    fn check_compatibility<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<CompatibilityReport, RegistryError>>;

    /// The compatibility level of `subject`, or the global one for `None`.
    fn level<'a>(&'a self, subject: Option<&'a str>)
        -> BoxFuture<'a, Result<Level, RegistryError>>;

    /// Sets the compatibility level of `subject`, or the global one.
    fn set_level<'a>(
        &'a self,
        subject: Option<&'a str>,
        level: Level,
    ) -> BoxFuture<'a, Result<(), RegistryError>>;

    /// Deletes `subject`'s versions (soft unless `permanent`; a permanent
    /// delete needs a soft one first); returns the versions deleted.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`].
    fn delete_subject<'a>(
        &'a self,
        subject: &'a str,
        permanent: bool,
    ) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>>;
}
