//! [`KafkaConfig`]: every setting of the Kafka pieces, from the environment,
//! a `.env` file, a TOML file or a builder.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rdkafka::ClientConfig;

use crate::registry::{HttpRegistry, HttpRegistryBuilder, RegistryError, SubjectNameStrategy};
use serde::Deserialize;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A setting has a value it cannot take.
    #[error("`{key}` is `{value}`: expected {expected}")]
    Invalid {
        /// The variable or key.
        key: String,
        /// The value given.
        value: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// A configuration file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `.env` line is not `KEY=VALUE`.
    #[error("{path}:{line}: expected `KEY=VALUE`")]
    EnvFileSyntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
    },
    /// A TOML file is malformed or has an unknown key.
    #[error("invalid TOML configuration: {0}")]
    Toml(#[from] toml::de::Error),
}

/// Compression of produced batches (`compression.type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// No compression.
    #[default]
    None,
    /// gzip.
    Gzip,
    /// Snappy.
    Snappy,
    /// LZ4.
    Lz4,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// librdkafka's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }
}

/// Acknowledgements a produce waits for (`acks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Acks {
    /// Every in-sync replica (`all`); required by idempotence.
    #[default]
    #[serde(rename = "all")]
    All,
    /// The partition leader only (`1`).
    #[serde(rename = "1")]
    Leader,
    /// None (`0`): fire and forget.
    #[serde(rename = "0")]
    None,
}

impl Acks {
    /// librdkafka's value for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Acks::All => "all",
            Acks::Leader => "1",
            Acks::None => "0",
        }
    }
}

/// Every setting of the Kafka pieces, from the environment, a `.env` file,
/// a TOML file or a builder.
///
/// # Environment variables
///
/// | variable | setting | default |
/// | --- | --- | --- |
/// | `KAFKA_BOOTSTRAP_SERVERS` | [`bootstrap_servers`](KafkaConfig::bootstrap_servers) | `localhost:9092` |
/// | `KAFKA_CLIENT_ID` | [`client_id`](KafkaConfig::client_id) | `schemabus` |
/// | `KAFKA_SERVICE` | [`service`](KafkaConfig::service) | the client id |
/// | `KAFKA_CONSUMER_GROUP` | [`consumer_group`](KafkaConfig::consumer_group) | `schemabus` |
/// | `KAFKA_TOPIC_PREFIX` | [`topic_prefix`](KafkaConfig::topic_prefix) | empty |
/// | `KAFKA_USE_AVRO` | [`use_avro`](KafkaConfig::use_avro) | `false` (JSON) |
/// | `KAFKA_SCHEMA_REGISTRY_URL` | [`schema_registry_url`](KafkaConfig::schema_registry_url), comma-separated for several | none: the embedded registry |
/// | `KAFKA_SCHEMA_REGISTRY_USER_INFO` | [`schema_registry_user_info`](KafkaConfig::schema_registry_user_info): `user:password` (redacted in `Debug`) | none |
/// | `KAFKA_SCHEMA_REGISTRY_CA_LOCATION` | [`schema_registry_ca_location`](KafkaConfig::schema_registry_ca_location) | none: the system's trust roots |
/// | `KAFKA_SCHEMA_REGISTRY_CERTIFICATE_LOCATION` | [`schema_registry_certificate_location`](KafkaConfig::schema_registry_certificate_location) | none |
/// | `KAFKA_SCHEMA_REGISTRY_KEY_LOCATION` | [`schema_registry_key_location`](KafkaConfig::schema_registry_key_location) | none |
/// | `KAFKA_SCHEMA_REGISTRY_DIR` | [`schema_registry_dir`](KafkaConfig::schema_registry_dir) | none: in memory |
/// | `KAFKA_SUBJECT_NAME_STRATEGY` | [`subject_name_strategy`](KafkaConfig::subject_name_strategy): `record`, `topic`, `topic_record` | `record` |
/// | `KAFKA_AUTO_REGISTER_SCHEMAS` | [`auto_register_schemas`](KafkaConfig::auto_register_schemas) | `true` |
/// | `KAFKA_USE_LATEST_VERSION` | [`use_latest_version`](KafkaConfig::use_latest_version) | `false` |
/// | `KAFKA_NUM_PARTITIONS` | [`num_partitions`](KafkaConfig::num_partitions) | `6` |
/// | `KAFKA_REPLICATION_FACTOR` | [`replication_factor`](KafkaConfig::replication_factor) | `1` |
/// | `KAFKA_BATCH_SIZE` | [`batch_size`](KafkaConfig::batch_size) (messages) | `10000` |
/// | `KAFKA_LINGER_MS` | [`linger_ms`](KafkaConfig::linger_ms) | `5` |
/// | `KAFKA_COMPRESSION` | [`compression`](KafkaConfig::compression): `none`, `gzip`, `snappy`, `lz4`, `zstd` | `none` |
/// | `KAFKA_ACKS` | [`acks`](KafkaConfig::acks): `all`, `1`, `0` | `all` |
/// | `KAFKA_IDEMPOTENCE` | [`idempotence`](KafkaConfig::idempotence) | `true` |
/// | `KAFKA_MESSAGE_TIMEOUT_MS` | [`message_timeout_ms`](KafkaConfig::message_timeout_ms) | `30000` |
/// | `KAFKA_ADMIN_TIMEOUT_MS` | [`admin_timeout_ms`](KafkaConfig::admin_timeout_ms) | `10000` |
/// | `KAFKA_SESSION_TIMEOUT_MS` | [`session_timeout_ms`](KafkaConfig::session_timeout_ms) | `6000` |
/// | `KAFKA_FETCH_WAIT_MAX_MS` | [`fetch_wait_max_ms`](KafkaConfig::fetch_wait_max_ms) | `10` |
/// | `KAFKA_FETCH_QUEUE_BACKOFF_MS` | [`fetch_queue_backoff_ms`](KafkaConfig::fetch_queue_backoff_ms) | `10` |
/// | `KAFKA_MAX_ATTEMPTS` | [`max_attempts`](KafkaConfig::max_attempts) | `3` |
/// | `KAFKA_RETRY_BACKOFF_MS` | [`retry_backoff_ms`](KafkaConfig::retry_backoff_ms) | `100` |
/// | `KAFKA_DEDUP_WINDOW` | [`dedup_window`](KafkaConfig::dedup_window) (event ids) | `100000` |
/// | `KAFKA_SPOOL_DIR` | [`spool_dir`](KafkaConfig::spool_dir) | `.schemabus/spool` |
/// | `KAFKA_SPOOL_MAX_BYTES` | [`spool_max_bytes`](KafkaConfig::spool_max_bytes) | `268435456` |
/// | `KAFKA_SECURITY_PROTOCOL` | `security.protocol` | librdkafka's (`plaintext`) |
/// | `KAFKA_SASL_MECHANISM` | `sasl.mechanism` | librdkafka's |
/// | `KAFKA_SASL_USERNAME` | `sasl.username` | none |
/// | `KAFKA_SASL_PASSWORD` | `sasl.password` (redacted in `Debug`) | none |
/// | `KAFKA_RDKAFKA_<KEY>` | any librdkafka property, `_` read as `.`: `KAFKA_RDKAFKA_SSL_CA_LOCATION` sets `ssl.ca.location` | none |
///
/// # Why these defaults
///
/// Measured against the test broker (see `BENCHMARKS.md`): librdkafka
/// pauses fetching for a second when its local queue fills
/// (`fetch.queue.backoff.ms`, 1000 by default), which halved consuming
/// throughput, so the default is 10 ms; `fetch.wait.max.ms` 500 (librdkafka's
/// default) put end-to-end p99 latency near 260 ms at 2,000 events/s, 10 ms
/// puts it at 30–50 ms; `linger.ms` 0 fell behind at 2,000 events/s, 5 ms
/// batches well without adding visible latency; consumer-group joins take
/// about `session.timeout.ms / 2`, so 6 s keeps restarts and tests quick.
/// The idempotent producer was measured at about 0.6× the plain rate on
/// the test broker; it is on by default because it is what keeps retries
/// from duplicating or reordering messages.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::kafka::{Compression, KafkaConfig};
///
/// let config = KafkaConfig::new("127.0.0.1:9092")
///     .topic_prefix("test.")
///     .compression(Compression::Lz4)
///     .linger_ms(2);
/// assert_eq!(config.producer_config().get("compression.type"), Some("lz4"));
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct KafkaConfig {
    /// Brokers to bootstrap from, comma-separated `host:port`.
    pub bootstrap_servers: String,
    /// `client.id` of every client; also names this instance's spool file,
    /// so give each process its own.
    pub client_id: String,
    /// The service this instance belongs to, written as the `ce_origin` of
    /// everything it produces; a bridge skips records of its own service
    /// (its bus delivered them already). Instances of one service share it;
    /// `None` uses the client id.
    pub service: Option<String>,
    /// Consumer group of consumers.
    pub consumer_group: String,
    /// Prefix of every topic name, e.g. `test.`.
    pub topic_prefix: String,
    /// Avro binary (Confluent wire format) when true, CloudEvents JSON when
    /// false. In TOML also `format = "avro"` or `format = "json"`.
    #[serde(alias = "format", deserialize_with = "avro_or_json")]
    pub use_avro: bool,
    /// URL of a Confluent-compatible schema registry (several separated by
    /// commas, tried in order). `None`: the process's embedded registry.
    pub schema_registry_url: Option<String>,
    /// `user:password` for the registry's HTTP basic authentication.
    pub schema_registry_user_info: Option<String>,
    /// PEM file of the CA certificates trusted for an `https://` registry
    /// instead of the system's (a private CA).
    pub schema_registry_ca_location: Option<PathBuf>,
    /// PEM file of the client certificate presented to an `https://`
    /// registry that asks for one (mutual TLS); needs the key too.
    pub schema_registry_certificate_location: Option<PathBuf>,
    /// PEM file of the private key of
    /// [`schema_registry_certificate_location`](Self::schema_registry_certificate_location).
    pub schema_registry_key_location: Option<PathBuf>,
    /// Where the embedded registry keeps its state when no URL is set;
    /// `None` keeps it in memory (one registry per process).
    pub schema_registry_dir: Option<PathBuf>,
    /// The subject each event's schema is registered under.
    pub subject_name_strategy: SubjectNameStrategy,
    /// Producers register their schemas (true), or only look them up.
    pub auto_register_schemas: bool,
    /// Producers use the id of the subject's latest version, which must be
    /// their own schema, instead of registering or looking it up by schema.
    pub use_latest_version: bool,
    /// Partitions of topics this crate creates.
    pub num_partitions: i32,
    /// Replication factor of topics this crate creates.
    pub replication_factor: i32,
    /// Per event type (full Avro name) topic overrides.
    pub topics: BTreeMap<String, String>,
    /// Most messages in one produce batch (`batch.num.messages`).
    pub batch_size: u32,
    /// How long the producer waits to fill a batch (`linger.ms`).
    pub linger_ms: u32,
    /// Batch compression.
    pub compression: Compression,
    /// Acknowledgements to wait for.
    pub acks: Acks,
    /// Idempotent producer: retries neither duplicate nor reorder.
    pub idempotence: bool,
    /// How long a message may wait for delivery before it fails (`message.timeout.ms`).
    pub message_timeout_ms: u32,
    /// How long creating topics may take before it fails.
    pub admin_timeout_ms: u32,
    /// Consumer session timeout (`session.timeout.ms`).
    pub session_timeout_ms: u32,
    /// How long the broker may hold a fetch waiting for data (`fetch.wait.max.ms`).
    pub fetch_wait_max_ms: u32,
    /// Pause after the local fetch queue fills (`fetch.queue.backoff.ms`).
    pub fetch_queue_backoff_ms: u32,
    /// Handling attempts of one message before it goes to the dead-letter topic.
    pub max_attempts: u32,
    /// Backoff after the first failed attempt; doubled after each further one.
    pub retry_backoff_ms: u32,
    /// How many recent event ids consumers remember to drop duplicates.
    pub dedup_window: usize,
    /// Directory of the hybrid bus's spool for events the broker could not take.
    pub spool_dir: PathBuf,
    /// Largest spool; publishing to Kafka fails beyond it rather than drop events.
    pub spool_max_bytes: u64,
    /// Further librdkafka properties (security, tuning), applied last to every client.
    pub rdkafka: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            bootstrap_servers: "localhost:9092".to_owned(),
            client_id: "schemabus".to_owned(),
            service: None,
            consumer_group: "schemabus".to_owned(),
            topic_prefix: String::new(),
            use_avro: false,
            schema_registry_url: None,
            schema_registry_user_info: None,
            schema_registry_ca_location: None,
            schema_registry_certificate_location: None,
            schema_registry_key_location: None,
            schema_registry_dir: None,
            subject_name_strategy: SubjectNameStrategy::RecordName,
            auto_register_schemas: true,
            use_latest_version: false,
            num_partitions: 6,
            replication_factor: 1,
            topics: BTreeMap::new(),
            batch_size: 10_000,
            linger_ms: 5,
            compression: Compression::None,
            acks: Acks::All,
            idempotence: true,
            message_timeout_ms: 30_000,
            admin_timeout_ms: 10_000,
            session_timeout_ms: 6_000,
            fetch_wait_max_ms: 10,
            fetch_queue_backoff_ms: 10,
            max_attempts: 3,
            retry_backoff_ms: 100,
            dedup_window: 100_000,
            spool_dir: PathBuf::from(".schemabus/spool"),
            spool_max_bytes: 256 * 1024 * 1024,
            rdkafka: BTreeMap::new(),
        }
    }
}

/// librdkafka keys whose values `Debug` hides.
fn is_secret(key: &str) -> bool {
    key.contains("password")
        || key.contains("secret")
        || key.ends_with(".pem")
        || key.contains("key")
}

impl fmt::Debug for KafkaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rdkafka: BTreeMap<&str, &str> = self
            .rdkafka
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if is_secret(k) {
                        "<redacted>"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("KafkaConfig")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("client_id", &self.client_id)
            .field("service", &self.service)
            .field("consumer_group", &self.consumer_group)
            .field("topic_prefix", &self.topic_prefix)
            .field("use_avro", &self.use_avro)
            .field("schema_registry_url", &self.schema_registry_url)
            .field(
                "schema_registry_user_info",
                &self
                    .schema_registry_user_info
                    .as_ref()
                    .map(|_| "<redacted>"),
            )
            .field(
                "schema_registry_ca_location",
                &self.schema_registry_ca_location,
            )
            .field(
                "schema_registry_certificate_location",
                &self.schema_registry_certificate_location,
            )
            .field(
                "schema_registry_key_location",
                &self.schema_registry_key_location,
            )
            .field("schema_registry_dir", &self.schema_registry_dir)
            .field("subject_name_strategy", &self.subject_name_strategy)
            .field("auto_register_schemas", &self.auto_register_schemas)
            .field("use_latest_version", &self.use_latest_version)
            .field("num_partitions", &self.num_partitions)
            .field("topics", &self.topics)
            .field("batch_size", &self.batch_size)
            .field("linger_ms", &self.linger_ms)
            .field("compression", &self.compression)
            .field("acks", &self.acks)
            .field("idempotence", &self.idempotence)
            .field("max_attempts", &self.max_attempts)
            .field("spool_dir", &self.spool_dir)
            .field("rdkafka", &rdkafka)
            .finish_non_exhaustive()
    }
}

/// Builder setters; `into` ones take anything that converts (strings,
/// paths), the others their exact type so integer literals infer.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
    (into $($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                self.$name = value.into();
                self
            }
        )*
    };
}

impl KafkaConfig {
    /// The defaults, with `bootstrap_servers`.
    pub fn new(bootstrap_servers: impl Into<String>) -> Self {
        KafkaConfig {
            bootstrap_servers: bootstrap_servers.into(),
            ..KafkaConfig::default()
        }
    }

    setters! {
        into
        /// Sets [`bootstrap_servers`](Self::bootstrap_servers).
        bootstrap_servers: String,
        /// Sets [`client_id`](Self::client_id).
        client_id: String,
        /// Sets [`consumer_group`](Self::consumer_group).
        consumer_group: String,
        /// Sets [`topic_prefix`](Self::topic_prefix).
        topic_prefix: String,
        /// Sets [`spool_dir`](Self::spool_dir).
        spool_dir: PathBuf,
    }

    setters! {
        /// Sets [`use_avro`](Self::use_avro).
        use_avro: bool,
        /// Sets [`subject_name_strategy`](Self::subject_name_strategy).
        subject_name_strategy: SubjectNameStrategy,
        /// Sets [`auto_register_schemas`](Self::auto_register_schemas).
        auto_register_schemas: bool,
        /// Sets [`use_latest_version`](Self::use_latest_version).
        use_latest_version: bool,
        /// Sets [`num_partitions`](Self::num_partitions).
        num_partitions: i32,
        /// Sets [`batch_size`](Self::batch_size).
        batch_size: u32,
        /// Sets [`linger_ms`](Self::linger_ms).
        linger_ms: u32,
        /// Sets [`compression`](Self::compression).
        compression: Compression,
        /// Sets [`acks`](Self::acks).
        acks: Acks,
        /// Sets [`idempotence`](Self::idempotence).
        idempotence: bool,
        /// Sets [`message_timeout_ms`](Self::message_timeout_ms).
        message_timeout_ms: u32,
        /// Sets [`admin_timeout_ms`](Self::admin_timeout_ms).
        admin_timeout_ms: u32,
        /// Sets [`session_timeout_ms`](Self::session_timeout_ms).
        session_timeout_ms: u32,
        /// Sets [`max_attempts`](Self::max_attempts).
        max_attempts: u32,
        /// Sets [`retry_backoff_ms`](Self::retry_backoff_ms).
        retry_backoff_ms: u32,
        /// Sets [`dedup_window`](Self::dedup_window).
        dedup_window: usize,
        /// Sets [`spool_max_bytes`](Self::spool_max_bytes).
        spool_max_bytes: u64,
    }

    /// Sets [`schema_registry_url`](Self::schema_registry_url).
    #[must_use]
    pub fn schema_registry_url(mut self, url: impl Into<String>) -> Self {
        self.schema_registry_url = Some(url.into());
        self
    }

    /// Sets [`schema_registry_dir`](Self::schema_registry_dir).
    #[must_use]
    pub fn schema_registry_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schema_registry_dir = Some(dir.into());
        self
    }

    /// The HTTP registry these settings name, if
    /// [`schema_registry_url`](Self::schema_registry_url) is set: its URLs,
    /// basic auth and TLS files.
    ///
    /// # Errors
    ///
    /// As [`HttpRegistryBuilder::from_settings`] and
    /// [`HttpRegistryBuilder::build`]; a certificate without a key, or a key
    /// without a certificate.
    pub fn http_registry(&self) -> Result<Option<HttpRegistry>, RegistryError> {
        let Some(urls) = &self.schema_registry_url else {
            return Ok(None);
        };
        let mut builder =
            HttpRegistryBuilder::from_settings(urls, self.schema_registry_user_info.as_deref())?;
        if let Some(ca) = &self.schema_registry_ca_location {
            builder = builder.ca_certificate_file(ca);
        }
        match (
            &self.schema_registry_certificate_location,
            &self.schema_registry_key_location,
        ) {
            (Some(certificate), Some(key)) => {
                builder = builder.client_certificate_files(certificate, key);
            }
            (None, None) => {}
            _ => {
                return Err(RegistryError::Transport {
                    url: urls.clone(),
                    message: "a client certificate needs both \
                              `schema_registry_certificate_location` and \
                              `schema_registry_key_location` \
                              (KAFKA_SCHEMA_REGISTRY_CERTIFICATE_LOCATION, \
                              KAFKA_SCHEMA_REGISTRY_KEY_LOCATION)"
                        .to_owned(),
                })
            }
        }
        builder.build().map(Some)
    }

    /// Sets [`service`](Self::service).
    #[must_use]
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// The origin written into `ce_origin`: the service, or the client id.
    pub fn origin(&self) -> &str {
        self.service.as_deref().unwrap_or(&self.client_id)
    }

    /// The topic of every event of `catalog` under this configuration's
    /// prefix and overrides.
    pub fn topic_mapper(&self, catalog: &crate::catalog::Catalog) -> crate::topic::TopicMapper {
        crate::topic::TopicMapper::with_overrides(catalog, &self.topic_prefix, &self.topics)
    }

    /// Sends events of `event_type` (full Avro name) to `topic` instead of
    /// their context's topic.
    #[must_use]
    pub fn topic_for(mut self, event_type: impl Into<String>, topic: impl Into<String>) -> Self {
        self.topics.insert(event_type.into(), topic.into());
        self
    }

    /// Sets a librdkafka property on every client, e.g.
    /// `("security.protocol", "sasl_ssl")`.
    #[must_use]
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.rdkafka.insert(key.into(), value.into());
        self
    }

    /// The defaults overridden by the process environment (see the module docs).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a value of the wrong form.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut config = KafkaConfig::default();
        config.apply_vars(std::env::vars())?;
        Ok(config)
    }

    /// The defaults overridden by the `KAFKA_*` entries of a `.env` file,
    /// then by the process environment (which wins, as with dotenv).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Io`], [`ConfigError::EnvFileSyntax`], or
    /// [`ConfigError::Invalid`].
    pub fn from_env_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut config = KafkaConfig::default();
        config.apply_vars(parse_env_file(path, &text)?)?;
        config.apply_vars(std::env::vars())?;
        Ok(config)
    }

    /// Settings from TOML: the field names of this struct, e.g.
    /// `bootstrap_servers = "kafka:9092"`, `compression = "zstd"`,
    /// `[topics]` and `[rdkafka]` tables. Missing keys keep their defaults.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Toml`] for malformed TOML and unknown keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::kafka::{Acks, KafkaConfig};
    ///
    /// let config = KafkaConfig::from_toml(r#"
    ///     bootstrap_servers = "kafka:9092"
    ///     acks = "1"
    ///     [rdkafka]
    ///     "socket.keepalive.enable" = "true"
    /// "#)?;
    /// assert_eq!(config.acks, Acks::Leader);
    /// # Ok::<(), schemabus_runtime::kafka::ConfigError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Ok(toml::from_str(text)?)
    }

    /// [`from_toml`](Self::from_toml) of a file.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Io`] and [`ConfigError::Toml`].
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// Applies `KAFKA_*` variables; others are ignored.
    fn apply_vars(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (key, value) in vars {
            if let Some(property) = key.strip_prefix("KAFKA_RDKAFKA_") {
                self.rdkafka
                    .insert(property.to_ascii_lowercase().replace('_', "."), value);
                continue;
            }
            let v = Value {
                key: &key,
                value: &value,
            };
            match key.as_str() {
                "KAFKA_BOOTSTRAP_SERVERS" => self.bootstrap_servers = value.clone(),
                "KAFKA_CLIENT_ID" => self.client_id = value.clone(),
                "KAFKA_SERVICE" => self.service = Some(value.clone()).filter(|s| !s.is_empty()),
                "KAFKA_CONSUMER_GROUP" => self.consumer_group = value.clone(),
                "KAFKA_TOPIC_PREFIX" => self.topic_prefix = value.clone(),
                "KAFKA_USE_AVRO" => self.use_avro = v.boolean()?,
                "KAFKA_SCHEMA_REGISTRY_URL" => {
                    self.schema_registry_url = Some(value.clone()).filter(|s| !s.is_empty())
                }
                "KAFKA_SCHEMA_REGISTRY_USER_INFO" => {
                    self.schema_registry_user_info = Some(value.clone()).filter(|s| !s.is_empty())
                }
                "KAFKA_SCHEMA_REGISTRY_DIR" => self.schema_registry_dir = path(&value),
                "KAFKA_SCHEMA_REGISTRY_CA_LOCATION" => {
                    self.schema_registry_ca_location = path(&value)
                }
                "KAFKA_SCHEMA_REGISTRY_CERTIFICATE_LOCATION" => {
                    self.schema_registry_certificate_location = path(&value)
                }
                "KAFKA_SCHEMA_REGISTRY_KEY_LOCATION" => {
                    self.schema_registry_key_location = path(&value)
                }
                "KAFKA_SUBJECT_NAME_STRATEGY" => {
                    self.subject_name_strategy = value
                        .parse()
                        .map_err(|_| v.invalid("`record`, `topic` or `topic_record`"))?
                }
                "KAFKA_AUTO_REGISTER_SCHEMAS" => self.auto_register_schemas = v.boolean()?,
                "KAFKA_USE_LATEST_VERSION" => self.use_latest_version = v.boolean()?,
                "KAFKA_NUM_PARTITIONS" => self.num_partitions = v.number()?,
                "KAFKA_REPLICATION_FACTOR" => self.replication_factor = v.number()?,
                "KAFKA_BATCH_SIZE" => self.batch_size = v.number()?,
                "KAFKA_LINGER_MS" => self.linger_ms = v.number()?,
                "KAFKA_COMPRESSION" => self.compression = v.choice()?,
                "KAFKA_ACKS" => self.acks = v.choice()?,
                "KAFKA_IDEMPOTENCE" => self.idempotence = v.boolean()?,
                "KAFKA_MESSAGE_TIMEOUT_MS" => self.message_timeout_ms = v.number()?,
                "KAFKA_ADMIN_TIMEOUT_MS" => self.admin_timeout_ms = v.number()?,
                "KAFKA_SESSION_TIMEOUT_MS" => self.session_timeout_ms = v.number()?,
                "KAFKA_FETCH_WAIT_MAX_MS" => self.fetch_wait_max_ms = v.number()?,
                "KAFKA_FETCH_QUEUE_BACKOFF_MS" => self.fetch_queue_backoff_ms = v.number()?,
                "KAFKA_MAX_ATTEMPTS" => self.max_attempts = v.number()?,
                "KAFKA_RETRY_BACKOFF_MS" => self.retry_backoff_ms = v.number()?,
                "KAFKA_DEDUP_WINDOW" => self.dedup_window = v.number()?,
                "KAFKA_SPOOL_DIR" => self.spool_dir = PathBuf::from(&value),
                "KAFKA_SPOOL_MAX_BYTES" => self.spool_max_bytes = v.number()?,
                "KAFKA_SECURITY_PROTOCOL" => self.put("security.protocol", value),
                "KAFKA_SASL_MECHANISM" => self.put("sasl.mechanism", value),
                "KAFKA_SASL_USERNAME" => self.put("sasl.username", value),
                "KAFKA_SASL_PASSWORD" => self.put("sasl.password", value),
                _ => {}
            }
        }
        Ok(())
    }

    fn put(&mut self, key: &str, value: String) {
        self.rdkafka.insert(key.to_owned(), value);
    }

    fn base(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.bootstrap_servers)
            .set("client.id", &self.client_id);
        c
    }

    fn finish(&self, mut c: ClientConfig) -> ClientConfig {
        for (key, value) in &self.rdkafka {
            c.set(key, value);
        }
        c
    }

    /// The librdkafka configuration of producers.
    pub fn producer_config(&self) -> ClientConfig {
        let mut c = self.base();
        c.set("batch.num.messages", self.batch_size.to_string())
            .set("linger.ms", self.linger_ms.to_string())
            .set("compression.type", self.compression.as_str())
            .set("acks", self.acks.as_str())
            .set("enable.idempotence", self.idempotence.to_string())
            .set("message.timeout.ms", self.message_timeout_ms.to_string());
        self.finish(c)
    }

    /// The librdkafka configuration of consumers in `group`: offsets are
    /// stored by the consumer after handling and committed in the
    /// background, on rebalance and on close.
    pub fn consumer_config(&self, group: &str) -> ClientConfig {
        let mut c = self.base();
        c.set("group.id", group)
            .set("enable.auto.commit", "true")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", self.session_timeout_ms.to_string())
            .set(
                "heartbeat.interval.ms",
                (self.session_timeout_ms / 3).max(1).to_string(),
            )
            .set("fetch.wait.max.ms", self.fetch_wait_max_ms.to_string())
            .set(
                "fetch.queue.backoff.ms",
                self.fetch_queue_backoff_ms.to_string(),
            );
        self.finish(c)
    }

    /// The librdkafka configuration of admin and metadata clients.
    pub fn admin_config(&self) -> ClientConfig {
        self.finish(self.base())
    }
}

/// An empty variable means "not set".
fn path(value: &str) -> Option<PathBuf> {
    Some(PathBuf::from(value)).filter(|_| !value.is_empty())
}

/// `use_avro` from TOML: a boolean, or `format = "avro" | "json"`.
fn avro_or_json<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Bool(bool),
        Name(String),
    }
    match Either::deserialize(d)? {
        Either::Bool(b) => Ok(b),
        Either::Name(name) => match name.to_ascii_lowercase().as_str() {
            "avro" => Ok(true),
            "json" => Ok(false),
            _ => Err(serde::de::Error::custom(format!(
                "format `{name}`: expected `avro` or `json`"
            ))),
        },
    }
}

/// One variable being parsed, for errors that name it.
struct Value<'a> {
    key: &'a str,
    value: &'a str,
}

impl Value<'_> {
    fn invalid(&self, expected: &'static str) -> ConfigError {
        ConfigError::Invalid {
            key: self.key.to_owned(),
            value: self.value.to_owned(),
            expected,
        }
    }

    fn boolean(&self) -> Result<bool, ConfigError> {
        match self.value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(self.invalid("true or false")),
        }
    }

    fn number<T: std::str::FromStr>(&self) -> Result<T, ConfigError> {
        self.value
            .trim()
            .parse()
            .map_err(|_| self.invalid("a non-negative whole number"))
    }

    fn choice<T: for<'de> Deserialize<'de>>(&self) -> Result<T, ConfigError> {
        let text = self.value.trim().to_ascii_lowercase();
        T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(&text))
            .map_err(|_| self.invalid("one of the documented values"))
    }
}

/// `KEY=VALUE` lines; `#` comments, blank lines, `export ` and quotes allowed.
fn parse_env_file(path: &Path, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(ConfigError::EnvFileSyntax {
                path: path.to_owned(),
                line: i + 1,
            });
        };
        let value = value.trim();
        let value = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        vars.push((key.trim().to_owned(), value.to_owned()));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_vars_override_defaults_and_reach_librdkafka() {
        let mut c = KafkaConfig::default();
        c.apply_vars([
            ("KAFKA_BOOTSTRAP_SERVERS".to_owned(), "k:1".to_owned()),
            ("KAFKA_COMPRESSION".to_owned(), "ZSTD".to_owned()),
            ("KAFKA_ACKS".to_owned(), "1".to_owned()),
            ("KAFKA_IDEMPOTENCE".to_owned(), "false".to_owned()),
            ("KAFKA_LINGER_MS".to_owned(), "7".to_owned()),
            ("KAFKA_SASL_PASSWORD".to_owned(), "hunter2".to_owned()),
            (
                "KAFKA_RDKAFKA_SSL_CA_LOCATION".to_owned(),
                "/ca.pem".to_owned(),
            ),
            ("PATH".to_owned(), "/bin".to_owned()),
            (
                "KAFKA_SCHEMA_REGISTRY_CA_LOCATION".to_owned(),
                "/ca.pem".to_owned(),
            ),
            (
                "KAFKA_SCHEMA_REGISTRY_CERTIFICATE_LOCATION".to_owned(),
                "/client.pem".to_owned(),
            ),
            (
                "KAFKA_SCHEMA_REGISTRY_KEY_LOCATION".to_owned(),
                String::new(),
            ),
        ])
        .unwrap();
        assert_eq!(c.schema_registry_ca_location, Some("/ca.pem".into()));
        assert_eq!(
            c.schema_registry_certificate_location,
            Some("/client.pem".into())
        );
        assert_eq!(c.schema_registry_key_location, None, "empty is unset");
        let p = c.producer_config();
        assert_eq!(p.get("bootstrap.servers"), Some("k:1"));
        assert_eq!(p.get("compression.type"), Some("zstd"));
        assert_eq!(p.get("acks"), Some("1"));
        assert_eq!(p.get("enable.idempotence"), Some("false"));
        assert_eq!(p.get("linger.ms"), Some("7"));
        assert_eq!(p.get("sasl.password"), Some("hunter2"));
        assert_eq!(
            c.consumer_config("g").get("ssl.ca.location"),
            Some("/ca.pem")
        );
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let mut c = KafkaConfig::default();
        let err = c
            .apply_vars([("KAFKA_NUM_PARTITIONS".to_owned(), "six".to_owned())])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`KAFKA_NUM_PARTITIONS` is `six`: expected a non-negative whole number"
        );
        let err = c
            .apply_vars([("KAFKA_COMPRESSION".to_owned(), "brotli".to_owned())])
            .unwrap_err();
        assert!(err.to_string().contains("KAFKA_COMPRESSION"), "{err}");
    }

    #[test]
    fn env_files_allow_comments_quotes_and_export() {
        let vars = parse_env_file(
            Path::new(".env"),
            "# comment\n\nexport KAFKA_CLIENT_ID=\"svc a\"\nKAFKA_TOPIC_PREFIX='t.'\n",
        )
        .unwrap();
        assert_eq!(
            vars,
            [
                ("KAFKA_CLIENT_ID".to_owned(), "svc a".to_owned()),
                ("KAFKA_TOPIC_PREFIX".to_owned(), "t.".to_owned())
            ]
        );
        let err = parse_env_file(Path::new(".env"), "OK=1\nnot a pair\n").unwrap_err();
        assert_eq!(err.to_string(), ".env:2: expected `KEY=VALUE`");
    }

    #[test]
    fn toml_rejects_unknown_keys() {
        let err = KafkaConfig::from_toml("bootstrap = \"x\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown field `bootstrap`"),
            "{err}"
        );
        let c =
            KafkaConfig::from_toml("compression = \"gzip\"\n[topics]\n\"a.B\" = \"b\"").unwrap();
        assert_eq!(c.compression, Compression::Gzip);
        assert_eq!(c.topics["a.B"], "b");
    }
}
