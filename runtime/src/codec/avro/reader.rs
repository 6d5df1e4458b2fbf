//! [`Reader`]: a cursor over Avro binary input.
//!
//! Every length read from the input is checked against the bytes that are
//! left before anything is allocated, so a hostile length prefix costs an
//! error, never memory.

use uuid::Uuid;

use super::error::{DecodeError, DecodeErrorKind};

/// Largest item count accepted for one block of an array or map whose items
/// may encode to zero bytes (`null`, empty records), where the input length
/// gives no bound.
pub const MAX_ZERO_SIZE_ITEMS: usize = 1 << 20;

/// Deepest nesting [`Reader::enter`] accepts; bounds recursion on recursive
/// schemas so that hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 128;

/// A cursor over Avro binary data.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::codec::avro::reader::Reader;
///
/// // long 1, then the string "hi"
/// let mut r = Reader::new(&[0x02, 0x04, b'h', b'i']);
/// assert_eq!(r.read_long()?, 1);
/// assert_eq!(r.read_str()?, "hi");
/// assert!(r.is_empty());
/// # Ok::<(), schemabus_runtime::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
}

type Result<T> = std::result::Result<T, DecodeError>;

impl<'a> Reader<'a> {
    /// Creates a reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            depth: 0,
        }
    }

    /// Bytes consumed so far.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left to read.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Whether every byte has been consumed.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The bytes not yet read.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The bytes read since position `start` (from [`position`](Self::position)).
    pub fn read_since(&self, start: usize) -> &'a [u8] {
        self.buf.get(start..self.pos).unwrap_or_default()
    }

    #[cold]
    fn err(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::at(kind, self.pos)
    }

    #[cold]
    fn eof(&self, needed: usize) -> DecodeError {
        self.err(DecodeErrorKind::UnexpectedEof {
            needed,
            remaining: self.remaining(),
        })
    }

    /// Takes the next `n` bytes.
    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        match self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
        {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.eof(n)),
        }
    }

    /// Reads a zig-zag varint `long` (at most 10 bytes).
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](DecodeErrorKind::UnexpectedEof) if the input ends
    /// mid-varint, [`VarintOverflow`](DecodeErrorKind::VarintOverflow) if it
    /// does not fit 64 bits.
    #[inline(always)]
    pub fn read_long(&mut self) -> Result<i64> {
        // Fast path, inlined at every call: one byte holds -64..=63, the
        // common case for lengths, indexes and small numbers.
        if let Some(&b) = self.buf.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(unzigzag(u64::from(b)));
            }
        }
        self.read_long_slow()
    }

    /// The multi-byte (and error) cases of [`read_long`](Self::read_long),
    /// kept out of line so the fast path stays small.
    #[inline(never)]
    fn read_long_slow(&mut self) -> Result<i64> {
        let rest = self.rest();
        let mut value: u64 = 0;
        for (i, &b) in rest.iter().take(10).enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                // The 10th byte carries only the 64th bit.
                if i == 9 && b > 1 {
                    return Err(self.err(DecodeErrorKind::VarintOverflow));
                }
                self.pos += i + 1;
                return Ok(unzigzag(value));
            }
        }
        if rest.len() >= 10 {
            Err(self.err(DecodeErrorKind::VarintOverflow))
        } else {
            Err(self.eof(rest.len() + 1))
        }
    }

    /// Reads a zig-zag varint `int`.
    ///
    /// # Errors
    ///
    /// As [`read_long`](Self::read_long), and
    /// [`IntOutOfRange`](DecodeErrorKind::IntOutOfRange) if the value does not fit `i32`.
    #[inline]
    pub fn read_int(&mut self) -> Result<i32> {
        let start = self.pos;
        let v = self.read_long()?;
        i32::try_from(v).map_err(|_| DecodeError::at(DecodeErrorKind::IntOutOfRange(v), start))
    }

    /// Reads a `boolean`: one byte, 0 or 1.
    ///
    /// # Errors
    ///
    /// [`InvalidBool`](DecodeErrorKind::InvalidBool) for any other byte.
    #[inline]
    pub fn read_bool(&mut self) -> Result<bool> {
        match self.take(1)? {
            [0] => Ok(false),
            [1] => Ok(true),
            [b] => {
                self.pos -= 1;
                Err(self.err(DecodeErrorKind::InvalidBool(*b)))
            }
            _ => Err(self.eof(1)),
        }
    }

    /// Reads a little-endian `float`.
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](DecodeErrorKind::UnexpectedEof) if fewer than 4 bytes remain.
    #[inline]
    pub fn read_float(&mut self) -> Result<f32> {
        self.read_fixed::<4>().map(f32::from_le_bytes)
    }

    /// Reads a little-endian `double`.
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](DecodeErrorKind::UnexpectedEof) if fewer than 8 bytes remain.
    #[inline]
    pub fn read_double(&mut self) -> Result<f64> {
        self.read_fixed::<8>().map(f64::from_le_bytes)
    }

    /// Reads a length prefix and checks it against the remaining input.
    #[inline]
    fn read_len(&mut self) -> Result<usize> {
        let start = self.pos;
        let len = self.read_long()?;
        if len < 0 {
            return Err(DecodeError::at(DecodeErrorKind::NegativeLength(len), start));
        }
        let remaining = self.remaining();
        match usize::try_from(len) {
            Ok(n) if n <= remaining => Ok(n),
            _ => Err(DecodeError::at(
                DecodeErrorKind::LengthTooLarge {
                    len: len.unsigned_abs(),
                    remaining,
                },
                start,
            )),
        }
    }

    /// Reads length-prefixed `bytes`, borrowed from the input.
    ///
    /// # Errors
    ///
    /// [`NegativeLength`](DecodeErrorKind::NegativeLength), or
    /// [`LengthTooLarge`](DecodeErrorKind::LengthTooLarge) when the prefix
    /// exceeds the remaining input (checked before anything is allocated).
    #[inline]
    pub fn read_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.read_len()?;
        self.take(n)
    }

    /// Reads length-prefixed `bytes` into a new vector.
    ///
    /// # Errors
    ///
    /// As [`read_bytes`](Self::read_bytes).
    #[inline]
    pub fn read_bytes_vec(&mut self) -> Result<Vec<u8>> {
        self.read_bytes().map(<[u8]>::to_vec)
    }

    /// Reads a length-prefixed UTF-8 `string`, borrowed from the input.
    ///
    /// # Errors
    ///
    /// As [`read_bytes`](Self::read_bytes), and
    /// [`InvalidUtf8`](DecodeErrorKind::InvalidUtf8).
    #[inline]
    pub fn read_str(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let bytes = self.read_bytes()?;
        if is_ascii(bytes) {
            // SAFETY: every ASCII byte sequence is valid UTF-8, and the
            // `is_ascii` check above just established that. This skips the
            // slower general validation for the common all-ASCII case.
            return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
        }
        std::str::from_utf8(bytes).map_err(|_| DecodeError::at(DecodeErrorKind::InvalidUtf8, start))
    }

    /// Reads a `string` into a new `String`.
    ///
    /// # Errors
    ///
    /// As [`read_str`](Self::read_str).
    #[inline]
    pub fn read_string(&mut self) -> Result<String> {
        self.read_str().map(str::to_owned)
    }

    /// Reads a `string` into `out`, replacing its contents and reusing its capacity.
    ///
    /// # Errors
    ///
    /// As [`read_str`](Self::read_str); `out` is left empty on error.
    #[inline]
    pub fn read_string_into(&mut self, out: &mut String) -> Result<()> {
        out.clear();
        out.push_str(self.read_str()?);
        Ok(())
    }

    /// Reads a `fixed` of size `N`.
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](DecodeErrorKind::UnexpectedEof) if fewer than `N` bytes remain.
    #[inline]
    pub fn read_fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    /// Reads a `fixed` of size `n`, borrowed from the input.
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](DecodeErrorKind::UnexpectedEof) if fewer than `n` bytes remain.
    #[inline]
    pub fn read_fixed_slice(&mut self, n: usize) -> Result<&'a [u8]> {
        self.take(n)
    }

    /// Reads a union branch index (a `long`) and checks it is below `branches`.
    ///
    /// # Errors
    ///
    /// [`InvalidUnionIndex`](DecodeErrorKind::InvalidUnionIndex).
    #[inline]
    pub fn read_union_index(&mut self, branches: usize) -> Result<usize> {
        let start = self.pos;
        let index = self.read_long()?;
        match usize::try_from(index) {
            Ok(i) if i < branches => Ok(i),
            _ => Err(DecodeError::at(
                DecodeErrorKind::InvalidUnionIndex { index, branches },
                start,
            )),
        }
    }

    /// Reads an enum symbol index (an `int`) and checks it is below `symbols`.
    ///
    /// # Errors
    ///
    /// [`InvalidEnumIndex`](DecodeErrorKind::InvalidEnumIndex).
    #[inline]
    pub fn read_enum_index(&mut self, symbols: usize) -> Result<usize> {
        let start = self.pos;
        let index = self.read_int()?;
        match usize::try_from(index) {
            Ok(i) if i < symbols => Ok(i),
            _ => Err(DecodeError::at(
                DecodeErrorKind::InvalidEnumIndex {
                    index: index.into(),
                    symbols,
                },
                start,
            )),
        }
    }

    /// Reads the item count of the next array or map block; `None` ends the array or map.
    ///
    /// A negative count is followed by the block's byte size, which is
    /// checked against the input and otherwise ignored. The count is bounded
    /// so that callers may `reserve` it: by `remaining / min_item_len`, or by
    /// [`MAX_ZERO_SIZE_ITEMS`] when items may encode to zero bytes
    /// (`min_item_len == 0`).
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::codec::avro::reader::Reader;
    ///
    /// // array<long> [1, 2]: block of 2, items, end block
    /// let mut r = Reader::new(&[0x04, 0x02, 0x04, 0x00]);
    /// let mut items = Vec::new();
    /// while let Some(n) = r.read_block_len(1)? {
    ///     items.reserve(n);
    ///     for _ in 0..n {
    ///         items.push(r.read_long()?);
    ///     }
    /// }
    /// assert_eq!(items, [1, 2]);
    /// # Ok::<(), schemabus_runtime::DecodeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`LengthTooLarge`](DecodeErrorKind::LengthTooLarge) when the count or
    /// byte size exceeds those bounds, [`NegativeLength`](DecodeErrorKind::NegativeLength)
    /// for a negative byte size.
    #[inline]
    pub fn read_block_len(&mut self, min_item_len: usize) -> Result<Option<usize>> {
        let start = self.pos;
        let count = self.read_long()?;
        if count == 0 {
            return Ok(None);
        }
        if count < 0 {
            // Only the check matters: items are still decoded one by one.
            self.read_len()?;
        }
        let remaining = self.remaining();
        let limit = match min_item_len {
            0 => MAX_ZERO_SIZE_ITEMS,
            n => remaining / n,
        };
        let abs = count.unsigned_abs();
        match usize::try_from(abs) {
            Ok(n) if n <= limit => Ok(Some(n)),
            _ => Err(DecodeError::at(
                DecodeErrorKind::LengthTooLarge {
                    len: abs,
                    remaining,
                },
                start,
            )),
        }
    }

    /// Reads a `uuid` encoded as a string (36 characters, hyphenated).
    ///
    /// Other textual forms the `uuid` crate accepts (simple, braced, urn) are
    /// accepted too.
    ///
    /// # Errors
    ///
    /// As [`read_bytes`](Self::read_bytes), and [`InvalidUuid`](DecodeErrorKind::InvalidUuid).
    #[inline]
    pub fn read_uuid_str(&mut self) -> Result<Uuid> {
        let start = self.pos;
        let bytes = self.read_bytes()?;
        // The canonical 36-character form first, without the general parser.
        if let Some(uuid) = super::uuid_text::parse_hyphenated(bytes) {
            return Ok(uuid);
        }
        Uuid::try_parse_ascii(bytes)
            .map_err(|_| DecodeError::at(DecodeErrorKind::InvalidUuid, start))
    }

    /// Reads a `uuid` encoded as `fixed(16)`.
    ///
    /// # Errors
    ///
    /// [`UnexpectedEof`](DecodeErrorKind::UnexpectedEof) if fewer than 16 bytes remain.
    #[inline]
    pub fn read_uuid_fixed(&mut self) -> Result<Uuid> {
        self.read_fixed::<16>().map(Uuid::from_bytes)
    }

    /// Enters one level of nesting; generated decoders of recursive types call
    /// this before descending and [`leave`](Self::leave) after.
    ///
    /// # Errors
    ///
    /// [`DepthLimitExceeded`](DecodeErrorKind::DepthLimitExceeded) past [`MAX_DEPTH`].
    #[inline]
    pub fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH)));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves one level of nesting entered with [`enter`](Self::enter).
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Fails with [`TrailingBytes`](DecodeErrorKind::TrailingBytes) unless every byte was consumed.
    ///
    /// # Errors
    ///
    /// [`TrailingBytes`](DecodeErrorKind::TrailingBytes).
    #[inline]
    pub fn finish(&self) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.err(DecodeErrorKind::TrailingBytes(n))),
        }
    }
}

/// `bytes.is_ascii()` for the short strings of events: whole words only,
/// the last one overlapping the one before, with no loop over a tail of
/// single bytes (which took half of `read_str` for 30-byte strings).
#[inline]
fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().fold(0, |acc, b| acc | b) < 0x80;
    };
    let mut seen = word(last);
    let mut at = 0;
    while at < last {
        seen |= word(at);
        at += 8;
    }
    seen & HIGH == 0
}

#[inline]
fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::is_ascii;

    #[test]
    fn is_ascii_agrees_with_std_at_every_length_and_position() {
        for len in 0..70 {
            let text = vec![b'a'; len];
            assert!(is_ascii(&text), "len {len}");
            for at in 0..len {
                for byte in [0x80, 0xc3, 0xff] {
                    let mut text = text.clone();
                    text[at] = byte;
                    assert_eq!(
                        is_ascii(&text),
                        text.is_ascii(),
                        "len {len}, {byte:#x} at {at}"
                    );
                }
            }
        }
    }
}
