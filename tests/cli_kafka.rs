//! The CLI against the real broker: the demo with one bus per context
//! talking through Kafka, `topics` and `lag`.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

use std::process::{Command, Output};
use std::time::Duration;

use schemabus::bus::EventBus;
use schemabus::events::debate::DebateCancelled;
use schemabus::events::CATALOG;
use schemabus::kafka::EventProducer;
use schemabus::EventMetadata;
use support::kafka::{config, debate_consumer, unique, wait_for};

fn schemabus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemabus"))
        .args(args)
        .env_remove("KAFKA_TOPIC_PREFIX")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_demo_runs_every_context_as_its_own_service_over_kafka() {
    let servers = broker_or_skip!();
    let prefix = format!("{}.", unique("cli-demo"));
    let out = schemabus(&[
        "demo",
        "--kafka",
        &servers,
        "--debates",
        "5",
        "--format",
        "avro",
        "--topic-prefix",
        &prefix,
    ]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 5 debates: 15 debate events; #0 and #4 ask a complex question (task +
    // assignment), #0 also drops coverage (evolution triggered, completed)
    // and breaches a critical metric (urgent task + assignment); #3 a
    // warning one.
    for line in [
        "zamaz.debate.DebateRequested                        5",
        "zamaz.debate.DebateCompleted                        5",
        "zamaz.testing.CoverageDecreased                     1",
        "zamaz.evolution.EvolutionCompleted                  1",
        "zamaz.performance.MetricThresholdBreached           2",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
    assert!(text.contains("observer saw"), "{text}");
    let debate_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("debate "))
        .unwrap();
    assert!(
        debate_line.contains(" 15 "),
        "the debate service produced its 15 events: {debate_line}"
    );

    let topics = schemabus(&["topics", "--kafka", &servers, "--topic-prefix", &prefix]);
    let listed = stdout(&topics);
    assert!(topics.status.success(), "{listed}");
    let debate_topic = listed
        .lines()
        .find(|l| l.contains(&format!("{prefix}debate.events ")))
        .unwrap_or_else(|| panic!("no debate topic in\n{listed}"));
    assert!(debate_topic.starts_with("debate"), "{debate_topic}");
    assert!(
        listed.contains(&format!("{prefix}debate.events.dlq")),
        "{listed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_shows_committed_offsets_and_what_is_left() {
    let servers = broker_or_skip!();
    let spool = tempfile::tempdir().unwrap();
    let config = config(&servers, "cli-lag", &spool).num_partitions(1);
    let producer = EventProducer::new(&config, &CATALOG).unwrap();
    let cancel = |reason: &str| DebateCancelled {
        debate_id: uuid::Uuid::new_v4(),
        reason: reason.to_owned(),
        cancelled_by: "tester".to_owned(),
        metadata: EventMetadata::new(),
    };
    producer.publish(&cancel("one")).await.unwrap();
    producer.publish(&cancel("two")).await.unwrap();
    let bus = EventBus::new();
    let consumer = debate_consumer(&config, &bus).await;
    wait_for(
        "both consumed",
        Duration::from_secs(60),
        || consumer.metrics().values().map(|m| m.consumed).sum::<u64>(),
        |n| *n == 2,
    )
    .await;
    consumer.shutdown().await.unwrap();
    producer.publish(&cancel("three")).await.unwrap();
    let topic = format!("{}debate.events", config.topic_prefix);
    let probe = config.clone();
    wait_for(
        "the end offset to reach 3",
        Duration::from_secs(30),
        || {
            schemabus::kafka::offsets(
                &probe,
                std::slice::from_ref(&topic),
                None,
                Duration::from_secs(5),
            )
            .unwrap()
        },
        |p| p.first().is_some_and(|p| p.high == 3),
    )
    .await;

    let prefix = config.topic_prefix.clone();
    let group = config.consumer_group.clone();
    let out = tokio::task::spawn_blocking(move || {
        schemabus(&[
            "lag",
            "--kafka",
            &servers,
            "--topic-prefix",
            &prefix,
            "--group",
            &group,
        ])
    })
    .await
    .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("debate.events"))
        .unwrap_or_else(|| panic!("no debate row in\n{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cells[1..],
        ["0", "2", "3", "1"],
        "partition, committed, end, lag: {row}"
    );
    assert!(text.contains("total lag 1"), "{text}");
}
