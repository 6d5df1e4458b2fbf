//! Items generated code names through `::schemabus::__private`; not a
//! stable API.

pub use serde;
pub use serde_json;
pub use std::collections::BTreeMap;

pub use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
pub use uuid::Uuid;

pub use crate::bus::{BusEvent, EventBus, PublishReport, SharedEvent};
pub use crate::catalog::{Catalog, EventDecodeError, EventType};
pub use crate::codec::avro::writer::*;
pub use crate::codec::avro::{
    logical, reader::Reader, AvroCodec, AvroSchema, DecodeError, DecodeErrorKind, EncodeError,
    EncodeErrorKind, MAX_RESERVE,
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

/// `Field: IsSchemaType<Expected>` holds when a Rust field type can carry
/// the Avro type that `Expected` stands for. `#[derive(DomainEvent)]`
/// asserts it for every field, so a field whose type differs from its schema
/// fails to compile at that field.
///
/// `Expected` is the Rust type for primitives and logical types,
/// [`SchemaBytes`] for `bytes`, and [`Named`] for named types and unions,
/// which generated types implement with their schema's fingerprint.
#[diagnostic::on_unimplemented(
    message = "field type `{Self}` does not match the Avro schema, which needs `{Expected}`",
    label = "the schema needs `{Expected}` here",
    note = "`Named<a_b_C, N>` is the type generated from the Avro type `a.b.C` (or a union), whose schema fingerprint is N"
)]
pub trait IsSchemaType<Expected: ?Sized> {}

/// Stands for Avro `bytes` (a `Vec<u8>`, not an `array<int>`).
pub struct SchemaBytes;

/// Stands for the named Avro type (or union) with this schema fingerprint.
/// `Avro` only names it in error messages: the derive passes a marker type
/// called after the Avro name, and generated types accept any.
pub struct Named<Avro: ?Sized, const FINGERPRINT: u64>(std::marker::PhantomData<Avro>);

macro_rules! same_type {
    ($($ty:ty),* $(,)?) => { $(impl IsSchemaType<$ty> for $ty {})* };
}

same_type!(
    (),
    bool,
    i32,
    i64,
    f32,
    f64,
    String,
    Uuid,
    NaiveDate,
    NaiveTime,
    NaiveDateTime,
    DateTime<Utc>,
    Decimal,
    Duration,
    EventMetadata,
);

impl IsSchemaType<SchemaBytes> for Vec<u8> {}
impl<T: IsSchemaType<E>, E> IsSchemaType<Option<E>> for Option<T> {}
impl<T: IsSchemaType<E>, E> IsSchemaType<Vec<E>> for Vec<T> {}
impl<T: IsSchemaType<E>, E> IsSchemaType<BTreeMap<String, E>> for BTreeMap<String, T> {}
impl<T: IsSchemaType<E>, E> IsSchemaType<E> for Box<T> {}

/// Compiles only when `Field` can carry the schema's type `Expected`.
pub fn assert_field_type<Field: IsSchemaType<Expected> + ?Sized, Expected: ?Sized>() {}
