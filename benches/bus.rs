//! Publishing on the in-memory bus: one `DebateCompleted` to three handlers
//! (one async, one sync, one subscribed to the whole `debate` context).
//!
//! Run: `cargo bench --bench bus -- --warm-up-time 1 --measurement-time 3`.
//! The event is cloned outside the timed section (`iter_batched`), so the
//! time is the bus's: routing, the shared allocation of the event and
//! running the handlers.

#[path = "support/sample.rs"]
mod sample;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use schemabus::bus::EventBus;
use schemabus::events::debate::DebateCompleted;
use std::hint::black_box;

use sample::debate_completed;

fn publish(c: &mut Criterion) {
    let bus = EventBus::new();
    let _async = bus.subscribe::<DebateCompleted, _, _>(|event| async move {
        black_box(&event.topic);
        Ok(())
    });
    let _sync = bus.subscribe_sync::<DebateCompleted, _>(|event| {
        black_box(&event.summary);
        Ok(())
    });
    let _context = bus
        .handler("debate-audit")
        .on_context_sync("debate", |event| {
            black_box(event.event_type());
            Ok(())
        });
    let event = debate_completed();
    let report = futures_executor::block_on(bus.publish(event.clone()));
    assert_eq!(
        (report.handlers, report.failed),
        (3, 0),
        "three handlers, none failing"
    );

    let mut g = c.benchmark_group("bus_publish");
    g.bench_function("one_event_three_handlers", |b| {
        b.iter_batched(
            || event.clone(),
            |e| futures_executor::block_on(bus.publish(e)),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, publish);
criterion_main!(benches);
