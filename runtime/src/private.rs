//! Items generated code names through `::schemabus::__private`; not a
//! stable API.

pub use serde;
pub use serde_json;
pub use std::collections::BTreeMap;

pub use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
pub use uuid::Uuid;

pub use crate::catalog::{EventDecodeError, EventType};
pub use crate::codec::avro::writer::*;
pub use crate::codec::avro::{
    logical, reader::Reader, AvroCodec, AvroSchema, DecodeError, DecodeErrorKind, EncodeError,
    EncodeErrorKind,
};
pub use crate::codec::cloudevents::CloudEventError;
pub use crate::codec::{cloudevents, json_as, resolve, wire};
pub use crate::event::{DomainEvent, EventMetadata};
pub use crate::types::{Decimal, Duration};

/// Runs one field's decoder and, on failure, records the field in the
/// error's path.
///
/// # Errors
///
/// Whatever `decode` returns, with `field` added to its path.
#[inline(always)]
pub fn decode_field<'a, T>(
    r: &mut Reader<'a>,
    field: &'static str,
    decode: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    decode(r).map_err(|e| e.in_field(field))
}

/// Implemented only by `Expected` itself: `#[derive(DomainEvent)]` asserts
/// `FieldType: IsSchemaType<Expected>` for every field, so a field whose type
/// differs from its schema fails to compile at that field.
#[diagnostic::on_unimplemented(
    message = "field type `{Self}` does not match the Avro schema, which needs `{Expected}`",
    label = "the schema needs `{Expected}` here"
)]
pub trait IsSchemaType<Expected: ?Sized> {}

impl<T: ?Sized> IsSchemaType<T> for T {}

/// Compiles only when `Field` is the schema's type `Expected`.
pub fn assert_field_type<Field: IsSchemaType<Expected> + ?Sized, Expected: ?Sized>() {}
