//! Walks a datum with its writer schema without building anything, checking
//! every length prefix and block count against the bytes actually present.
//!
//! apache-avro trusts length prefixes up to its own global cap (512 MiB), so
//! a few hostile bytes could make it allocate that much; running this first
//! keeps the [`Resolver`](super::resolve::Resolver) to the generated
//! decoders' promise: malformed input costs an error, never memory.

use apache_avro::schema::{InnerDecimalSchema, NamesRef, UuidSchema};
use apache_avro::Schema;

use super::avro::reader::Reader;
use super::avro::{DecodeError, DecodeErrorKind};

/// Skips one value of `schema` from `r`.
///
/// # Errors
///
/// The first malformed or truncated item, or nesting deeper than the
/// reader's depth limit.
pub fn skip(schema: &Schema, names: &NamesRef<'_>, r: &mut Reader<'_>) -> Result<(), DecodeError> {
    match schema {
        Schema::Null => Ok(()),
        Schema::Boolean => r.read_bool().map(drop),
        Schema::Int
        | Schema::Long
        | Schema::Date
        | Schema::TimeMillis
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos
        | Schema::Enum(_) => r.read_long().map(drop),
        Schema::Float => r.read_fixed_slice(4).map(drop),
        Schema::Double => r.read_fixed_slice(8).map(drop),
        Schema::Bytes
        | Schema::String
        | Schema::BigDecimal
        | Schema::Uuid(UuidSchema::String)
        // apache-avro writes a uuid on `bytes` length-prefixed, like bytes.
        | Schema::Uuid(UuidSchema::Bytes)
        | Schema::Decimal(apache_avro::schema::DecimalSchema {
            inner: InnerDecimalSchema::Bytes,
            ..
        }) => r.read_bytes().map(drop),
        Schema::Uuid(UuidSchema::Fixed(fixed)) | Schema::Fixed(fixed) | Schema::Duration(fixed) => {
            r.read_fixed_slice(fixed.size).map(drop)
        }
        Schema::Decimal(apache_avro::schema::DecimalSchema {
            inner: InnerDecimalSchema::Fixed(fixed),
            ..
        }) => r.read_fixed_slice(fixed.size).map(drop),
        Schema::Array(array) => {
            // Items may encode to nothing, so the count is bounded by the
            // reader's cap for zero-size items; nothing is allocated per item.
            while let Some(n) = r.read_block_len(0)? {
                for _ in 0..n {
                    skip(&array.items, names, r)?;
                }
            }
            Ok(())
        }
        Schema::Map(map) => {
            while let Some(n) = r.read_block_len(1)? {
                for _ in 0..n {
                    r.read_bytes()?;
                    skip(&map.types, names, r)?;
                }
            }
            Ok(())
        }
        Schema::Union(union) => {
            let branches = union.variants();
            let index = r.read_union_index(branches.len())?;
            match branches.get(index) {
                Some(branch) => skip(branch, names, r),
                None => Err(DecodeError::new(DecodeErrorKind::InvalidUnionIndex {
                    index: i64::try_from(index).unwrap_or(i64::MAX),
                    branches: branches.len(),
                })),
            }
        }
        Schema::Record(record) => {
            r.enter()?;
            for field in &record.fields {
                skip(&field.schema, names, r)?;
            }
            r.leave();
            Ok(())
        }
        Schema::Ref { name } => match names.get(name) {
            Some(target) => {
                r.enter()?;
                let result = skip(target, names, r);
                r.leave();
                result
            }
            None => Err(DecodeError::custom(format!(
                "unresolved schema reference `{name}`"
            ))),
        },
    }
}
