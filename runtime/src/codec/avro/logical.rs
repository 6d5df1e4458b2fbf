//! Conversions between Rust values and the underlying Avro values of
//! logical types.
//!
//! Each logical type has a pure conversion pair (`*_to_avro`, `*_from_avro`)
//! and, for generated code, `put_*` / `read_*` / `*_len` helpers that work on
//! the buffer and [`Reader`] directly. A `*_len` function returns 0 for a
//! value its `put_*` would reject, since encoding fails anyway.
//!
//! Sub-unit precision is truncated towards the past: a timestamp with
//! nanoseconds encodes as `timestamp-micros` by dropping the last three digits.
//!
//! # Examples
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use schemabus_runtime::codec::avro::{logical, reader::Reader};
//!
//! let t = DateTime::<Utc>::from_timestamp_micros(1_714_564_800_123_456).unwrap();
//! let mut buf = Vec::new();
//! logical::put_timestamp_micros(&mut buf, &t)?;
//! assert_eq!(buf.len(), logical::timestamp_micros_len(&t));
//! assert_eq!(logical::read_timestamp_micros(&mut Reader::new(&buf))?, t);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

use super::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
use super::reader::Reader;
use super::writer::{bytes_len, int_len, long_len, put_bytes, put_fixed, put_int, put_long};
use crate::types::{Decimal, Duration};

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;
const MILLIS_PER_DAY: i64 = 86_400_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;

#[cold]
fn invalid(logical: &'static str, value: i64) -> DecodeError {
    DecodeError::new(DecodeErrorKind::InvalidLogicalValue { logical, value })
}

/// `timestamp-millis`: milliseconds since the Unix epoch.
///
/// # Errors
///
/// None in practice; `Result` keeps every conversion alike for generated code.
pub fn timestamp_millis_to_avro(v: &DateTime<Utc>) -> Result<i64, EncodeError> {
    Ok(v.timestamp_millis())
}

/// `timestamp-millis` from milliseconds since the Unix epoch.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) beyond chrono's range.
pub fn timestamp_millis_from_avro(v: i64) -> Result<DateTime<Utc>, DecodeError> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| invalid("timestamp-millis", v))
}

/// `timestamp-micros`: microseconds since the Unix epoch.
///
/// # Errors
///
/// None in practice; `Result` keeps every conversion alike for generated code.
pub fn timestamp_micros_to_avro(v: &DateTime<Utc>) -> Result<i64, EncodeError> {
    Ok(v.timestamp_micros())
}

/// `timestamp-micros` from microseconds since the Unix epoch.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) beyond chrono's range.
pub fn timestamp_micros_from_avro(v: i64) -> Result<DateTime<Utc>, DecodeError> {
    DateTime::from_timestamp_micros(v).ok_or_else(|| invalid("timestamp-micros", v))
}

/// `timestamp-nanos`: nanoseconds since the Unix epoch.
///
/// # Errors
///
/// [`TimestampOutOfRange`](EncodeErrorKind::TimestampOutOfRange) outside
/// 1677-09-21 to 2262-04-11, the range of an `i64` of nanoseconds.
pub fn timestamp_nanos_to_avro(v: &DateTime<Utc>) -> Result<i64, EncodeError> {
    v.timestamp_nanos_opt().ok_or_else(|| {
        EncodeErrorKind::TimestampOutOfRange {
            logical: "timestamp-nanos",
        }
        .into()
    })
}

/// `timestamp-nanos` from nanoseconds since the Unix epoch.
///
/// # Errors
///
/// None: every `i64` is a valid instant.
pub fn timestamp_nanos_from_avro(v: i64) -> Result<DateTime<Utc>, DecodeError> {
    Ok(DateTime::from_timestamp_nanos(v))
}

/// `local-timestamp-millis`: milliseconds since 1970-01-01T00:00:00 local time.
///
/// # Errors
///
/// None in practice; `Result` keeps every conversion alike for generated code.
pub fn local_timestamp_millis_to_avro(v: &NaiveDateTime) -> Result<i64, EncodeError> {
    timestamp_millis_to_avro(&v.and_utc())
}

/// `local-timestamp-millis` from milliseconds since 1970-01-01T00:00:00.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) beyond chrono's range.
pub fn local_timestamp_millis_from_avro(v: i64) -> Result<NaiveDateTime, DecodeError> {
    DateTime::from_timestamp_millis(v)
        .map(|t| t.naive_utc())
        .ok_or_else(|| invalid("local-timestamp-millis", v))
}

/// `local-timestamp-micros`: microseconds since 1970-01-01T00:00:00 local time.
///
/// # Errors
///
/// None in practice; `Result` keeps every conversion alike for generated code.
pub fn local_timestamp_micros_to_avro(v: &NaiveDateTime) -> Result<i64, EncodeError> {
    timestamp_micros_to_avro(&v.and_utc())
}

/// `local-timestamp-micros` from microseconds since 1970-01-01T00:00:00.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) beyond chrono's range.
pub fn local_timestamp_micros_from_avro(v: i64) -> Result<NaiveDateTime, DecodeError> {
    DateTime::from_timestamp_micros(v)
        .map(|t| t.naive_utc())
        .ok_or_else(|| invalid("local-timestamp-micros", v))
}

/// `local-timestamp-nanos`: nanoseconds since 1970-01-01T00:00:00 local time.
///
/// # Errors
///
/// [`TimestampOutOfRange`](EncodeErrorKind::TimestampOutOfRange) outside 1677–2262.
pub fn local_timestamp_nanos_to_avro(v: &NaiveDateTime) -> Result<i64, EncodeError> {
    v.and_utc().timestamp_nanos_opt().ok_or_else(|| {
        EncodeErrorKind::TimestampOutOfRange {
            logical: "local-timestamp-nanos",
        }
        .into()
    })
}

/// `local-timestamp-nanos` from nanoseconds since 1970-01-01T00:00:00.
///
/// # Errors
///
/// None: every `i64` is a valid date-time.
pub fn local_timestamp_nanos_from_avro(v: i64) -> Result<NaiveDateTime, DecodeError> {
    Ok(DateTime::from_timestamp_nanos(v).naive_utc())
}

/// `date`: days since 1970-01-01.
///
/// # Errors
///
/// None: chrono's date range fits `i32` days.
pub fn date_to_avro(v: &NaiveDate) -> Result<i32, EncodeError> {
    use chrono::Datelike;
    Ok(v.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
}

/// `date` from days since 1970-01-01.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) beyond chrono's range.
pub fn date_from_avro(v: i32) -> Result<NaiveDate, DecodeError> {
    v.checked_add(EPOCH_DAYS_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| invalid("date", v.into()))
}

/// A leap second (nanoseconds ≥ 10^9 in chrono) folds into the last
/// representable instant of its second, so encoded times stay in range.
fn time_parts(v: &NaiveTime) -> (i64, i64) {
    (
        i64::from(v.num_seconds_from_midnight()),
        i64::from(v.nanosecond().min(999_999_999)),
    )
}

fn time_from_nanos(logical: &'static str, raw: i64, nanos: i64) -> Result<NaiveTime, DecodeError> {
    let secs = u32::try_from(nanos / 1_000_000_000).map_err(|_| invalid(logical, raw))?;
    let sub = u32::try_from(nanos % 1_000_000_000).map_err(|_| invalid(logical, raw))?;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, sub).ok_or_else(|| invalid(logical, raw))
}

/// `time-millis`: milliseconds after midnight.
///
/// # Errors
///
/// None; `Result` keeps every conversion alike for generated code.
pub fn time_millis_to_avro(v: &NaiveTime) -> Result<i32, EncodeError> {
    let (secs, nanos) = time_parts(v);
    // At most 86_399_999, well inside `i32`.
    Ok((secs * 1000 + nanos / 1_000_000) as i32)
}

/// `time-millis` from milliseconds after midnight.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) outside `0..86_400_000`.
pub fn time_millis_from_avro(v: i32) -> Result<NaiveTime, DecodeError> {
    let v = i64::from(v);
    if !(0..MILLIS_PER_DAY).contains(&v) {
        return Err(invalid("time-millis", v));
    }
    time_from_nanos("time-millis", v, v * 1_000_000)
}

/// `time-micros`: microseconds after midnight.
///
/// # Errors
///
/// None; `Result` keeps every conversion alike for generated code.
pub fn time_micros_to_avro(v: &NaiveTime) -> Result<i64, EncodeError> {
    let (secs, nanos) = time_parts(v);
    Ok(secs * 1_000_000 + nanos / 1000)
}

/// `time-micros` from microseconds after midnight.
///
/// # Errors
///
/// [`InvalidLogicalValue`](DecodeErrorKind::InvalidLogicalValue) outside `0..86_400_000_000`.
pub fn time_micros_from_avro(v: i64) -> Result<NaiveTime, DecodeError> {
    if !(0..MICROS_PER_DAY).contains(&v) {
        return Err(invalid("time-micros", v));
    }
    time_from_nanos("time-micros", v, v * 1000)
}

/// Generates `put_*`, `read_*` and `*_len` over a conversion pair.
macro_rules! helpers {
    ($ty:ty, $prim:ident, $to:ident, $from:ident, $put:ident, $read:ident, $len:ident, $logical:literal) => {
        helpers!(@ $ty, $to, $from, $put, $read, $len, $logical,
            helpers!(@put $prim), helpers!(@read $prim), helpers!(@len $prim));
    };
    (@put long) => { put_long };
    (@put int) => { put_int };
    (@read long) => { Reader::read_long };
    (@read int) => { Reader::read_int };
    (@len long) => { long_len };
    (@len int) => { int_len };
    (@ $ty:ty, $to:ident, $from:ident, $put:ident, $read:ident, $len:ident, $logical:literal,
        $putp:expr, $readp:expr, $lenp:expr) => {
        #[doc = concat!("Appends `v` as `", $logical, "`.")]
        ///
        /// # Errors
        ///
        #[doc = concat!("As [`", stringify!($to), "`].")]
        #[inline]
        pub fn $put(buf: &mut Vec<u8>, v: &$ty) -> Result<(), EncodeError> {
            $putp(buf, $to(v)?);
            Ok(())
        }

        #[doc = concat!("Reads a `", $logical, "`.")]
        ///
        /// # Errors
        ///
        #[doc = concat!("As the reader, and as [`", stringify!($from), "`].")]
        #[inline]
        pub fn $read(r: &mut Reader<'_>) -> Result<$ty, DecodeError> {
            let start = r.position();
            let raw = $readp(r)?;
            $from(raw).map_err(|e| DecodeError::at(e.kind().clone(), start))
        }

        #[doc = concat!("Encoded size of `v` as `", $logical, "` (0 if it cannot be encoded).")]
        #[inline]
        pub fn $len(v: &$ty) -> usize {
            $to(v).map_or(0, $lenp)
        }
    };
}

helpers!(
    DateTime<Utc>,
    long,
    timestamp_millis_to_avro,
    timestamp_millis_from_avro,
    put_timestamp_millis,
    read_timestamp_millis,
    timestamp_millis_len,
    "timestamp-millis"
);
helpers!(
    DateTime<Utc>,
    long,
    timestamp_micros_to_avro,
    timestamp_micros_from_avro,
    put_timestamp_micros,
    read_timestamp_micros,
    timestamp_micros_len,
    "timestamp-micros"
);
helpers!(
    DateTime<Utc>,
    long,
    timestamp_nanos_to_avro,
    timestamp_nanos_from_avro,
    put_timestamp_nanos,
    read_timestamp_nanos,
    timestamp_nanos_len,
    "timestamp-nanos"
);
helpers!(
    NaiveDateTime,
    long,
    local_timestamp_millis_to_avro,
    local_timestamp_millis_from_avro,
    put_local_timestamp_millis,
    read_local_timestamp_millis,
    local_timestamp_millis_len,
    "local-timestamp-millis"
);
helpers!(
    NaiveDateTime,
    long,
    local_timestamp_micros_to_avro,
    local_timestamp_micros_from_avro,
    put_local_timestamp_micros,
    read_local_timestamp_micros,
    local_timestamp_micros_len,
    "local-timestamp-micros"
);
helpers!(
    NaiveDateTime,
    long,
    local_timestamp_nanos_to_avro,
    local_timestamp_nanos_from_avro,
    put_local_timestamp_nanos,
    read_local_timestamp_nanos,
    local_timestamp_nanos_len,
    "local-timestamp-nanos"
);
helpers!(
    NaiveDate,
    int,
    date_to_avro,
    date_from_avro,
    put_date,
    read_date,
    date_len,
    "date"
);
helpers!(
    NaiveTime,
    int,
    time_millis_to_avro,
    time_millis_from_avro,
    put_time_millis,
    read_time_millis,
    time_millis_len,
    "time-millis"
);
helpers!(
    NaiveTime,
    long,
    time_micros_to_avro,
    time_micros_from_avro,
    put_time_micros,
    read_time_micros,
    time_micros_len,
    "time-micros"
);

/// `decimal` on `bytes`: the unscaled value at the schema's `scale`, as
/// minimal big-endian two's complement. Borrows unless the value must be rescaled.
///
/// # Errors
///
/// [`DecimalScale`](EncodeErrorKind::DecimalScale) when the value has more
/// non-zero fractional digits than `scale` allows.
pub fn decimal_to_bytes(v: &Decimal, scale: u32) -> Result<Cow<'_, [u8]>, EncodeError> {
    if v.scale() == scale {
        return Ok(Cow::Borrowed(v.unscaled_be_bytes()));
    }
    match v.rescale(scale) {
        Some(d) => Ok(Cow::Owned(d.unscaled_be_bytes().to_vec())),
        None => Err(EncodeErrorKind::DecimalScale {
            value: v.scale(),
            schema: scale,
        }
        .into()),
    }
}

/// `decimal` from big-endian two's-complement bytes (of `bytes` or `fixed`).
///
/// # Errors
///
/// None: any byte string is an integer; `Result` keeps conversions alike.
pub fn decimal_from_bytes(bytes: &[u8], scale: u32) -> Result<Decimal, DecodeError> {
    Ok(Decimal::from_be_bytes(bytes, scale))
}

/// `decimal` on `fixed(N)`: the unscaled value sign-extended to `N` bytes.
///
/// # Errors
///
/// As [`decimal_to_bytes`], and [`DecimalOverflow`](EncodeErrorKind::DecimalOverflow)
/// when the value needs more than `N` bytes.
pub fn decimal_to_fixed<const N: usize>(v: &Decimal, scale: u32) -> Result<[u8; N], EncodeError> {
    let bytes = decimal_to_bytes(v, scale)?;
    let fill = if v.is_negative() { 0xff } else { 0 };
    let mut out = [fill; N];
    let start = N
        .checked_sub(bytes.len())
        .ok_or_else(|| EncodeError::from(EncodeErrorKind::DecimalOverflow { size: N }))?;
    out[start..].copy_from_slice(&bytes);
    Ok(out)
}

/// Appends `v` as `decimal` on `bytes` at the schema's `scale`.
///
/// # Errors
///
/// As [`decimal_to_bytes`].
#[inline]
pub fn put_decimal_bytes(buf: &mut Vec<u8>, v: &Decimal, scale: u32) -> Result<(), EncodeError> {
    put_bytes(buf, &decimal_to_bytes(v, scale)?);
    Ok(())
}

/// Encoded size of `v` as `decimal` on `bytes` (0 if it cannot be encoded).
#[inline]
pub fn decimal_bytes_len(v: &Decimal, scale: u32) -> usize {
    decimal_to_bytes(v, scale).map_or(0, |b| bytes_len(b.len()))
}

/// Reads a `decimal` on `bytes`.
///
/// # Errors
///
/// As [`Reader::read_bytes`].
#[inline]
pub fn read_decimal_bytes(r: &mut Reader<'_>, scale: u32) -> Result<Decimal, DecodeError> {
    decimal_from_bytes(r.read_bytes()?, scale)
}

/// Appends `v` as `decimal` on `fixed(size)` at the schema's `scale`.
///
/// # Errors
///
/// As [`decimal_to_fixed`].
pub fn put_decimal_fixed(
    buf: &mut Vec<u8>,
    v: &Decimal,
    scale: u32,
    size: usize,
) -> Result<(), EncodeError> {
    let bytes = decimal_to_bytes(v, scale)?;
    let pad = size
        .checked_sub(bytes.len())
        .ok_or_else(|| EncodeError::from(EncodeErrorKind::DecimalOverflow { size }))?;
    let fill = if v.is_negative() { 0xff } else { 0 };
    buf.resize(buf.len() + pad, fill);
    put_fixed(buf, &bytes);
    Ok(())
}

/// Reads a `decimal` on `fixed(size)`.
///
/// # Errors
///
/// As [`Reader::read_fixed_slice`].
#[inline]
pub fn read_decimal_fixed(
    r: &mut Reader<'_>,
    scale: u32,
    size: usize,
) -> Result<Decimal, DecodeError> {
    decimal_from_bytes(r.read_fixed_slice(size)?, scale)
}

/// Encoded size of a `duration`.
pub const DURATION_LEN: usize = 12;

/// `duration`: months, days and milliseconds as little-endian `u32`s.
pub fn duration_to_avro(v: &Duration) -> [u8; DURATION_LEN] {
    let mut out = [0u8; DURATION_LEN];
    out[..4].copy_from_slice(&v.months.to_le_bytes());
    out[4..8].copy_from_slice(&v.days.to_le_bytes());
    out[8..].copy_from_slice(&v.millis.to_le_bytes());
    out
}

/// `duration` from its `fixed(12)` bytes.
pub fn duration_from_avro(b: &[u8; DURATION_LEN]) -> Duration {
    let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    Duration {
        months: word(0),
        days: word(4),
        millis: word(8),
    }
}

/// Appends `v` as `duration`.
#[inline]
pub fn put_duration(buf: &mut Vec<u8>, v: &Duration) {
    put_fixed(buf, &duration_to_avro(v));
}

/// Reads a `duration`.
///
/// # Errors
///
/// As [`Reader::read_fixed`].
#[inline]
pub fn read_duration(r: &mut Reader<'_>) -> Result<Duration, DecodeError> {
    r.read_fixed::<DURATION_LEN>()
        .map(|b| duration_from_avro(&b))
}
