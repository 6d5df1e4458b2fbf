//! Events as the bus carries them: shared, type-erased, still typed on demand.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use crate::event::{DomainEvent, EventMetadata};

/// What the bus needs from any event, object-safe: handlers of a whole
/// context or of every event receive `Arc<dyn BusEvent>`.
pub trait BusEvent: Any + Debug + Send + Sync {
    /// The event type: the record's full Avro name.
    fn event_type(&self) -> &'static str;
    /// The bounded context.
    fn context(&self) -> &'static str;
    /// The aggregate id.
    fn aggregate_id(&self) -> String;
    /// The event's metadata.
    fn metadata(&self) -> &EventMetadata;
    /// The event as `Any`, to downcast to its concrete type.
    fn as_any(&self) -> &dyn Any;
    /// The shared event as `Any`, to downcast without copying.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<E: DomainEvent> BusEvent for E {
    fn event_type(&self) -> &'static str {
        E::EVENT_TYPE
    }
    fn context(&self) -> &'static str {
        E::CONTEXT
    }
    fn aggregate_id(&self) -> String {
        DomainEvent::aggregate_id(self)
    }
    fn metadata(&self) -> &EventMetadata {
        DomainEvent::metadata(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// An event on the bus, shared by every handler that receives it.
pub type SharedEvent = Arc<dyn BusEvent>;

impl dyn BusEvent {
    /// The event as `E`, if it is one.
    pub fn downcast_ref<E: DomainEvent>(&self) -> Option<&E> {
        self.as_any().downcast_ref()
    }
}
