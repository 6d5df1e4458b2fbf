//! The in-memory event bus (`schemabus::bus`): subscription kinds, order,
//! failures, blocking publish, metrics, history and replay, event chains,
//! downcasting and concurrency.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use schemabus::bus::{
    BlockingInAsyncContext, BusConfig, BusEvent, EventBus, HandlerResult, PublishReport,
    SharedEvent, TypeMetrics,
};
use schemabus::events::common::{DecisionType, ImplementationType, Priority};
use schemabus::events::debate::{DebateCompleted, DebateStarted};
use schemabus::events::implementation::TaskCreated;
use schemabus::events::testing::TestSuiteCreated;
use schemabus::EventMetadata;
use tokio::task::yield_now;
use uuid::Uuid;

const COMPLETED: &str = "zamaz.debate.DebateCompleted";
const STARTED: &str = "zamaz.debate.DebateStarted";
const TASK: &str = "zamaz.implementation.TaskCreated";

// ---------------------------------------------------------------- helpers

fn completed(topic: &str) -> DebateCompleted {
    DebateCompleted {
        debate_id: Uuid::new_v4(),
        topic: topic.to_owned(),
        winner: Some("claude".to_owned()),
        consensus: true,
        decision_type: DecisionType::Complex,
        decision_id: Uuid::new_v4(),
        summary: "agreed".to_owned(),
        metadata: EventMetadata::new(),
    }
}

fn started(topic: &str) -> DebateStarted {
    DebateStarted {
        debate_id: Uuid::new_v4(),
        topic: topic.to_owned(),
        context: "background".to_owned(),
        metadata: EventMetadata::new(),
    }
}

fn task(title: &str) -> TaskCreated {
    TaskCreated {
        task_id: Uuid::new_v4(),
        decision_id: Uuid::new_v4(),
        title: title.to_owned(),
        implementation_type: ImplementationType::Feature,
        priority: Priority::High,
        metadata: EventMetadata::new(),
    }
}

fn suite(name: &str) -> TestSuiteCreated {
    TestSuiteCreated {
        test_suite_id: Uuid::new_v4(),
        name: name.to_owned(),
        test_count: 3,
        configuration: Default::default(),
        metadata: EventMetadata::new(),
    }
}

fn ok() -> HandlerResult {
    Ok(())
}

/// A shared, ordered record of what handlers saw.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn report(handlers: usize, failed: usize) -> PublishReport {
    PublishReport { handlers, failed }
}

fn metrics(published: u64, handled: u64, failed: u64) -> TypeMetrics {
    TypeMetrics {
        published,
        handled,
        failed,
    }
}

// ------------------------------------------------------- typed handlers

#[tokio::test]
async fn typed_async_and_sync_handlers_receive_their_type_only() {
    let bus = EventBus::new();
    let log = Log::default();

    let l = log.clone();
    let _async = bus.subscribe(move |event: Arc<DebateCompleted>| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push(format!("async {}", event.topic));
            ok()
        }
    });
    let l = log.clone();
    let _sync = bus.subscribe_sync(move |event: &DebateCompleted| {
        l.push(format!("sync {}", event.topic));
        ok()
    });

    assert_eq!(bus.publish(started("ignored")).await, report(0, 0));
    assert_eq!(bus.publish(task("ignored")).await, report(0, 0));
    assert!(log.get().is_empty());

    assert_eq!(bus.publish(completed("rust")).await, report(2, 0));
    assert_eq!(log.take(), ["async rust", "sync rust"]);
}

#[tokio::test]
async fn typed_handler_receives_the_published_value() {
    let bus = EventBus::new();
    let seen: Arc<Mutex<Vec<DebateCompleted>>> = Arc::default();
    let s = Arc::clone(&seen);
    let _sub = bus.subscribe(move |event: Arc<DebateCompleted>| {
        let s = Arc::clone(&s);
        async move {
            s.lock().unwrap().push((*event).clone());
            ok()
        }
    });
    let event = completed("value");
    bus.publish(event.clone()).await;
    assert_eq!(*seen.lock().unwrap(), [event]);
}

#[tokio::test]
async fn handler_builder_typed_handlers() {
    let bus = EventBus::new();
    let log = Log::default();
    let l = log.clone();
    let _a = bus
        .handler("typed-async")
        .on(move |event: Arc<TaskCreated>| {
            let l = l.clone();
            async move {
                yield_now().await;
                l.push(format!("async {}", event.title));
                ok()
            }
        });
    let l = log.clone();
    let _s = bus
        .handler("typed-sync")
        .on_sync(move |event: &TaskCreated| {
            l.push(format!("sync {}", event.title));
            ok()
        });
    assert_eq!(bus.publish(completed("other")).await, report(0, 0));
    assert_eq!(bus.publish(task("t1")).await, report(2, 0));
    assert_eq!(log.take(), ["async t1", "sync t1"]);
}

// ------------------------------------------------- context and all

#[tokio::test]
async fn context_handlers_receive_every_event_of_their_context_only() {
    let bus = EventBus::new();
    let log = Log::default();

    let l = log.clone();
    let _debate_async =
        bus.handler("debate-async")
            .on_context("debate", move |event: SharedEvent| {
                let l = l.clone();
                async move {
                    yield_now().await;
                    l.push(format!("debate-async {}", event.event_type()));
                    ok()
                }
            });
    let l = log.clone();
    let _debate_sync = bus
        .handler("debate-sync")
        .on_context_sync("debate", move |event| {
            l.push(format!("debate-sync {}", event.event_type()));
            ok()
        });
    let l = log.clone();
    let _impl_sync = bus
        .handler("impl-sync")
        .on_context_sync("implementation", move |event| {
            l.push(format!("impl-sync {}", event.event_type()));
            ok()
        });

    assert_eq!(bus.publish(completed("a")).await, report(2, 0));
    assert_eq!(bus.publish(started("b")).await, report(2, 0));
    assert_eq!(bus.publish(task("c")).await, report(1, 0));
    assert_eq!(bus.publish(suite("d")).await, report(0, 0));

    assert_eq!(
        log.take(),
        [
            format!("debate-async {COMPLETED}"),
            format!("debate-sync {COMPLETED}"),
            format!("debate-async {STARTED}"),
            format!("debate-sync {STARTED}"),
            format!("impl-sync {TASK}"),
        ]
    );
}

#[tokio::test]
async fn on_all_handlers_receive_every_event() {
    let bus = EventBus::new();
    let log = Log::default();
    let l = log.clone();
    let _all_async = bus.handler("all-async").on_all(move |event: SharedEvent| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push(format!("async {}", event.context()));
            ok()
        }
    });
    let l = log.clone();
    let _all_sync = bus.handler("all-sync").on_all_sync(move |event| {
        l.push(format!("sync {}", event.context()));
        ok()
    });

    assert_eq!(bus.publish(completed("a")).await, report(2, 0));
    assert_eq!(bus.publish(task("b")).await, report(2, 0));
    assert_eq!(bus.publish(suite("c")).await, report(2, 0));
    assert_eq!(
        log.take(),
        [
            "async debate",
            "sync debate",
            "async implementation",
            "sync implementation",
            "async testing",
            "sync testing"
        ]
    );
}

// ---------------------------------------------------------------- order

#[tokio::test]
async fn higher_priority_first_then_subscription_order_across_handler_kinds() {
    let bus = EventBus::new();
    let log = Log::default();

    let l = log.clone();
    let _a = bus.subscribe_sync(move |_: &DebateCompleted| {
        l.push("a:typed-sync:0");
        ok()
    });
    let l = log.clone();
    let _b = bus
        .handler("b")
        .priority(5)
        .on(move |_: Arc<DebateCompleted>| {
            let l = l.clone();
            async move {
                yield_now().await;
                l.push("b:typed-async:5");
                ok()
            }
        });
    let l = log.clone();
    let _c = bus.handler("c").on_context("debate", move |_| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push("c:context-async:0");
            ok()
        }
    });
    let l = log.clone();
    let _d = bus.handler("d").priority(5).on_all_sync(move |_| {
        l.push("d:all-sync:5");
        ok()
    });
    let l = log.clone();
    let _e = bus.handler("e").priority(-1).on_all(move |_| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push("e:all-async:-1");
            ok()
        }
    });
    let l = log.clone();
    let f = bus
        .handler("f")
        .priority(10)
        .on_context_sync("debate", move |_| {
            l.push("f:context-sync:10");
            ok()
        });
    let l = log.clone();
    let _g = bus.subscribe(move |_: Arc<DebateCompleted>| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push("g:typed-async:0");
            ok()
        }
    });

    assert_eq!(bus.publish(completed("order")).await, report(7, 0));
    let expected = [
        "f:context-sync:10",
        "b:typed-async:5",
        "d:all-sync:5",
        "a:typed-sync:0",
        "c:context-async:0",
        "g:typed-async:0",
        "e:all-async:-1",
    ];
    assert_eq!(log.take(), expected);

    // Deterministic: the same order again.
    bus.publish(completed("order")).await;
    assert_eq!(log.take(), expected);

    // Subscription changes after a publish (the route is cached) are seen:
    // a new priority-5 handler runs after the earlier priority-5 ones.
    assert!(bus.unsubscribe(f));
    let l = log.clone();
    let _h = bus
        .handler("h")
        .priority(5)
        .on_sync(move |_: &DebateCompleted| {
            l.push("h:typed-sync:5");
            ok()
        });
    assert_eq!(bus.publish(completed("order")).await, report(7, 0));
    assert_eq!(
        log.take(),
        [
            "b:typed-async:5",
            "d:all-sync:5",
            "h:typed-sync:5",
            "a:typed-sync:0",
            "c:context-async:0",
            "g:typed-async:0",
            "e:all-async:-1",
        ]
    );

    // Another type of the context only reaches context and all handlers.
    assert_eq!(bus.publish(started("s")).await, report(3, 0));
    assert_eq!(
        log.take(),
        ["d:all-sync:5", "c:context-async:0", "e:all-async:-1"]
    );
}

// ---------------------------------------------------------- unsubscribe

#[tokio::test]
async fn unsubscribe_stops_delivery_and_is_false_the_second_time() {
    let bus = EventBus::new();
    let log = Log::default();
    let l = log.clone();
    let typed = bus.subscribe_sync(move |_: &DebateCompleted| {
        l.push("typed");
        ok()
    });
    let l = log.clone();
    let all = bus.handler("all").on_all(move |_| {
        let l = l.clone();
        async move {
            l.push("all");
            ok()
        }
    });
    let l = log.clone();
    let _ctx = bus.handler("ctx").on_context_sync("debate", move |_| {
        l.push("ctx");
        ok()
    });

    assert_eq!(bus.publish(completed("1")).await, report(3, 0));
    assert_eq!(log.take(), ["typed", "all", "ctx"]);

    assert!(bus.unsubscribe(typed));
    assert_eq!(bus.publish(completed("2")).await, report(2, 0));
    assert_eq!(log.take(), ["all", "ctx"]);

    assert!(bus.unsubscribe(all));
    assert_eq!(bus.publish(completed("3")).await, report(1, 0));
    assert_eq!(log.take(), ["ctx"]);

    assert!(!bus.unsubscribe(typed));
    assert!(!bus.unsubscribe(all));
    assert_eq!(bus.publish(completed("4")).await, report(1, 0));
    assert_eq!(log.take(), ["ctx"]);
}

// ------------------------------------------------- publish awaits all

#[tokio::test]
async fn publish_returns_after_every_async_handler_has_run() {
    let bus = EventBus::new();
    let done = Arc::new(AtomicUsize::new(0));
    for yields in 1..=5 {
        let d = Arc::clone(&done);
        let _sub = bus.handler(format!("slow-{yields}")).on_all(move |_| {
            let d = Arc::clone(&d);
            async move {
                for _ in 0..yields {
                    yield_now().await;
                }
                d.fetch_add(1, Ordering::SeqCst);
                ok()
            }
        });
    }
    assert_eq!(bus.publish(completed("x")).await, report(5, 0));
    assert_eq!(done.load(Ordering::SeqCst), 5);
    assert_eq!(bus.publish(task("y")).await, report(5, 0));
    assert_eq!(done.load(Ordering::SeqCst), 10);
}

// --------------------------------------------------------------- failures

#[tokio::test]
async fn failing_and_panicking_handlers_do_not_stop_the_others() {
    let bus = EventBus::new();
    let log = Log::default();

    let l = log.clone();
    let _first = bus.handler("first").priority(100).on_all_sync(move |_| {
        l.push("first");
        ok()
    });
    let _sync_err = bus
        .handler("sync-err")
        .context("debate")
        .priority(60)
        .on_sync(|_: &DebateCompleted| Err("sync boom".into()));
    let _sync_panic = bus.handler("sync-panic").priority(50).on_sync(
        |event: &DebateCompleted| -> HandlerResult { panic!("sync panic on {}", event.topic) },
    );
    let _async_err = bus
        .handler("async-err")
        .context("implementation")
        .priority(40)
        .on(|_: Arc<DebateCompleted>| async {
            yield_now().await;
            Err::<(), _>("async boom".into())
        });
    let _async_panic = bus
        .handler("async-panic")
        .priority(30)
        .on_context("debate", |_| async {
            yield_now().await;
            if true {
                panic!("async panic");
            }
            ok()
        });
    let _opaque_panic = bus.handler("opaque-panic").priority(20).on_all_sync(|_| {
        std::panic::panic_any(42_u32);
    });
    let l = log.clone();
    let _last = bus.handler("last").on_all(move |_| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push("last");
            ok()
        }
    });

    let event = completed("failing");
    let event_id = event.metadata.event_id;
    assert_eq!(bus.publish(event).await, report(7, 5));
    assert_eq!(log.take(), ["first", "last"]);

    let failed = bus.failed_events();
    let summary: Vec<_> = failed
        .iter()
        .map(|f| {
            (
                f.handler.as_str(),
                f.handler_context.as_deref(),
                f.error.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("sync-err", Some("debate"), "sync boom"),
            ("sync-panic", None, "panicked: sync panic on failing"),
            ("async-err", Some("implementation"), "async boom"),
            ("async-panic", None, "panicked: async panic"),
            ("opaque-panic", None, "panicked"),
        ]
    );
    for f in &failed {
        assert_eq!(f.event_id, event_id);
        assert_eq!(f.event_type, COMPLETED);
    }
    assert!(failed.windows(2).all(|w| w[0].at <= w[1].at));

    // The bus still works after panics, and failures accumulate.
    assert_eq!(bus.publish(task("after")).await, report(3, 1));
    assert_eq!(log.take(), ["first", "last"]);
    let failed = bus.failed_events();
    assert_eq!(failed.len(), 6);
    assert_eq!(failed[5].handler, "opaque-panic");
    assert_eq!(failed[5].event_type, TASK);
}

#[tokio::test]
async fn subscribe_names_the_handler_after_its_closure_type() {
    let bus = EventBus::new();
    let _sub = bus.subscribe_sync(|_: &DebateCompleted| Err("nope".into()));
    bus.publish(completed("x")).await;
    let failed = bus.failed_events();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].handler.contains("bus"), "{}", failed[0].handler);
    assert_eq!(failed[0].handler_context, None);
}

#[tokio::test]
async fn failed_events_are_bounded_oldest_dropped() {
    let bus = EventBus::with_config(BusConfig {
        failures: 2,
        ..BusConfig::default()
    });
    let _sub = bus
        .handler("bad")
        .on_sync(|e: &DebateCompleted| Err(e.topic.clone().into()));
    let mut ids = Vec::new();
    for topic in ["1", "2", "3", "4"] {
        let event = completed(topic);
        ids.push(event.metadata.event_id);
        assert_eq!(bus.publish(event).await, report(1, 1));
    }
    let failed = bus.failed_events();
    assert_eq!(
        failed.iter().map(|f| f.error.as_str()).collect::<Vec<_>>(),
        ["3", "4"]
    );
    assert_eq!(
        failed.iter().map(|f| f.event_id).collect::<Vec<_>>(),
        ids[2..]
    );
    // Metrics still count every failure.
    assert_eq!(bus.metrics().by_type[COMPLETED], metrics(4, 0, 4));

    let none = EventBus::with_config(BusConfig {
        failures: 0,
        history: 0,
        ..BusConfig::default()
    });
    let _sub = none
        .handler("bad")
        .on_sync(|_: &DebateCompleted| Err("x".into()));
    assert_eq!(none.publish(completed("x")).await, report(1, 1));
    assert!(none.failed_events().is_empty());
}

#[test]
fn default_config() {
    let config = BusConfig::default();
    assert_eq!((config.history, config.failures), (0, 1000));
}

// -------------------------------------------------------- publish_blocking

/// One async handler that yields before recording, one sync handler.
fn blocking_bus(log: &Log) -> EventBus {
    let bus = EventBus::new();
    let l = log.clone();
    let _a = bus.subscribe(move |e: Arc<DebateCompleted>| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push(format!("async {}", e.topic));
            ok()
        }
    });
    let l = log.clone();
    let _s = bus.handler("sync").on_all_sync(move |e| {
        l.push(format!("sync {}", e.event_type()));
        ok()
    });
    bus
}

#[test]
fn publish_blocking_from_plain_code() {
    let log = Log::default();
    let bus = blocking_bus(&log);
    assert_eq!(
        bus.publish_blocking(completed("plain")).unwrap(),
        report(2, 0)
    );
    assert_eq!(
        log.take(),
        ["async plain".to_owned(), format!("sync {COMPLETED}")]
    );
    assert_eq!(bus.publish_blocking(task("t")).unwrap(), report(1, 0));
    assert_eq!(log.take(), [format!("sync {TASK}")]);
    assert_eq!(bus.metrics().total(), metrics(2, 3, 0));
}

#[test]
fn publish_blocking_from_a_plain_thread() {
    let log = Log::default();
    let bus = blocking_bus(&log);
    let b = bus.clone();
    let r = std::thread::spawn(move || b.publish_blocking(completed("thread")).unwrap())
        .join()
        .unwrap();
    assert_eq!(r, report(2, 0));
    assert_eq!(
        log.take(),
        ["async thread".to_owned(), format!("sync {COMPLETED}")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_blocking_inside_a_multi_thread_runtime() {
    let log = Log::default();
    let bus = blocking_bus(&log);

    // From the runtime's block_on thread (the test body).
    assert_eq!(
        bus.publish_blocking(completed("body")).unwrap(),
        report(2, 0)
    );
    assert_eq!(
        log.take(),
        ["async body".to_owned(), format!("sync {COMPLETED}")]
    );

    // From a runtime worker thread (block_in_place).
    let b = bus.clone();
    let r = tokio::spawn(async move { b.publish_blocking(completed("worker")) })
        .await
        .unwrap();
    assert_eq!(r.unwrap(), report(2, 0));
    assert_eq!(
        log.take(),
        ["async worker".to_owned(), format!("sync {COMPLETED}")]
    );

    // From the blocking pool.
    let b = bus.clone();
    let r = tokio::task::spawn_blocking(move || b.publish_blocking(completed("pool")))
        .await
        .unwrap();
    assert_eq!(r.unwrap(), report(2, 0));
    assert_eq!(
        log.take(),
        ["async pool".to_owned(), format!("sync {COMPLETED}")]
    );

    assert_eq!(bus.metrics().by_type[COMPLETED], metrics(3, 6, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_handler_chains_with_publish_blocking_in_a_multi_thread_runtime() {
    let bus = EventBus::new();
    let log = Log::default();
    let b = bus.clone();
    let l = log.clone();
    let _outer = bus.handler("outer").on_sync(move |e: &DebateCompleted| {
        l.push("outer");
        let r = b.publish_blocking(task(&e.topic))?;
        l.push(format!("inner report {}", r.handlers));
        ok()
    });
    let l = log.clone();
    let _inner = bus.handler("inner").on(move |e: Arc<TaskCreated>| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push(format!("task {}", e.title));
            ok()
        }
    });
    let b = bus.clone();
    let r = tokio::spawn(async move { b.publish(completed("chain")).await })
        .await
        .unwrap();
    assert_eq!(r, report(1, 0));
    assert_eq!(log.take(), ["outer", "task chain", "inner report 1"]);
}

#[tokio::test]
async fn publish_blocking_in_a_current_thread_runtime_is_an_error() {
    let log = Log::default();
    let bus = blocking_bus(&log);
    let result = bus.publish_blocking(completed("nope"));
    assert!(
        matches!(result, Err(BlockingInAsyncContext { .. })),
        "{result:?}"
    );
    assert!(!result.unwrap_err().to_string().is_empty());
    assert!(log.get().is_empty(), "no handler may run");
    assert_eq!(bus.metrics().total(), metrics(0, 0, 0));
    assert!(bus.failed_events().is_empty());

    // `publish(..).await` is the way there.
    assert_eq!(bus.publish(completed("yes")).await, report(2, 0));
}

#[test]
fn publish_blocking_on_a_current_thread_runtime_thread_is_an_error() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let log = Log::default();
    let bus = blocking_bus(&log);
    let result = rt.block_on(async { bus.publish_blocking(completed("nope")) });
    assert!(matches!(result, Err(BlockingInAsyncContext { .. })));
    assert!(log.get().is_empty());
}

// ------------------------------------------------------------------ metrics

#[tokio::test]
async fn metrics_per_event_type_and_total() {
    let bus = EventBus::new();
    assert!(bus.metrics().by_type.is_empty());
    assert_eq!(bus.metrics().total(), metrics(0, 0, 0));

    let _ok = bus.subscribe_sync(|_: &DebateCompleted| ok());
    let _bad = bus
        .handler("bad")
        .on(|_: Arc<DebateCompleted>| async { Err::<(), _>("x".into()) });
    let _ctx = bus
        .handler("ctx")
        .on_context_sync("implementation", |_| ok());
    let _panics = bus
        .handler("panics")
        .on_sync(|_: &TaskCreated| -> HandlerResult { panic!("p") });

    for _ in 0..3 {
        bus.publish(completed("c")).await;
    }
    for _ in 0..2 {
        bus.publish(started("s")).await; // no handlers: published only
    }
    bus.publish(task("t")).await;

    let snapshot = bus.metrics();
    assert_eq!(snapshot.by_type.len(), 3);
    assert_eq!(snapshot.by_type[COMPLETED], metrics(3, 3, 3));
    assert_eq!(snapshot.by_type[STARTED], metrics(2, 0, 0));
    assert_eq!(snapshot.by_type[TASK], metrics(1, 1, 1));
    assert_eq!(snapshot.total(), metrics(6, 4, 4));

    // A snapshot does not change afterwards.
    bus.publish(completed("c")).await;
    assert_eq!(snapshot.by_type[COMPLETED], metrics(3, 3, 3));
    assert_eq!(bus.metrics().by_type[COMPLETED], metrics(4, 4, 4));
}

// --------------------------------------------------------- history, replay

#[tokio::test]
async fn history_is_off_by_default() {
    let bus = EventBus::new();
    bus.publish(completed("a")).await;
    bus.publish(task("b")).await;
    assert!(bus.history().is_empty());
}

#[tokio::test]
async fn history_is_bounded_oldest_dropped() {
    let bus = EventBus::with_config(BusConfig {
        history: 3,
        ..BusConfig::default()
    });
    let mut ids = Vec::new();
    for i in 0..5 {
        let event = completed(&i.to_string());
        ids.push(event.metadata.event_id);
        bus.publish(event).await; // kept even with no handler
    }
    let task = task("t");
    ids.push(task.metadata.event_id);
    bus.publish(task).await;

    let history = bus.history();
    assert_eq!(
        history
            .iter()
            .map(|e| e.metadata().event_id)
            .collect::<Vec<_>>(),
        ids[3..]
    );
    let topics: Vec<_> = history
        .iter()
        .filter_map(|e| e.downcast_ref::<DebateCompleted>())
        .map(|e| e.topic.as_str())
        .collect();
    assert_eq!(topics, ["3", "4"]);
    assert_eq!(history[2].event_type(), TASK);
}

#[tokio::test]
async fn replay_redelivers_in_order_to_current_handlers() {
    let bus = EventBus::with_config(BusConfig {
        history: 10,
        ..BusConfig::default()
    });
    bus.publish(completed("one")).await;
    bus.publish(task("two")).await;
    bus.publish(started("three")).await;
    let history = bus.history();
    let before = bus.metrics();

    // Subscribed after the events were published.
    let log = Log::default();
    let l = log.clone();
    let _all = bus.handler("all").on_all(move |e| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push(format!("all {}", e.event_type()));
            ok()
        }
    });
    let l = log.clone();
    let _typed = bus.subscribe_sync(move |e: &TaskCreated| {
        l.push(format!("task {}", e.title));
        ok()
    });
    let _bad = bus
        .handler("bad")
        .on_context_sync("debate", |_| Err("bad".into()));

    let r = bus.replay(&history, None).await;
    assert_eq!(r, report(6, 2));
    assert_eq!(
        log.take(),
        [
            format!("all {COMPLETED}"),
            format!("all {TASK}"),
            "task two".to_owned(),
            format!("all {STARTED}"),
        ]
    );
    // Replay failures are recorded; replays are neither published nor kept.
    assert_eq!(bus.failed_events().len(), 2);
    assert_eq!(
        bus.failed_events()[0].event_id,
        history[0].metadata().event_id
    );
    assert_eq!(bus.metrics(), before);
    assert_eq!(bus.history().len(), 3);

    assert_eq!(bus.replay(&[], None).await, report(0, 0));
}

#[tokio::test]
async fn replay_with_a_context_reaches_only_handlers_tagged_with_it() {
    let bus = EventBus::with_config(BusConfig {
        history: 10,
        ..BusConfig::default()
    });
    let log = Log::default();

    let l = log.clone();
    let _tagged_all = bus
        .handler("tagged-all")
        .context("implementation")
        .on_all_sync(move |e| {
            l.push(format!("tagged-all {}", e.event_type()));
            ok()
        });
    let l = log.clone();
    let _untagged_task = bus.subscribe_sync(move |_: &TaskCreated| {
        l.push("untagged-task");
        ok()
    });
    let l = log.clone();
    let _debate_tagged = bus
        .handler("debate-tagged")
        .context("debate")
        .on_all(move |_| {
            let l = l.clone();
            async move {
                l.push("debate-tagged");
                ok()
            }
        });
    let l = log.clone();
    let _tagged_completed = bus
        .handler("tagged-completed")
        .context("implementation")
        .priority(1)
        .on(move |_: Arc<DebateCompleted>| {
            let l = l.clone();
            async move {
                yield_now().await;
                l.push("tagged-completed");
                ok()
            }
        });

    bus.publish(completed("c")).await;
    bus.publish(task("t")).await;
    log.take();
    let history = bus.history();

    let r = bus.replay(&history, Some("implementation")).await;
    assert_eq!(r, report(3, 0));
    assert_eq!(
        log.take(),
        [
            "tagged-completed".to_owned(),
            format!("tagged-all {COMPLETED}"),
            format!("tagged-all {TASK}")
        ]
    );

    assert_eq!(bus.replay(&history, Some("nobody")).await, report(0, 0));
    assert!(log.get().is_empty());

    // The filter is by handler tag, not by subscription context.
    let l = log.clone();
    let _ctx_untagged = bus
        .handler("ctx")
        .on_context_sync("implementation", move |_| {
            l.push("ctx-untagged");
            ok()
        });
    bus.replay(&history[1..], Some("implementation")).await;
    assert_eq!(log.take(), [format!("tagged-all {TASK}")]);
}

// ------------------------------------------------------------- event chains

#[tokio::test]
async fn async_handler_publishes_a_follow_up_event() {
    let bus = EventBus::with_config(BusConfig {
        history: 10,
        ..BusConfig::default()
    });
    let log = Log::default();

    let b = bus.clone();
    let l = log.clone();
    let _on_completed = bus.handler("planner").on(move |e: Arc<DebateCompleted>| {
        let b = b.clone();
        let l = l.clone();
        async move {
            l.push("completed: start");
            let mut metadata = EventMetadata::new();
            metadata.causation_id = Some(e.metadata.event_id);
            let follow_up = TaskCreated {
                task_id: Uuid::new_v4(),
                decision_id: e.decision_id,
                title: format!("implement {}", e.topic),
                implementation_type: ImplementationType::Feature,
                priority: Priority::Medium,
                metadata,
            };
            let r = b.publish(follow_up).await;
            l.push(format!("completed: follow-up ran {} handlers", r.handlers));
            ok()
        }
    });
    let l = log.clone();
    let _on_task = bus.subscribe(move |e: Arc<TaskCreated>| {
        let l = l.clone();
        async move {
            yield_now().await;
            l.push(format!("task: {}", e.title));
            ok()
        }
    });
    let l = log.clone();
    let _on_task_sync = bus
        .handler("task-sync")
        .on_context_sync("implementation", move |_| {
            l.push("task: context");
            ok()
        });

    let outer = completed("caching");
    let outer_id = outer.metadata.event_id;
    let decision = outer.decision_id;
    assert_eq!(bus.publish(outer).await, report(1, 0));
    assert_eq!(
        log.take(),
        [
            "completed: start",
            "task: implement caching",
            "task: context",
            "completed: follow-up ran 2 handlers"
        ]
    );

    let history = bus.history();
    assert_eq!(history.len(), 2);
    let follow_up = history[1].downcast_ref::<TaskCreated>().unwrap();
    assert_eq!(follow_up.decision_id, decision);
    assert_eq!(follow_up.metadata.causation_id, Some(outer_id));

    let m = bus.metrics();
    assert_eq!(m.by_type[COMPLETED], metrics(1, 1, 0));
    assert_eq!(m.by_type[TASK], metrics(1, 2, 0));
}

// ------------------------------------------------------------------ fan-out

#[tokio::test]
async fn fan_out_to_a_hundred_subscribers() {
    let bus = EventBus::new();
    let counts: Arc<Vec<AtomicUsize>> = Arc::new((0..100).map(|_| AtomicUsize::new(0)).collect());
    let order = Log::default();
    for i in 0..100 {
        let c = Arc::clone(&counts);
        let o = order.clone();
        if i % 2 == 0 {
            let _sub = bus.subscribe(move |_: Arc<DebateCompleted>| {
                let c = Arc::clone(&c);
                let o = o.clone();
                async move {
                    yield_now().await;
                    c[i].fetch_add(1, Ordering::SeqCst);
                    o.push(i.to_string());
                    ok()
                }
            });
        } else {
            let _sub = bus.subscribe_sync(move |_: &DebateCompleted| {
                c[i].fetch_add(1, Ordering::SeqCst);
                o.push(i.to_string());
                ok()
            });
        }
    }
    assert_eq!(bus.publish(completed("fan")).await, report(100, 0));
    assert!(counts.iter().all(|c| c.load(Ordering::SeqCst) == 1));
    assert_eq!(
        order.take(),
        (0..100).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(bus.metrics().by_type[COMPLETED], metrics(1, 100, 0));
}

// ----------------------------------------------------------------- downcast

#[tokio::test]
async fn shared_events_downcast_to_their_concrete_type() {
    let bus = EventBus::new();
    let topics = Log::default();

    let t = topics.clone();
    let _sync = bus.handler("sync").on_all_sync(move |event: &SharedEvent| {
        // Method call syntax reaches `<dyn BusEvent>::downcast_ref` through the Arc.
        if let Some(c) = event.downcast_ref::<DebateCompleted>() {
            t.push(format!("sync {}", c.topic));
        }
        // Explicitly on `&dyn BusEvent`.
        let dyn_event: &dyn BusEvent = &**event;
        assert_eq!(
            dyn_event.downcast_ref::<DebateCompleted>().is_some(),
            dyn_event.event_type() == COMPLETED
        );
        assert_eq!(
            (**event).downcast_ref::<TaskCreated>().is_some(),
            event.event_type() == TASK
        );
        assert!(event.downcast_ref::<DebateStarted>().is_none());
        ok()
    });
    let t = topics.clone();
    let _async = bus
        .handler("async")
        .on_context("debate", move |event: SharedEvent| {
            let t = t.clone();
            async move {
                // Owned downcast without copying.
                let c: Arc<DebateCompleted> = event.into_any().downcast().unwrap();
                t.push(format!("async {}", c.topic));
                ok()
            }
        });

    let event = completed("dc");
    let id = event.metadata.event_id;
    bus.publish(event).await;
    bus.publish(task("tc")).await;
    assert_eq!(topics.take(), ["sync dc", "async dc"]);

    // BusEvent's accessors on a type-erased event.
    let shared: SharedEvent = Arc::new(completed("meta"));
    let debate_id = shared.downcast_ref::<DebateCompleted>().unwrap().debate_id;
    assert_eq!(shared.event_type(), COMPLETED);
    assert_eq!(shared.context(), "debate");
    assert_eq!(shared.aggregate_id(), debate_id.to_string());
    assert_ne!(shared.metadata().event_id, id);
    assert!(shared.as_any().is::<DebateCompleted>());
}

// ---------------------------------------------------- clone, Send, Sync

#[tokio::test]
async fn event_bus_is_clone_send_sync_and_clones_share_state() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug + Default + 'static>() {}
    assert_traits::<EventBus>();

    let bus = EventBus::with_config(BusConfig {
        history: 5,
        ..BusConfig::default()
    });
    let clone = bus.clone();
    let log = Log::default();
    let l = log.clone();
    let sub = clone.subscribe_sync(move |e: &DebateCompleted| {
        l.push(e.topic.clone());
        if e.topic == "fail" {
            Err("failed".into())
        } else {
            ok()
        }
    });

    assert_eq!(bus.publish(completed("via original")).await, report(1, 0));
    assert_eq!(clone.publish(completed("fail")).await, report(1, 1));
    assert_eq!(log.take(), ["via original", "fail"]);
    assert_eq!(bus.metrics(), clone.metrics());
    assert_eq!(bus.metrics().by_type[COMPLETED], metrics(2, 1, 1));
    assert_eq!(bus.failed_events(), clone.failed_events());
    assert_eq!(bus.history().len(), 2);
    assert_eq!(clone.history().len(), 2);

    // A clone's subscription is removed through the original.
    assert!(bus.unsubscribe(sub));
    assert!(!clone.unsubscribe(sub));
    assert_eq!(clone.publish(completed("gone")).await, report(0, 0));
    assert!(log.get().is_empty());

    assert!(format!("{bus:?}").contains("EventBus"));
}

// -------------------------------------------------------------- concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_publishes_from_eight_tasks_are_all_counted() {
    const TASKS: usize = 8;
    const EACH: usize = 50;
    let bus = EventBus::with_config(BusConfig {
        history: 1000,
        ..BusConfig::default()
    });
    let sync_count = Arc::new(AtomicUsize::new(0));
    let async_count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&sync_count);
    let _sync = bus.subscribe_sync(move |_: &DebateCompleted| {
        c.fetch_add(1, Ordering::SeqCst);
        ok()
    });
    let c = Arc::clone(&async_count);
    let _async = bus.handler("all").on_all(move |_| {
        let c = Arc::clone(&c);
        async move {
            yield_now().await;
            c.fetch_add(1, Ordering::SeqCst);
            ok()
        }
    });

    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let bus = bus.clone();
            tokio::spawn(async move {
                let mut handlers = 0;
                for i in 0..EACH {
                    handlers += if i % 2 == 0 {
                        bus.publish(completed(&format!("{t}-{i}"))).await.handlers
                    } else {
                        bus.publish(task(&format!("{t}-{i}"))).await.handlers
                    };
                }
                handlers
            })
        })
        .collect();
    let mut handlers = 0;
    for t in tasks {
        handlers += t.await.unwrap();
    }

    let half = TASKS * EACH / 2;
    assert_eq!(handlers, 2 * half + half);
    assert_eq!(sync_count.load(Ordering::SeqCst), half);
    assert_eq!(async_count.load(Ordering::SeqCst), TASKS * EACH);
    let m = bus.metrics();
    assert_eq!(
        m.by_type[COMPLETED],
        metrics(half as u64, 2 * half as u64, 0)
    );
    assert_eq!(m.by_type[TASK], metrics(half as u64, half as u64, 0));
    assert_eq!(m.total().published, (TASKS * EACH) as u64);
    assert_eq!(bus.history().len(), TASKS * EACH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscribing_and_publishing_concurrently() {
    let bus = EventBus::new();
    let count = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let bus = bus.clone();
            let count = Arc::clone(&count);
            tokio::spawn(async move {
                let c = Arc::clone(&count);
                let sub = bus.subscribe_sync(move |_: &DebateStarted| {
                    c.fetch_add(1, Ordering::SeqCst);
                    ok()
                });
                let r = bus.publish(started("x")).await;
                assert!(r.handlers >= 1, "own handler is subscribed: {r:?}");
                sub
            })
        })
        .collect();
    let mut subs = Vec::new();
    for t in tasks {
        subs.push(t.await.unwrap());
    }
    count.store(0, Ordering::SeqCst);
    assert_eq!(bus.publish(started("all")).await, report(8, 0));
    assert_eq!(count.load(Ordering::SeqCst), 8);
    for sub in subs {
        assert!(bus.unsubscribe(sub));
    }
    assert_eq!(bus.publish(started("none")).await, report(0, 0));
}

#[tokio::test]
async fn a_handle_of_one_bus_does_not_remove_another_bus_handler() {
    let (a, b) = (EventBus::new(), EventBus::new());
    let from_a = a.subscribe_sync::<DebateCompleted, _>(|_| ok());
    let _from_b = b.subscribe_sync::<DebateCompleted, _>(|_| ok());
    assert!(!b.unsubscribe(from_a), "a's handle must not act on b");
    assert_eq!(b.publish(completed("still here")).await, report(1, 0));
    assert!(a.unsubscribe(from_a));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_holds_back_publishers_but_not_event_chains() {
    use tokio::sync::Notify;
    let bus = EventBus::with_config(BusConfig {
        max_in_flight: 1,
        ..BusConfig::default()
    });
    // The first publish's handler waits until released; a chain publishes from inside it.
    let release = Arc::new(Notify::new());
    let entered = Arc::new(Notify::new());
    let chained = Arc::new(AtomicUsize::new(0));
    {
        let (release, entered, bus2) = (release.clone(), entered.clone(), bus.clone());
        let _s = bus.subscribe::<DebateCompleted, _, _>(move |_| {
            let (release, entered, bus2) = (release.clone(), entered.clone(), bus2.clone());
            async move {
                // The chain does not wait for the slot this publish holds.
                bus2.publish(task("chained")).await;
                entered.notify_one();
                release.notified().await;
                ok()
            }
        });
    }
    {
        let chained = chained.clone();
        let _t = bus.subscribe_sync::<TaskCreated, _>(move |_| {
            chained.fetch_add(1, Ordering::SeqCst);
            ok()
        });
    }
    let first = tokio::spawn({
        let bus = bus.clone();
        async move { bus.publish(completed("holds the slot")).await }
    });
    entered.notified().await;
    assert_eq!(
        chained.load(Ordering::SeqCst),
        1,
        "chained publish ran inside the slot"
    );
    // A second top-level publish must wait while the first is in flight.
    let second = tokio::spawn({
        let bus = bus.clone();
        async move { bus.publish(task("waits")).await }
    });
    tokio::task::yield_now().await;
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(50), async {
            while chained.load(Ordering::SeqCst) < 2 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .is_err(),
        "second publish ran while the only slot was taken"
    );
    release.notify_one();
    assert_eq!(first.await.unwrap(), report(1, 0));
    assert_eq!(second.await.unwrap(), report(1, 0));
    assert_eq!(chained.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_async_handler_panicking_before_its_future_does_not_stop_the_others() {
    let bus = EventBus::new();
    let after = Arc::new(AtomicUsize::new(0));
    let _boom = bus
        .handler("boom")
        .priority(1)
        .on::<DebateCompleted, _, _>(|event| {
            if event.topic == "boom" {
                panic!("in the closure, before the future");
            }
            async { ok() }
        });
    let counter = after.clone();
    let _after = bus.subscribe_sync::<DebateCompleted, _>(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        ok()
    });
    assert_eq!(bus.publish(completed("boom")).await, report(2, 1));
    assert_eq!(after.load(Ordering::SeqCst), 1);
    let failures = bus.failed_events();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].handler, "boom");
    assert!(
        failures[0].error.contains("before the future"),
        "{}",
        failures[0].error
    );
}
