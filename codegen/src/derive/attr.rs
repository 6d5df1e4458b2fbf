//! `#[domain_event(...)]` attributes, parsed with every error kept.

use proc_macro2::Span;
use syn::{Attribute, LitStr};

/// The attribute's name.
pub const DOMAIN_EVENT: &str = "domain_event";
/// `context = "debate"`: the bounded context.
pub const CONTEXT: &str = "context";
/// `schema = "schemas/debate/DebateCompleted.avsc"`: the schema file.
pub const SCHEMA: &str = "schema";
/// `aggregate = "debate_id"`: the aggregate-id field.
pub const AGGREGATE: &str = "aggregate";
/// `root = "schemas"`: the schema root named types are resolved in.
pub const ROOT: &str = "root";
/// `#[domain_event(metadata)]` on the metadata field.
pub const METADATA: &str = "metadata";

/// The struct-level attributes.
#[derive(Default)]
pub struct EventAttrs {
    /// `context`
    pub context: Option<LitStr>,
    /// `schema`
    pub schema: Option<LitStr>,
    /// `aggregate`
    pub aggregate: Option<LitStr>,
    /// `root`
    pub root: Option<LitStr>,
}

/// Collects errors and combines them into one `syn::Error`.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Records an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Records an error at `span`.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `Err` with every recorded error, or `Ok`.
    pub fn finish(&mut self) -> syn::Result<()> {
        self.0.take().map_or(Ok(()), Err)
    }
}

/// Parses every `#[domain_event(...)]` on the struct.
pub fn parse_event_attrs(attrs: &[Attribute], errors: &mut Errors) -> EventAttrs {
    let mut out = EventAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(DOMAIN_EVENT)) {
        let result = attr.parse_nested_meta(|meta| {
            let slot = if meta.path.is_ident(CONTEXT) {
                &mut out.context
            } else if meta.path.is_ident(SCHEMA) {
                &mut out.schema
            } else if meta.path.is_ident(AGGREGATE) {
                &mut out.aggregate
            } else if meta.path.is_ident(ROOT) {
                &mut out.root
            } else {
                return Err(meta.error(format!(
                    "unknown `{DOMAIN_EVENT}` attribute: expected `{CONTEXT}`, `{SCHEMA}`, `{AGGREGATE}` or `{ROOT}`"
                )));
            };
            let value: LitStr = meta.value()?.parse()?;
            if slot.is_some() {
                return Err(meta.error(format!("duplicate `{}` attribute", meta.path.get_ident().map(ToString::to_string).unwrap_or_default())));
            }
            *slot = Some(value);
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}

/// Whether a field carries `#[domain_event(metadata)]`; other contents are errors.
pub fn is_metadata_field(attrs: &[Attribute], errors: &mut Errors) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident(DOMAIN_EVENT)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(METADATA) {
                found = true;
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown field attribute: expected `#[{DOMAIN_EVENT}({METADATA})]`"
                )))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    found
}
