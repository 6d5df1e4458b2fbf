//! The in-memory event bus: typed publish/subscribe inside one process.
//!
//! # A tour
//!
//! [`EventBus`] routes each published event to every handler subscribed to
//! its type, to its bounded context or to all events:
//!
//! - **Subscribe** with [`EventBus::subscribe`] (async handler of one event
//!   type) or [`EventBus::subscribe_sync`], or through
//!   [`EventBus::handler`] to give the handler a name, a context tag and a
//!   priority, and to subscribe to a whole context or to every event.
//! - **Order**: handlers with a higher priority run first; equal priorities
//!   run in subscription order. Handlers of one event run one after the
//!   other, so the order is deterministic.
//! - **Publish** with [`EventBus::publish`]: it returns once every handler
//!   has run, with a [`PublishReport`]. Non-async code uses
//!   [`EventBus::publish_blocking`]. Handlers may publish further events
//!   (event chains).
//! - **Backpressure**: at most [`BusConfig::max_in_flight`] publishes run
//!   at once; further publishers wait.
//! - **Failures**: a handler that returns an error or panics never stops the
//!   others; the failure is recorded ([`EventBus::failed_events`]) and
//!   counted in the report.
//! - **Metrics** per event type: [`EventBus::metrics`].
//! - **History**, opt-in and bounded ([`BusConfig::history`]), and
//!   [`EventBus::replay`], which delivers past events again, optionally only
//!   to the handlers of one context.
//!
//! # Examples
//!
//! With the reference domain of the `schemabus` crate:
//!
//! ```ignore
//! let bus = EventBus::new();
//! let _sub = bus.subscribe_sync::<DebateCompleted, _>(|event| {
//!     println!("{} finished", event.topic);
//!     Ok(())
//! });
//! let _all = bus.handler("log").priority(10).on_all_sync(|event| {
//!     println!("{} {}", event.event_type(), event.aggregate_id());
//!     Ok(())
//! });
//! let report = bus.publish(completed).await;
//! assert_eq!((report.handlers, report.failed), (2, 0));
//! ```

mod error;
mod event;
mod handler;
mod metrics;

use std::any::TypeId;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, RwLock};

use futures_util::FutureExt;

pub use self::error::{BlockingInAsyncContext, FailedEvent, HandlerError, HandlerResult};
pub use self::event::{BusEvent, SharedEvent};
pub use self::handler::{HandlerBuilder, Subscription};
pub use self::metrics::{MetricsSnapshot, TypeMetrics};

use self::handler::{Call, Entry};
use self::metrics::TypeCounters;
use crate::event::DomainEvent;

/// Settings of an [`EventBus`].
#[derive(Clone, Debug)]
pub struct BusConfig {
    /// How many published events to keep for [`EventBus::history`] and
    /// replay; 0 (the default) keeps none.
    pub history: usize,
    /// How many handler failures to keep for [`EventBus::failed_events`]
    /// (the oldest are dropped first). Default: 1000.
    pub failures: usize,
    /// How many publishes may be in flight at once; further publishers wait
    /// (backpressure), so a flood of events cannot grow memory without
    /// bound. Publishes made by handlers while they handle an event do not
    /// count, so event chains never wait on themselves. Default: 1024.
    pub max_in_flight: usize,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            history: 0,
            failures: 1000,
            max_in_flight: 1024,
        }
    }
}

tokio::task_local! {
    /// Set while a publish delivers its event: publishes from its handlers
    /// (event chains) skip the in-flight limit their parent already holds.
    static DELIVERING: ();
}

/// What publishing one event did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Handlers that ran.
    pub handlers: usize,
    /// Of those, handlers that failed (returned an error or panicked).
    pub failed: usize,
}

/// The handlers that failed on one delivery of an event.
#[derive(Default)]
pub(crate) struct FailedHandlers(Vec<Arc<Entry>>);

/// The handlers of one event type, in run order, and its counters.
struct Route {
    entries: Vec<Arc<Entry>>,
    counters: Arc<TypeCounters>,
}

#[derive(Default)]
struct Subscriptions {
    entries: Vec<Arc<Entry>>,
    next_id: u64,
    /// Built on first publish of a type, dropped when subscriptions change.
    routes: HashMap<TypeId, Arc<Route>>,
}

/// Numbers the buses of a process, so subscription handles stay with theirs.
static NEXT_BUS_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

struct Inner {
    id: u64,
    config: BusConfig,
    in_flight: tokio::sync::Semaphore,
    subscriptions: RwLock<Subscriptions>,
    counters: Mutex<HashMap<&'static str, Arc<TypeCounters>>>,
    failures: Mutex<VecDeque<FailedEvent>>,
    history: Mutex<VecDeque<SharedEvent>>,
}

/// An in-memory, typed event bus. Cheap to clone: clones share handlers,
/// metrics and history. See the [module docs](self) for a tour.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("config", &self.inner.config)
            .field("handlers", &self.read_subscriptions().entries.len())
            .finish_non_exhaustive()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

/// Locks even after a panic elsewhere: the bus's state stays consistent
/// because handlers never run while a lock is held.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => format!("panicked: {s}"),
        (_, Some(s)) => format!("panicked: {s}"),
        _ => "panicked".to_owned(),
    }
}

impl EventBus {
    /// A bus with the default [`BusConfig`].
    pub fn new() -> Self {
        Self::with_config(BusConfig::default())
    }

    /// A bus with `config`.
    pub fn with_config(config: BusConfig) -> Self {
        EventBus {
            inner: Arc::new(Inner {
                id: NEXT_BUS_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                in_flight: tokio::sync::Semaphore::new(config.max_in_flight.max(1)),
                config,
                subscriptions: RwLock::new(Subscriptions::default()),
                counters: Mutex::new(HashMap::new()),
                failures: Mutex::new(VecDeque::new()),
                history: Mutex::new(VecDeque::new()),
            }),
        }
    }

    fn read_subscriptions(&self) -> std::sync::RwLockReadGuard<'_, Subscriptions> {
        self.inner
            .subscriptions
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn write_subscriptions(&self) -> std::sync::RwLockWriteGuard<'_, Subscriptions> {
        self.inner
            .subscriptions
            .write()
            .unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn add(&self, mut entry: Entry) -> Subscription {
        let mut subs = self.write_subscriptions();
        subs.next_id += 1;
        entry.id = subs.next_id;
        let id = entry.id;
        subs.entries.push(Arc::new(entry));
        subs.routes.clear();
        Subscription {
            bus: self.inner.id,
            id,
        }
    }

    /// Starts configuring a handler named `name` (see [`HandlerBuilder`]).
    pub fn handler(&self, name: impl Into<String>) -> HandlerBuilder<'_> {
        HandlerBuilder::new(self, name.into())
    }

    /// Subscribes an async handler to events of type `E`, with priority 0
    /// and the closure's type name as its name.
    pub fn subscribe<E, F, Fut>(&self, handler: F) -> Subscription
    where
        E: DomainEvent,
        F: Fn(Arc<E>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.handler(std::any::type_name::<F>())
            .on::<E, F, Fut>(handler)
    }

    /// Subscribes a synchronous handler to events of type `E`.
    pub fn subscribe_sync<E, F>(&self, handler: F) -> Subscription
    where
        E: DomainEvent,
        F: Fn(&E) -> HandlerResult + Send + Sync + 'static,
    {
        self.handler(std::any::type_name::<F>())
            .on_sync::<E, F>(handler)
    }

    /// Removes a handler; `false` if it was already gone or belongs to
    /// another bus.
    pub fn unsubscribe(&self, subscription: Subscription) -> bool {
        if subscription.bus != self.inner.id {
            return false;
        }
        let mut subs = self.write_subscriptions();
        let before = subs.entries.len();
        subs.entries.retain(|e| e.id != subscription.id);
        subs.routes.clear();
        subs.entries.len() != before
    }

    fn counters(&self, event_type: &'static str) -> Arc<TypeCounters> {
        Arc::clone(lock(&self.inner.counters).entry(event_type).or_default())
    }

    /// The handlers of an event type in run order: higher priority first,
    /// then subscription order.
    fn route(&self, type_id: TypeId, event_type: &'static str, context: &str) -> Arc<Route> {
        if let Some(route) = self.read_subscriptions().routes.get(&type_id) {
            return Arc::clone(route);
        }
        let counters = self.counters(event_type);
        let mut subs = self.write_subscriptions();
        let mut entries: Vec<Arc<Entry>> = subs
            .entries
            .iter()
            .filter(|e| e.receives(type_id, context))
            .cloned()
            .collect();
        entries.sort_by_key(|e| (std::cmp::Reverse(e.priority), e.id));
        let route = Arc::new(Route { entries, counters });
        subs.routes.insert(type_id, Arc::clone(&route));
        route
    }

    /// Publishes `event` to every handler of its type, its context and all
    /// events, and returns when they have all run.
    pub async fn publish<E: DomainEvent>(&self, event: E) -> PublishReport {
        self.publish_shared(Arc::new(event)).await
    }

    /// [`publish`](Self::publish) for an event already shared and
    /// type-erased — what a Kafka consumer decodes. Handlers of its concrete
    /// type receive it as that type.
    pub async fn publish_shared(&self, event: SharedEvent) -> PublishReport {
        self.publish_tracked(event).await.0
    }

    /// [`publish_shared`](Self::publish_shared), also returning the handlers
    /// that failed, for [`redeliver`](Self::redeliver).
    pub(crate) async fn publish_tracked(
        &self,
        event: SharedEvent,
    ) -> (PublishReport, FailedHandlers) {
        let route = self.route(
            event.as_any().type_id(),
            event.event_type(),
            event.context(),
        );
        self.remember(&event);
        self.deliver_counted(&route.entries, &route.counters, &event)
            .await
    }

    /// Delivers `event` again, only to the handlers of an earlier delivery
    /// that failed — a retry that does not run the successful ones twice.
    #[cfg_attr(not(feature = "kafka"), allow(dead_code))]
    pub(crate) async fn redeliver(
        &self,
        event: &SharedEvent,
        failed: &FailedHandlers,
    ) -> (PublishReport, FailedHandlers) {
        let counters = self.counters(event.event_type());
        self.deliver_counted(&failed.0, &counters, event).await
    }

    async fn deliver_counted(
        &self,
        entries: &[Arc<Entry>],
        counters: &TypeCounters,
        event: &SharedEvent,
    ) -> (PublishReport, FailedHandlers) {
        // Top-level publishes wait for a slot; the semaphore is never closed.
        let _permit = match DELIVERING.try_with(|_| ()) {
            Ok(()) => None,
            Err(_) => self.inner.in_flight.acquire().await.ok(),
        };
        let mut failed = FailedHandlers::default();
        let report = DELIVERING
            .scope((), self.deliver(entries, event, Some(&mut failed.0)))
            .await;
        counters.record(
            (report.handlers - report.failed) as u64,
            report.failed as u64,
        );
        (report, failed)
    }

    /// [`publish`](Self::publish) for non-async code: handlers have run when
    /// it returns. Inside a multi-threaded tokio runtime it blocks the
    /// current worker thread only. Outside any runtime the handlers run on
    /// the calling thread, so async handlers cannot use tokio's timers or I/O
    /// there.
    ///
    /// # Errors
    ///
    /// [`BlockingInAsyncContext`], with the event handed back, on any thread
    /// inside a current-thread runtime's context, where blocking could
    /// deadlock.
    pub fn publish_blocking<E: DomainEvent>(
        &self,
        event: E,
    ) -> Result<PublishReport, BlockingInAsyncContext<E>> {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => match handle.runtime_flavor() {
                tokio::runtime::RuntimeFlavor::MultiThread => {
                    Ok(tokio::task::block_in_place(|| {
                        handle.block_on(self.publish(event))
                    }))
                }
                _ => Err(BlockingInAsyncContext {
                    event: Box::new(event),
                }),
            },
            Err(_) => Ok(futures_executor::block_on(self.publish(event))),
        }
    }

    async fn deliver(
        &self,
        entries: &[Arc<Entry>],
        event: &SharedEvent,
        mut failed: Option<&mut Vec<Arc<Entry>>>,
    ) -> PublishReport {
        let mut report = PublishReport::default();
        for entry in entries {
            let outcome = match &entry.call {
                Call::Sync(handler) => {
                    std::panic::catch_unwind(AssertUnwindSafe(|| handler(event)))
                        .unwrap_or_else(|panic| Err(panic_text(panic.as_ref()).into()))
                }
                // Making the future runs the closure's synchronous part,
                // which can panic too.
                Call::Async(handler) => {
                    match std::panic::catch_unwind(AssertUnwindSafe(|| handler(Arc::clone(event))))
                    {
                        Ok(future) => AssertUnwindSafe(future)
                            .catch_unwind()
                            .await
                            .unwrap_or_else(|panic| Err(panic_text(panic.as_ref()).into())),
                        Err(panic) => Err(panic_text(panic.as_ref()).into()),
                    }
                }
            };
            report.handlers += 1;
            if let Err(error) = outcome {
                report.failed += 1;
                self.record_failure(entry, event, error.to_string());
                if let Some(failed) = failed.as_deref_mut() {
                    failed.push(Arc::clone(entry));
                }
            }
        }
        report
    }

    fn record_failure(&self, entry: &Entry, event: &SharedEvent, error: String) {
        let mut failures = lock(&self.inner.failures);
        if self.inner.config.failures == 0 {
            return;
        }
        while failures.len() >= self.inner.config.failures {
            failures.pop_front();
        }
        failures.push_back(FailedEvent {
            handler: entry.name.clone(),
            handler_context: entry.context.clone(),
            event_id: event.metadata().event_id,
            event_type: event.event_type(),
            error,
            at: chrono::Utc::now(),
        });
    }

    fn remember(&self, event: &SharedEvent) {
        let capacity = self.inner.config.history;
        if capacity == 0 {
            return;
        }
        let mut history = lock(&self.inner.history);
        while history.len() >= capacity {
            history.pop_front();
        }
        history.push_back(Arc::clone(event));
    }

    /// The handler failures recorded so far, oldest first.
    pub fn failed_events(&self) -> Vec<FailedEvent> {
        lock(&self.inner.failures).iter().cloned().collect()
    }

    /// Counts per event type.
    pub fn metrics(&self) -> MetricsSnapshot {
        let counters = lock(&self.inner.counters);
        MetricsSnapshot::from_counters(counters.iter().map(|(k, v)| (*k, v.as_ref())))
    }

    /// The published events kept by the history, oldest first (empty unless
    /// [`BusConfig::history`] is set).
    pub fn history(&self) -> Vec<SharedEvent> {
        lock(&self.inner.history).iter().cloned().collect()
    }

    /// Delivers `events` again, in order, to the handlers that receive them
    /// now — only to those tagged with context `filter_context` when given.
    /// Replayed events are not counted as published nor added to history.
    pub async fn replay(
        &self,
        events: &[SharedEvent],
        filter_context: Option<&str>,
    ) -> PublishReport {
        let mut total = PublishReport::default();
        for event in events {
            let type_id = event.as_any().type_id();
            let mut entries: Vec<Arc<Entry>> = self
                .read_subscriptions()
                .entries
                .iter()
                .filter(|e| e.receives(type_id, event.context()))
                .filter(|e| filter_context.is_none_or(|c| e.context.as_deref() == Some(c)))
                .cloned()
                .collect();
            entries.sort_by_key(|e| (std::cmp::Reverse(e.priority), e.id));
            let report = DELIVERING
                .scope((), self.deliver(&entries, event, None))
                .await;
            total.handlers += report.handlers;
            total.failed += report.failed;
        }
        total
    }
}
