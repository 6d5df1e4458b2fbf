//! `schemabus demo --kafka BOOTSTRAP`: the same scenarios as the in-memory
//! demo, with each bounded context as its own bus — a service — connected
//! to the others only through Kafka.
//!
//! Every service bridges all events both ways: what its flows publish goes
//! to its context's topic, what the other services publish reaches its
//! handlers. An observer (one more bus, consuming everything) prints the
//! flow as it crosses the broker. The run ends when every event produced has
//! been consumed by every other service and by the observer, so the counts
//! it prints are complete.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::stream::{self, StreamExt};
use schemabus::bus::EventBus;
use schemabus::domain::{DebateSystem, RuleDecider};
use schemabus::events::CATALOG;
use schemabus::kafka::{KafkaConfig, KafkaEventBridge, KafkaTypeMetrics};

use super::demo::{install_evolution_service, install_printer, scenario, Route, PRINT_LIMIT};
use super::opt::{DemoArgs, Format};

/// How long the run may take to settle after the last scenario.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(120);

/// One bounded context's service.
struct Service {
    context: &'static str,
    bus: EventBus,
    system: DebateSystem,
    bridge: KafkaEventBridge,
}

/// Runs the scenarios across one service per context.
pub fn run(args: &DemoArgs, bootstrap: &str) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args, bootstrap))
}

async fn run_async(args: &DemoArgs, bootstrap: &str) -> anyhow::Result<ExitCode> {
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let run_id = run_id.get(..8).unwrap_or("run");
    let prefix = args
        .topic_prefix
        .clone()
        .unwrap_or_else(|| format!("demo-{run_id}."));
    let spool_dir = std::env::temp_dir().join(format!("schemabus-demo-{run_id}"));
    let base = KafkaConfig::from_env()
        .context("reading KAFKA_* variables")?
        .bootstrap_servers(bootstrap)
        .topic_prefix(prefix.clone())
        .use_avro(args.format == Format::Avro)
        .spool_dir(spool_dir.clone());
    let config_for = |name: &str| {
        let id = format!("demo-{run_id}-{name}");
        base.clone().client_id(id.clone()).consumer_group(id)
    };
    println!(
        "services: {} — one bus each, connected through {bootstrap} (topics `{prefix}<context>.events`, {:?})",
        CATALOG.contexts().join(", "),
        args.format
    );

    let starts = CATALOG.contexts().into_iter().map(|context| {
        let config = config_for(context);
        async move {
            let bus = EventBus::new();
            let system = DebateSystem::install_context(&bus, context, RuleDecider);
            if context == "evolution" {
                install_evolution_service(&bus);
            }
            let bridge = KafkaEventBridge::new(&bus, config, &CATALOG)?;
            bridge
                .bridge_all()
                .await
                .with_context(|| format!("connecting the {context} service to {bootstrap}"))?;
            anyhow::Ok(Service {
                context,
                bus,
                system,
                bridge,
            })
        }
    });
    let services = futures_util::future::try_join_all(starts).await?;
    let observer = EventBus::new();
    let observed = Arc::new(AtomicU64::new(0));
    {
        let observed = Arc::clone(&observed);
        let _count = observer.handler("demo-observer").on_all_sync(move |_| {
            observed.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
    }
    let print = args.debates <= PRINT_LIMIT;
    if print {
        install_printer(&observer);
    }
    let observer_bridge = KafkaEventBridge::new(&observer, config_for("observer"), &CATALOG)?;
    observer_bridge.bridge_all().await?;

    let started = Instant::now();
    let route: Route = {
        let buses: BTreeMap<&'static str, EventBus> = services
            .iter()
            .map(|s| (s.context, s.bus.clone()))
            .collect();
        Arc::new(move |context| buses.get(context).cloned().unwrap_or_default())
    };
    let mut runs = stream::iter(0..args.debates)
        .map(|n| {
            let route = Arc::clone(&route);
            tokio::spawn(async move { scenario(&route, n, false).await })
        })
        .buffer_unordered(if print { 1 } else { 64 });
    while runs.next().await.is_some() {}

    let produced = settle(&services, &observer_bridge, &observed).await?;
    let elapsed = started.elapsed();
    report(&services, &observer_bridge, produced, elapsed);

    let failures: usize = services.iter().map(|s| s.bus.failed_events().len()).sum();
    let dead: u64 = services
        .iter()
        .flat_map(|s| s.bridge.type_metrics().into_values())
        .map(|m| m.dead_lettered)
        .sum();
    let stops = services
        .into_iter()
        .map(|s| s.bridge)
        .chain([observer_bridge])
        .map(KafkaEventBridge::shutdown);
    futures_util::future::try_join_all(stops).await?;
    let _ = std::fs::remove_dir_all(&spool_dir);
    if failures == 0 && dead == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{failures} handler failures, {dead} dead letters");
        Ok(ExitCode::FAILURE)
    }
}

fn totals(metrics: &BTreeMap<&'static str, KafkaTypeMetrics>) -> (u64, u64) {
    metrics.values().fold((0, 0), |(p, c), m| {
        (p + m.produced, c + m.consumed + m.dead_lettered)
    })
}

/// Waits until every event produced has reached every other service and
/// the observer, with nothing left to produce; returns how many there were.
async fn settle(
    services: &[Service],
    observer: &KafkaEventBridge,
    observed: &AtomicU64,
) -> anyhow::Result<u64> {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        let mut outstanding = 0;
        for s in services {
            outstanding += s.bridge.flush(Duration::from_millis(100)).await;
        }
        let counts: Vec<(u64, u64)> = services
            .iter()
            .map(|s| totals(&s.bridge.type_metrics()))
            .collect();
        let produced: u64 = counts.iter().map(|(p, _)| p).sum();
        let everyone_has_all = counts.iter().all(|(p, c)| c + p == produced);
        let observer_has_all = totals(&observer.type_metrics()).1 == produced
            && observed.load(Ordering::Relaxed) == produced;
        if outstanding == 0 && everyone_has_all && observer_has_all {
            return Ok(produced);
        }
        if Instant::now() > deadline {
            bail!(
                "the services did not settle in {SETTLE_TIMEOUT:?}: {produced} produced, {outstanding} outstanding, \
                 consumed per service {:?}",
                counts.iter().map(|(_, c)| c).collect::<Vec<_>>()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn report(services: &[Service], observer: &KafkaEventBridge, produced: u64, elapsed: Duration) {
    println!("\nservices:");
    println!(
        "  {:<16} {:>9} {:>9} {:>7} {:>5} {:>8}",
        "context", "produced", "consumed", "failed", "dlq", "online"
    );
    for s in services {
        let m = s.bridge.type_metrics();
        let (p, c) = totals(&m);
        let failed: u64 = m.values().map(|t| t.failed).sum();
        let dead: u64 = m.values().map(|t| t.dead_lettered).sum();
        println!(
            "  {:<16} {p:>9} {c:>9} {failed:>7} {dead:>5} {:>8}",
            s.context,
            s.bridge.health().online
        );
    }
    println!("\nevents through kafka:");
    let mut per_type: BTreeMap<&str, u64> = BTreeMap::new();
    for s in services {
        for (t, m) in s.bridge.type_metrics() {
            *per_type.entry(t).or_default() += m.produced;
        }
    }
    for (event_type, n) in per_type.iter().filter(|(_, n)| **n > 0) {
        println!("  {event_type:<44} {n:>8}");
    }
    let tasks: usize = services.iter().map(|s| s.system.tasks().len()).sum();
    let rate = produced as f64 / elapsed.as_secs_f64().max(1e-9);
    println!(
        "  {produced} events in {elapsed:.2?} ({rate:.0} events/s end to end, consumer-group joins included); \
         observer saw {}; {tasks} tasks created",
        totals(&observer.type_metrics()).1
    );
}
