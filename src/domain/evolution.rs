//! Evolution context: triggers evolutions on coverage drops, analyses
//! triggers and collects suggested improvements.

use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use uuid::Uuid;

use super::testing::significant_drop;
use super::{derived, lock, Shared};
use crate::bus::{EventBus, HandlerResult, Subscription};
use crate::events::common::{EvolutionTrigger, Impact, ImprovementArea, JsonValue, JsonValueValue};
use crate::events::evolution::{EvolutionTriggered, ImprovementSuggested};
use crate::events::testing::CoverageDecreased;

const CONTEXT: &str = "evolution";

/// The analysis of one `EvolutionTriggered`.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisRecord {
    /// The evolution analysed.
    pub evolution_id: Uuid,
    /// What triggered it.
    pub trigger_type: EvolutionTrigger,
    /// The trigger's details, as received.
    pub trigger_details: BTreeMap<String, JsonValue>,
    /// The approved improvement derived from the trigger.
    pub improvement_id: Uuid,
}

/// An evolution cycle and its improvements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvolutionRecord {
    /// The evolution's id.
    pub evolution_id: Uuid,
    /// What triggered it; `None` while only suggested improvements are known.
    pub trigger_type: Option<EvolutionTrigger>,
    /// Its improvements, in the order they were added.
    pub improvements: Vec<ImprovementRecord>,
}

/// One improvement of an evolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImprovementRecord {
    /// The improvement's id.
    pub improvement_id: Uuid,
    /// The area it improves.
    pub area: ImprovementArea,
    /// Its title; the task is titled `Evolution: {title}`.
    pub title: String,
    /// Its expected impact.
    pub impact: Impact,
    /// Whether it will be implemented: impact HIGH or MEDIUM.
    pub approved: bool,
    /// The task created for it, once the evolution completed.
    pub task_id: Option<Uuid>,
}

#[derive(Debug, Default)]
struct State {
    analyses: Vec<AnalysisRecord>,
    evolutions: Vec<EvolutionRecord>,
    /// Position of each evolution in `evolutions`: lookups stay O(1) as
    /// evolutions accumulate.
    by_id: HashMap<Uuid, usize>,
    /// Evolutions analysed already (a repeated trigger is ignored).
    analysed: HashSet<Uuid>,
}

impl State {
    fn evolution(&mut self, evolution_id: Uuid) -> &mut EvolutionRecord {
        let evolutions = &mut self.evolutions;
        let index = *self.by_id.entry(evolution_id).or_insert_with(|| {
            evolutions.push(EvolutionRecord {
                evolution_id,
                trigger_type: None,
                improvements: Vec::new(),
            });
            evolutions.len() - 1
        });
        &mut self.evolutions[index]
    }
}

/// Analyses and evolutions.
#[derive(Clone, Debug, Default)]
pub(super) struct Evolutions(Shared<State>);

impl Evolutions {
    pub(super) fn analyses(&self) -> Vec<AnalysisRecord> {
        lock(&self.0).analyses.clone()
    }

    pub(super) fn evolutions(&self) -> Vec<EvolutionRecord> {
        lock(&self.0).evolutions.clone()
    }

    /// Gives every approved improvement of `evolution_id` without a task a
    /// fresh task id, and returns those improvements. Marking happens under
    /// one lock, so no improvement is ever handed out twice.
    pub(super) fn claim_untasked(&self, evolution_id: Uuid) -> Vec<ImprovementRecord> {
        let mut state = lock(&self.0);
        let State {
            evolutions, by_id, ..
        } = &mut *state;
        let Some(evolution) = by_id
            .get(&evolution_id)
            .and_then(|&i| evolutions.get_mut(i))
        else {
            return Vec::new();
        };
        evolution
            .improvements
            .iter_mut()
            .filter(|i| i.approved && i.task_id.is_none())
            .map(|improvement| {
                improvement.task_id = Some(Uuid::new_v4());
                improvement.clone()
            })
            .collect()
    }

    /// Records the analysis of `triggered` and its derived improvement,
    /// unless the evolution was analysed already.
    fn analyse(&self, triggered: &EvolutionTriggered) {
        let mut state = lock(&self.0);
        if !state.analysed.insert(triggered.evolution_id) {
            return;
        }
        let improvement = derived_improvement(triggered);
        state.analyses.push(AnalysisRecord {
            evolution_id: triggered.evolution_id,
            trigger_type: triggered.trigger_type,
            trigger_details: triggered.trigger_details.clone(),
            improvement_id: improvement.improvement_id,
        });
        let evolution = state.evolution(triggered.evolution_id);
        evolution.trigger_type = Some(triggered.trigger_type);
        evolution.improvements.push(improvement);
    }

    /// Adds a suggested improvement (once per improvement id).
    fn suggest(&self, suggested: &ImprovementSuggested) {
        let mut state = lock(&self.0);
        let evolution = state.evolution(suggested.evolution_id);
        if evolution
            .improvements
            .iter()
            .any(|i| i.improvement_id == suggested.improvement_id)
        {
            return;
        }
        evolution.improvements.push(ImprovementRecord {
            improvement_id: suggested.improvement_id,
            area: suggested.area,
            title: suggested.title.clone(),
            impact: suggested.impact,
            approved: matches!(suggested.impact, Impact::High | Impact::Medium),
            task_id: None,
        });
    }
}

/// The approved improvement an analysis derives from a trigger (rule in
/// the module docs of `domain`).
fn derived_improvement(triggered: &EvolutionTriggered) -> ImprovementRecord {
    let area = match triggered.trigger_type {
        EvolutionTrigger::Testing => ImprovementArea::Testing,
        EvolutionTrigger::Performance => ImprovementArea::Performance,
        EvolutionTrigger::ErrorRate => ImprovementArea::CodeQuality,
        EvolutionTrigger::Architectural => ImprovementArea::Architecture,
        EvolutionTrigger::Security => ImprovementArea::Security,
        EvolutionTrigger::Scheduled | EvolutionTrigger::Manual => ImprovementArea::Maintainability,
    };
    let title = match triggered.trigger_details.get("reason").map(|r| &r.value) {
        Some(JsonValueValue::String(reason)) if !reason.is_empty() => reason.clone(),
        _ => format!("Respond to {} trigger", triggered.trigger_type),
    };
    ImprovementRecord {
        improvement_id: Uuid::new_v4(),
        area,
        title,
        impact: Impact::High,
        approved: true,
        task_id: None,
    }
}

/// Subscribes the evolution context's handlers.
pub(super) fn install(bus: &EventBus, evolutions: &Evolutions) -> Vec<Subscription> {
    let publisher = bus.clone();
    let trigger = bus
        .handler("evolution.trigger_on_coverage_drop")
        .context(CONTEXT)
        .on::<CoverageDecreased, _, _>(move |decreased| {
            trigger_on_coverage_drop(publisher.clone(), decreased)
        });
    let repository = evolutions.clone();
    let analyse = bus
        .handler("evolution.analyse_trigger")
        .context(CONTEXT)
        .on_sync::<EvolutionTriggered, _>(move |triggered| {
            repository.analyse(triggered);
            Ok(())
        });
    let repository = evolutions.clone();
    let suggest = bus
        .handler("evolution.add_improvement")
        .context(CONTEXT)
        .on_sync::<ImprovementSuggested, _>(move |suggested| {
            repository.suggest(suggested);
            Ok(())
        });
    vec![trigger, analyse, suggest]
}

/// CoverageDecreased by at least the threshold → EvolutionTriggered.
async fn trigger_on_coverage_drop(
    bus: EventBus,
    decreased: Arc<CoverageDecreased>,
) -> HandlerResult {
    let Some(decrease) = significant_drop(&decreased) else {
        return Ok(());
    };
    let json = |value| JsonValue { value };
    let modules = decreased
        .affected_modules
        .iter()
        .map(|module| json(JsonValueValue::String(module.clone())))
        .collect();
    let details = BTreeMap::from([
        (
            "reason".to_owned(),
            json(JsonValueValue::String(
                "Significant coverage decrease".to_owned(),
            )),
        ),
        (
            "previous_coverage".to_owned(),
            json(JsonValueValue::Double(decreased.previous_coverage)),
        ),
        (
            "current_coverage".to_owned(),
            json(JsonValueValue::Double(decreased.current_coverage)),
        ),
        (
            "decrease".to_owned(),
            json(JsonValueValue::Double(decrease)),
        ),
        (
            "affected_modules".to_owned(),
            json(JsonValueValue::Array(modules)),
        ),
    ]);
    bus.publish(EvolutionTriggered {
        evolution_id: Uuid::new_v4(),
        trigger_type: EvolutionTrigger::Testing,
        trigger_details: details,
        metadata: derived(CONTEXT, &decreased.metadata),
    })
    .await;
    Ok(())
}
