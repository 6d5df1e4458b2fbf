//! Command-line options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Schema-first domain events for Rust services on Apache Kafka.
#[derive(Debug, Parser)]
#[command(name = "schemabus", version, about)]
pub struct Opt {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Rust code generated from a schema directory (what build.rs compiles).
    Gen(GenArgs),
    /// Run the reference domain's debate flow and print it: in-process, or
    /// with `--kafka` one bus per bounded context talking through Kafka.
    Demo(DemoArgs),
    /// List the topics of every bounded context with partitions and end offsets.
    Topics(TopicsArgs),
    /// Show a consumer group's committed offsets and lag per partition.
    Lag(LagArgs),
    /// Check every schema against its recorded history (schemas.lock) or a
    /// git revision, at the configured compatibility level, plus lints.
    /// Exit codes: 0 compatible, 1 breaking changes, 2 usage or input errors.
    Check(CheckArgs),
    /// Record every changed schema as a new version in schemas.lock, if it
    /// passes the check. History is only ever appended to.
    Lock(LockArgs),
    /// Check one schema file against earlier versions given as files.
    /// Exit codes: 0 compatible, 1 breaking changes, 2 usage or input errors.
    Compat(CompatArgs),
    /// Run a schema registry with Confluent's REST API.
    Registry(RegistryArgs),
    /// Register every event schema under its subject in a registry.
    Register(RegisterArgs),
    /// Print the events of a bounded context's topic as JSON lines, Avro or
    /// JSON on the wire alike.
    Tail(TailArgs),
    /// Print one message value (Avro in the Confluent wire format, or
    /// CloudEvents JSON) as JSON, its schema looked up in the registry.
    Decode(DecodeArgs),
}

/// `schemabus register`
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The registry (default: KAFKA_SCHEMA_REGISTRY_URL).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// The schema root.
    #[arg(long, default_value = "schemas")]
    pub schemas: PathBuf,
    /// Only check: print what would be registered and whether the registry
    /// would accept it.
    #[arg(long)]
    pub dry_run: bool,
}

/// `schemabus tail`
#[derive(Debug, Args)]
pub struct TailArgs {
    /// The bounded context, e.g. `debate`.
    pub context: String,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// The registry for Avro records (default: KAFKA_SCHEMA_REGISTRY_URL,
    /// else the process's own embedded registry, which knows no ids).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// Read the topic from its start instead of from now on.
    #[arg(long)]
    pub from_beginning: bool,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    pub max: Option<usize>,
}

/// `schemabus decode`
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The file holding the value; standard input when absent or `-`.
    pub file: Option<PathBuf>,
    /// The input is hexadecimal text (whitespace ignored), not raw bytes.
    #[arg(long)]
    pub hex: bool,
    /// The registry (default: KAFKA_SCHEMA_REGISTRY_URL).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
}

/// `schemabus registry`
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RegistryCommand,
}

/// The `schemabus registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Serve Confluent Schema Registry's REST API (Avro schemas) over an
    /// embedded registry kept in a directory. Prints `listening on
    /// http://ADDR` once it accepts connections; runs until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

/// `schemabus registry serve`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("storage").required(true).args(["data", "in_memory"])))]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free port). Only loopback
    /// by default: name another address to be reachable from elsewhere.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub addr: std::net::SocketAddr,
    /// The directory the registry keeps its state in (created if missing).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Keep the registry in memory only: everything is lost on exit.
    #[arg(long)]
    pub in_memory: bool,
    /// Require HTTP basic authentication (default: SCHEMABUS_REGISTRY_BASIC_AUTH,
    /// then none).
    #[arg(long, value_name = "USER:PASSWORD")]
    pub basic_auth: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_body: usize,
}

/// `schemabus check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The configuration file (default: ./schemabus.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Also fail when a schema changed without a lock entry (the CI mode).
    #[arg(long)]
    pub locked: bool,
    /// Compare with the schemas at a git revision instead of the lock:
    /// `git:<ref>`, e.g. `git:origin/main`.
    #[arg(long, value_name = "git:REF", conflicts_with = "registry")]
    pub against: Option<String>,
    /// Compare with the versions registered in a schema registry (subjects
    /// named by record, as schemabus producers register them). Basic auth
    /// from KAFKA_SCHEMA_REGISTRY_USER_INFO=user:password.
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// Also write N random values with each checked version and read them
    /// with the other side (apache-avro's resolver as a second opinion).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub simulate: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `schemabus lock`
#[derive(Debug, Args)]
pub struct LockArgs {
    /// The configuration file (default: ./schemabus.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `schemabus compat`
#[derive(Debug, Args)]
pub struct CompatArgs {
    /// The new schema (.avsc, self-contained).
    pub new: PathBuf,
    /// Earlier versions, oldest first.
    #[arg(long, required = true, num_args = 1.., value_name = "OLD.avsc")]
    pub against: Vec<PathBuf>,
    /// The compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE,
    /// FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.
    #[arg(long, default_value = "BACKWARD")]
    pub level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// How a compatibility report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people: grouped by file, with the source line and a hint.
    Text,
    /// `{"compatible": bool, "findings": [...]}`.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// JUnit XML.
    Junit,
}

impl From<ReportFormat> for schemabus::compat::Format {
    fn from(format: ReportFormat) -> Self {
        match format {
            ReportFormat::Text => Self::Text,
            ReportFormat::Json => Self::Json,
            ReportFormat::Github => Self::Github,
            ReportFormat::Junit => Self::Junit,
        }
    }
}

/// Where the broker is and how topics are named.
#[derive(Debug, Args)]
pub struct KafkaArgs {
    /// Bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS, then localhost:9092).
    #[arg(long = "kafka", value_name = "BOOTSTRAP")]
    pub bootstrap: Option<String>,
    /// Topic prefix (default: KAFKA_TOPIC_PREFIX, then none).
    #[arg(long)]
    pub topic_prefix: Option<String>,
}

/// `schemabus topics`
#[derive(Debug, Args)]
pub struct TopicsArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// `schemabus lag`
#[derive(Debug, Args)]
pub struct LagArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// The consumer group.
    #[arg(long)]
    pub group: String,
}

/// `schemabus gen`
#[derive(Debug, Args)]
pub struct GenArgs {
    /// The schema root: every *.avsc below it is compiled.
    #[arg(long, default_value = "schemas")]
    pub schemas: PathBuf,
}

/// Wire format used by the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// CloudEvents JSON, structured mode.
    Json,
    /// Avro binary (the payload; metadata travels as CloudEvents attributes).
    Avro,
}

/// `schemabus demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of debate scenarios to run.
    #[arg(long, default_value_t = 3)]
    pub debates: u32,
    /// Format every event is encoded to and decoded from on its way.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Run each bounded context as its own bus connected only through the
    /// Kafka broker at BOOTSTRAP.
    #[arg(long = "kafka", value_name = "BOOTSTRAP")]
    pub kafka: Option<String>,
    /// Topic prefix for `--kafka` (default: a fresh `demo-<id>.` per run,
    /// so runs never see each other's events).
    #[arg(long, requires = "kafka")]
    pub topic_prefix: Option<String>,
}
