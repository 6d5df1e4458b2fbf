//! Evolution at runtime, through the test broker and `schemabus`'s registry
//! server over HTTP: data written with an older version of a schema reaches
//! a consumer built with the current one, and data written with the current
//! version is read by a consumer that still has the older one.
//!
//! The older version of `DebateCompleted` has one more field, `moderator`
//! (a string defaulting to "nobody"), which the current version dropped.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

#[path = "support/registry.rs"]
mod registry_support;
use registry_support::registry_server;

use std::time::Duration;

use apache_avro::types::Value;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;
use schemabus::bus::EventBus;
use schemabus::codec::wire;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::events::CATALOG;
use schemabus::kafka::{EventProducer, KafkaConfig};
use schemabus::registry::{HttpRegistry, SchemaRegistry};
use schemabus::{AvroCodec, AvroSchema, DomainEvent, EventMetadata};
use support::kafka::{collect, config, debate_consumer, read_topic, wait_for};
use uuid::Uuid;

const SUBJECT: &str = "zamaz.debate.DebateCompleted";
const LONG: Duration = Duration::from_secs(60);

/// The older version: the current schema plus `moderator`.
fn old_schema() -> String {
    let mut json: serde_json::Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    json["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "moderator", "type": "string", "default": "nobody", "doc": "Who moderated."
        }));
    json.to_string()
}

fn completed() -> DebateCompleted {
    DebateCompleted {
        debate_id: Uuid::new_v4(),
        topic: "Versioned schemas".to_owned(),
        winner: None,
        consensus: true,
        decision_type: DecisionType::Evolution,
        decision_id: Uuid::new_v4(),
        summary: "both versions agree".to_owned(),
        metadata: EventMetadata::new().with_source("old-service"),
    }
}

fn avro_config(servers: &str, tag: &str, spool: &tempfile::TempDir, registry: &str) -> KafkaConfig {
    config(servers, tag, spool)
        .use_avro(true)
        .schema_registry_url(registry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_producer_reaches_a_new_consumer_and_the_other_way() {
    let servers = broker_or_skip!();
    let url = registry_server().await;
    let spool = tempfile::tempdir().unwrap();
    let config = avro_config(&servers, "evolution", &spool, &url).num_partitions(1);
    let topic = format!("{}debate.events", config.topic_prefix);
    let registry = HttpRegistry::new(&url).unwrap();

    // The old producer: registers its version, writes it in the wire format
    // with the CloudEvents headers. Its datum is the current encoding with
    // `moderator` appended (fields are encoded in order).
    let old_id = registry.register(SUBJECT, &old_schema()).await.unwrap();
    let sent = completed();
    let mut datum = sent.to_avro_bytes().unwrap();
    datum.extend_from_slice(&"legacy".to_owned().to_avro_bytes().unwrap());
    let value = wire::frame(old_id, &datum);
    let headers = sent
        .to_headers()
        .into_iter()
        .fold(OwnedHeaders::new(), |h, (key, value)| {
            h.insert(Header {
                key,
                value: Some(&value),
            })
        });
    let raw: FutureProducer = config.producer_config().create().unwrap();
    raw.send(
        FutureRecord::to(&topic)
            .key("old")
            .payload(&value)
            .headers(headers),
        Duration::from_secs(5),
    )
    .await
    .unwrap();

    // The new consumer fetches version 1 by id and resolves it.
    let bus = EventBus::new();
    let got = collect::<DebateCompleted>(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    wait_for(
        "the old event",
        LONG,
        || got.lock().unwrap().len(),
        |n| *n == 1,
    )
    .await;
    assert_eq!(
        got.lock().unwrap()[0],
        sent,
        "every field the versions share, and the metadata"
    );
    consumer.shutdown().await.unwrap();

    // The new producer registers the current version as version 2 …
    let newer = completed();
    EventProducer::new(&config, &CATALOG)
        .unwrap()
        .publish(&newer)
        .await
        .unwrap();
    assert_eq!(registry.versions(SUBJECT).await.unwrap(), [1, 2]);
    let records = read_topic(&servers, &topic, 2, LONG);
    let key = newer.debate_id.to_string();
    let record = records
        .iter()
        .find(|r| r.key() == Some(key.as_bytes()))
        .unwrap();
    let (new_id, datum) = wire::unframe(record.payload().unwrap()).unwrap();
    assert_ne!(new_id, old_id);

    // … and the old consumer reads it with its own version as the reader,
    // the writer's schema fetched by id: `moderator` takes its default.
    let writer =
        apache_avro::Schema::parse_str(&registry.schema_by_id(new_id).await.unwrap()).unwrap();
    let reader = apache_avro::Schema::parse_str(&old_schema()).unwrap();
    let read = apache_avro::reader::datum::GenericDatumReader::builder(&writer)
        .reader_schema(&reader)
        .build()
        .unwrap()
        .read_value(&mut &datum[..])
        .unwrap();
    let Value::Record(fields) = read else {
        panic!("not a record: {read:?}")
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("moderator"), Value::String("nobody".to_owned()));
    assert_eq!(field("summary"), Value::String(newer.summary.clone()));
    assert_eq!(field("debate_id"), Value::Uuid(newer.debate_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incompatible_schema_is_refused_by_the_registry_and_the_producer_says_so() {
    let servers = broker_or_skip!();
    let url = registry_server().await;
    let spool = tempfile::tempdir().unwrap();
    let config = avro_config(&servers, "refused", &spool, &url);
    // Version 1 has a field the current version lacks, without a default:
    // at FORWARD (version 1 must read new data) the current version cannot
    // be registered after it.
    let mut json: serde_json::Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    json["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "extra", "type": "string"}));
    let registry = HttpRegistry::new(&url).unwrap();
    registry.register(SUBJECT, &json.to_string()).await.unwrap();
    registry
        .set_level(Some(SUBJECT), schemabus::compat::Level::Forward)
        .await
        .unwrap();
    let error = EventProducer::new(&config, &CATALOG)
        .unwrap()
        .publish(&completed())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("incompatible"), "{error}");
    assert!(error.contains("extra"), "{error}");
}

/// With the registry unreachable, the hybrid bus still delivers locally
/// and sends the event to Kafka as CloudEvents JSON rather than lose it;
/// its health says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_registry_down_events_go_out_as_json_and_nothing_is_lost() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = avro_config(&servers, "registry-down", &spool, "http://127.0.0.1:9");
    let bus =
        schemabus::hybrid::HybridEventBus::connect(&EventBus::new(), config.clone(), &CATALOG)
            .await
            .unwrap();
    let sent = completed();
    let report = bus.publish(sent.clone()).await;
    assert_eq!(report.failed, 0, "{report:?}");
    assert_eq!(bus.flush(LONG).await, 0);
    let topic = format!("{}debate.events", config.topic_prefix);
    let records = read_topic(&servers, &topic, 1, LONG);
    let value = records[0].payload().unwrap();
    assert_eq!(wire::detect(value), Some(wire::Format::Json));
    let event = (CATALOG.decode_json)(value).unwrap();
    assert_eq!(
        event.as_any().downcast_ref::<DebateCompleted>(),
        Some(&sent)
    );
    let error = bus.health().producer.unwrap().last_error.unwrap();
    assert!(
        error.contains("sent as CloudEvents JSON instead of Avro"),
        "{error}"
    );
    bus.shutdown().await.unwrap();
}
