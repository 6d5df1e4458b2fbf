//! Kafka throughput and latency against a real broker, in one run:
//!
//! - **produce**: raw rdkafka (`ThreadedProducer`, the same keys, values and
//!   headers, the same settings) vs `BatchEventProducer` (encoding included)
//!   vs `HybridEventBus` publishing (local delivery, encoding, producing);
//! - **consume**: raw rdkafka (`BaseConsumer`, reading only) vs
//!   `EventConsumer` (decode, dedup, deliver to a handler, store offsets);
//! - **end to end**: `HybridEventBus` → Kafka → `EventConsumer` → handler;
//! - **latency** at 2,000 events/s, publish to handler, p50/p99, with raw
//!   rdkafka's under the same settings beside it.
//!
//! Run: `scripts/with-broker cargo bench --bench kafka` (add `-- --events N`
//! for another count; default 1,000,000). Prints a table for BENCHMARKS.md.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use schemabus::bus::EventBus;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::events::CATALOG;
use schemabus::hybrid::HybridEventBus;
use schemabus::kafka::{
    ensure_topics, message, BatchEventProducer, EventConsumer, KafkaConfig, KafkaEventBridge,
};
use schemabus::EventMetadata;

const LATENCY_RATE: u64 = 2_000;
const LATENCY_SECONDS: u64 = 10;

fn event(n: usize) -> DebateCompleted {
    DebateCompleted {
        debate_id: uuid::Uuid::new_v4(),
        topic: format!("Should the event bus adopt Avro schemas? #{n}"),
        winner: Some("claude-architect".to_owned()),
        consensus: true,
        decision_type: DecisionType::Complex,
        decision_id: uuid::Uuid::new_v4(),
        summary: "Adopt Avro with a schema registry; keep JSON for debugging.".to_owned(),
        metadata: EventMetadata::new().with_source("bench"),
    }
}

struct Row {
    name: &'static str,
    events: u64,
    seconds: f64,
}

impl Row {
    fn rate(&self) -> f64 {
        self.events as f64 / self.seconds
    }
}

/// Counts acknowledgements of the raw producer.
#[derive(Default)]
struct Counter(AtomicU64);
impl ClientContext for Counter {}
impl ProducerContext for Counter {
    type DeliveryOpaque = ();
    fn delivery(&self, r: &DeliveryResult<'_>, _: ()) {
        if r.is_ok() {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn config(bootstrap: &str, run: &str, stage: &str) -> KafkaConfig {
    let name = format!("bench-{run}-{stage}");
    KafkaConfig::new(bootstrap)
        .topic_prefix(format!("{name}."))
        .client_id(name.clone())
        .consumer_group(name.clone())
        .use_avro(true)
        .num_partitions(6)
        .spool_dir(std::env::temp_dir().join(format!("schemabus-bench-{run}")))
}

fn topic(config: &KafkaConfig) -> String {
    format!("{}debate.events", config.topic_prefix)
}

/// Key, value and headers of one pre-encoded record.
type RawRecord = (String, Vec<u8>, Vec<(String, String)>);

/// The raw rows frame with a fixed schema id: they measure Kafka, not the registry.
const AVRO: message::ValueFormat = message::ValueFormat::Avro { schema_id: 1 };

/// The raw producer: the same records, pre-encoded, through `BaseProducer`.
fn raw_produce(config: &KafkaConfig, events: &[DebateCompleted]) -> Row {
    let mut value = Vec::new();
    let records: Vec<RawRecord> = events
        .iter()
        .map(|e| {
            let headers = message::encode(e, AVRO, "raw", &mut value).expect("encode");
            let pairs = headers_of(&headers);
            (e.debate_id.to_string(), value.clone(), pairs)
        })
        .collect();
    let producer: ThreadedProducer<Counter> = config
        .producer_config()
        .create_with_context(Counter::default())
        .expect("producer");
    let topic = topic(config);
    let start = Instant::now();
    for (key, value, pairs) in &records {
        let mut headers = OwnedHeaders::new_with_capacity(pairs.len());
        for (k, v) in pairs {
            headers = headers.insert(Header {
                key: k,
                value: Some(v),
            });
        }
        let mut record = BaseRecord::to(&topic)
            .key(key)
            .payload(value)
            .headers(headers);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, r)) => {
                    record = r;
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(120)).expect("flush");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(
        producer.context().0.load(Ordering::Relaxed),
        records.len() as u64
    );
    Row {
        name: "raw rdkafka produce (ThreadedProducer, same bytes)",
        events: records.len() as u64,
        seconds,
    }
}

fn headers_of(headers: &OwnedHeaders) -> Vec<(String, String)> {
    use rdkafka::message::Headers;
    headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned();
            (h.key.to_owned(), value)
        })
        .collect()
}

fn batch_produce(config: &KafkaConfig, events: &[DebateCompleted]) -> Row {
    let batch = BatchEventProducer::new(config, &CATALOG).expect("producer");
    batch
        .add_event(&events[0])
        .expect("first event creates the topic");
    batch.flush_batch(Duration::from_secs(10)).expect("first");
    let start = Instant::now();
    for e in &events[1..] {
        batch.add_event(e).expect("add");
    }
    let delivered = batch.flush_batch(Duration::from_secs(120)).expect("flush");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(delivered, events.len() as u64 - 1);
    Row {
        name: "BatchEventProducer (encode + produce)",
        events: delivered,
        seconds,
    }
}

fn raw_consume(config: &KafkaConfig, expected: u64) -> Row {
    let consumer: BaseConsumer = config
        .consumer_config(&format!("{}-raw", config.consumer_group))
        .create()
        .expect("consumer");
    let topic = topic(config);
    let metadata = consumer
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .expect("metadata");
    let mut tpl = TopicPartitionList::new();
    for p in metadata.topics()[0].partitions() {
        tpl.add_partition_offset(&topic, p.id(), Offset::Beginning)
            .expect("tpl");
    }
    consumer.assign(&tpl).expect("assign");
    let start = Instant::now();
    let mut n = 0u64;
    while n < expected {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            std::hint::black_box(m.payload());
            n += 1;
        }
    }
    Row {
        name: "raw rdkafka consume (BaseConsumer, read only)",
        events: n,
        seconds: start.elapsed().as_secs_f64(),
    }
}

async fn event_consume(config: &KafkaConfig, expected: u64) -> Row {
    let bus = EventBus::new();
    let seen = Arc::new(AtomicU64::new(0));
    let s = Arc::clone(&seen);
    let _h = bus.subscribe_sync::<DebateCompleted, _>(move |_| {
        s.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    let start = Instant::now();
    let consumer = EventConsumer::new(config.clone(), &CATALOG, &bus)
        .start_from(schemabus::kafka::StartFrom::Beginning)
        .add_context("debate")
        .start()
        .await
        .expect("consumer");
    while seen.load(Ordering::Relaxed) < expected {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = start.elapsed().as_secs_f64();
    consumer.shutdown().await.expect("shutdown");
    Row {
        name: "EventConsumer → bus handler (decode, dedup, deliver)",
        events: expected,
        seconds,
    }
}

/// Publishes on a hybrid bus; returns the publish row and the end-to-end row.
/// A consumer of the debate topic in a group of its own, feeding `bus`.
async fn receiving(config: &KafkaConfig, bus: &EventBus) -> schemabus::kafka::ConsumerHandle {
    let own = config
        .clone()
        .client_id(format!("{}-receiver", config.client_id))
        .consumer_group(format!("{}-receiver", config.consumer_group));
    ensure_topics(config, &[topic(config)])
        .await
        .expect("topics");
    EventConsumer::new(own, &CATALOG, bus)
        .add_context("debate")
        .start()
        .await
        .expect("consumer")
}

/// Where the published events come from: a hybrid bus (which also consumes
/// every topic, its own included), or a bus bridged outbound only.
enum Source {
    Hybrid(HybridEventBus),
    Outbound(EventBus, Box<KafkaEventBridge>),
}

impl Source {
    async fn new(config: &KafkaConfig, outbound_only: bool) -> Self {
        if outbound_only {
            let bus = EventBus::new();
            let bridge = KafkaEventBridge::new(&bus, config.clone(), &CATALOG).expect("bridge");
            bridge
                .bridge::<DebateCompleted>(true, false)
                .await
                .expect("bridge");
            Source::Outbound(bus, Box::new(bridge))
        } else {
            let bus = HybridEventBus::connect(&EventBus::new(), config.clone(), &CATALOG)
                .await
                .expect("hybrid");
            Source::Hybrid(bus)
        }
    }
    fn online(&self) -> bool {
        match self {
            Source::Hybrid(h) => h.health().producer.is_some_and(|p| p.online),
            Source::Outbound(_, b) => b.health().online,
        }
    }
    async fn publish(&self, e: DebateCompleted) {
        match self {
            Source::Hybrid(h) => h.publish(e).await,
            Source::Outbound(bus, _) => bus.publish(e).await,
        };
    }
    async fn flush(&self) -> u64 {
        match self {
            Source::Hybrid(h) => h.flush(Duration::from_secs(120)).await,
            Source::Outbound(_, b) => b.flush(Duration::from_secs(120)).await,
        }
    }
    async fn shutdown(self) {
        match self {
            Source::Hybrid(h) => h.shutdown().await.expect("shutdown"),
            Source::Outbound(_, b) => b.shutdown().await.expect("shutdown"),
        }
    }
}

async fn hybrid(
    config: &KafkaConfig,
    events: Vec<DebateCompleted>,
    outbound_only: bool,
) -> (Row, Row) {
    let receiver = EventBus::new();
    let seen = Arc::new(AtomicU64::new(0));
    let s = Arc::clone(&seen);
    let _h = receiver.subscribe_sync::<DebateCompleted, _>(move |_| {
        s.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    let consumer = receiving(config, &receiver).await;
    let service = Source::new(config, outbound_only).await;
    while !service.online() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Wait for the receiver's group join so the end-to-end time is the pipeline's.
    while consumer.assignment().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let n = events.len() as u64;
    let start = Instant::now();
    for e in events {
        service.publish(e).await;
    }
    let outstanding = service.flush().await;
    let published = start.elapsed().as_secs_f64();
    assert_eq!(outstanding, 0);
    while seen.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let end_to_end = start.elapsed().as_secs_f64();
    consumer.shutdown().await.expect("shutdown");
    service.shutdown().await;
    let (publish, through) = if outbound_only {
        (
            "bus + outbound-only bridge publish → acknowledged",
            "bus + outbound-only bridge → Kafka → EventConsumer → handler",
        )
    } else {
        (
            "HybridEventBus publish → acknowledged (local delivery + produce)",
            "HybridEventBus → Kafka → EventConsumer → handler",
        )
    };
    (
        Row {
            name: publish,
            events: n,
            seconds: published,
        },
        Row {
            name: through,
            events: n,
            seconds: end_to_end,
        },
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Publish-to-handler latency at `LATENCY_RATE` events/s: (p50, p99) in ms.
async fn latency(config: &KafkaConfig) -> (f64, f64) {
    let receiver = EventBus::new();
    let samples = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&samples);
    let _h = receiver.subscribe_sync::<DebateCompleted, _>(move |e| {
        let ms = (chrono::Utc::now() - e.metadata.occurred_at)
            .num_microseconds()
            .unwrap_or(0) as f64
            / 1000.0;
        s.lock().expect("samples").push(ms);
        Ok(())
    });
    let consumer = receiving(config, &receiver).await;
    let service = HybridEventBus::connect(&EventBus::new(), config.clone(), &CATALOG)
        .await
        .expect("hybrid");
    while !service.health().producer.is_some_and(|p| p.online) || consumer.assignment().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let total = LATENCY_RATE * LATENCY_SECONDS;
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / LATENCY_RATE));
    for n in 0..total {
        tick.tick().await;
        service.publish(event(n as usize)).await;
    }
    while (samples.lock().expect("samples").len() as u64) < total {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    consumer.shutdown().await.expect("shutdown");
    service.shutdown().await.expect("shutdown");
    let mut v = samples.lock().expect("samples").clone();
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

/// Raw rdkafka's latency under the same settings: CreateTime to poll.
fn raw_latency(config: &KafkaConfig) -> (f64, f64) {
    let topic = topic(config);
    futures_executor::block_on(ensure_topics(config, std::slice::from_ref(&topic)))
        .expect("topics");
    let consumer: BaseConsumer = config
        .consumer_config(&format!("{}-raw", config.consumer_group))
        .create()
        .expect("consumer");
    consumer.subscribe(&[&topic]).expect("subscribe");
    let producer: ThreadedProducer<Counter> = config
        .producer_config()
        .create_with_context(Counter::default())
        .expect("producer");
    let total = LATENCY_RATE * LATENCY_SECONDS;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Wait for the group join before producing.
    while consumer.assignment().map(|a| a.count()).unwrap_or(0) == 0 {
        consumer.poll(Duration::from_millis(50));
    }
    let sender = {
        let topic = topic.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let payload = vec![7u8; 250];
            let period = Duration::from_micros(1_000_000 / LATENCY_RATE);
            let start = Instant::now();
            for n in 0..total {
                let due = start + period * n as u32;
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let now = chrono::Utc::now().timestamp_micros().to_string();
                let _ = producer.send(BaseRecord::to(&topic).key(&now).payload(&payload));
            }
            producer.flush(Duration::from_secs(30)).expect("flush");
            stop.store(true, Ordering::SeqCst);
        })
    };
    let mut v = Vec::new();
    while (v.len() as u64) < total {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            let sent: i64 = std::str::from_utf8(m.key().unwrap_or_default())
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            v.push((chrono::Utc::now().timestamp_micros() - sent) as f64 / 1000.0);
        }
    }
    sender.join().expect("sender");
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

fn main() {
    let bootstrap = std::env::var("KAFKA_BOOTSTRAP_SERVERS")
        .expect("set KAFKA_BOOTSTRAP_SERVERS, or run through scripts/with-broker");
    let args: Vec<String> = std::env::args().collect();
    let events: usize = args
        .iter()
        .position(|a| a == "--events")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    // `--only hybrid` runs just the end-to-end stage, `--only consume` the
    // EventConsumer stage (for profiling).
    let only_hybrid = args
        .windows(2)
        .any(|w| w[0] == "--only" && w[1] == "hybrid");
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` asks harness-less benches for names
    }
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("{events} DebateCompleted events, Avro, 6 partitions, acks=all, idempotent, linger 5 ms; broker {bootstrap}");
    let sample = event(0);
    let mut value = Vec::new();
    let headers = message::encode(&sample, AVRO, "bench", &mut value).expect("encode");
    let header_bytes: usize = headers_of(&headers)
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    println!(
        "record: {} value bytes + {header_bytes} header bytes + 36 key bytes",
        value.len()
    );

    if only_hybrid {
        let hybrid_events: Vec<DebateCompleted> = (0..events).map(event).collect();
        let outbound_only = args.iter().any(|a| a == "--outbound-only");
        let (publish, end_to_end) = runtime.block_on(hybrid(
            &config(&bootstrap, &run, "hybrid"),
            hybrid_events,
            outbound_only,
        ));
        println!(
            "publish {:.0}/s, end to end {:.0}/s",
            publish.rate(),
            end_to_end.rate()
        );
        return;
    }
    if args
        .windows(2)
        .any(|w| w[0] == "--only" && w[1] == "consume")
    {
        let cfg = config(&bootstrap, &run, "consume");
        let produce_events: Vec<DebateCompleted> = (0..events).map(event).collect();
        batch_produce(&cfg, &produce_events);
        let row = runtime.block_on(event_consume(&cfg, events as u64));
        println!("consume {:.0}/s", row.rate());
        return;
    }
    let produce_events: Vec<DebateCompleted> = (0..events).map(event).collect();
    let raw_cfg = config(&bootstrap, &run, "raw");
    runtime
        .block_on(ensure_topics(&raw_cfg, &[topic(&raw_cfg)]))
        .expect("topics");
    let raw = raw_produce(&raw_cfg, &produce_events);
    let batch_cfg = config(&bootstrap, &run, "batch");
    let batch = batch_produce(&batch_cfg, &produce_events);
    drop(produce_events);
    let raw_read = raw_consume(&batch_cfg, events as u64);
    let ours_read = runtime.block_on(event_consume(&batch_cfg, events as u64));
    let hybrid_events: Vec<DebateCompleted> = (0..events).map(event).collect();
    let (hybrid_publish, end_to_end) = runtime.block_on(hybrid(
        &config(&bootstrap, &run, "hybrid"),
        hybrid_events,
        false,
    ));
    let outbound_events: Vec<DebateCompleted> = (0..events).map(event).collect();
    let (outbound_publish, outbound_end_to_end) = runtime.block_on(hybrid(
        &config(&bootstrap, &run, "outbound"),
        outbound_events,
        true,
    ));
    let (p50, p99) = runtime.block_on(latency(&config(&bootstrap, &run, "latency")));
    let (raw50, raw99) = raw_latency(&config(&bootstrap, &run, "rawlatency"));

    println!("\n| path | events | seconds | events/s | vs raw |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let line = |r: &Row, base: Option<&Row>| {
        let ratio = base.map_or("".to_owned(), |b| format!("{:.2}×", r.rate() / b.rate()));
        println!(
            "| {} | {} | {:.2} | {:.0} | {ratio} |",
            r.name,
            r.events,
            r.seconds,
            r.rate()
        );
    };
    line(&raw, None);
    line(&batch, Some(&raw));
    line(&hybrid_publish, Some(&raw));
    line(&raw_read, None);
    line(&ours_read, Some(&raw_read));
    line(&end_to_end, Some(&raw));
    line(&outbound_publish, Some(&raw));
    line(&outbound_end_to_end, Some(&raw));
    println!("\nlatency at {LATENCY_RATE} events/s for {LATENCY_SECONDS} s, publish → handler:");
    println!("| path | p50 ms | p99 ms |\n| --- | ---: | ---: |");
    println!("| HybridEventBus → Kafka → EventConsumer → handler | {p50:.1} | {p99:.1} |");
    println!("| raw rdkafka, same settings (CreateTime → poll) | {raw50:.1} | {raw99:.1} |");
    let original = 10_000.0 / 5.0;
    println!(
        "\nthe original's bar (10,000 events in 5 s = {original:.0}/s): end to end is {:.0}× faster \
         (outbound-only {:.0}×), BatchEventProducer {:.0}×",
        end_to_end.rate() / original,
        outbound_end_to_end.rate() / original,
        batch.rate() / original
    );
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("schemabus-bench-{run}")));
}
