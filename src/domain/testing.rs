//! Testing context: the rules that classify testing events.
//!
//! The testing context registers no handler of its own: the contexts that
//! react to its events (evolution, performance) own those handlers and
//! apply these rules.

use crate::events::testing::CoverageDecreased;

/// The coverage drop, in percentage points, that triggers an evolution.
pub const COVERAGE_DROP_THRESHOLD: f64 = 5.0;

/// Absorbs rounding in `previous − current` (66.6 − 61.6 is 4.99999…).
const TOLERANCE: f64 = 1e-9;

/// The drop of `event`, when it is at least [`COVERAGE_DROP_THRESHOLD`].
pub(super) fn significant_drop(event: &CoverageDecreased) -> Option<f64> {
    let drop = event.previous_coverage - event.current_coverage;
    (drop >= COVERAGE_DROP_THRESHOLD - TOLERANCE).then_some(drop)
}

/// Whether a failed test is a performance test: its name contains
/// `performance` or `benchmark`, in any case.
pub(super) fn is_performance_test(test_name: &str) -> bool {
    let name = test_name.to_lowercase();
    name.contains("performance") || name.contains("benchmark")
}

/// Whether a completed suite is a benchmark suite: its name contains
/// `benchmark`, in any case.
pub(super) fn is_benchmark_suite(suite_name: &str) -> bool {
    suite_name.to_lowercase().contains("benchmark")
}
