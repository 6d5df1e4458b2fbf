//! The direct Avro binary codec.
//!
//! Generated types implement [`AvroCodec`] by calling the primitives of
//! [`writer`] and [`reader`] field by field, with no intermediate value
//! tree; [`logical`] converts logical types. [`AvroSchema`] carries the
//! schema constants. Data written with another schema goes through
//! [`Resolver`](crate::codec::resolve::Resolver) first.
//!
//! # Examples
//!
//! ```
//! use schemabus_runtime::AvroCodec;
//!
//! let bytes = 300i64.to_avro_bytes()?;
//! assert_eq!(bytes, [0xd8, 0x04]);
//! assert_eq!(i64::from_avro_bytes(&bytes)?, 300);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
pub mod logical;
pub mod reader;
mod uuid_text;
pub mod writer;

use std::collections::BTreeMap;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
use reader::Reader;
use writer::*;

/// A type with a direct Avro binary encoding, implemented by generated code.
pub trait AvroCodec: Sized {
    /// Smallest possible encoded size in bytes (0 for `null` and empty
    /// records); bounds allocations made from length prefixes.
    const MIN_LEN: usize;

    /// Exact number of bytes [`avro_encode`](Self::avro_encode) appends.
    fn avro_len(&self) -> usize;

    /// Appends the Avro binary encoding (no framing).
    ///
    /// # Errors
    ///
    /// When a value cannot be represented in its schema type, e.g. a decimal
    /// too large for its `fixed`.
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Reads one value.
    ///
    /// # Errors
    ///
    /// When the input is truncated or malformed.
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Reads one value into `self`, reusing allocations where the type can.
    ///
    /// # Errors
    ///
    /// As [`avro_decode`](Self::avro_decode); `self` is unspecified on error.
    fn avro_decode_into(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        *self = Self::avro_decode(r)?;
        Ok(())
    }

    /// Reads past one value without building it. Generated records skip
    /// field by field, allocating nothing and checking only the structure
    /// (lengths, counts, union and enum indexes), not UTF-8 or value ranges;
    /// this default decodes fully and drops.
    ///
    /// # Errors
    ///
    /// As [`avro_decode`](Self::avro_decode).
    fn avro_skip(r: &mut Reader<'_>) -> Result<(), DecodeError> {
        Self::avro_decode(r).map(drop)
    }

    /// Encodes into a new vector allocated once at the exact size.
    ///
    /// # Errors
    ///
    /// As [`avro_encode`](Self::avro_encode).
    #[inline]
    fn to_avro_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut buf = Vec::with_capacity(self.avro_len());
        self.avro_encode(&mut buf)?;
        Ok(buf)
    }

    /// Decodes a value that must span all of `bytes`.
    ///
    /// # Errors
    ///
    /// As [`avro_decode`](Self::avro_decode), and
    /// [`TrailingBytes`](DecodeErrorKind::TrailingBytes) if bytes are left over.
    #[inline]
    fn from_avro_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::avro_decode(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

/// Schema constants of a generated record.
pub trait AvroSchema {
    /// Full name, e.g. `"zamaz.debate.DebateCompleted"`.
    const FULL_NAME: &'static str;
    /// Standalone schema JSON, every referenced type inlined.
    const SCHEMA_JSON: &'static str;
    /// Parsing Canonical Form of the schema.
    const CANONICAL_FORM: &'static str;
    /// CRC-64-AVRO (Rabin) fingerprint of [`CANONICAL_FORM`](Self::CANONICAL_FORM).
    const FINGERPRINT: u64;
}

// Primitive impls: useful on their own and as the building blocks' reference.

impl AvroCodec for () {
    const MIN_LEN: usize = 0;
    fn avro_len(&self) -> usize {
        0
    }
    fn avro_encode(&self, _: &mut Vec<u8>) -> Result<(), EncodeError> {
        Ok(())
    }
    fn avro_decode(_: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(())
    }
}

macro_rules! primitive {
    ($ty:ty, $min:expr, $len:expr, $put:ident, $read:ident) => {
        impl AvroCodec for $ty {
            const MIN_LEN: usize = $min;
            #[inline]
            fn avro_len(&self) -> usize {
                $len(*self)
            }
            #[inline]
            fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
                $put(buf, *self);
                Ok(())
            }
            #[inline]
            fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.$read()
            }
        }
    };
}

primitive!(bool, 1, |_| 1, put_bool, read_bool);
primitive!(i32, 1, int_len, put_int, read_int);
primitive!(i64, 1, long_len, put_long, read_long);
primitive!(f32, 4, |_| 4, put_float, read_float);
primitive!(f64, 8, |_| 8, put_double, read_double);

impl AvroCodec for String {
    const MIN_LEN: usize = 1;
    #[inline]
    fn avro_len(&self) -> usize {
        str_len(self)
    }
    #[inline]
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_str(buf, self);
        Ok(())
    }
    #[inline]
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.read_string()
    }
    #[inline]
    fn avro_decode_into(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.read_string_into(self)
    }
}

/// Encoded size of an array or map of `n` items whose items take `items` bytes:
/// one block (count, items) and the end marker.
fn blocks_len(n: usize, items: usize) -> usize {
    if n == 0 {
        1
    } else {
        long_len(n as i64) + items + 1
    }
}

/// The most items reserved up front from one block count: a count is only
/// bounded by the input length over the item's minimum size, so a small
/// hostile message could otherwise reserve far more memory than it is long.
/// Generated decoders use the same cap.
pub const MAX_RESERVE: usize = 4096;

/// A boxed value encodes as the value: generated code boxes recursive fields.
impl<T: AvroCodec> AvroCodec for Box<T> {
    const MIN_LEN: usize = T::MIN_LEN;
    #[inline]
    fn avro_len(&self) -> usize {
        T::avro_len(self)
    }
    #[inline]
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        T::avro_encode(self, buf)
    }
    #[inline]
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        T::avro_decode(r).map(Box::new)
    }
    #[inline]
    fn avro_decode_into(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        T::avro_decode_into(self, r)
    }
}

/// An Avro `array`, written as one block.
impl<T: AvroCodec> AvroCodec for Vec<T> {
    const MIN_LEN: usize = 1;
    fn avro_len(&self) -> usize {
        blocks_len(self.len(), self.iter().map(T::avro_len).sum())
    }
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        if !self.is_empty() {
            put_long(buf, self.len() as i64);
            for item in self {
                item.avro_encode(buf)?;
            }
        }
        put_long(buf, 0);
        Ok(())
    }
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = Vec::new();
        while let Some(n) = r.read_block_len(T::MIN_LEN)? {
            out.reserve(n.min(MAX_RESERVE));
            for _ in 0..n {
                out.push(T::avro_decode(r)?);
            }
        }
        Ok(out)
    }
}

/// An Avro `map`, written as one block.
impl<T: AvroCodec> AvroCodec for BTreeMap<String, T> {
    const MIN_LEN: usize = 1;
    fn avro_len(&self) -> usize {
        let items = self.iter().map(|(k, v)| str_len(k) + v.avro_len()).sum();
        blocks_len(self.len(), items)
    }
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        if !self.is_empty() {
            put_long(buf, self.len() as i64);
            for (k, v) in self {
                put_str(buf, k);
                v.avro_encode(buf)?;
            }
        }
        put_long(buf, 0);
        Ok(())
    }
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = BTreeMap::new();
        while let Some(n) = r.read_block_len(1 + T::MIN_LEN)? {
            for _ in 0..n {
                let k = r.read_string()?;
                out.insert(k, T::avro_decode(r)?);
            }
        }
        Ok(out)
    }
}
