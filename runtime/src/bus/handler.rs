//! Subscriptions: what a handler receives, its options and its order.

use std::any::TypeId;
use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::error::HandlerResult;
use super::event::SharedEvent;
use super::EventBus;
use crate::event::DomainEvent;

/// How a handler is called: directly, or as a future the bus awaits.
pub(crate) enum Call {
    Sync(Box<dyn Fn(&SharedEvent) -> HandlerResult + Send + Sync>),
    Async(Box<dyn Fn(SharedEvent) -> BoxFuture<'static, HandlerResult> + Send + Sync>),
}

/// Which events a handler receives.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    Type(TypeId),
    Context(String),
    All,
}

/// One subscription.
pub(crate) struct Entry {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) context: Option<String>,
    pub(crate) priority: i32,
    pub(crate) filter: Filter,
    pub(crate) call: Call,
}

impl Entry {
    pub(crate) fn receives(&self, type_id: TypeId, context: &str) -> bool {
        match &self.filter {
            Filter::Type(t) => *t == type_id,
            Filter::Context(c) => c == context,
            Filter::All => true,
        }
    }
}

/// The handle [`EventBus::subscribe`] and friends return; pass it to
/// [`EventBus::unsubscribe`] to stop the handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "keep the handle to unsubscribe later, or drop it explicitly"]
pub struct Subscription {
    /// The bus that made it (a handle of one bus never removes another's handler).
    pub(crate) bus: u64,
    pub(crate) id: u64,
}

/// Options of a handler: name (in failure records), context tag (for
/// [`replay`](EventBus::replay) filters) and priority. Made by
/// [`EventBus::handler`].
///
/// # Examples
///
/// ```
/// # use schemabus_runtime::bus::EventBus;
/// # let bus = &EventBus::new();
/// let sub = bus
///     .handler("audit")
///     .context("implementation")
///     .priority(10)
///     .on_all_sync(|event| {
///         println!("{} {}", event.event_type(), event.aggregate_id());
///         Ok(())
///     });
/// assert!(bus.unsubscribe(sub));
/// ```
#[must_use = "a handler builder does nothing until one of its `on*` methods is called"]
pub struct HandlerBuilder<'b> {
    bus: &'b EventBus,
    name: String,
    context: Option<String>,
    priority: i32,
}

impl<'b> HandlerBuilder<'b> {
    pub(crate) fn new(bus: &'b EventBus, name: String) -> Self {
        HandlerBuilder {
            bus,
            name,
            context: None,
            priority: 0,
        }
    }

    /// The bounded context the handler belongs to (used by `replay` filters).
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// Higher priorities run first; equal priorities run in subscription
    /// order. Default: 0.
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    fn add(self, filter: Filter, call: Call) -> Subscription {
        self.bus.add(Entry {
            id: 0,
            name: self.name,
            context: self.context,
            priority: self.priority,
            filter,
            call,
        })
    }

    /// An async handler of events of type `E`.
    pub fn on<E, F, Fut>(self, handler: F) -> Subscription
    where
        E: DomainEvent,
        F: Fn(Arc<E>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let call = Call::Async(Box::new(move |event: SharedEvent| {
            match event.into_any().downcast::<E>() {
                Ok(event) => Box::pin(handler(event)),
                // Routing is by type id, so this cannot happen; stay total.
                Err(_) => Box::pin(async { Ok(()) }),
            }
        }));
        self.add(Filter::Type(TypeId::of::<E>()), call)
    }

    /// A synchronous handler of events of type `E`.
    pub fn on_sync<E, F>(self, handler: F) -> Subscription
    where
        E: DomainEvent,
        F: Fn(&E) -> HandlerResult + Send + Sync + 'static,
    {
        let call = Call::Sync(Box::new(move |event: &SharedEvent| {
            match event.as_any().downcast_ref::<E>() {
                Some(event) => handler(event),
                None => Ok(()),
            }
        }));
        self.add(Filter::Type(TypeId::of::<E>()), call)
    }

    /// An async handler of every event of bounded context `context`.
    pub fn on_context<F, Fut>(self, context: impl Into<String>, handler: F) -> Subscription
    where
        F: Fn(SharedEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let call = Call::Async(Box::new(move |event| Box::pin(handler(event))));
        self.add(Filter::Context(context.into()), call)
    }

    /// A synchronous handler of every event of bounded context `context`.
    pub fn on_context_sync<F>(self, context: impl Into<String>, handler: F) -> Subscription
    where
        F: Fn(&SharedEvent) -> HandlerResult + Send + Sync + 'static,
    {
        self.add(
            Filter::Context(context.into()),
            Call::Sync(Box::new(handler)),
        )
    }

    /// An async handler of every event.
    pub fn on_all<F, Fut>(self, handler: F) -> Subscription
    where
        F: Fn(SharedEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let call = Call::Async(Box::new(move |event| Box::pin(handler(event))));
        self.add(Filter::All, call)
    }

    /// A synchronous handler of every event.
    pub fn on_all_sync<F>(self, handler: F) -> Subscription
    where
        F: Fn(&SharedEvent) -> HandlerResult + Send + Sync + 'static,
    {
        self.add(Filter::All, Call::Sync(Box::new(handler)))
    }
}
