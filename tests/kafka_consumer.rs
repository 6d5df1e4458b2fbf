//! Consuming against the real broker: dead letters for poison messages and
//! for handlers that keep failing, retries, duplicates dropped, order per
//! aggregate across partitions, a group sharing partitions through a
//! rebalance, commits at shutdown, replay, several contexts at once.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;
use schemabus::bus::EventBus;
use schemabus::events::common::AssigneeType;
use schemabus::events::debate::DebateCancelled;
use schemabus::events::implementation::TaskAssigned;
use schemabus::events::CATALOG;
use schemabus::kafka::{
    ensure_topics, BatchEventProducer, EventConsumer, EventProducer, KafkaConfig,
    MultiContextConsumer, StartFrom,
};
use schemabus::EventMetadata;
use support::kafka::{
    config, count, debate_consumer, header, read_topic, record_rounds, round, wait_for,
};
use uuid::Uuid;

const LONG: Duration = Duration::from_secs(60);

fn cancelled(reason: &str) -> DebateCancelled {
    DebateCancelled {
        debate_id: Uuid::new_v4(),
        reason: reason.to_owned(),
        cancelled_by: "tester".to_owned(),
        metadata: EventMetadata::new(),
    }
}

async fn produce_raw(config: &KafkaConfig, topic: &str, value: &[u8]) {
    let producer: FutureProducer = config.producer_config().create().unwrap();
    producer
        .send(
            FutureRecord::to(topic).key("poison").payload(value),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_message_goes_to_the_dead_letter_topic_and_the_consumer_goes_on() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "poison", &spool).num_partitions(1);
    let topic = format!("{}debate.events", config.topic_prefix);
    let bus = EventBus::new();
    let seen = record_rounds(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    produce_raw(&config, &topic, b"\x00\x00\x00\x00\x07garbage").await;
    produce_raw(&config, &topic, b"{\"not\": \"a cloudevent\"}").await;
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    producer.publish(&round(Uuid::new_v4(), 1)).await.unwrap();

    wait_for("the valid event", LONG, || count(&seen), |n| *n == 1).await;
    let dead = read_topic(&servers, &format!("{topic}.dlq"), 2, LONG);
    assert_eq!(
        dead[0].payload(),
        Some(&b"\x00\x00\x00\x00\x07garbage"[..]),
        "value unchanged"
    );
    assert_eq!(dead[0].key(), Some(&b"poison"[..]));
    assert_eq!(header(&dead[0], "dlq_original_topic"), Some(topic.clone()));
    assert_eq!(
        header(&dead[0], "dlq_original_partition").as_deref(),
        Some("0")
    );
    assert_eq!(
        header(&dead[0], "dlq_original_offset").as_deref(),
        Some("0")
    );
    assert_eq!(
        header(&dead[1], "dlq_original_offset").as_deref(),
        Some("1")
    );
    assert_eq!(header(&dead[0], "dlq_attempts").as_deref(), Some("0"));
    let reason = header(&dead[0], "dlq_error").unwrap();
    // Without `ce_*` headers the type would come from the writer schema,
    // but the registry knows no schema 7.
    assert!(reason.contains("schema id 7"), "{reason}");
    let reason = header(&dead[1], "dlq_error").unwrap();
    assert!(reason.contains("cloudevent"), "{reason}");
    assert_eq!(consumer.metrics()["<unknown>"].dead_lettered, 2);
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_handlers_are_retried_then_dead_lettered() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "retry", &spool)
        .num_partitions(1)
        .max_attempts(3);
    let topic = format!("{}debate.events", config.topic_prefix);
    let bus = EventBus::new();
    let attempts: Arc<Mutex<BTreeMap<String, u32>>> = Arc::default();
    let handled = Arc::new(Mutex::new(Vec::<String>::new()));
    let (a, h) = (Arc::clone(&attempts), Arc::clone(&handled));
    let _ = bus
        .handler("cancel-handler")
        .on_sync::<DebateCancelled, _>(move |e| {
            let n = {
                let mut a = a.lock().unwrap();
                let n = a.entry(e.reason.clone()).or_default();
                *n += 1;
                *n
            };
            match e.reason.as_str() {
                "always fails" => Err("storage is down".into()),
                "fails once" if n == 1 => Err("transient".into()),
                _ => {
                    h.lock().unwrap().push(e.reason.clone());
                    Ok(())
                }
            }
        });
    let consumer = debate_consumer(&config, &bus).await;
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    for reason in ["always fails", "fails once", "fine"] {
        producer.publish(&cancelled(reason)).await.unwrap();
    }
    wait_for(
        "both good events",
        LONG,
        || handled.lock().unwrap().clone(),
        |h| h.len() == 2,
    )
    .await;
    assert_eq!(
        *handled.lock().unwrap(),
        ["fails once", "fine"],
        "in order, after the dead letter"
    );
    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(attempts["always fails"], 3);
    assert_eq!(attempts["fails once"], 2);
    let dead = read_topic(&servers, &format!("{topic}.dlq"), 1, LONG);
    assert_eq!(header(&dead[0], "dlq_attempts").as_deref(), Some("3"));
    assert_eq!(
        header(&dead[0], "dlq_original_offset").as_deref(),
        Some("0")
    );
    assert_eq!(
        header(&dead[0], "dlq_error").as_deref(),
        Some("handler `cancel-handler` failed: storage is down")
    );
    let metrics = consumer.metrics()["zamaz.debate.DebateCancelled"];
    assert_eq!(
        (metrics.consumed, metrics.failed, metrics.dead_lettered),
        (2, 4, 1)
    );
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_runs_only_the_handlers_that_failed() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "retry-some", &spool);
    let bus = EventBus::new();
    let calls: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let c = Arc::clone(&calls);
    let _audit = bus
        .handler("audit")
        .on_sync::<DebateCancelled, _>(move |_| {
            c.lock().unwrap().push("audit");
            Ok(())
        });
    let c = Arc::clone(&calls);
    let _flaky = bus
        .handler("flaky")
        .on_sync::<DebateCancelled, _>(move |_| {
            let mut calls = c.lock().unwrap();
            calls.push("flaky");
            if calls.iter().filter(|n| **n == "flaky").count() == 1 {
                Err("not yet".into())
            } else {
                Ok(())
            }
        });
    let consumer = debate_consumer(&config, &bus).await;
    EventProducer::new(&config, &CATALOG)
        .unwrap()
        .publish(&cancelled("flaky storage"))
        .await
        .unwrap();
    wait_for(
        "the retry to succeed",
        LONG,
        || {
            consumer
                .metrics()
                .get("zamaz.debate.DebateCancelled")
                .copied()
        },
        |m| m.is_some_and(|m| m.consumed == 1),
    )
    .await;
    assert_eq!(*calls.lock().unwrap(), ["audit", "flaky", "flaky"]);
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_a_retry_leaves_the_message_for_the_next_consumer() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "stop-retry", &spool)
        .retry_backoff_ms(60_000)
        .max_attempts(5);
    let bus = EventBus::new();
    let attempts = Arc::new(AtomicU32::new(0));
    let a = Arc::clone(&attempts);
    let _failing = bus.subscribe_sync::<DebateCancelled, _>(move |_| {
        a.fetch_add(1, Ordering::SeqCst);
        Err("down".into())
    });
    let consumer = debate_consumer(&config, &bus).await;
    let event = cancelled("retry me");
    EventProducer::new(&config, &CATALOG)
        .unwrap()
        .publish(&event)
        .await
        .unwrap();
    wait_for(
        "the first attempt",
        LONG,
        || attempts.load(Ordering::SeqCst),
        |n| *n == 1,
    )
    .await;
    // The consumer now waits a minute before its second attempt: shutdown
    // does not wait for it, and does not commit the message.
    support::kafka::within("shutdown", Duration::from_secs(20), consumer.shutdown())
        .await
        .unwrap();

    let bus = EventBus::new();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = Arc::clone(&got);
    let _ok = bus.subscribe_sync::<DebateCancelled, _>(move |e| {
        g.lock().unwrap().push(e.clone());
        Ok(())
    });
    let next = debate_consumer(&config, &bus).await;
    wait_for(
        "the message again",
        LONG,
        || got.lock().unwrap().len(),
        |n| *n == 1,
    )
    .await;
    assert_eq!(got.lock().unwrap()[0], event);
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    next.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_of_an_unknown_context_does_not_start() {
    let spool = tempfile::tempdir().unwrap();
    let config = config("127.0.0.1:1", "unknown", &spool);
    let bus = EventBus::new();
    let err = EventConsumer::new(config.clone(), &CATALOG, &bus)
        .add_context("debates")
        .start()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no bounded context `debates` in the catalog"
    );
    let err = EventConsumer::new(config, &CATALOG, &bus)
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, schemabus::kafka::KafkaError::NothingToConsume),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_of_an_event_are_handled_once() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "dedup", &spool);
    let bus = EventBus::new();
    let seen = record_rounds(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    let event = round(Uuid::new_v4(), 1);
    producer.publish(&event).await.unwrap();
    producer.publish(&event).await.unwrap();
    producer.publish(&round(event.debate_id, 2)).await.unwrap();
    wait_for("two distinct events", LONG, || count(&seen), |n| *n == 2).await;
    wait_for(
        "the duplicate to be counted",
        LONG,
        || consumer.metrics()["zamaz.debate.RoundStarted"],
        |m| m.duplicates == 1,
    )
    .await;
    assert_eq!(seen.lock().unwrap()[&event.debate_id], [1, 2]);
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_aggregates_over_six_partitions_keep_their_order() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "order", &spool)
        .num_partitions(6)
        .use_avro(true);
    let bus = EventBus::new();
    let seen = record_rounds(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    let debates: Vec<Uuid> = (0..1000).map(|_| Uuid::new_v4()).collect();
    let batch = BatchEventProducer::new(&config, &CATALOG).unwrap();
    for n in 1..=5 {
        for id in &debates {
            batch.add_event(&round(*id, n)).unwrap();
        }
    }
    assert_eq!(batch.flush_batch(LONG).unwrap(), 5000);
    wait_for("5,000 events", LONG, || count(&seen), |n| *n >= 5000).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1000);
    for id in &debates {
        assert_eq!(seen[id], [1, 2, 3, 4, 5], "debate {id}");
    }
    let partitions: HashSet<i32> = consumer.assignment().into_iter().map(|(_, p)| p).collect();
    assert_eq!(partitions.len(), 6);
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_in_a_group_share_partitions_and_lose_nothing_across_a_rebalance() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "group", &spool).num_partitions(6);
    let bus = EventBus::new();
    let seen = record_rounds(&bus);
    let first = debate_consumer(&config, &bus).await;
    let batch = BatchEventProducer::new(&config, &CATALOG).unwrap();
    let debates: Vec<Uuid> = (0..200).map(|_| Uuid::new_v4()).collect();
    for id in &debates {
        batch.add_event(&round(*id, 1)).unwrap();
    }
    batch.flush_batch(LONG).unwrap();
    wait_for("the first half", LONG, || count(&seen), |n| *n >= 200).await;

    // The second half goes out while the second consumer joins, so the
    // rebalance revokes partitions with messages handled and in flight.
    let producing = {
        let config = config.clone();
        let debates = debates.clone();
        tokio::task::spawn_blocking(move || {
            let batch = BatchEventProducer::new(&config, &CATALOG).unwrap();
            for id in &debates {
                batch.add_event(&round(*id, 2)).unwrap();
                std::thread::sleep(Duration::from_millis(10));
            }
            batch.flush_batch(LONG).unwrap()
        })
    };
    let second = debate_consumer(&config, &bus).await;
    wait_for(
        "the rebalance to give the second consumer partitions",
        LONG,
        || (first.assignment().len(), second.assignment().len()),
        |(a, b)| *a > 0 && *b > 0 && a + b == 6,
    )
    .await;
    assert_eq!(producing.await.unwrap(), 200);
    wait_for("the second half", LONG, || count(&seen), |n| *n >= 400).await;
    let seen = seen.lock().unwrap().clone();
    for id in &debates {
        assert_eq!(seen[id], [1, 2], "debate {id}: nothing lost, nothing twice");
    }
    let handled =
        |c: &schemabus::kafka::ConsumerHandle| c.metrics()["zamaz.debate.RoundStarted"].consumed;
    assert!(handled(&second) > 0, "the second consumer took part");
    assert_eq!(handled(&first) + handled(&second), 400);
    first.shutdown().await.unwrap();
    second.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_commits_what_was_handled() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "commit", &spool);
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    let bus = EventBus::new();
    let seen = record_rounds(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    let debate = Uuid::new_v4();
    for n in 1..=5 {
        producer.publish(&round(debate, n)).await.unwrap();
    }
    wait_for("five events", LONG, || count(&seen), |n| *n == 5).await;
    consumer.shutdown().await.unwrap();

    let lag = schemabus::kafka::offsets(
        &config,
        &[format!("{}debate.events", config.topic_prefix)],
        Some(&config.consumer_group),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(lag.iter().map(|p| p.lag()).sum::<i64>(), 0, "{lag:?}");

    let bus = EventBus::new();
    let again = record_rounds(&bus);
    let consumer = debate_consumer(&config, &bus).await;
    producer.publish(&round(debate, 6)).await.unwrap();
    wait_for("the new event", LONG, || count(&again), |n| *n >= 1).await;
    assert_eq!(again.lock().unwrap()[&debate], [6], "nothing handled twice");
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_starts_from_the_beginning_an_offset_or_a_time() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "replay", &spool).num_partitions(1);
    ensure_topics(&config, &[format!("{}debate.events", config.topic_prefix)])
        .await
        .unwrap();
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    let debate = Uuid::new_v4();
    for n in 1..=3 {
        producer.publish(&round(debate, n)).await.unwrap();
    }
    let middle = chrono::Utc::now();
    // Record timestamps have millisecond resolution: step past this one.
    tokio::time::sleep(Duration::from_millis(5)).await;
    for n in 4..=5 {
        producer.publish(&round(debate, n)).await.unwrap();
    }
    for (start, expected) in [
        (StartFrom::Beginning, vec![1, 2, 3, 4, 5]),
        (StartFrom::Offset(3), vec![4, 5]),
        (StartFrom::Timestamp(middle), vec![4, 5]),
    ] {
        let bus = EventBus::new();
        let seen = record_rounds(&bus);
        let consumer = EventConsumer::new(config.clone(), &CATALOG, &bus)
            .add_context("debate")
            .start_from(start)
            .start()
            .await
            .unwrap();
        wait_for(
            &format!("replay from {start:?}"),
            LONG,
            || count(&seen),
            |n| *n >= expected.len(),
        )
        .await;
        assert_eq!(seen.lock().unwrap()[&debate], expected, "{start:?}");
        consumer.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_context_consumer_runs_one_consumer_per_context() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "multi", &spool);
    let bus = EventBus::new();
    let rounds = record_rounds(&bus);
    let completed = Arc::new(AtomicU32::new(0));
    let c = Arc::clone(&completed);
    let _ = bus.subscribe_sync::<TaskAssigned, _>(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let mut consumers = MultiContextConsumer::new(config.clone(), &CATALOG, &bus);
    consumers
        .add_context("debate")
        .add_context("implementation")
        .add_context("debate");
    consumers.start().await.unwrap();
    assert_eq!(consumers.consumers().len(), 2);
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    producer.publish(&round(Uuid::new_v4(), 1)).await.unwrap();
    producer
        .publish(&TaskAssigned {
            task_id: Uuid::new_v4(),
            assignee: "claude".to_owned(),
            assignee_type: AssigneeType::Ai,
            metadata: EventMetadata::new(),
        })
        .await
        .unwrap();
    wait_for(
        "both contexts",
        LONG,
        || (count(&rounds), completed.load(Ordering::SeqCst)),
        |s| *s == (1, 1),
    )
    .await;
    consumers.shutdown().await.unwrap();
}
