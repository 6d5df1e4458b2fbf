//! The hybrid bus: local-only without Kafka; local and Kafka delivery with
//! it; a bad broker address that never slows local delivery; a spool that
//! outlives the process; a broker stopped mid-stream and restarted, with
//! every event delivered exactly once.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

use std::time::Duration;

use schemabus::bus::EventBus;
use schemabus::events::CATALOG;
use schemabus::hybrid::HybridEventBus;
use schemabus::kafka::{EventConsumer, EventProducer};
use support::kafka::{
    config, count, read_exactly, record_rounds, round, wait_for, wait_for_async, within, OwnBroker,
};
use uuid::Uuid;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_kafka_the_hybrid_bus_is_local() {
    let bus = HybridEventBus::local(&EventBus::new());
    let seen = record_rounds(&bus);
    let report = bus.publish(round(Uuid::new_v4(), 1)).await;
    assert_eq!((report.handlers, report.failed), (1, 0));
    assert_eq!(count(&seen), 1);
    let health = bus.health();
    assert!(!health.kafka_configured && health.producer.is_none());
    assert_eq!(bus.flush(Duration::from_secs(1)).await, 0);
    bus.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_kafka_local_and_remote_events_reach_the_same_handlers_once() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "hybrid", &spool);
    let bus = HybridEventBus::connect(&EventBus::new(), config.clone(), &CATALOG)
        .await
        .unwrap();
    let seen = record_rounds(&bus);
    wait_for(
        "the consumers to start",
        LONG,
        || bus.health(),
        |h| h.consuming,
    )
    .await;

    let debate = Uuid::new_v4();
    bus.publish(round(debate, 1)).await;
    EventProducer::new(&config.clone().client_id("other-service"), &CATALOG)
        .unwrap()
        .publish(&round(debate, 2))
        .await
        .unwrap();
    wait_for("the remote event", LONG, || count(&seen), |n| *n == 2).await;
    assert_eq!(bus.flush(LONG).await, 0);
    let topic = format!("{}debate.events", config.topic_prefix);
    read_exactly(&servers, &topic, 2, LONG);
    assert_eq!(
        seen.lock().unwrap()[&debate],
        [1, 2],
        "each once: its own event is not redelivered"
    );
    let health = bus.health();
    assert!(health.kafka_configured);
    assert!(health.producer.unwrap().online);
    bus.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_broker_address_never_holds_up_local_delivery_and_the_spool_outlives_the_process() {
    let spool = tempfile::tempdir().unwrap();
    let offline = config("127.0.0.1:1", "unreachable", &spool);
    let bus = within(
        "connecting to an unreachable broker",
        Duration::from_secs(1),
        HybridEventBus::connect(&EventBus::new(), offline.clone(), &CATALOG),
    )
    .await
    .unwrap();
    let seen = record_rounds(&bus);
    let debate = Uuid::new_v4();
    for n in 1..=3 {
        let report = within(
            "a publish",
            Duration::from_secs(1),
            bus.publish(round(debate, n)),
        )
        .await;
        assert_eq!(
            (report.handlers, report.failed),
            (2, 0),
            "local handler and the spool"
        );
    }
    assert_eq!(seen.lock().unwrap()[&debate], [1, 2, 3]);
    let producer = bus.health().producer.unwrap();
    assert!(!producer.online);
    assert_eq!(producer.spool_depth, 3, "spooled before publish returned");
    within("shutdown", Duration::from_secs(10), bus.shutdown())
        .await
        .unwrap();

    // The next run, with a broker, sends what the spool kept.
    let servers = broker_or_skip!();
    let online = offline.clone().bootstrap_servers(servers.clone());
    let bus = HybridEventBus::connect(&EventBus::new(), online.clone(), &CATALOG)
        .await
        .unwrap();
    assert_eq!(bus.flush(LONG).await, 0);
    let topic = format!("{}debate.events", online.topic_prefix);
    let records = read_exactly(&servers, &topic, 3, LONG);
    let keys: Vec<_> = records
        .iter()
        .map(|m| rdkafka::Message::key(m).map(<[u8]>::to_vec))
        .collect();
    assert!(keys
        .iter()
        .all(|k| k.as_deref() == Some(debate.to_string().as_bytes())));
    bus.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_stream_loses_nothing_and_duplicates_nothing() {
    let _ = broker_or_skip!();
    let mut broker = OwnBroker::start();
    let spool = tempfile::tempdir().unwrap();
    // One partition: the restarted (empty) broker's offsets start again
    // at 0, below the consumer's position, so it resets to the beginning.
    let config = config(&broker.address(), "restart", &spool).num_partitions(1);
    let service = HybridEventBus::connect(&EventBus::new(), config.clone(), &CATALOG)
        .await
        .unwrap();
    let receiver = EventBus::new();
    let seen = record_rounds(&receiver);
    let consumer = EventConsumer::new(
        config.clone().consumer_group("receiver"),
        &CATALOG,
        &receiver,
    )
    .add_context("debate")
    .start()
    .await
    .unwrap();

    let debate = Uuid::new_v4();
    for n in 1..=50 {
        service.publish(round(debate, n)).await;
    }
    wait_for("the first 50", LONG, || count(&seen), |n| *n == 50).await;

    broker.stop();
    for n in 51..=80 {
        service.publish(round(debate, n)).await;
    }
    wait_for(
        "the producer to notice the broker is gone",
        LONG,
        || service.health().producer.unwrap(),
        |p| !p.online && p.spool_depth > 0,
    )
    .await;
    // The restarted in-memory broker recreates its topics under new ids;
    // clients retire on the outage and start fresh afterwards (clients that
    // kept the old metadata would crash librdkafka 2.12), so the outage
    // lasts until every consumer has noticed it, as a real one would.
    let bridge = service.bridge().unwrap();
    wait_for_async(
        "the consumers to notice",
        LONG,
        || async { (bridge.consumers_connected().await, consumer.is_connected()) },
        |c| *c == (0, false),
    )
    .await;
    broker.restart();

    assert_eq!(service.flush(LONG).await, 0, "the spool drained");
    wait_for("all 80", LONG, || count(&seen), |n| *n >= 80).await;
    let expected: Vec<i32> = (1..=80).collect();
    assert_eq!(
        seen.lock().unwrap()[&debate],
        expected,
        "each once, in order"
    );
    consumer.shutdown().await.unwrap();
    service.shutdown().await.unwrap();
}
