//! The reference domain's cross-context flows: the handlers that make the
//! debate system's five bounded contexts react to each other's events.
//!
//! [`DebateSystem::install`] subscribes every flow to an [`EventBus`] and
//! keeps the small in-memory repositories the flows need. Each handler is
//! named `<context>.<what it does>` and tagged with the context that reacts
//! (so [`EventBus::replay`] with a context filter rebuilds that context);
//! every event a handler emits belongs to that same context and carries
//! `source = "<context>-service"`.
//!
//! # Flows
//!
//! | trigger | condition | effect | context |
//! |---|---|---|---|
//! | `DebateRequested` | always | `DebateStarted` (topic = question), ask the [`Decider`], `DebateCompleted` | debate |
//! | `DebateCompleted` | COMPLEX or EVOLUTION | `TaskCreated` (`Implement: {topic}`, HIGH for EVOLUTION else MEDIUM, EVOLUTION or FEATURE); with a winner, `TaskAssigned` (winner lower-cased, AI) | implementation |
//! | `DebateCompleted` | any other type | nothing | |
//! | `CoverageDecreased` | previous − current ≥ 5.0 points | `EvolutionTriggered` (TESTING, details below) | evolution |
//! | `TestFailed` | name contains `performance` or `benchmark`, any case | `PerformanceAnalysisRequested` | performance |
//! | `TestSuiteCompleted` | suite name contains `benchmark`, any case | `BenchmarkTriggered` (`triggered_by` = `test_suite_completion`) | performance |
//! | `MetricThresholdBreached` | severity CRITICAL | `TaskCreated` (`URGENT: Fix {metric} threshold breach`, CRITICAL, BUGFIX), `TaskAssigned` to [`URGENT_ASSIGNEE`] (HUMAN) | implementation |
//! | `EvolutionTriggered` | always | record an [`AnalysisRecord`] and the evolution with one approved improvement (no event) | evolution |
//! | `ImprovementSuggested` | always | add the improvement to its evolution, approved when impact is HIGH or MEDIUM (no event) | evolution |
//! | `EvolutionCompleted` | per approved improvement without a task | `TaskCreated` (`Evolution: {title}`, HIGH, EVOLUTION), at most once per improvement | implementation |
//!
//! # Rules
//!
//! - **Decisions** come from a [`Decider`]; the default, [`RuleDecider`],
//!   classifies the question text (see there). Every decision but SIMPLE
//!   has the winner [`WINNER`]; SIMPLE ones reach consensus without a
//!   winner, so they never assign a task.
//! - **Coverage**: the drop is `previous_coverage − current_coverage`; it
//!   triggers at [`COVERAGE_DROP_THRESHOLD`] points or more (with a 1e-9
//!   tolerance, so 66.6 → 61.6 counts as 5.0). The trigger details are
//!   `reason` = "Significant coverage decrease", `previous_coverage`,
//!   `current_coverage`, `decrease` (doubles) and `affected_modules` (array
//!   of strings).
//! - **Analyses**: an `EvolutionTriggered` records the evolution with one
//!   approved HIGH-impact improvement derived from the trigger: its area
//!   follows the trigger type (TESTING → TESTING, PERFORMANCE → PERFORMANCE,
//!   ERROR_RATE → CODE_QUALITY, ARCHITECTURAL → ARCHITECTURE, SECURITY →
//!   SECURITY, SCHEDULED and MANUAL → MAINTAINABILITY) and its title is the
//!   details' `reason` string, or `Respond to {TRIGGER} trigger` without
//!   one. A second `EvolutionTriggered` for an evolution already analysed
//!   is ignored.
//! - **Task ids and decisions**: a debate's task takes the debate's
//!   `decision_id`; an evolution task takes the improvement's id as its
//!   decision (approving the improvement is the decision); an urgent task
//!   gets a fresh decision id (the policy's own decision).
//! - **Causation**: every emitted event is caused by the handler's trigger,
//!   except that `DebateCompleted` is caused by its `DebateStarted` and a
//!   `TaskAssigned` by its `TaskCreated`; correlation is inherited, so a
//!   whole flow shares the first event's correlation id.
//!
//! Handlers never hold a repository lock across a publish, so handlers of
//! the events they emit may read the repositories.
//!
//! # Examples
//!
//! ```
//! use schemabus::bus::EventBus;
//! use schemabus::domain::DebateSystem;
//! use schemabus::events::common::DecisionType;
//! use schemabus::events::debate::DebateRequested;
//! use schemabus::EventMetadata;
//! # use uuid::Uuid;
//!
//! let bus = EventBus::new();
//! let system = DebateSystem::install(&bus);
//! let request = DebateRequested {
//!     debate_id: Uuid::new_v4(),
//!     question: "Should we migrate the store to Postgres".to_owned(),
//!     context: "the store outgrew SQLite".to_owned(),
//!     requester: "ops".to_owned(),
//!     metadata: None,
//!     event_metadata: EventMetadata::new(),
//! };
//! bus.publish_blocking(request)?;
//!
//! assert_eq!(system.debates()[0].decision.decision_type, DecisionType::Complex);
//! let tasks = system.tasks();
//! assert_eq!(tasks[0].title, "Implement: Should we migrate the store to Postgres");
//! assert_eq!(tasks[0].assignee.as_ref().map(|(name, _)| name.as_str()), Some("claude"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod debate;
mod evolution;
mod implementation;
mod performance;
mod testing;

use std::sync::{Arc, Mutex, MutexGuard};

use crate::bus::{EventBus, Subscription};
use crate::EventMetadata;

pub use self::debate::{DebateRecord, Decider, Decision, RuleDecider, WINNER};
pub use self::evolution::{AnalysisRecord, EvolutionRecord, ImprovementRecord};
pub use self::implementation::{TaskRecord, URGENT_ASSIGNEE};
pub use self::performance::{BENCHMARK_ENVIRONMENT, BENCHMARK_TRIGGERED_BY};
pub use self::testing::COVERAGE_DROP_THRESHOLD;

/// The debate system's flows, installed on a bus, and their repositories.
///
/// Cloning the bus does not copy the system: the handlers stay subscribed
/// until [`uninstall`](Self::uninstall). The accessors return snapshots.
/// See the [module docs](self) for the flows and an example.
#[derive(Debug)]
pub struct DebateSystem {
    debates: debate::Debates,
    tasks: implementation::Tasks,
    evolutions: evolution::Evolutions,
    subscriptions: Vec<Subscription>,
}

impl DebateSystem {
    /// Subscribes every flow to `bus`, deciding debates with [`RuleDecider`].
    pub fn install(bus: &EventBus) -> Self {
        Self::install_with(bus, RuleDecider)
    }

    /// Subscribes every flow to `bus`, deciding debates with `decider` —
    /// a [`DecisionType`](crate::events::common::DecisionType) forces that
    /// type, a closure decides freely.
    pub fn install_with(bus: &EventBus, decider: impl Decider) -> Self {
        let debates = debate::Debates::default();
        let tasks = implementation::Tasks::default();
        let evolutions = evolution::Evolutions::default();
        let mut subscriptions = debate::install(bus, &debates, Arc::new(decider));
        subscriptions.extend(implementation::install(bus, &tasks, &evolutions));
        subscriptions.extend(evolution::install(bus, &evolutions));
        subscriptions.extend(performance::install(bus));
        DebateSystem {
            debates,
            tasks,
            evolutions,
            subscriptions,
        }
    }

    /// Subscribes only the flows run by the service of bounded context
    /// `context` (`debate`, `implementation`, `evolution`, `performance`;
    /// `testing` reacts to nothing) — what one service of a deployment with a
    /// service per context runs, with events of the other contexts arriving
    /// over Kafka. Its repositories hold what that service sees.
    pub fn install_context(bus: &EventBus, context: &str, decider: impl Decider) -> Self {
        let debates = debate::Debates::default();
        let tasks = implementation::Tasks::default();
        let evolutions = evolution::Evolutions::default();
        let subscriptions = match context {
            "debate" => debate::install(bus, &debates, Arc::new(decider)),
            "implementation" => implementation::install(bus, &tasks, &evolutions),
            "evolution" => evolution::install(bus, &evolutions),
            "performance" => performance::install(bus),
            _ => Vec::new(),
        };
        DebateSystem {
            debates,
            tasks,
            evolutions,
            subscriptions,
        }
    }

    /// The debates run so far, in the order they were decided.
    pub fn debates(&self) -> Vec<DebateRecord> {
        self.debates.all()
    }

    /// The tasks created so far, in creation order, with their assignees.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        self.tasks.all()
    }

    /// The evolutions known so far (from analyses and suggested
    /// improvements), in the order they were first seen.
    pub fn evolutions(&self) -> Vec<EvolutionRecord> {
        self.evolutions.evolutions()
    }

    /// The analyses recorded for `EvolutionTriggered` events, oldest first.
    pub fn analyses(&self) -> Vec<AnalysisRecord> {
        self.evolutions.analyses()
    }

    /// Unsubscribes every handler from `bus` (the bus it was installed on)
    /// and returns how many were removed.
    pub fn uninstall(self, bus: &EventBus) -> usize {
        self.subscriptions
            .into_iter()
            .filter(|subscription| bus.unsubscribe(*subscription))
            .count()
    }
}

/// A repository's shared state.
type Shared<T> = Arc<Mutex<T>>;

/// Locks even after a panic in another handler: repositories are only
/// changed by whole statements, never left half-updated.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Metadata of an event that `context`'s service emits because of `cause`.
fn derived(context: &str, cause: &EventMetadata) -> EventMetadata {
    EventMetadata::new()
        .with_source(format!("{context}-service"))
        .caused_by(cause)
}
