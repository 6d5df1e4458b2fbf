//! `schemabus demo`: the reference domain's debate flow, in-process.
//!
//! Every event is encoded with the chosen format and decoded back through
//! the generated catalog before it counts, so the demo exercises the codecs.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{ensure, Context};
use schemabus::events::common::{AssigneeType, DecisionType, ImplementationType, Priority};
use schemabus::events::debate::{DebateCompleted, DebateRequested, DebateStarted};
use schemabus::events::implementation::{TaskAssigned, TaskCreated};
use schemabus::events::AnyEvent;
use schemabus::{cloudevents, EventMetadata};
use uuid::Uuid;

use super::opt::{DemoArgs, Format};

/// Scenarios printed event by event; beyond this only the summary is shown.
const PRINT_LIMIT: u32 = 10;

const DECISIONS: [DecisionType; 4] = [
    DecisionType::Complex,
    DecisionType::Simple,
    DecisionType::Evolution,
    DecisionType::Moderate,
];

/// Runs `args.debates` scenarios and prints the flow and a summary.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let mut counts: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    let started = Instant::now();
    let print = args.debates <= PRINT_LIMIT;
    for n in 0..args.debates {
        if print {
            println!("debate #{}", n + 1);
        }
        for event in scenario(n) {
            let (decoded, size) = round_trip(&event, args.format)
                .with_context(|| format!("round-tripping {}", event.event_type()))?;
            ensure!(
                decoded == event,
                "{} changed on its way through {:?}",
                event.event_type(),
                args.format
            );
            let entry = counts.entry(event.event_type()).or_default();
            entry.0 += 1;
            entry.1 += size as u64;
            if print {
                let cause = match event.metadata().causation_id {
                    Some(id) => format!("caused by {}", &id.to_string()[..8]),
                    None => "initial".to_owned(),
                };
                println!(
                    "  {:<38} {:<15} aggregate {}  {} ({} bytes)",
                    event.event_type(),
                    event.context(),
                    &event.aggregate_id()[..8],
                    cause,
                    size
                );
            }
        }
    }
    let elapsed = started.elapsed();
    let total: u64 = counts.values().map(|(count, _)| count).sum();
    let bytes: u64 = counts.values().map(|(_, size)| size).sum();
    println!("\nsummary ({:?}):", args.format);
    for (event_type, (count, size)) in &counts {
        let noun = if *count == 1 { "event" } else { "events" };
        println!("  {event_type:<38} {count:>8} {noun:<6} {size:>10} bytes");
    }
    let rate = total as f64 / elapsed.as_secs_f64().max(1e-9);
    println!("  {total} events, {bytes} bytes in {elapsed:.2?} ({rate:.0} events/s)");
    Ok(ExitCode::SUCCESS)
}

/// Encodes `event` in `format` and decodes it back; returns it and the size.
fn round_trip(event: &AnyEvent, format: Format) -> anyhow::Result<(AnyEvent, usize)> {
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

/// One debate: requested, started, completed and, for complex or evolution
/// decisions, a task created and assigned to the winner.
fn scenario(n: u32) -> Vec<AnyEvent> {
    let debate_id = Uuid::new_v4();
    let question = format!("Should service {n} adopt event sourcing?");
    let requested = DebateRequested {
        debate_id,
        question: question.clone(),
        context: "architecture review".to_owned(),
        requester: "platform-team".to_owned(),
        metadata: None,
        event_metadata: EventMetadata::new().with_source("debate-service"),
    };
    let started = DebateStarted {
        debate_id,
        topic: question.clone(),
        context: requested.context.clone(),
        metadata: EventMetadata::new().caused_by(&requested.event_metadata),
    };
    let decision_type = DECISIONS[n as usize % DECISIONS.len()];
    let winner = (n % 5 != 4).then(|| "Claude".to_owned());
    let completed = DebateCompleted {
        debate_id,
        topic: question.clone(),
        winner: winner.clone(),
        consensus: winner.is_some(),
        decision_type,
        decision_id: Uuid::new_v4(),
        summary: format!("Decided ({decision_type}) after three rounds."),
        metadata: EventMetadata::new().caused_by(&started.metadata),
    };
    let mut flow: Vec<AnyEvent> = vec![requested.into(), started.into()];
    if matches!(
        decision_type,
        DecisionType::Complex | DecisionType::Evolution
    ) {
        let evolution = decision_type == DecisionType::Evolution;
        let task = TaskCreated {
            task_id: Uuid::new_v4(),
            decision_id: completed.decision_id,
            title: format!("Implement: {question}"),
            implementation_type: if evolution {
                ImplementationType::Evolution
            } else {
                ImplementationType::Feature
            },
            priority: if evolution {
                Priority::High
            } else {
                Priority::Medium
            },
            metadata: EventMetadata::new().caused_by(&completed.metadata),
        };
        let assigned = winner.map(|winner| TaskAssigned {
            task_id: task.task_id,
            assignee: winner.to_lowercase(),
            assignee_type: AssigneeType::Ai,
            metadata: EventMetadata::new().caused_by(&task.metadata),
        });
        flow.push(completed.into());
        flow.push(task.into());
        flow.extend(assigned.map(AnyEvent::from));
    } else {
        flow.push(completed.into());
    }
    flow
}
