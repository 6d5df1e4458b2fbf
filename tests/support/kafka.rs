//! What the Kafka tests share: the broker they run against, a fresh
//! configuration per test (own topic prefix, group, client id and spool),
//! waiting for conditions with a deadline, reading topics back, and a broker
//! of their own for tests that stop and restart one.
//!
//! The broker comes from `KAFKA_BOOTSTRAP_SERVERS` (`scripts/with-broker`
//! starts one). Without it these tests fail, unless
//! `SCHEMABUS_SKIP_KAFKA_TESTS=1` says to skip them.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, OwnedMessage};
use rdkafka::{Message, Offset, TopicPartitionList};
use schemabus::bus::EventBus;
use schemabus::events::debate::RoundStarted;
use schemabus::events::CATALOG;
use schemabus::kafka::{ConsumerHandle, EventConsumer, KafkaConfig};
use schemabus::EventMetadata;
use uuid::Uuid;

/// The broker address, or `None` when the tests are explicitly skipped.
///
/// # Panics
///
/// Without `KAFKA_BOOTSTRAP_SERVERS` and without the opt-out.
pub fn broker() -> Option<String> {
    if let Ok(servers) = std::env::var("KAFKA_BOOTSTRAP_SERVERS") {
        return Some(servers);
    }
    if std::env::var("SCHEMABUS_SKIP_KAFKA_TESTS").as_deref() == Ok("1") {
        eprintln!("SKIPPED: SCHEMABUS_SKIP_KAFKA_TESTS=1 and no KAFKA_BOOTSTRAP_SERVERS");
        return None;
    }
    panic!(
        "the Kafka tests need a broker: run them through `scripts/with-broker cargo test`, \
         set KAFKA_BOOTSTRAP_SERVERS, or set SCHEMABUS_SKIP_KAFKA_TESTS=1 to skip them"
    );
}

/// Returns from the test when the Kafka tests are skipped.
#[macro_export]
macro_rules! broker_or_skip {
    () => {
        match support::kafka::broker() {
            Some(b) => b,
            None => return,
        }
    };
}

/// Round `round_number` of debate `debate_id`: the test event whose order
/// per aggregate is easy to check.
pub fn round(debate_id: Uuid, round_number: i32) -> RoundStarted {
    RoundStarted {
        debate_id,
        round_id: Uuid::new_v4(),
        round_number,
        metadata: EventMetadata::new(),
    }
}

/// The round numbers each debate's handler saw, in order.
pub type Seen = Arc<Mutex<HashMap<Uuid, Vec<i32>>>>;

/// Subscribes a handler recording every `RoundStarted` on `bus`.
pub fn record_rounds(bus: &EventBus) -> Seen {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    let _ = bus.subscribe_sync::<RoundStarted, _>(move |e| {
        sink.lock()
            .unwrap()
            .entry(e.debate_id)
            .or_default()
            .push(e.round_number);
        Ok(())
    });
    seen
}

/// Collects every event of type `E` that `bus` delivers.
pub fn collect<E: schemabus::DomainEvent>(bus: &EventBus) -> Arc<Mutex<Vec<E>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let _ = bus.subscribe_sync::<E, _>(move |e| {
        sink.lock().unwrap().push(e.clone());
        Ok(())
    });
    seen
}

/// A consumer of the debate context's topic, in `config`'s group, feeding `bus`.
pub async fn debate_consumer(config: &KafkaConfig, bus: &EventBus) -> ConsumerHandle {
    EventConsumer::new(config.clone(), &CATALOG, bus)
        .add_context("debate")
        .start()
        .await
        .unwrap()
}

/// How many rounds were recorded.
pub fn count(seen: &Seen) -> usize {
    seen.lock().unwrap().values().map(Vec::len).sum()
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A unique name for this test run.
pub fn unique(tag: &str) -> String {
    format!(
        "{tag}-{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple().to_string().get(..8).unwrap()
    )
}

/// A configuration of its own: topic prefix, group, client id and spool
/// directory unique to the caller; short timeouts so groups join in seconds.
pub fn config(servers: &str, tag: &str, spool: &tempfile::TempDir) -> KafkaConfig {
    let name = unique(tag);
    KafkaConfig::new(servers)
        .topic_prefix(format!("{name}."))
        .consumer_group(format!("{name}-group"))
        .client_id(format!("{name}-client"))
        .spool_dir(spool.path().to_owned())
        .num_partitions(3)
        .message_timeout_ms(5_000)
        .retry_backoff_ms(20)
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
///
/// # Panics
///
/// At the timeout, with `what` and the last observation.
pub async fn wait_for<T: std::fmt::Debug>(
    what: &str,
    timeout: Duration,
    mut observe: impl FnMut() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    wait_for_async(what, timeout, || std::future::ready(observe()), done).await
}

/// [`wait_for`] with an async observation.
pub async fn wait_for_async<T: std::fmt::Debug, F: Future<Output = T>>(
    what: &str,
    timeout: Duration,
    mut observe: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let seen = observe().await;
        if done(&seen) {
            return seen;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}; last seen: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `f` with a deadline.
pub async fn within<F: Future>(what: &str, timeout: Duration, f: F) -> F::Output {
    tokio::time::timeout(timeout, f)
        .await
        .unwrap_or_else(|_| panic!("timed out after {timeout:?}: {what}"))
}

/// Reads `count` records of `topic` from the beginning (every partition),
/// failing after `timeout`.
pub fn read_topic(
    servers: &str,
    topic: &str,
    count: usize,
    timeout: Duration,
) -> Vec<OwnedMessage> {
    let consumer = reader(servers, topic);
    poll_until(&consumer, topic, count, timeout)
}

/// A consumer outside any group, assigned every partition of `topic` from
/// the beginning.
fn reader(servers: &str, topic: &str) -> BaseConsumer {
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in metadata.topics()[0].partitions() {
        tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    consumer
}

fn poll_until(
    consumer: &BaseConsumer,
    topic: &str,
    count: usize,
    timeout: Duration,
) -> Vec<OwnedMessage> {
    let deadline = std::time::Instant::now() + timeout;
    let mut out = Vec::new();
    while out.len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "read {} of {count} records of `{topic}` in {timeout:?}",
            out.len()
        );
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(m.detach());
        }
    }
    out
}

/// Reads `topic` from the beginning, expecting exactly `count` records:
/// fails when fewer arrive within `timeout`, or when more arrive during a
/// quiet second after the last expected one.
pub fn read_exactly(
    servers: &str,
    topic: &str,
    count: usize,
    timeout: Duration,
) -> Vec<OwnedMessage> {
    let consumer = reader(servers, topic);
    let mut out = poll_until(&consumer, topic, count, timeout);
    let quiet = std::time::Instant::now() + Duration::from_secs(1);
    while std::time::Instant::now() < quiet {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(m.detach());
        }
    }
    assert_eq!(out.len(), count, "records of `{topic}`");
    out
}

/// The value of header `name` of `message`.
pub fn header(message: &OwnedMessage, name: &str) -> Option<String> {
    message
        .headers()?
        .iter()
        .find(|h| h.key == name)
        .and_then(|h| h.value)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// A Tansu broker of the test's own, on a fixed free port, that it can stop
/// and start again (with empty in-memory storage, as a restarted Tansu has).
pub struct OwnBroker {
    port: u16,
    child: Option<Child>,
}

impl OwnBroker {
    /// Starts one on a free port.
    ///
    /// # Panics
    ///
    /// Without `TANSU_BIN` (set by `scripts/with-broker`) or when it fails to start.
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut broker = OwnBroker { port, child: None };
        broker.restart();
        broker
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the broker (connections are refused until it is restarted).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the broker (again) on the same port and waits until it listens.
    pub fn restart(&mut self) {
        self.stop();
        let bin = std::env::var("TANSU_BIN")
            .expect("TANSU_BIN names the tansu binary: run the tests through scripts/with-broker");
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let child = Command::new(bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tansu");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "tansu did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        self.stop();
    }
}
