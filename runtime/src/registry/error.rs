//! Registry errors, keeping Confluent's error codes.

/// A registry operation failed.
///
/// Cloneable, so one failed request can answer everyone who waited on it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Confluent 40401.
    #[error("subject `{0}` not found")]
    SubjectNotFound(String),
    /// Confluent 40402.
    #[error("version {version} of subject `{subject}` not found")]
    VersionNotFound {
        /// The subject.
        subject: String,
        /// The version asked for.
        version: String,
    },
    /// Confluent 40403.
    #[error("schema not found: {0}")]
    SchemaNotFound(String),
    /// Confluent 40404: the subject's versions are all soft-deleted already;
    /// delete it with `permanent` to remove it for good.
    #[error("subject `{0}` was soft deleted; delete it permanently to remove it")]
    SubjectSoftDeleted(String),
    /// Confluent 40405: a permanent delete of a subject that still has live
    /// versions (soft-delete it first).
    #[error("subject `{0}` was not soft deleted before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// Confluent 40406: the version is soft-deleted already; delete it with
    /// `permanent` to remove it for good.
    #[error("version {version} of subject `{subject}` was soft deleted; delete it permanently to remove it")]
    VersionSoftDeleted {
        /// The subject.
        subject: String,
        /// The version.
        version: u32,
    },
    /// Confluent 40407: a permanent delete of a live version (soft-delete it
    /// first).
    #[error("version {version} of subject `{subject}` was not soft deleted before being permanently deleted")]
    VersionNotSoftDeleted {
        /// The subject.
        subject: String,
        /// The version.
        version: u32,
    },
    /// Confluent 40408: the subject has no compatibility level of its own
    /// (it uses the global one).
    #[error("subject `{0}` has no subject-level compatibility configured")]
    SubjectLevelNotConfigured(String),
    /// Confluent 42201.
    #[error("invalid schema: {0}")]
    InvalidSchema(String),
    /// Confluent 42202.
    #[error("invalid version `{0}`")]
    InvalidVersion(String),
    /// Confluent 42203.
    #[error("invalid compatibility level `{0}`")]
    InvalidLevel(String),
    /// HTTP 409: the schema breaks the subject's compatibility level.
    #[error("schema is incompatible with subject `{subject}`: {}", messages.join("; "))]
    Incompatible {
        /// The subject.
        subject: String,
        /// One message per incompatibility.
        messages: Vec<String>,
    },
    /// Any other error answer of a registry server.
    #[error("registry answered {status} (error code {code}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// Confluent's `error_code`.
        code: u32,
        /// Its `message`.
        message: String,
    },
    /// The registry could not be reached or answered nonsense.
    #[error("registry at {url}: {message}")]
    Transport {
        /// The URL tried (the last one, with several).
        url: String,
        /// What went wrong.
        message: String,
    },
    /// Confluent 50001: the embedded registry could not read or write its
    /// directory, or found a corrupt state file there.
    #[error("registry storage {path}: {source}")]
    Storage {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
}

impl RegistryError {
    /// Confluent's error code for this error (`40401` …), where it has one.
    pub fn code(&self) -> Option<u32> {
        Some(match self {
            RegistryError::SubjectNotFound(_) => 40401,
            RegistryError::VersionNotFound { .. } => 40402,
            RegistryError::SchemaNotFound(_) => 40403,
            RegistryError::SubjectSoftDeleted(_) => 40404,
            RegistryError::SubjectNotSoftDeleted(_) => 40405,
            RegistryError::VersionSoftDeleted { .. } => 40406,
            RegistryError::VersionNotSoftDeleted { .. } => 40407,
            RegistryError::SubjectLevelNotConfigured(_) => 40408,
            RegistryError::InvalidSchema(_) => 42201,
            RegistryError::InvalidVersion(_) => 42202,
            RegistryError::InvalidLevel(_) => 42203,
            RegistryError::Incompatible { .. } => 409,
            RegistryError::Server { code, .. } => *code,
            RegistryError::Storage { .. } => 50001,
            RegistryError::Transport { .. } => return None,
        })
    }

    /// The HTTP status Confluent answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            RegistryError::SubjectNotFound(_)
            | RegistryError::VersionNotFound { .. }
            | RegistryError::SchemaNotFound(_)
            | RegistryError::SubjectSoftDeleted(_)
            | RegistryError::SubjectNotSoftDeleted(_)
            | RegistryError::VersionSoftDeleted { .. }
            | RegistryError::VersionNotSoftDeleted { .. }
            | RegistryError::SubjectLevelNotConfigured(_) => 404,
            RegistryError::InvalidSchema(_)
            | RegistryError::InvalidVersion(_)
            | RegistryError::InvalidLevel(_) => 422,
            RegistryError::Incompatible { .. } => 409,
            RegistryError::Server { status, .. } => *status,
            RegistryError::Transport { .. } | RegistryError::Storage { .. } => 500,
        }
    }
}
