//! Counters per event type, readable as a snapshot.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters of one event type.
#[derive(Debug, Default)]
pub struct TypeCounters {
    published: AtomicU64,
    handled: AtomicU64,
    failed: AtomicU64,
}

impl TypeCounters {
    pub(crate) fn record(&self, handled: u64, failed: u64) {
        self.published.fetch_add(1, Ordering::Relaxed);
        self.handled.fetch_add(handled, Ordering::Relaxed);
        self.failed.fetch_add(failed, Ordering::Relaxed);
    }

    fn snapshot(&self) -> TypeMetrics {
        TypeMetrics {
            published: self.published.load(Ordering::Relaxed),
            handled: self.handled.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

/// Counts for one event type at the moment of the snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TypeMetrics {
    /// Events of this type published.
    pub published: u64,
    /// Handler runs that succeeded.
    pub handled: u64,
    /// Handler runs that failed (error or panic).
    pub failed: u64,
}

/// Counts per event type, by event type name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Per event type.
    pub by_type: BTreeMap<&'static str, TypeMetrics>,
}

impl MetricsSnapshot {
    pub(crate) fn from_counters<'a>(
        counters: impl IntoIterator<Item = (&'static str, &'a TypeCounters)>,
    ) -> Self {
        let by_type = counters
            .into_iter()
            .map(|(name, c)| (name, c.snapshot()))
            .collect();
        MetricsSnapshot { by_type }
    }

    /// The totals over every event type.
    pub fn total(&self) -> TypeMetrics {
        self.by_type
            .values()
            .fold(TypeMetrics::default(), |a, m| TypeMetrics {
                published: a.published + m.published,
                handled: a.handled + m.handled,
                failed: a.failed + m.failed,
            })
    }
}
