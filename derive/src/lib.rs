//! `#[derive(DomainEvent)]`: checks a struct against its Avro schema at
//! compile time and emits its direct Avro codec and event trait impls.
//!
//! Use it through the `schemabus` crate, which re-exports it:
//!
//! ```ignore
//! use schemabus::{DomainEvent, EventMetadata};
//!
//! #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
//! #[domain_event(context = "debate", schema = "schemas/debate/DebateCancelled.avsc")]
//! pub struct DebateCancelled {
//!     pub debate_id: uuid::Uuid,
//!     pub reason: String,
//!     pub cancelled_by: String,
//!     #[serde(skip, default = "EventMetadata::empty")]
//!     #[domain_event(metadata)]
//!     pub metadata: EventMetadata,
//! }
//! ```
//!
//! Attributes: `context` (required), `schema` (required, relative to the
//! crate's manifest directory), `aggregate` (defaults to the schema's
//! `aggregate` property) and `root` (the directory in which named types are
//! resolved; defaults to `schemas` for `schemas/<context>/<Event>.avsc`).
//! A field missing from the struct, a field the schema lacks, or a field
//! whose type differs from the schema's is a compile error at that field.

use proc_macro::TokenStream;

/// Derives `AvroCodec`, `AvroSchema` and `DomainEvent` from the schema file
/// named in `#[domain_event(...)]`. See the crate docs.
#[proc_macro_derive(DomainEvent, attributes(domain_event))]
pub fn derive_domain_event(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match schemabus_codegen::__derive::expand_domain_event(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
