//! Performance context: reacts to failed performance tests and completed
//! benchmark suites.

use std::sync::Arc;

use uuid::Uuid;

use super::derived;
use super::testing::{is_benchmark_suite, is_performance_test};
use crate::bus::{EventBus, HandlerResult, Subscription};
use crate::events::performance::{BenchmarkTriggered, PerformanceAnalysisRequested};
use crate::events::testing::{TestFailed, TestSuiteCompleted};

const CONTEXT: &str = "performance";

/// `triggered_by` of a benchmark triggered by a completed benchmark suite.
pub const BENCHMARK_TRIGGERED_BY: &str = "test_suite_completion";

/// `environment` of a benchmark triggered by a completed benchmark suite.
pub const BENCHMARK_ENVIRONMENT: &str = "test";

/// Subscribes the performance context's handlers.
pub(super) fn install(bus: &EventBus) -> Vec<Subscription> {
    let publisher = bus.clone();
    let analyse = bus
        .handler("performance.analyse_failed_performance_test")
        .context(CONTEXT)
        .on::<TestFailed, _, _>(move |failed| analyse_failed_test(publisher.clone(), failed));
    let publisher = bus.clone();
    let benchmark = bus
        .handler("performance.benchmark_completed_suite")
        .context(CONTEXT)
        .on::<TestSuiteCompleted, _, _>(move |suite| {
            benchmark_completed_suite(publisher.clone(), suite)
        });
    vec![analyse, benchmark]
}

/// TestFailed of a performance test → PerformanceAnalysisRequested.
async fn analyse_failed_test(bus: EventBus, failed: Arc<TestFailed>) -> HandlerResult {
    if is_performance_test(&failed.test_name) {
        bus.publish(PerformanceAnalysisRequested {
            analysis_id: Uuid::new_v4(),
            reason: format!("Performance test failed: {}", failed.test_name),
            test_case_id: failed.test_case_id,
            error_details: failed.error_message.clone(),
            metadata: derived(CONTEXT, &failed.metadata),
        })
        .await;
    }
    Ok(())
}

/// TestSuiteCompleted of a benchmark suite → BenchmarkTriggered.
async fn benchmark_completed_suite(bus: EventBus, suite: Arc<TestSuiteCompleted>) -> HandlerResult {
    if is_benchmark_suite(&suite.suite_name) {
        bus.publish(BenchmarkTriggered {
            benchmark_id: Uuid::new_v4(),
            benchmark_name: suite.suite_name.clone(),
            triggered_by: BENCHMARK_TRIGGERED_BY.to_owned(),
            environment: BENCHMARK_ENVIRONMENT.to_owned(),
            metadata: derived(CONTEXT, &suite.metadata),
        })
        .await;
    }
    Ok(())
}
