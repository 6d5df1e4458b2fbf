//! The reference domain's cross-context flows (`schemabus::domain`): every
//! flow, its negative cases, causation and correlation, the full evolution
//! cycle, idempotence and isolation from failing handlers.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use schemabus::bus::{EventBus, HandlerResult, SharedEvent};
use schemabus::domain::{DebateSystem, Decision, RuleDecider, URGENT_ASSIGNEE, WINNER};
use schemabus::events::common::{
    AssigneeType, DecisionType, EvolutionTrigger, Impact, ImplementationType, ImprovementArea,
    JsonValue, JsonValueValue, Priority, Severity,
};
use schemabus::events::debate::{DebateCompleted, DebateRequested, DebateStarted};
use schemabus::events::evolution::{EvolutionCompleted, EvolutionTriggered, ImprovementSuggested};
use schemabus::events::implementation::{TaskAssigned, TaskCreated};
use schemabus::events::performance::{
    BenchmarkTriggered, MetricThresholdBreached, PerformanceAnalysisRequested,
};
use schemabus::events::testing::{CoverageDecreased, TestFailed, TestSuiteCompleted};
use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

// ---------------------------------------------------------------- helpers

/// Every published event, in delivery order. It runs before any other
/// handler: handlers publish depth-first, so a recorder running after the
/// flows would see derived events before their cause.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<SharedEvent>>>);

impl Recorder {
    fn attach(bus: &EventBus) -> Self {
        let recorder = Recorder::default();
        let events = Arc::clone(&recorder.0);
        let _sub = bus
            .handler("test.recorder")
            .priority(i32::MAX)
            .on_all_sync(move |event| {
                events.lock().unwrap().push(Arc::clone(event));
                Ok(())
            });
        recorder
    }

    /// Short type names (`DebateStarted`), in order.
    fn types(&self) -> Vec<&'static str> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.event_type().rsplit('.').next().unwrap())
            .collect()
    }

    fn of<E: DomainEvent>(&self) -> Vec<E> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| e.downcast_ref::<E>().cloned())
            .collect()
    }

    fn one<E: DomainEvent>(&self) -> E {
        let mut events = self.of::<E>();
        assert_eq!(events.len(), 1, "expected one {}", E::EVENT_TYPE);
        events.remove(0)
    }

    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

fn setup() -> (EventBus, DebateSystem, Recorder) {
    let bus = EventBus::new();
    let system = DebateSystem::install(&bus);
    let recorder = Recorder::attach(&bus);
    (bus, system, recorder)
}

fn setup_with(decision_type: DecisionType) -> (EventBus, DebateSystem, Recorder) {
    let bus = EventBus::new();
    let system = DebateSystem::install_with(&bus, decision_type);
    let recorder = Recorder::attach(&bus);
    (bus, system, recorder)
}

fn request(question: &str) -> DebateRequested {
    DebateRequested {
        debate_id: Uuid::new_v4(),
        question: question.to_owned(),
        context: "background".to_owned(),
        requester: "tester".to_owned(),
        metadata: None,
        event_metadata: EventMetadata::new().with_source("test"),
    }
}

fn completed(decision_type: DecisionType, winner: Option<&str>) -> DebateCompleted {
    DebateCompleted {
        debate_id: Uuid::new_v4(),
        topic: "Adopt event sourcing".to_owned(),
        winner: winner.map(str::to_owned),
        consensus: true,
        decision_type,
        decision_id: Uuid::new_v4(),
        summary: "done".to_owned(),
        metadata: EventMetadata::new(),
    }
}

fn coverage(previous: f64, current: f64) -> CoverageDecreased {
    CoverageDecreased {
        test_suite_id: Uuid::new_v4(),
        previous_coverage: previous,
        current_coverage: current,
        affected_modules: vec!["bus".to_owned(), "codec".to_owned()],
        metadata: EventMetadata::new(),
    }
}

fn test_failed(name: &str) -> TestFailed {
    TestFailed {
        test_suite_id: Uuid::new_v4(),
        test_case_id: Uuid::new_v4(),
        test_name: name.to_owned(),
        error_message: "took 900 ms, limit 500 ms".to_owned(),
        stack_trace: None,
        metadata: EventMetadata::new(),
    }
}

fn suite_completed(name: &str) -> TestSuiteCompleted {
    TestSuiteCompleted {
        test_suite_id: Uuid::new_v4(),
        suite_name: name.to_owned(),
        total_tests: 10,
        passed_tests: 9,
        failed_tests: 1,
        error_tests: 0,
        skipped_tests: 0,
        total_execution_time_ms: 1234,
        metadata: EventMetadata::new(),
    }
}

fn breach(severity: Severity) -> MetricThresholdBreached {
    MetricThresholdBreached {
        metric_id: Uuid::new_v4(),
        metric_name: "response_time".to_owned(),
        current_value: 950.0,
        threshold: 500.0,
        severity,
        metadata: EventMetadata::new(),
    }
}

fn evolution_completed(evolution_id: Uuid, cause: Option<&EventMetadata>) -> EvolutionCompleted {
    let metadata = match cause {
        Some(cause) => EventMetadata::new().caused_by(cause),
        None => EventMetadata::new(),
    };
    EvolutionCompleted {
        evolution_id,
        total_improvements: 1,
        successful_improvements: 1,
        metrics_improvement: 12.5,
        metadata,
    }
}

fn suggestion(evolution_id: Uuid, title: &str, impact: Impact) -> ImprovementSuggested {
    ImprovementSuggested {
        evolution_id,
        improvement_id: Uuid::new_v4(),
        area: ImprovementArea::Performance,
        title: title.to_owned(),
        impact,
        metadata: EventMetadata::new(),
    }
}

fn string(text: &str) -> JsonValue {
    JsonValue {
        value: JsonValueValue::String(text.to_owned()),
    }
}

fn double(value: f64) -> JsonValue {
    JsonValue {
        value: JsonValueValue::Double(value),
    }
}

fn failing() -> HandlerResult {
    Err("downstream is unavailable".into())
}

// ---------------------------------------------------------------- debates

#[tokio::test]
async fn debate_request_runs_the_debate_and_a_complex_decision_creates_an_assigned_task() {
    let (bus, system, recorder) = setup();
    let asked = request("Should we migrate the store to Postgres");

    let report = bus.publish(asked.clone()).await;
    assert_eq!(report.failed, 0);

    assert_eq!(
        recorder.types(),
        [
            "DebateRequested",
            "DebateStarted",
            "DebateCompleted",
            "TaskCreated",
            "TaskAssigned"
        ]
    );
    let started = recorder.one::<DebateStarted>();
    assert_eq!(started.debate_id, asked.debate_id);
    assert_eq!(started.topic, asked.question);
    assert_eq!(started.context, "background");

    let done = recorder.one::<DebateCompleted>();
    assert_eq!(done.debate_id, asked.debate_id);
    assert_eq!(done.topic, asked.question);
    assert_eq!(done.decision_type, DecisionType::Complex);
    assert_eq!(done.winner.as_deref(), Some(WINNER));

    let debates = system.debates();
    assert_eq!(debates.len(), 1);
    assert_eq!(debates[0].debate_id, asked.debate_id);
    assert_eq!(debates[0].decision_id, done.decision_id);
    assert_eq!(debates[0].requester, "tester");

    let task = recorder.one::<TaskCreated>();
    assert_eq!(
        task.title,
        "Implement: Should we migrate the store to Postgres"
    );
    assert_eq!(task.priority, Priority::Medium);
    assert_eq!(task.implementation_type, ImplementationType::Feature);
    assert_eq!(task.decision_id, done.decision_id);

    let assigned = recorder.one::<TaskAssigned>();
    assert_eq!(assigned.task_id, task.task_id);
    assert_eq!(assigned.assignee, "claude");
    assert_eq!(assigned.assignee_type, AssigneeType::Ai);

    let tasks = system.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].task_id, task.task_id);
    assert_eq!(
        tasks[0].assignee,
        Some(("claude".to_owned(), AssigneeType::Ai))
    );
}

#[tokio::test]
async fn an_evolution_decision_creates_a_high_priority_evolution_task() {
    let (bus, system, recorder) = setup_with(DecisionType::Evolution);
    bus.publish(request("Pick a logging format")).await;

    let task = recorder.one::<TaskCreated>();
    assert_eq!(task.title, "Implement: Pick a logging format");
    assert_eq!(task.priority, Priority::High);
    assert_eq!(task.implementation_type, ImplementationType::Evolution);
    assert_eq!(recorder.one::<TaskAssigned>().assignee, "claude");
    assert_eq!(system.tasks()[0].priority, Priority::High);
}

#[tokio::test]
async fn the_rule_decider_picks_the_decision_type_from_the_question() {
    let (bus, _system, recorder) = setup();
    bus.publish(request("How should we evolve the schema?"))
        .await;
    assert_eq!(
        recorder.one::<DebateCompleted>().decision_type,
        DecisionType::Evolution
    );
    assert_eq!(recorder.one::<TaskCreated>().priority, Priority::High);

    let cases = [
        ("Is the ARCHITECTURE sound?", DecisionType::Architectural),
        ("Should we evolve the schema?", DecisionType::Evolution),
        ("Plan the evolution of the API", DecisionType::Evolution),
        ("Refactor the codec", DecisionType::Complex),
        ("Adopt Kafka?", DecisionType::Complex),
        ("Tabs or spaces?", DecisionType::Simple),
        (
            "Which of these nine or ten candidate logging formats is best?",
            DecisionType::Moderate,
        ),
        ("Pick a logging format", DecisionType::Moderate),
    ];
    for (question, expected) in cases {
        assert_eq!(RuleDecider::classify(question), expected, "{question}");
    }
}

#[tokio::test]
async fn a_simple_debate_creates_no_task() {
    let (bus, system, recorder) = setup();
    bus.publish(request("Tabs or spaces?")).await;

    assert_eq!(
        recorder.types(),
        ["DebateRequested", "DebateStarted", "DebateCompleted"]
    );
    let done = recorder.one::<DebateCompleted>();
    assert_eq!(done.decision_type, DecisionType::Simple);
    assert_eq!(done.winner, None);
    assert!(done.consensus);
    assert!(system.tasks().is_empty());
    assert_eq!(system.debates().len(), 1);
}

#[tokio::test]
async fn a_moderate_debate_creates_no_task() {
    let (bus, system, recorder) = setup();
    bus.publish(request("Pick a logging format for the services"))
        .await;

    assert_eq!(
        recorder.one::<DebateCompleted>().decision_type,
        DecisionType::Moderate
    );
    assert!(recorder.of::<TaskCreated>().is_empty());
    assert!(system.tasks().is_empty());
}

#[tokio::test]
async fn architectural_and_strategic_debates_create_no_task() {
    for decision_type in [DecisionType::Architectural, DecisionType::Strategic] {
        let (bus, system, recorder) = setup_with(decision_type);
        bus.publish(request("Anything")).await;
        assert_eq!(
            recorder.one::<DebateCompleted>().decision_type,
            decision_type
        );
        assert!(system.tasks().is_empty(), "{decision_type}");
    }
}

#[tokio::test]
async fn a_complex_decision_without_a_winner_creates_an_unassigned_task() {
    let bus = EventBus::new();
    let system = DebateSystem::install_with(&bus, |asked: &DebateRequested| Decision {
        decision_type: DecisionType::Complex,
        winner: None,
        consensus: false,
        summary: format!("no winner on {}", asked.question),
    });
    let recorder = Recorder::attach(&bus);

    bus.publish(request("Anything")).await;
    assert_eq!(
        recorder.types(),
        [
            "DebateRequested",
            "DebateStarted",
            "DebateCompleted",
            "TaskCreated"
        ]
    );
    assert_eq!(system.tasks()[0].assignee, None);

    // The same from a DebateCompleted published by someone else.
    recorder.clear();
    bus.publish(completed(DecisionType::Complex, None)).await;
    assert_eq!(recorder.types(), ["DebateCompleted", "TaskCreated"]);
}

#[tokio::test]
async fn completed_simple_and_moderate_debates_create_no_task_even_with_a_winner() {
    let (bus, system, recorder) = setup();
    bus.publish(completed(DecisionType::Simple, Some("Claude")))
        .await;
    bus.publish(completed(DecisionType::Moderate, Some("Claude")))
        .await;
    assert_eq!(recorder.types(), ["DebateCompleted", "DebateCompleted"]);
    assert!(system.tasks().is_empty());
}

#[tokio::test]
async fn a_winner_is_lower_cased_for_the_assignment() {
    let (bus, _system, recorder) = setup();
    bus.publish(completed(DecisionType::Complex, Some("Gemini-Pro")))
        .await;
    assert_eq!(recorder.one::<TaskAssigned>().assignee, "gemini-pro");
}

// ---------------------------------------------------------------- testing → evolution

#[tokio::test]
async fn a_coverage_drop_of_exactly_five_points_triggers_an_evolution() {
    let (bus, _system, recorder) = setup();
    let decreased = coverage(80.0, 75.0);
    bus.publish(decreased.clone()).await;

    assert_eq!(
        recorder.types(),
        ["CoverageDecreased", "EvolutionTriggered"]
    );
    let triggered = recorder.one::<EvolutionTriggered>();
    assert_eq!(triggered.trigger_type, EvolutionTrigger::Testing);
    let details = &triggered.trigger_details;
    assert_eq!(details["reason"], string("Significant coverage decrease"));
    assert_eq!(details["previous_coverage"], double(80.0));
    assert_eq!(details["current_coverage"], double(75.0));
    assert_eq!(details["decrease"], double(5.0));
    assert_eq!(
        details["affected_modules"],
        JsonValue {
            value: JsonValueValue::Array(vec![string("bus"), string("codec")])
        }
    );
    assert_eq!(details.len(), 5);
}

#[tokio::test]
async fn a_coverage_drop_below_five_points_triggers_nothing() {
    let (bus, system, recorder) = setup();
    bus.publish(coverage(80.0, 77.0)).await;
    bus.publish(coverage(80.0, 75.1)).await;
    // Coverage that went up is no drop at all.
    bus.publish(coverage(70.0, 90.0)).await;

    assert!(recorder.of::<EvolutionTriggered>().is_empty());
    assert!(system.analyses().is_empty());
    assert!(system.evolutions().is_empty());
}

#[tokio::test]
async fn a_five_point_drop_that_rounds_below_five_still_triggers() {
    // 66.6 - 61.6 is 4.999999999999993 in f64.
    let decreased = coverage(66.6, 61.6);
    assert!(decreased.previous_coverage - decreased.current_coverage < 5.0);
    let (bus, _system, recorder) = setup();
    bus.publish(decreased).await;
    assert_eq!(recorder.of::<EvolutionTriggered>().len(), 1);
}

#[tokio::test]
async fn an_evolution_trigger_records_an_analysis_and_an_approved_improvement() {
    let (bus, system, recorder) = setup();
    bus.publish(coverage(90.0, 70.0)).await;
    let triggered = recorder.one::<EvolutionTriggered>();

    let analyses = system.analyses();
    assert_eq!(analyses.len(), 1);
    assert_eq!(analyses[0].evolution_id, triggered.evolution_id);
    assert_eq!(analyses[0].trigger_type, EvolutionTrigger::Testing);
    assert_eq!(analyses[0].trigger_details, triggered.trigger_details);

    let evolutions = system.evolutions();
    assert_eq!(evolutions.len(), 1);
    assert_eq!(evolutions[0].trigger_type, Some(EvolutionTrigger::Testing));
    let improvement = &evolutions[0].improvements[..];
    assert_eq!(improvement.len(), 1);
    assert_eq!(improvement[0].improvement_id, analyses[0].improvement_id);
    assert_eq!(improvement[0].area, ImprovementArea::Testing);
    assert_eq!(improvement[0].title, "Significant coverage decrease");
    assert_eq!(improvement[0].impact, Impact::High);
    assert!(improvement[0].approved);
    assert_eq!(improvement[0].task_id, None);

    // No event, and a second trigger of the same evolution is ignored.
    assert_eq!(
        recorder.types(),
        ["CoverageDecreased", "EvolutionTriggered"]
    );
    bus.publish(triggered).await;
    assert_eq!(system.analyses().len(), 1);
    assert_eq!(system.evolutions()[0].improvements.len(), 1);
}

#[tokio::test]
async fn a_trigger_without_a_reason_gets_a_title_from_its_type() {
    let (bus, system, _recorder) = setup();
    bus.publish(EvolutionTriggered {
        evolution_id: Uuid::new_v4(),
        trigger_type: EvolutionTrigger::ErrorRate,
        trigger_details: Default::default(),
        metadata: EventMetadata::new(),
    })
    .await;
    let improvement = &system.evolutions()[0].improvements[0];
    assert_eq!(improvement.title, "Respond to ERROR_RATE trigger");
    assert_eq!(improvement.area, ImprovementArea::CodeQuality);
}

// ---------------------------------------------------------------- testing → performance

#[tokio::test]
async fn a_failed_performance_or_benchmark_test_requests_an_analysis() {
    let (bus, _system, recorder) = setup();
    for name in ["test_API_Performance_under_load", "BenchmarkSort"] {
        recorder.clear();
        let failed = test_failed(name);
        bus.publish(failed.clone()).await;

        assert_eq!(
            recorder.types(),
            ["TestFailed", "PerformanceAnalysisRequested"]
        );
        let requested = recorder.one::<PerformanceAnalysisRequested>();
        assert_eq!(requested.reason, format!("Performance test failed: {name}"));
        assert_eq!(requested.error_details, failed.error_message);
        assert_eq!(requested.test_case_id, failed.test_case_id);
    }
}

#[tokio::test]
async fn other_failed_tests_request_nothing() {
    let (bus, _system, recorder) = setup();
    for name in ["test_login", "test_perf_budget", "bench"] {
        bus.publish(test_failed(name)).await;
    }
    assert!(recorder.of::<PerformanceAnalysisRequested>().is_empty());
    assert_eq!(recorder.types().len(), 3);
}

#[tokio::test]
async fn a_completed_benchmark_suite_triggers_a_benchmark() {
    let (bus, _system, recorder) = setup();
    bus.publish(suite_completed("nightly-benchmark-suite"))
        .await;

    assert_eq!(
        recorder.types(),
        ["TestSuiteCompleted", "BenchmarkTriggered"]
    );
    let benchmark = recorder.one::<BenchmarkTriggered>();
    assert_eq!(benchmark.benchmark_name, "nightly-benchmark-suite");
    assert_eq!(benchmark.triggered_by, "test_suite_completion");
    assert_eq!(
        benchmark.environment,
        schemabus::domain::BENCHMARK_ENVIRONMENT
    );
}

#[tokio::test]
async fn other_completed_suites_trigger_nothing() {
    let (bus, _system, recorder) = setup();
    bus.publish(suite_completed("unit")).await;
    bus.publish(suite_completed("performance-smoke")).await;
    assert!(recorder.of::<BenchmarkTriggered>().is_empty());
}

// ---------------------------------------------------------------- performance → implementation

#[tokio::test]
async fn a_critical_breach_creates_an_urgent_assigned_task() {
    let (bus, system, recorder) = setup();
    bus.publish(breach(Severity::Critical)).await;

    assert_eq!(
        recorder.types(),
        ["MetricThresholdBreached", "TaskCreated", "TaskAssigned"]
    );
    let task = recorder.one::<TaskCreated>();
    assert_eq!(task.title, "URGENT: Fix response_time threshold breach");
    assert_eq!(task.priority, Priority::Critical);
    assert_eq!(task.implementation_type, ImplementationType::Bugfix);
    let assigned = recorder.one::<TaskAssigned>();
    assert_eq!(assigned.task_id, task.task_id);
    assert_eq!(assigned.assignee, URGENT_ASSIGNEE);
    assert_eq!(assigned.assignee_type, AssigneeType::Human);
    assert_eq!(
        system.tasks()[0].assignee,
        Some((URGENT_ASSIGNEE.to_owned(), AssigneeType::Human))
    );
}

#[tokio::test]
async fn warning_and_info_breaches_create_no_task() {
    let (bus, system, recorder) = setup();
    bus.publish(breach(Severity::Warning)).await;
    bus.publish(breach(Severity::Info)).await;
    assert!(recorder.of::<TaskCreated>().is_empty());
    assert!(system.tasks().is_empty());
}

// ---------------------------------------------------------------- evolution → implementation

#[tokio::test]
async fn full_cycle_coverage_drop_to_evolution_task() {
    let (bus, system, recorder) = setup();
    let decreased = coverage(82.0, 71.5);
    bus.publish(decreased.clone()).await;
    let triggered = recorder.one::<EvolutionTriggered>();

    bus.publish(evolution_completed(
        triggered.evolution_id,
        Some(&triggered.metadata),
    ))
    .await;

    assert_eq!(
        recorder.types(),
        [
            "CoverageDecreased",
            "EvolutionTriggered",
            "EvolutionCompleted",
            "TaskCreated"
        ]
    );
    let task = recorder.one::<TaskCreated>();
    assert_eq!(task.title, "Evolution: Significant coverage decrease");
    assert_eq!(task.priority, Priority::High);
    assert_eq!(task.implementation_type, ImplementationType::Evolution);

    let improvement = system.evolutions()[0].improvements[0].clone();
    assert_eq!(task.decision_id, improvement.improvement_id);
    assert_eq!(improvement.task_id, Some(task.task_id));
    assert_eq!(system.tasks()[0].task_id, task.task_id);
    assert_eq!(system.tasks()[0].assignee, None);

    // One correlation id from the coverage drop to the task.
    assert_eq!(
        task.metadata.correlation_id,
        Some(decreased.metadata.event_id)
    );
    assert_eq!(task.metadata.source, "implementation-service");
}

#[tokio::test]
async fn completing_an_evolution_twice_creates_its_tasks_once() {
    let (bus, system, recorder) = setup();
    bus.publish(coverage(80.0, 70.0)).await;
    let evolution_id = recorder.one::<EvolutionTriggered>().evolution_id;

    bus.publish(evolution_completed(evolution_id, None)).await;
    bus.publish(evolution_completed(evolution_id, None)).await;
    assert_eq!(recorder.of::<TaskCreated>().len(), 1);
    assert_eq!(system.tasks().len(), 1);

    // An improvement approved later gets its task at the next completion;
    // the earlier one still does not get a second.
    bus.publish(suggestion(evolution_id, "Cache schemas", Impact::High))
        .await;
    bus.publish(evolution_completed(evolution_id, None)).await;
    let titles: Vec<String> = recorder
        .of::<TaskCreated>()
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(
        titles,
        [
            "Evolution: Significant coverage decrease",
            "Evolution: Cache schemas"
        ]
    );
}

#[tokio::test]
async fn only_approved_suggested_improvements_get_tasks() {
    let (bus, system, recorder) = setup();
    let evolution_id = Uuid::new_v4();
    let high = suggestion(evolution_id, "Batch writes", Impact::High);
    bus.publish(high.clone()).await;
    bus.publish(suggestion(evolution_id, "Pool buffers", Impact::Medium))
        .await;
    bus.publish(suggestion(evolution_id, "Rename a variable", Impact::Low))
        .await;
    // A repeated suggestion is not added twice.
    bus.publish(high).await;

    let evolution = &system.evolutions()[0];
    assert_eq!(evolution.trigger_type, None);
    let approved: Vec<(&str, bool)> = evolution
        .improvements
        .iter()
        .map(|i| (i.title.as_str(), i.approved))
        .collect();
    assert_eq!(
        approved,
        [
            ("Batch writes", true),
            ("Pool buffers", true),
            ("Rename a variable", false)
        ]
    );
    assert!(system.analyses().is_empty());

    bus.publish(evolution_completed(evolution_id, None)).await;
    let titles: Vec<String> = recorder
        .of::<TaskCreated>()
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(
        titles,
        ["Evolution: Batch writes", "Evolution: Pool buffers"]
    );
}

#[tokio::test]
async fn completing_an_unknown_evolution_creates_nothing() {
    let (bus, system, recorder) = setup();
    bus.publish(evolution_completed(Uuid::new_v4(), None)).await;
    assert_eq!(recorder.types(), ["EvolutionCompleted"]);
    assert!(system.tasks().is_empty());
}

// ---------------------------------------------------------------- causation and correlation

#[tokio::test]
async fn derived_debate_events_chain_causation_and_share_correlation() {
    let (bus, _system, recorder) = setup();
    let asked = request("Refactor the codec");
    let root = asked.event_metadata.event_id;
    bus.publish(asked).await;

    let started = recorder.one::<DebateStarted>();
    let done = recorder.one::<DebateCompleted>();
    let task = recorder.one::<TaskCreated>();
    let assigned = recorder.one::<TaskAssigned>();

    assert_eq!(started.metadata.causation_id, Some(root));
    assert_eq!(done.metadata.causation_id, Some(started.metadata.event_id));
    assert_eq!(task.metadata.causation_id, Some(done.metadata.event_id));
    assert_eq!(assigned.metadata.causation_id, Some(task.metadata.event_id));
    for metadata in [
        &started.metadata,
        &done.metadata,
        &task.metadata,
        &assigned.metadata,
    ] {
        assert_eq!(metadata.correlation_id, Some(root));
    }
    assert_eq!(started.metadata.source, "debate-service");
    assert_eq!(done.metadata.source, "debate-service");
    assert_eq!(task.metadata.source, "implementation-service");
    assert_eq!(assigned.metadata.source, "implementation-service");
}

#[tokio::test]
async fn derived_events_keep_an_existing_correlation_id() {
    let (bus, _system, recorder) = setup();
    let upstream = EventMetadata::new();
    let mut asked = request("Adopt Avro");
    asked.event_metadata = EventMetadata::new().caused_by(&upstream);
    bus.publish(asked).await;

    for event in recorder.0.lock().unwrap().iter() {
        assert_eq!(
            event.metadata().correlation_id,
            Some(upstream.event_id),
            "{}",
            event.event_type()
        );
    }
}

#[tokio::test]
async fn derived_events_of_every_other_flow_are_caused_by_their_trigger() {
    let (bus, _system, recorder) = setup();

    let decreased = coverage(80.0, 70.0);
    bus.publish(decreased.clone()).await;
    let triggered = recorder.one::<EvolutionTriggered>();
    assert_eq!(
        triggered.metadata.causation_id,
        Some(decreased.metadata.event_id)
    );
    assert_eq!(
        triggered.metadata.correlation_id,
        Some(decreased.metadata.event_id)
    );
    assert_eq!(triggered.metadata.source, "evolution-service");

    let failed = test_failed("perf_benchmark");
    bus.publish(failed.clone()).await;
    let analysis = recorder.one::<PerformanceAnalysisRequested>();
    assert_eq!(
        analysis.metadata.causation_id,
        Some(failed.metadata.event_id)
    );
    assert_eq!(
        analysis.metadata.correlation_id,
        Some(failed.metadata.event_id)
    );
    assert_eq!(analysis.metadata.source, "performance-service");

    let suite = suite_completed("benchmark");
    bus.publish(suite.clone()).await;
    let benchmark = recorder.one::<BenchmarkTriggered>();
    assert_eq!(
        benchmark.metadata.causation_id,
        Some(suite.metadata.event_id)
    );
    assert_eq!(benchmark.metadata.source, "performance-service");

    let breached = breach(Severity::Critical);
    bus.publish(breached.clone()).await;
    let task = recorder.one::<TaskCreated>();
    let assigned = recorder.one::<TaskAssigned>();
    assert_eq!(task.metadata.causation_id, Some(breached.metadata.event_id));
    assert_eq!(assigned.metadata.causation_id, Some(task.metadata.event_id));
    assert_eq!(
        assigned.metadata.correlation_id,
        Some(breached.metadata.event_id)
    );

    let done = evolution_completed(triggered.evolution_id, None);
    bus.publish(done.clone()).await;
    let evolution_task = recorder.of::<TaskCreated>().pop().unwrap();
    assert_eq!(
        evolution_task.metadata.causation_id,
        Some(done.metadata.event_id)
    );
}

// ---------------------------------------------------------------- failures and lifecycle

#[tokio::test]
async fn a_failing_handler_elsewhere_does_not_stop_the_flows() {
    let bus = EventBus::new();
    // Failing handlers that run before the flows' own.
    let _err = bus
        .handler("test.flaky")
        .context("audit")
        .priority(10)
        .on_sync::<DebateCompleted, _>(|_| failing());
    let _panic = bus
        .handler("test.panicky")
        .priority(10)
        .on_sync::<DebateRequested, _>(|_| panic!("boom"));
    let _all = bus
        .handler("test.fails_on_everything")
        .on_all_sync(|_| failing());
    let system = DebateSystem::install(&bus);
    let recorder = Recorder::attach(&bus);

    let report = bus.publish(request("Migrate to Kafka")).await;
    // Recorder, panicky, the debate flow and the catch-all failure.
    assert_eq!((report.handlers, report.failed), (4, 2));

    assert_eq!(
        recorder.types(),
        [
            "DebateRequested",
            "DebateStarted",
            "DebateCompleted",
            "TaskCreated",
            "TaskAssigned"
        ]
    );
    assert_eq!(system.tasks().len(), 1);
    let failures = bus.failed_events();
    let failed: Vec<(&str, &str)> = failures
        .iter()
        .map(|f| (f.handler.as_str(), f.event_type.rsplit('.').next().unwrap()))
        .collect();
    assert!(failed.contains(&("test.panicky", "DebateRequested")));
    assert!(failed.contains(&("test.flaky", "DebateCompleted")));
    assert!(failed.contains(&("test.fails_on_everything", "TaskAssigned")));
    assert!(failures.iter().all(|f| f.handler.starts_with("test.")));

    // The other flows still run too.
    bus.publish(breach(Severity::Critical)).await;
    assert_eq!(system.tasks().len(), 2);
}

#[tokio::test]
async fn a_panicking_decider_fails_only_its_debate() {
    let bus = EventBus::new();
    let system = DebateSystem::install_with(&bus, |asked: &DebateRequested| {
        if asked.question.contains("explode") {
            panic!("decider exploded");
        }
        Decision::of_type(DecisionType::Complex, &asked.question)
    });
    let recorder = Recorder::attach(&bus);

    let report = bus.publish(request("explode")).await;
    assert_eq!(report.failed, 1);
    assert_eq!(bus.failed_events()[0].handler, "debate.run_debate");
    assert_eq!(recorder.types(), ["DebateRequested", "DebateStarted"]);

    bus.publish(request("fine")).await;
    assert_eq!(system.tasks().len(), 1);
    assert_eq!(system.debates().len(), 1);
}

#[tokio::test]
async fn handlers_are_tagged_with_the_context_that_reacts() {
    let bus = EventBus::with_config(schemabus::bus::BusConfig {
        history: 100,
        ..Default::default()
    });
    let system = DebateSystem::install(&bus);
    bus.publish(breach(Severity::Critical)).await;
    bus.publish(coverage(80.0, 70.0)).await;
    let history = bus.history();
    assert_eq!(history.len(), 5);

    // No performance handler reacts to these events.
    assert_eq!(bus.replay(&history, Some("performance")).await.handlers, 0);
    // The testing context reacts to nothing: its rules live with the
    // contexts that react to testing events.
    assert_eq!(bus.replay(&history, Some("testing")).await.handlers, 0);

    // Replaying the trigger to the evolution context re-runs only the
    // analysis, which ignores an evolution it already analysed.
    let triggers: Vec<SharedEvent> = history
        .iter()
        .filter(|e| e.downcast_ref::<EvolutionTriggered>().is_some())
        .cloned()
        .collect();
    let report = bus.replay(&triggers, Some("evolution")).await;
    assert_eq!((report.handlers, report.failed), (1, 0));
    assert_eq!(system.analyses().len(), 1);
    assert_eq!(system.tasks().len(), 1);
}

#[tokio::test]
async fn uninstall_removes_every_handler() {
    let bus = EventBus::new();
    let system = DebateSystem::install(&bus);
    let recorder = Recorder::attach(&bus);
    assert_eq!(system.uninstall(&bus), 9);

    bus.publish(request("Migrate to Kafka")).await;
    bus.publish(coverage(80.0, 60.0)).await;
    assert_eq!(recorder.types(), ["DebateRequested", "CoverageDecreased"]);
}

#[tokio::test]
async fn a_context_service_runs_only_its_own_flows() {
    let bus = EventBus::new();
    let system = DebateSystem::install_context(&bus, "implementation", RuleDecider);
    let recorder = Recorder::attach(&bus);
    bus.publish(request("Should we adopt event sourcing?"))
        .await;
    assert_eq!(
        recorder.types(),
        ["DebateRequested"],
        "the debate flow is another service's"
    );
    bus.publish(completed(DecisionType::Complex, Some("Claude")))
        .await;
    assert_eq!(
        recorder.types(),
        [
            "DebateRequested",
            "DebateCompleted",
            "TaskCreated",
            "TaskAssigned"
        ]
    );
    assert_eq!(system.tasks().len(), 1);

    let testing = EventBus::new();
    let nothing = DebateSystem::install_context(&testing, "testing", RuleDecider);
    assert_eq!(
        nothing.uninstall(&testing),
        0,
        "the testing context reacts to nothing"
    );
}
