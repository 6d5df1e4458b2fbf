//! `schemabus demo`: the debate system on the in-memory bus, no external
//! service.
//!
//! Debates are requested, started and completed; complex decisions create
//! and assign tasks; coverage drops trigger evolutions whose completion
//! creates tasks; critical metric breaches create urgent tasks. Every event
//! is encoded with the chosen format and decoded back through the generated
//! catalog on its way (a handler on all events), so the demo exercises the
//! codecs too.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use futures_util::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use schemabus::bus::{EventBus, SharedEvent};
use schemabus::cloudevents;
use schemabus::domain::DebateSystem;
use schemabus::events::common::Severity;
use schemabus::events::debate::DebateRequested;
use schemabus::events::evolution::{EvolutionCompleted, EvolutionTriggered};
use schemabus::events::performance::MetricThresholdBreached;
use schemabus::events::testing::CoverageDecreased;
use schemabus::events::AnyEvent;
use schemabus::EventMetadata;
use uuid::Uuid;

use super::opt::{DemoArgs, Format};

/// Scenarios printed event by event; beyond this a progress bar is shown.
pub(super) const PRINT_LIMIT: u32 = 10;
/// Scenarios run at once.
const CONCURRENCY: usize = 64;

/// Questions whose wording leads the decider to different decision types.
const QUESTIONS: [&str; 4] = [
    "Should we adopt event sourcing for orders?",
    "Is the build green?",
    "How should the platform evolve its storage layer?",
    "Which logging format should we use",
];

/// Runs `args.debates` scenarios on the bus and prints the flow and a summary.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let bus = EventBus::new();
    let system = DebateSystem::install(&bus);
    let bytes = Arc::new(AtomicU64::new(0));
    install_codec_check(&bus, args.format, Arc::clone(&bytes));
    install_evolution_service(&bus);
    let print = args.debates <= PRINT_LIMIT;
    if print {
        install_printer(&bus);
    }

    let progress = if print {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(u64::from(args.debates));
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios {per_sec} {eta}")
        {
            bar.set_style(style);
        }
        bar
    };
    let started = Instant::now();
    // Printed runs go one at a time so their lines do not interleave; the
    // others run as tasks on every core, at most CONCURRENCY at once.
    let concurrency = if print { 1 } else { CONCURRENCY };
    let mut crashed = 0usize;
    let route: Route = {
        let bus = bus.clone();
        Arc::new(move |_| bus.clone())
    };
    let mut runs = stream::iter(0..args.debates)
        .map(|n| {
            let route = Arc::clone(&route);
            tokio::spawn(async move { scenario(&route, n, print).await })
        })
        .buffer_unordered(concurrency);
    while let Some(done) = runs.next().await {
        crashed += usize::from(done.is_err());
        progress.inc(1);
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed();

    let metrics = bus.metrics();
    println!("\nsummary ({:?}):", args.format);
    for (event_type, m) in &metrics.by_type {
        println!(
            "  {event_type:<44} {:>8} published {:>8} handled {:>4} failed",
            m.published, m.handled, m.failed
        );
    }
    let total = metrics.total();
    let rate = total.published as f64 / elapsed.as_secs_f64().max(1e-9);
    println!(
        "  {} events ({} bytes as {:?}) in {elapsed:.2?}: {rate:.0} events/s; {} tasks created",
        total.published,
        bytes.load(Ordering::Relaxed),
        args.format,
        system.tasks().len()
    );
    let failures = bus.failed_events();
    if crashed > 0 {
        eprintln!("{crashed} scenarios crashed");
    }
    if failures.is_empty() && crashed == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        for failure in failures.iter().take(10) {
            eprintln!(
                "handler `{}` failed on {} {}: {}",
                failure.handler, failure.event_type, failure.event_id, failure.error
            );
        }
        eprintln!("{} handler failures", failures.len());
        Ok(ExitCode::FAILURE)
    }
}

/// The bus that publishes the events of a bounded context.
pub(super) type Route = Arc<dyn Fn(&str) -> EventBus + Send + Sync>;

/// One scenario: a debate; every 5th also a coverage drop (an evolution),
/// every 7th a critical metric breach and every 7th + 3 a warning one. Each
/// event is published on the bus `route` gives its context.
pub(super) async fn scenario(route: &Route, n: u32, print: bool) {
    if print {
        println!("scenario #{}", n + 1);
    }
    let question = QUESTIONS[n as usize % QUESTIONS.len()];
    route("debate")
        .publish(DebateRequested {
            debate_id: Uuid::new_v4(),
            question: format!("{question} (#{n})"),
            context: "architecture review".to_owned(),
            requester: "platform-team".to_owned(),
            metadata: None,
            event_metadata: EventMetadata::new().with_source("demo"),
        })
        .await;
    if n.is_multiple_of(5) {
        route("testing")
            .publish(CoverageDecreased {
                test_suite_id: Uuid::new_v4(),
                previous_coverage: 87.5,
                current_coverage: 80.0,
                affected_modules: vec!["bus".to_owned(), "codec".to_owned()],
                metadata: EventMetadata::new().with_source("demo"),
            })
            .await;
    }
    if n.is_multiple_of(7) || n % 7 == 3 {
        let severity = if n.is_multiple_of(7) {
            Severity::Critical
        } else {
            Severity::Warning
        };
        route("performance")
            .publish(MetricThresholdBreached {
                metric_id: Uuid::new_v4(),
                metric_name: "p99_latency_ms".to_owned(),
                current_value: 950.0,
                threshold: 500.0,
                severity,
                metadata: EventMetadata::new().with_source("demo"),
            })
            .await;
    }
}

/// Stands in for the evolution service: completes every triggered evolution.
pub(super) fn install_evolution_service(bus: &EventBus) {
    let publisher = bus.clone();
    let _sub = bus
        .handler("demo-evolution-service")
        .context("evolution")
        .on::<EvolutionTriggered, _, _>(move |triggered| {
            let bus = publisher.clone();
            async move {
                bus.publish(EvolutionCompleted {
                    evolution_id: triggered.evolution_id,
                    total_improvements: 1,
                    successful_improvements: 1,
                    metrics_improvement: 5.0,
                    metadata: EventMetadata::new()
                        .with_source("evolution-service")
                        .caused_by(&triggered.metadata),
                })
                .await;
                Ok::<(), schemabus::bus::HandlerError>(())
            }
        });
}

/// Encodes every event in `format` and decodes it back through the catalog;
/// a difference is a handler failure.
fn install_codec_check(bus: &EventBus, format: Format, bytes: Arc<AtomicU64>) {
    let _sub = bus
        .handler("demo-codec-round-trip")
        .priority(100)
        .on_all_sync(move |event| {
            let original = AnyEvent::from_bus_event(event.as_ref())
                .ok_or_else(|| format!("{} is not in the catalog", event.event_type()))?;
            let (decoded, size) = round_trip(&original, format)?;
            if decoded != original {
                return Err(format!(
                    "{} changed on its way through {format:?}",
                    event.event_type()
                )
                .into());
            }
            bytes.fetch_add(size as u64, Ordering::Relaxed);
            Ok(())
        });
}

/// Encodes `event` in `format` and decodes it back; returns it and its size.
fn round_trip(
    event: &AnyEvent,
    format: Format,
) -> Result<(AnyEvent, usize), Box<dyn std::error::Error + Send + Sync>> {
    match format {
        Format::Json => {
            let json = event.to_json()?;
            Ok((AnyEvent::decode_json(&json)?, json.len()))
        }
        Format::Avro => {
            let value = event.to_avro_bytes()?;
            let headers = event.to_headers();
            let (event_type, metadata) = cloudevents::metadata_from_headers(
                headers.iter().map(|(k, v)| (*k, v.as_bytes())),
            )?;
            let mut decoded = AnyEvent::decode_avro(&event_type, &value)?;
            *decoded.metadata_mut() = metadata;
            Ok((decoded, value.len()))
        }
    }
}

/// Prints each event with its context, aggregate and cause.
pub(super) fn install_printer(bus: &EventBus) {
    let _sub = bus
        .handler("demo-printer")
        // First, so each event prints before the events it causes.
        .priority(i32::MAX)
        .on_all_sync(|event: &SharedEvent| {
            let cause = match event.metadata().causation_id {
                Some(id) => format!("caused by {}", short(&id)),
                None => "initial".to_owned(),
            };
            println!(
                "  {:<44} {:<15} aggregate {:<8}  {} {}",
                event.event_type(),
                event.context(),
                event.aggregate_id().chars().take(8).collect::<String>(),
                short(&event.metadata().event_id),
                cause
            );
            Ok(())
        });
}

fn short(id: &Uuid) -> String {
    id.to_string().chars().take(8).collect()
}
