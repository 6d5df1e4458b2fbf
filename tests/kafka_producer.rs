//! Producing against the real broker: one event produced and consumed with
//! every field compared (JSON and Avro), a batch delivered and counted,
//! records keyed by aggregate, topics created with their partitions.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::Message;

use schemabus::bus::EventBus;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::events::CATALOG;
use schemabus::kafka::{ensure_topics, offsets, BatchEventProducer, Compression, EventProducer};
use schemabus::topic::TopicMapper;
use schemabus::EventMetadata;
use support::kafka::{config, debate_consumer, read_topic, wait_for};
use uuid::Uuid;

fn completed(n: usize) -> DebateCompleted {
    let cause = EventMetadata::new();
    DebateCompleted {
        debate_id: Uuid::new_v4(),
        topic: format!("Adopt event sourcing #{n} — ünïcode"),
        winner: Some("Claude".to_owned()),
        consensus: n.is_multiple_of(2),
        decision_type: DecisionType::Complex,
        decision_id: Uuid::new_v4(),
        summary: "a long summary ".repeat(5),
        metadata: EventMetadata::new()
            .with_source("debate-service")
            .caused_by(&cause),
    }
}

async fn round_trip(use_avro: bool) {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "roundtrip", &spool).use_avro(use_avro);
    let bus = EventBus::new();
    let received = Arc::new(Mutex::new(Vec::<DebateCompleted>::new()));
    let sink = Arc::clone(&received);
    let _sub = bus.subscribe_sync::<DebateCompleted, _>(move |e| {
        sink.lock().unwrap().push(e.clone());
        Ok(())
    });
    let consumer = debate_consumer(&config, &bus).await;
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    let sent = completed(1);
    let delivery = producer.publish(&sent).await.unwrap();
    assert_eq!(
        delivery.topic,
        format!("{}debate.events", config.topic_prefix)
    );

    let got = wait_for(
        "the consumed event",
        Duration::from_secs(30),
        || received.lock().unwrap().clone(),
        |v| !v.is_empty(),
    )
    .await;
    assert_eq!(
        got,
        std::slice::from_ref(&sent),
        "every field, metadata included"
    );
    consumer.shutdown().await.unwrap();

    let records = read_topic(&servers, &delivery.topic, 1, Duration::from_secs(10));
    assert_eq!(
        records[0].key(),
        Some(sent.debate_id.to_string().as_bytes())
    );
    assert_eq!(records[0].partition(), delivery.partition);
    let content_type = support::kafka::header(&records[0], "content-type").unwrap();
    let ce_type = support::kafka::header(&records[0], "ce_type");
    if use_avro {
        assert_eq!(content_type, "application/avro");
        assert_eq!(ce_type.as_deref(), Some("zamaz.debate.DebateCompleted"));
        assert_eq!(records[0].payload().unwrap()[0], 0, "confluent magic byte");
    } else {
        assert_eq!(content_type, "application/cloudevents+json");
        assert_eq!(records[0].payload().unwrap()[0], b'{');
    }
    assert_eq!(
        support::kafka::header(&records[0], "ce_origin"),
        Some(config.client_id.clone())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_event_round_trips_through_kafka_as_json() {
    round_trip(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_event_round_trips_through_kafka_as_avro() {
    round_trip(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_compression_codec_round_trips() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    for compression in [
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ] {
        let config = config(&servers, compression.as_str(), &spool)
            .compression(compression)
            .use_avro(true);
        assert_eq!(
            config.producer_config().get("compression.type"),
            Some(compression.as_str())
        );
        let sent = completed(7);
        let delivery = EventProducer::new(&config, &CATALOG)
            .unwrap()
            .publish(&sent)
            .await
            .unwrap();
        let records = read_topic(&servers, &delivery.topic, 1, Duration::from_secs(30));
        let schemas = schemabus::kafka::SchemaIds::from_config(&config).unwrap();
        let got = schemabus::kafka::message::decode(
            &CATALOG,
            &schemas,
            records[0].payload(),
            records[0].headers(),
        )
        .await
        .unwrap();
        assert_eq!(
            got.downcast_ref::<DebateCompleted>(),
            Some(&sent),
            "{compression:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_ten_is_delivered_and_counted() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "batch", &spool)
        .batch_size(4)
        .linger_ms(20);
    let topics = TopicMapper::new(&CATALOG, &config.topic_prefix);
    let topic = topics.context_topic("debate");
    ensure_topics(&config, std::slice::from_ref(&topic))
        .await
        .unwrap();
    let batch = BatchEventProducer::new(&config, &CATALOG).unwrap();
    let events: Vec<DebateCompleted> = (0..10).map(completed).collect();
    for e in &events {
        batch.add_event(e).unwrap();
    }
    assert_eq!(batch.flush_batch(Duration::from_secs(10)).unwrap(), 10);
    assert_eq!(
        batch.flush_batch(Duration::from_secs(1)).unwrap(),
        0,
        "counts reset per flush"
    );

    let records = read_topic(&servers, &topic, 10, Duration::from_secs(10));
    let mut keys: Vec<String> = records
        .iter()
        .map(|m| String::from_utf8(m.key().unwrap().to_vec()).unwrap())
        .collect();
    let mut expected: Vec<String> = events.iter().map(|e| e.debate_id.to_string()).collect();
    keys.sort();
    expected.sort();
    assert_eq!(keys, expected, "keyed by aggregate id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_to_an_unreachable_broker_reports_what_was_not_delivered() {
    let spool = tempfile::tempdir().unwrap();
    let config = config("127.0.0.1:1", "unreachable", &spool)
        .message_timeout_ms(500)
        .admin_timeout_ms(500);
    let batch = BatchEventProducer::new(&config, &CATALOG).unwrap();
    let err = batch.add_event(&completed(0)).unwrap_err();
    assert!(
        err.to_string().contains("Timed out"),
        "the topic could not be created: {err}"
    );
    assert_eq!(
        batch.flush_batch(Duration::from_secs(5)).unwrap(),
        0,
        "nothing was queued"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_counts_what_the_broker_acknowledged_not_what_was_queued() {
    let _ = broker_or_skip!();
    let mut broker = support::kafka::OwnBroker::start();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&broker.address(), "acked", &spool).message_timeout_ms(1000);
    let batch = BatchEventProducer::new(&config, &CATALOG).unwrap();
    for n in 0..3 {
        batch.add_event(&completed(n)).unwrap();
    }
    assert_eq!(batch.flush_batch(Duration::from_secs(10)).unwrap(), 3);
    broker.stop();
    for n in 0..2 {
        batch.add_event(&completed(n)).unwrap();
    }
    match batch.flush_batch(Duration::from_secs(10)).unwrap_err() {
        schemabus::kafka::KafkaError::Incomplete {
            delivered,
            failed,
            outstanding,
            first_error,
        } => {
            assert_eq!((delivered, failed, outstanding), (0, 2, 0));
            assert!(first_error.unwrap().contains("timed out"));
        }
        other => panic!("expected Incomplete, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_created_with_the_configured_partitions() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "topics", &spool).num_partitions(6);
    let topics = TopicMapper::with_overrides(
        &CATALOG,
        &config.topic_prefix,
        &[(
            "zamaz.performance.MetricCollected".to_owned(),
            "performance.metrics".to_owned(),
        )]
        .into_iter()
        .collect(),
    );
    let mut all = topics.all_topics();
    assert_eq!(all.len(), 6, "five contexts and one override: {all:?}");
    assert!(all.contains(&format!("{}performance.metrics", config.topic_prefix)));
    all.sort();
    let created = ensure_topics(&config, &all).await.unwrap();
    assert_eq!(created.len(), 6);
    assert!(
        ensure_topics(&config, &all).await.unwrap().is_empty(),
        "idempotent"
    );
    let parts = offsets(&config, &all, None, Duration::from_secs(10)).unwrap();
    assert_eq!(parts.len(), 36);
    assert!(parts.iter().all(|p| p.high == 0 && p.lag() == 0));
}
