//! The Confluent wire format: a magic byte 0, the schema id as a big-endian
//! `u32`, then the Avro datum. Any Confluent-compatible consumer reads it.
//!
//! # Examples
//!
//! ```
//! use schemabus_runtime::codec::wire::{self, Format};
//!
//! let framed = wire::frame(42, &[0x02]);
//! assert_eq!(framed, [0, 0, 0, 0, 42, 0x02]);
//! assert_eq!(wire::detect(&framed), Some(Format::Avro));
//! assert_eq!(wire::unframe(&framed)?, (42, &[0x02][..]));
//! assert_eq!(wire::detect(b" {\"specversion\":\"1.0\"}"), Some(Format::Json));
//! # Ok::<(), wire::WireError>(())
//! ```

/// First byte of every framed message.
pub const MAGIC_BYTE: u8 = 0;

/// Length of the header: magic byte and schema id.
pub const HEADER_LEN: usize = 5;

/// Why bytes are not a framed message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Fewer bytes than the 5-byte header.
    #[error("message of {0} bytes is shorter than the 5-byte wire header")]
    TooShort(usize),
    /// A first byte other than [`MAGIC_BYTE`].
    #[error("unknown magic byte {0:#04x}, expected 0x00")]
    BadMagic(u8),
}

/// Appends the header for `schema_id`.
#[inline]
pub fn write_header(buf: &mut Vec<u8>, schema_id: u32) {
    buf.push(MAGIC_BYTE);
    buf.extend_from_slice(&schema_id.to_be_bytes());
}

/// Frames `payload` with the header for `schema_id`.
pub fn frame(schema_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(HEADER_LEN + payload.len());
    write_header(&mut buf, schema_id);
    buf.extend_from_slice(payload);
    buf
}

/// Splits a framed message into its schema id and payload.
///
/// # Errors
///
/// [`WireError::TooShort`] or [`WireError::BadMagic`].
pub fn unframe(bytes: &[u8]) -> Result<(u32, &[u8]), WireError> {
    match bytes {
        [MAGIC_BYTE, a, b, c, d, payload @ ..] => {
            Ok((u32::from_be_bytes([*a, *b, *c, *d]), payload))
        }
        [magic, ..] if *magic != MAGIC_BYTE => Err(WireError::BadMagic(*magic)),
        _ => Err(WireError::TooShort(bytes.len())),
    }
}

/// Serialization format of a message value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// CloudEvents structured-mode JSON.
    Json,
    /// Avro binary in the Confluent wire format.
    Avro,
}

/// Tells the format of a message value from its first bytes: `0x00` is
/// Avro, a `{` after optional whitespace is JSON, anything else is unknown.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    match bytes.first()? {
        &MAGIC_BYTE => Some(Format::Avro),
        _ => match bytes.iter().find(|b| !b.is_ascii_whitespace())? {
            b'{' => Some(Format::Json),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let framed = frame(0x0102_0304, b"xy");
        assert_eq!(framed, [0, 1, 2, 3, 4, b'x', b'y']);
        assert_eq!(unframe(&framed), Ok((0x0102_0304, &b"xy"[..])));
        assert_eq!(unframe(&[0, 0, 0, 0, 7]), Ok((7, &[][..])));
        assert_eq!(unframe(&[0, 0, 0]), Err(WireError::TooShort(3)));
        assert_eq!(unframe(&[]), Err(WireError::TooShort(0)));
        assert_eq!(unframe(b"{\"a\":1}"), Err(WireError::BadMagic(b'{')));
    }

    #[test]
    fn detects_format() {
        assert_eq!(detect(&[0]), Some(Format::Avro));
        assert_eq!(detect(b"{}"), Some(Format::Json));
        assert_eq!(detect(b"\n\t {}"), Some(Format::Json));
        assert_eq!(detect(b"  "), None);
        assert_eq!(detect(b""), None);
        assert_eq!(detect(b"[1]"), None);
    }
}
