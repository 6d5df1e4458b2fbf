//! The bridge against the real broker: one type or all types to Kafka,
//! bridging twice, Kafka to local handlers, no loops, and two services
//! (two buses) whose flows talk only through Kafka.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

use std::time::Duration;

use schemabus::bus::EventBus;
use schemabus::domain::DebateSystem;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::{DebateCompleted, DebateStarted};
use schemabus::events::implementation::{TaskAssigned, TaskCreated};
use schemabus::events::CATALOG;
use schemabus::kafka::{EventProducer, KafkaConfig, KafkaEventBridge};
use schemabus::EventMetadata;
use support::kafka::{collect, config, header, read_topic, wait_for};
use uuid::Uuid;

const LONG: Duration = Duration::from_secs(60);

fn completed(decision_type: DecisionType) -> DebateCompleted {
    DebateCompleted {
        debate_id: Uuid::new_v4(),
        topic: "Adopt event sourcing".to_owned(),
        winner: Some("Claude".to_owned()),
        consensus: true,
        decision_type,
        decision_id: Uuid::new_v4(),
        summary: "done".to_owned(),
        metadata: EventMetadata::new(),
    }
}

fn started() -> DebateStarted {
    DebateStarted {
        debate_id: Uuid::new_v4(),
        topic: "t".to_owned(),
        context: "c".to_owned(),
        metadata: EventMetadata::new(),
    }
}

/// How many records `topic` holds, read back (Tansu's end offsets count a
/// multi-record batch as one, so they cannot be used for this).
fn stored(config: &KafkaConfig, topic: &str, expected: usize) -> usize {
    support::kafka::read_exactly(&config.bootstrap_servers, topic, expected, LONG).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridging_one_type_to_kafka_produces_only_that_type_once() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "bridge-one", &spool);
    let topic = format!("{}debate.events", config.topic_prefix);
    let bus = EventBus::new();
    let bridge = KafkaEventBridge::new(&bus, config.clone(), &CATALOG).unwrap();
    bridge.bridge::<DebateCompleted>(true, false).await.unwrap();
    bridge.bridge::<DebateCompleted>(true, false).await.unwrap();

    let event = completed(DecisionType::Simple);
    let report = bus.publish(event.clone()).await;
    assert_eq!((report.handlers, report.failed), (1, 0));
    bus.publish(started()).await;
    assert_eq!(bridge.flush(LONG).await, 0);

    let records = read_topic(&servers, &topic, 1, LONG);
    assert_eq!(
        header(&records[0], "ce_id"),
        None,
        "json by default: attributes in the value"
    );
    let json: serde_json::Value =
        serde_json::from_slice(rdkafka::Message::payload(&records[0]).unwrap()).unwrap();
    assert_eq!(json["id"], event.metadata.event_id.to_string());
    assert_eq!(
        stored(&config, &topic, 1),
        1,
        "bridged once, DebateStarted not bridged"
    );
    let metrics = bridge.metrics().await;
    assert_eq!(metrics.bridged_types, ["zamaz.debate.DebateCompleted"]);
    assert_eq!(metrics.per_type["zamaz.debate.DebateCompleted"].produced, 1);
    assert_eq!(metrics.active_consumers, 0);
    bridge.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_all_produces_every_context_and_delivers_kafka_events_without_looping() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "bridge-all", &spool).use_avro(true);
    let bus = EventBus::new();
    let tasks = collect::<TaskAssigned>(&bus);
    let bridge = KafkaEventBridge::new(&bus, config.clone(), &CATALOG).unwrap();
    bridge.bridge::<DebateCompleted>(true, true).await.unwrap();
    bridge.bridge_all().await.unwrap();
    bridge.bridge_all().await.unwrap();
    assert_eq!(
        bridge.metrics().await.bridged_types.len(),
        CATALOG.types.len()
    );
    assert_eq!(
        bridge.metrics().await.active_consumers,
        5,
        "one per context topic"
    );

    bus.publish(completed(DecisionType::Simple)).await;
    bus.publish(started()).await;
    // From another service: consumed, delivered, never produced again.
    let remote = TaskAssigned {
        task_id: Uuid::new_v4(),
        assignee: "claude".to_owned(),
        assignee_type: schemabus::events::common::AssigneeType::Ai,
        metadata: EventMetadata::new().with_source("elsewhere"),
    };
    EventProducer::new(&config.clone().client_id("another-service"), &CATALOG)
        .unwrap()
        .publish(&remote)
        .await
        .unwrap();
    wait_for(
        "the remote event",
        LONG,
        || tasks.lock().unwrap().clone(),
        |t| !t.is_empty(),
    )
    .await;
    assert_eq!(tasks.lock().unwrap()[0], remote);
    assert_eq!(bridge.flush(LONG).await, 0);

    assert_eq!(
        stored(&config, &format!("{}debate.events", config.topic_prefix), 2),
        2
    );
    assert_eq!(
        stored(
            &config,
            &format!("{}implementation.events", config.topic_prefix),
            1
        ),
        1,
        "the consumed event was not produced back"
    );
    let metrics = bridge.metrics().await;
    assert_eq!(
        metrics.per_type["zamaz.implementation.TaskAssigned"].consumed,
        1
    );
    assert_eq!(
        metrics.per_type["zamaz.implementation.TaskAssigned"].produced,
        0
    );
    assert_eq!(metrics.per_type["zamaz.debate.DebateCompleted"].produced, 1);
    assert_eq!(
        metrics
            .lag
            .iter()
            .filter(|l| l.topic.ends_with("debate.events"))
            .count(),
        3
    );
    bridge.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_run_the_cross_context_flow_through_kafka() {
    let servers = broker_or_skip!();
    let (spool_a, spool_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a_config = config(&servers, "svc", &spool_a);
    // Service B shares the topics, not the group or the client id.
    let b_config = config(&servers, "svc-b", &spool_b).topic_prefix(a_config.topic_prefix.clone());

    let a = EventBus::new();
    let a_tasks = collect::<TaskCreated>(&a);
    let a_bridge = KafkaEventBridge::new(&a, a_config.clone(), &CATALOG).unwrap();
    a_bridge
        .bridge::<DebateCompleted>(true, false)
        .await
        .unwrap();
    a_bridge.bridge::<TaskCreated>(false, true).await.unwrap();

    let b = EventBus::new();
    let system = DebateSystem::install(&b);
    let b_bridge = KafkaEventBridge::new(&b, b_config.clone(), &CATALOG).unwrap();
    b_bridge.bridge_all().await.unwrap();

    let debate = completed(DecisionType::Complex);
    a.publish(debate.clone()).await;
    let got = wait_for(
        "TaskCreated back in service A",
        LONG,
        || a_tasks.lock().unwrap().clone(),
        |t| !t.is_empty(),
    )
    .await;
    assert_eq!(got.len(), 1);
    let task = &got[0];
    assert_eq!(task.title, "Implement: Adopt event sourcing");
    assert_eq!(task.decision_id, debate.decision_id);
    assert_eq!(task.metadata.causation_id, Some(debate.metadata.event_id));
    assert_eq!(system.tasks().len(), 1, "service B created the task");

    assert_eq!(a_bridge.flush(LONG).await, 0);
    assert_eq!(b_bridge.flush(LONG).await, 0);
    assert_eq!(
        stored(
            &a_config,
            &format!("{}debate.events", a_config.topic_prefix),
            1
        ),
        1,
        "B consumed DebateCompleted without producing it again"
    );
    assert_eq!(
        stored(
            &a_config,
            &format!("{}implementation.events", a_config.topic_prefix),
            2
        ),
        2,
        "B produced TaskCreated and TaskAssigned once each"
    );
    a_bridge.shutdown().await.unwrap();
    b_bridge.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_of_one_service_handle_each_event_once() {
    let servers = broker_or_skip!();
    let (spool_a, spool_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a_config = config(&servers, "scaled", &spool_a).service("orders");
    // A second instance: own client id (and spool), same service and group.
    let b_config = a_config
        .clone()
        .client_id(format!("{}-2", a_config.client_id))
        .spool_dir(spool_b.path().to_owned());
    let (a, b) = (EventBus::new(), EventBus::new());
    let (a_seen, b_seen) = (
        collect::<DebateCompleted>(&a),
        collect::<DebateCompleted>(&b),
    );
    let a_bridge = KafkaEventBridge::new(&a, a_config.clone(), &CATALOG).unwrap();
    let b_bridge = KafkaEventBridge::new(&b, b_config, &CATALOG).unwrap();
    a_bridge
        .bridge::<DebateCompleted>(true, true)
        .await
        .unwrap();
    b_bridge
        .bridge::<DebateCompleted>(true, true)
        .await
        .unwrap();

    let local = completed(DecisionType::Simple);
    a.publish(local.clone()).await;
    assert_eq!(a_bridge.flush(LONG).await, 0);
    // From another service, same aggregate (same partition), after it: once
    // this arrives, the first record has been passed over.
    let mut remote = completed(DecisionType::Simple);
    remote.debate_id = local.debate_id;
    EventProducer::new(
        &a_config.clone().service("elsewhere").client_id("elsewhere"),
        &CATALOG,
    )
    .unwrap()
    .publish(&remote)
    .await
    .unwrap();
    let all = || {
        let mut v = a_seen.lock().unwrap().clone();
        v.extend(b_seen.lock().unwrap().iter().cloned());
        v
    };
    wait_for("the remote event", LONG, all, |v| v.contains(&remote)).await;
    let seen = all();
    assert_eq!(
        seen.iter().filter(|e| **e == local).count(),
        1,
        "handled by A only: {seen:?}"
    );
    assert_eq!(seen.iter().filter(|e| **e == remote).count(), 1);
    a_bridge.shutdown().await.unwrap();
    b_bridge.shutdown().await.unwrap();
}
