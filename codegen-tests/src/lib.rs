//! Code generated from `schemas/`: a fixture for every Avro construct,
//! compiled here so the tests can exercise the generated code for real.

/// The generated fixture types.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}
