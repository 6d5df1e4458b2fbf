//! Generates Rust event types with direct Avro codecs from Avro schemas.

pub mod canonical;
pub mod emit;
pub mod error;
pub mod generate;
pub mod ident;
pub mod json;
pub mod model;
pub mod parse;
pub mod resolve;

#[doc(hidden)]
#[path = "derive/mod.rs"]
pub mod __derive;
mod builder;

pub use builder::Builder;
pub use error::{Diagnostic, Error};
pub use generate::generate;
