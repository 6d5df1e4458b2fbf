#![doc = include_str!("../README.md")]

// Generated code names `::schemabus::__private`; this makes that path resolve
// inside this crate too, for its own reference domain.
extern crate self as schemabus;

pub use schemabus_derive::DomainEvent;
pub use schemabus_runtime::*;

/// What generated code uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use schemabus_derive::DomainEvent;
    pub use schemabus_runtime::__private::*;
}

/// The reference domain: the events of the debate system, generated from
/// `schemas/` by the build script.
///
/// Each bounded context has a module (`events::debate`, …) with its event
/// structs, a `{Context}Event` enum over them, and [`events::AnyEvent`]
/// over every event; [`events::EVENT_TYPES`] lists them all.
pub mod events {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));

    pub use self::zamaz::{common, debate, evolution, implementation, performance, testing};
}
pub mod domain;
