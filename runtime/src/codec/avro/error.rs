//! Errors of the direct Avro codec.
//!
//! Both error types are a single box so that `Result<T, DecodeError>` stays
//! pointer-sized on the hot decode path; the kind, the field path and the
//! byte offset live behind the box.

use std::fmt;

/// What went wrong while decoding Avro binary data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended before a value was complete.
    #[error("unexpected end of input: needed {needed} bytes, {remaining} remaining")]
    UnexpectedEof {
        /// Bytes the value needed.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A variable-length integer ran past 10 bytes or past 64 bits.
    #[error("variable-length integer overflows 64 bits")]
    VarintOverflow,
    /// An `int` was encoded with a value outside the `i32` range.
    #[error("int out of range: {0}")]
    IntOutOfRange(i64),
    /// A boolean byte other than 0 or 1.
    #[error("invalid boolean byte {0:#04x}")]
    InvalidBool(u8),
    /// A length prefix (of bytes, a string or a block) was negative.
    #[error("negative length {0}")]
    NegativeLength(i64),
    /// A length prefix or item count larger than the input could hold.
    #[error("length {len} exceeds the {remaining} bytes remaining")]
    LengthTooLarge {
        /// The length or count that was read.
        len: u64,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A string that is not valid UTF-8.
    #[error("invalid utf-8 in string")]
    InvalidUtf8,
    /// A `uuid` that does not parse.
    #[error("invalid uuid")]
    InvalidUuid,
    /// A union branch index outside the union.
    #[error("invalid union branch {index} of {branches}")]
    InvalidUnionIndex {
        /// The index that was read.
        index: i64,
        /// Branches the union has.
        branches: usize,
    },
    /// An enum symbol index outside the enum.
    #[error("invalid enum symbol {index} of {symbols}")]
    InvalidEnumIndex {
        /// The index that was read.
        index: i64,
        /// Symbols the enum has.
        symbols: usize,
    },
    /// A logical type whose underlying value is out of its range.
    #[error("{logical} value {value} out of range")]
    InvalidLogicalValue {
        /// The logical type, e.g. `"timestamp-micros"`.
        logical: &'static str,
        /// The raw value that was read.
        value: i64,
    },
    /// Bytes were left over after a complete value.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// Nested values deeper than [`MAX_DEPTH`](crate::codec::avro::reader::MAX_DEPTH).
    #[error("nesting deeper than {0} levels")]
    DepthLimitExceeded(usize),
    /// Any other problem, described in words.
    #[error("{0}")]
    Custom(String),
}

/// An error decoding Avro binary data, with the field path and byte offset
/// where it happened.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::codec::avro::{reader::Reader, DecodeErrorKind};
///
/// let err = Reader::new(&[]).read_long().unwrap_err().in_field("Ping.seq");
/// assert!(matches!(err.kind(), DecodeErrorKind::UnexpectedEof { .. }));
/// assert_eq!(
///     err.to_string(),
///     "at Ping.seq (byte 0): unexpected end of input: needed 1 bytes, 0 remaining"
/// );
/// ```
pub struct DecodeError(Box<Inner<DecodeErrorKind>>);

/// An error encoding a value to Avro binary, with the field path.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::codec::avro::{EncodeError, EncodeErrorKind};
///
/// let err = EncodeError::new(EncodeErrorKind::DecimalOverflow { size: 2 }).in_field("Bid.amount");
/// assert_eq!(err.to_string(), "at Bid.amount: decimal does not fit in fixed(2)");
/// ```
pub struct EncodeError(Box<Inner<EncodeErrorKind>>);

/// What went wrong while encoding a value to Avro binary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A decimal whose unscaled value needs more bytes than its `fixed` size.
    #[error("decimal does not fit in fixed({size})")]
    DecimalOverflow {
        /// Size of the fixed type.
        size: usize,
    },
    /// A decimal whose scale cannot be changed to the schema's without losing digits.
    #[error("decimal scale {value} cannot be represented with schema scale {schema}")]
    DecimalScale {
        /// Scale of the value.
        value: u32,
        /// Scale the schema declares.
        schema: u32,
    },
    /// A timestamp outside the range of its logical type (nanoseconds cover 1677–2262).
    #[error("timestamp out of range for {logical}")]
    TimestampOutOfRange {
        /// The logical type, e.g. `"timestamp-nanos"`.
        logical: &'static str,
    },
    /// Any other problem, described in words.
    #[error("{0}")]
    Custom(String),
}

struct Inner<K> {
    kind: K,
    /// Innermost segment first: segments are pushed while the error unwinds.
    path: Vec<&'static str>,
    offset: Option<usize>,
}

macro_rules! error_common {
    ($ty:ident, $kind:ident) => {
        impl $ty {
            /// Creates an error of `kind` with an empty path.
            #[cold]
            pub fn new(kind: $kind) -> Self {
                Self(Box::new(Inner {
                    kind,
                    path: Vec::new(),
                    offset: None,
                }))
            }

            /// Creates an error described by `msg`.
            #[cold]
            pub fn custom(msg: impl fmt::Display) -> Self {
                Self::new($kind::Custom(msg.to_string()))
            }

            /// What went wrong.
            pub fn kind(&self) -> &$kind {
                &self.0.kind
            }

            /// Adds an enclosing path segment such as `"DebateCompleted.topic"`.
            ///
            /// Generated code calls this on the error path of every field, so
            /// the path grows from the innermost field outwards.
            #[cold]
            #[must_use]
            pub fn in_field(mut self, field: &'static str) -> Self {
                self.0.path.push(field);
                self
            }

            /// Path segments from the outermost field to the innermost.
            pub fn path(&self) -> impl Iterator<Item = &'static str> + '_ {
                self.0.path.iter().rev().copied()
            }
        }

        impl From<$kind> for $ty {
            fn from(kind: $kind) -> Self {
                Self::new(kind)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let inner = &self.0;
                if !inner.path.is_empty() {
                    f.write_str("at ")?;
                    for (i, seg) in inner.path.iter().rev().enumerate() {
                        if i > 0 {
                            f.write_str("/")?;
                        }
                        f.write_str(seg)?;
                    }
                    if let Some(offset) = inner.offset {
                        write!(f, " (byte {offset})")?;
                    }
                    f.write_str(": ")?;
                } else if let Some(offset) = inner.offset {
                    write!(f, "at byte {offset}: ")?;
                }
                fmt::Display::fmt(&inner.kind, f)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("kind", &self.0.kind)
                    .field("path", &self.path().collect::<Vec<_>>())
                    .field("offset", &self.0.offset)
                    .finish()
            }
        }

        impl std::error::Error for $ty {}
    };
}

error_common!(DecodeError, DecodeErrorKind);
error_common!(EncodeError, EncodeErrorKind);

impl DecodeError {
    /// Creates an error of `kind` found at byte `offset` of the input.
    #[cold]
    pub fn at(kind: DecodeErrorKind, offset: usize) -> Self {
        Self(Box::new(Inner {
            kind,
            path: Vec::new(),
            offset: Some(offset),
        }))
    }

    /// Byte offset in the input where the error was found, if known.
    pub fn offset(&self) -> Option<usize> {
        self.0.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_pointer_sized() {
        assert_eq!(
            std::mem::size_of::<Result<(), DecodeError>>(),
            std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Result<(), EncodeError>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn path_is_outermost_first() {
        let err = DecodeError::at(DecodeErrorKind::InvalidUtf8, 7)
            .in_field("Inner.name")
            .in_field("Outer.inner");
        assert_eq!(
            err.path().collect::<Vec<_>>(),
            ["Outer.inner", "Inner.name"]
        );
        assert_eq!(
            err.to_string(),
            "at Outer.inner/Inner.name (byte 7): invalid utf-8 in string"
        );
        assert_eq!(
            DecodeError::new(DecodeErrorKind::InvalidUuid).to_string(),
            "invalid uuid"
        );
    }
}
