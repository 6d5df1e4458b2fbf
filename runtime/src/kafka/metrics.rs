//! Counters of the Kafka pieces, per event type: lock-free, built once from
//! the catalog.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::catalog::Catalog;

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) produced: AtomicU64,
    pub(crate) produce_failed: AtomicU64,
    pub(crate) consumed: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) duplicates: AtomicU64,
}

/// What happened to the events of one type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KafkaTypeMetrics {
    /// Records the broker acknowledged.
    pub produced: u64,
    /// Records that could not be produced (spooled for a later attempt when
    /// a spool is configured).
    pub produce_failed: u64,
    /// Events consumed and handled.
    pub consumed: u64,
    /// Handling attempts that failed (each retry counts).
    pub failed: u64,
    /// Records sent to the dead-letter topic.
    pub dead_lettered: u64,
    /// Records dropped as duplicates of an event already handled.
    pub duplicates: u64,
}

/// Counters per event type, shared by the pieces of one bridge.
pub(crate) struct KafkaMetrics {
    by_type: HashMap<&'static str, Counters>,
    unknown: Counters,
}

impl KafkaMetrics {
    pub(crate) fn new(catalog: &Catalog) -> Self {
        KafkaMetrics {
            by_type: catalog
                .types
                .iter()
                .map(|t| (t.name, Counters::default()))
                .collect(),
            unknown: Counters::default(),
        }
    }

    /// The counters of `event_type`; types outside the catalog (undecodable
    /// messages) share one set.
    pub(crate) fn of(&self, event_type: &str) -> &Counters {
        self.by_type.get(event_type).unwrap_or(&self.unknown)
    }

    /// Types with any activity, sorted; undecodable messages under `"<unknown>"`.
    pub(crate) fn snapshot(&self) -> BTreeMap<&'static str, KafkaTypeMetrics> {
        let read = |c: &Counters| KafkaTypeMetrics {
            produced: c.produced.load(Ordering::Relaxed),
            produce_failed: c.produce_failed.load(Ordering::Relaxed),
            consumed: c.consumed.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            dead_lettered: c.dead_lettered.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
        };
        let default = KafkaTypeMetrics::default();
        self.by_type
            .iter()
            .map(|(k, c)| (*k, read(c)))
            .chain(std::iter::once(("<unknown>", read(&self.unknown))))
            .filter(|(_, m)| *m != default)
            .collect()
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}
