//! Interop with Confluent's own Python client (`confluent-kafka` with its
//! Avro and schema registry extras), run as the scripts in `tests/interop/`
//! against schemabus's registry server (in-process, over HTTP) and the test
//! broker:
//!
//! - its `AvroSerializer` writes (subject by record name, CloudEvents
//!   binary-mode headers set by the script), schemabus's `EventConsumer`
//!   decodes the typed events;
//! - schemabus's `EventProducer` writes, its `AvroDeserializer` decodes the
//!   same field values;
//! - its `SchemaRegistryClient` registers, lists, looks up and checks
//!   compatibility, and sees what schemabus's `HttpRegistry` sees.
//!
//! The scripts run with `$PYTHON` (default `python3`). `scripts/with-broker`
//! installs the pinned client; without it these tests fail, saying so. As for
//! the other Kafka tests, `SCHEMABUS_SKIP_KAFKA_TESTS=1` skips the ones that
//! need a broker (not the registry one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

#[path = "support/registry.rs"]
mod registry_support;
use registry_support::registry_server;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use schemabus::bus::EventBus;
use schemabus::compat::Level;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::events::CATALOG;
use schemabus::kafka::{EventProducer, KafkaConfig};
use schemabus::registry::{HttpRegistry, SchemaRegistry, Version};
use schemabus::{AvroSchema, DomainEvent, EventMetadata};
use serde_json::{json, Value};
use support::kafka::{collect, config, debate_consumer, wait_for};
use uuid::Uuid;

/// The subject of `DebateCompleted` under RecordName, schemabus's default
/// and Python's `record_subject_name_strategy`.
const SUBJECT: &str = "zamaz.debate.DebateCompleted";
const LONG: Duration = Duration::from_secs(60);

/// The interpreter: `$PYTHON`, as `scripts/with-broker` exports it, or `python3`.
fn python() -> String {
    std::env::var("PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".to_owned())
}

/// Fails the test unless the interpreter runs and has the client with its
/// extras.
fn require_python() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let python = python();
        let out = Command::new(&python)
            .args([
                "-c",
                "import confluent_kafka.schema_registry.avro, fastavro; \
                 from importlib.metadata import version; print(version('confluent-kafka'))",
            ])
            .output()
            .map_err(|e| format!("cannot run `{python}`: {e}"))?;
        if out.status.success() {
            eprintln!(
                "interop: {python} with confluent-kafka {}",
                String::from_utf8_lossy(&out.stdout).trim()
            );
            Ok(())
        } else {
            Err(format!(
                "`{python}` lacks confluent-kafka[avro,schemaregistry]: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ))
        }
    });
    if let Err(why) = checked {
        panic!(
            "the interop tests need Python with Confluent's client: {why}. \
             Run them through `scripts/with-broker cargo test`, which installs it \
             (or set PYTHON to an interpreter that has it)"
        );
    }
}

/// Runs `tests/interop/<script>` with `args` off the runtime (the registry
/// server it talks to runs on it) and returns the JSON it printed.
async fn run_script(script: &str, args: Vec<String>) -> Value {
    require_python();
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "interop", script]
        .iter()
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(&path)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed ({}):\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{stdout}\nstderr: {stderr}"))
}

fn avro_config(servers: &str, tag: &str, spool: &tempfile::TempDir, registry: &str) -> KafkaConfig {
    config(servers, tag, spool)
        .use_avro(true)
        .schema_registry_url(registry)
}

/// Two events: with and without a winner (both branches of the union).
fn events() -> [DebateCompleted; 2] {
    let metadata = || EventMetadata::new().with_source("rust-interop");
    [
        DebateCompleted {
            debate_id: Uuid::new_v4(),
            topic: "Should Python and Rust share a registry?".to_owned(),
            winner: None,
            consensus: true,
            decision_type: DecisionType::Evolution,
            decision_id: Uuid::new_v4(),
            summary: "they do — ünïcödé too".to_owned(),
            metadata: metadata(),
        },
        DebateCompleted {
            debate_id: Uuid::new_v4(),
            topic: "Tabs or spaces".to_owned(),
            winner: Some("alice".to_owned()),
            consensus: false,
            decision_type: DecisionType::Architectural,
            decision_id: Uuid::new_v4(),
            summary: String::new(),
            metadata: metadata(),
        },
    ]
}

/// The event's fields as Python sees them: uuids as strings, the enum as its
/// symbol, the union as null or its string.
fn fields(e: &DebateCompleted) -> Value {
    json!({
        "debate_id": e.debate_id.to_string(),
        "topic": e.topic,
        "winner": e.winner,
        "consensus": e.consensus,
        "decision_type": e.decision_type.as_str(),
        "decision_id": e.decision_id.to_string(),
        "summary": e.summary,
    })
}

fn produce_args(
    servers: &str,
    registry: &str,
    topic: &str,
    records: &[Value],
    cloudevents: bool,
) -> Vec<String> {
    let mut args: Vec<String> = [
        "--bootstrap",
        servers,
        "--registry",
        registry,
        "--topic",
        topic,
        "--schema",
        DebateCompleted::SCHEMA_JSON,
        "--key-field",
        "debate_id",
        "--source",
        "python-interop",
        "--context",
        "debate",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend([
        "--records".to_owned(),
        Value::from(records.to_vec()).to_string(),
    ]);
    if !cloudevents {
        args.push("--no-cloudevents".to_owned());
    }
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_avro_serializer_writes_and_the_schemabus_consumer_decodes() {
    let servers = broker_or_skip!();
    require_python();
    let url = registry_server().await;
    let spool = tempfile::tempdir().unwrap();
    let config = avro_config(&servers, "py-writes", &spool, &url);
    let topic = format!("{}debate.events", config.topic_prefix);

    let bus = EventBus::new();
    let got = collect::<DebateCompleted>(&bus);
    let consumer = debate_consumer(&config, &bus).await;

    let sent = events();
    let records: Vec<Value> = sent.iter().map(fields).collect();
    let produced = run_script(
        "produce_avro.py",
        produce_args(&servers, &url, &topic, &records, true),
    )
    .await;
    assert_eq!(produced["subject"], SUBJECT, "{produced}");

    wait_for(
        "the Python records",
        LONG,
        || got.lock().unwrap().len(),
        |n| *n >= 2,
    )
    .await;
    consumer.shutdown().await.unwrap();
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    for (sent, written) in sent.iter().zip(produced["records"].as_array().unwrap()) {
        let received = got
            .iter()
            .find(|e| e.debate_id == sent.debate_id)
            .unwrap_or_else(|| panic!("no event for {}: {got:?}", sent.debate_id));
        let headers = &written["headers"];
        let time: DateTime<Utc> = headers["ce_time"].as_str().unwrap().parse().unwrap();
        let expected = DebateCompleted {
            metadata: EventMetadata {
                event_id: headers["ce_id"].as_str().unwrap().parse().unwrap(),
                occurred_at: time,
                source: "python-interop".to_owned(),
                correlation_id: None,
                causation_id: None,
            },
            ..sent.clone()
        };
        assert_eq!(received, &expected, "fields and the CloudEvents metadata");
        assert_eq!(written["key"], received.aggregate_id());
    }

    // Python registered the very schema schemabus would: one subject, one
    // version, and the id schemabus's producer would put in its records.
    let registry = HttpRegistry::new(&url).unwrap();
    assert_eq!(registry.subjects().await.unwrap(), [SUBJECT]);
    assert_eq!(registry.versions(SUBJECT).await.unwrap(), [1]);
    let ours = registry
        .lookup(SUBJECT, DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    assert_eq!(produced["schema_id"], ours.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schemabus_producer_writes_and_python_avro_deserializer_decodes() {
    let servers = broker_or_skip!();
    require_python();
    let url = registry_server().await;
    let spool = tempfile::tempdir().unwrap();
    let config = avro_config(&servers, "py-reads", &spool, &url);
    let topic = format!("{}debate.events", config.topic_prefix);

    let mut sent = events();
    sent[1].metadata.correlation_id = Some(sent[0].metadata.event_id);
    sent[1].metadata.causation_id = Some(sent[0].metadata.event_id);
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    for e in &sent {
        producer.publish(e).await.unwrap();
    }

    let read = run_script(
        "consume_avro.py",
        [
            "--bootstrap",
            &servers,
            "--registry",
            &url,
            "--topic",
            &topic,
            "--count",
            "2",
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .await;
    let records = read["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{read}");
    let id = HttpRegistry::new(&url)
        .unwrap()
        .lookup(SUBJECT, DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap()
        .id;
    for e in &sent {
        let record = records
            .iter()
            .find(|r| r["key"] == e.debate_id.to_string())
            .unwrap_or_else(|| panic!("no record keyed {}: {read}", e.debate_id));
        assert_eq!(record["value"], fields(e), "the decoded dict");
        assert_eq!(record["schema_id"], id);
        let headers = &record["headers"];
        assert_eq!(headers["ce_type"], SUBJECT);
        assert_eq!(headers["ce_id"], e.metadata.event_id.to_string());
        assert_eq!(headers["ce_source"], "rust-interop");
        assert_eq!(headers["ce_subject"], e.debate_id.to_string());
        let correlation = e.metadata.correlation_id.map(|id| id.to_string());
        assert_eq!(
            headers.get("ce_correlationid").and_then(Value::as_str),
            correlation.as_deref()
        );
    }
}

/// A Confluent producer that does not set the CloudEvents headers: the
/// event type comes from the writer schema's name, the metadata from the
/// record (topic as source, its timestamp, an id derived from its position).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_confluent_record_without_cloudevents_headers_is_decoded() {
    let servers = broker_or_skip!();
    require_python();
    let url = registry_server().await;
    let spool = tempfile::tempdir().unwrap();
    let config = avro_config(&servers, "py-bare", &spool, &url).num_partitions(1);
    let topic = format!("{}debate.events", config.topic_prefix);

    let bus = EventBus::new();
    let got = collect::<DebateCompleted>(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    let [bare, _] = events();
    run_script(
        "produce_avro.py",
        produce_args(&servers, &url, &topic, &[fields(&bare)], false),
    )
    .await;
    wait_for(
        "the bare record",
        LONG,
        || got.lock().unwrap().len(),
        |n| *n == 1,
    )
    .await;
    consumer.shutdown().await.unwrap();
    // The type comes from the writer schema's name, the metadata from the
    // record: its topic as source, its timestamp, an id of its position.
    let received = got.lock().unwrap()[0].clone();
    assert_eq!(
        DebateCompleted {
            metadata: bare.metadata.clone(),
            ..received.clone()
        },
        bare
    );
    assert_eq!(received.metadata.source, format!("kafka://{topic}"));
    assert!(!received.metadata.event_id.is_nil());
    let age = Utc::now() - received.metadata.occurred_at;
    assert!(
        age.num_seconds().abs() < 120,
        "{:?}",
        received.metadata.occurred_at
    );
}

/// The reference schema with one more field: `extra` as given.
fn with_field(extra: Value) -> String {
    let mut schema: Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    schema["fields"].as_array_mut().unwrap().push(extra);
    schema.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_schema_registry_client_registers_lists_and_checks_compatibility() {
    require_python();
    let url = registry_server().await;
    // FULL-compatible: an optional field with a default. BACKWARD-incompatible:
    // a required field older data lacks.
    let compatible =
        with_field(json!({"name": "moderator", "type": ["null", "string"], "default": null}));
    let incompatible = with_field(json!({"name": "rounds", "type": "int"}));
    let out = run_script(
        "registry_client.py",
        [
            "--registry",
            &url,
            "--subject",
            SUBJECT,
            "--schema",
            DebateCompleted::SCHEMA_JSON,
            "--compatible",
            &compatible,
            "--incompatible",
            &incompatible,
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .await;

    let registry = HttpRegistry::new(&url).unwrap();
    let v1 = registry.version(SUBJECT, Version::Number(1)).await.unwrap();
    let v2 = registry.version(SUBJECT, Version::Number(2)).await.unwrap();

    assert_eq!(out["schema_types"], json!(["AVRO"]));
    assert_eq!(out["id"], v1.id, "{out}");
    assert_eq!(out["id_again"], v1.id, "the same schema, the same id");
    assert_eq!(out["subjects"], json!([SUBJECT]));
    assert_eq!(out["versions"], json!([1]));
    for key in ["latest", "version_1", "lookup"] {
        let answer = &out[key];
        assert_eq!(answer["subject"], SUBJECT, "{key}: {answer}");
        assert_eq!(answer["id"], v1.id, "{key}: {answer}");
        assert_eq!(answer["version"], 1, "{key}: {answer}");
        assert_eq!(answer["schema"], v1.schema.as_str(), "{key}: {answer}");
    }
    assert_eq!(out["by_id"], registry.schema_by_id(v1.id).await.unwrap());
    assert_eq!(
        out["id_versions"],
        json!([{"subject": SUBJECT, "version": 1}])
    );

    assert_eq!(out["compatible"], true);
    assert_eq!(out["incompatible"], false);
    assert_eq!(out["incompatible_all_versions"], false);
    assert!(
        !registry
            .check_compatibility(SUBJECT, &incompatible)
            .await
            .unwrap()
            .compatible,
        "HttpRegistry agrees"
    );

    assert_eq!(out["global_level"], "BACKWARD");
    assert_eq!(out["set_level"], json!({"compatibility": "FULL"}));
    assert_eq!(out["subject_level"], "FULL");
    assert_eq!(out["subject_config"], "FULL");
    assert_eq!(registry.level(Some(SUBJECT)).await.unwrap(), Level::Full);
    assert_eq!(registry.level(None).await.unwrap(), Level::Backward);
    assert_eq!(out["compatible_at_full"], true);

    let refused = &out["incompatible_register"];
    assert_eq!(refused["http_status"], 409, "{refused}");
    assert_eq!(refused["error_code"], 409, "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("rounds"),
        "the reason names the field: {refused}"
    );

    assert_eq!(out["id_v2"], v2.id);
    assert_ne!(v2.id, v1.id);
    assert_eq!(out["versions_after"], json!([1, 2]));
    assert_eq!(registry.versions(SUBJECT).await.unwrap(), [1, 2]);
    assert_eq!(out["missing"]["http_status"], 404);
    assert_eq!(out["missing"]["error_code"], 40401);
}
