//! Value types for Avro logical types that have no standard Rust equivalent.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Most digits [`Decimal::from_str`] accepts, to keep parsing of hostile input cheap.
const MAX_DIGITS: usize = 4096;

/// An arbitrary-precision decimal: an unscaled integer and a scale, the value
/// being `unscaled × 10^-scale` — the Avro `decimal` logical type.
///
/// The unscaled integer is kept as minimal big-endian two's-complement bytes,
/// exactly as Avro encodes it. Equality is by representation: `1.0` (scale 1)
/// and `1.00` (scale 2) are different values. JSON form is a string such as
/// `"-123.45"`, so no precision is lost to floating point.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::Decimal;
///
/// let d: Decimal = "-123.45".parse()?;
/// assert_eq!(d.to_i128(), Some(-12345));
/// assert_eq!(d.scale(), 2);
/// assert_eq!(d, Decimal::from_i128(-12345, 2));
/// assert_eq!(d.to_string(), "-123.45");
/// # Ok::<(), schemabus_runtime::types::ParseDecimalError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// Minimal two's complement, big-endian; empty means zero.
    bytes: Vec<u8>,
    scale: u32,
}

/// Why a string is not a [`Decimal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseDecimalError {
    /// No digits at all.
    #[error("decimal has no digits")]
    Empty,
    /// A character that is not part of a decimal number.
    #[error("invalid character {0:?} in decimal")]
    InvalidChar(char),
    /// More digits (or a larger exponent) than this implementation accepts.
    #[error("decimal has more than {MAX_DIGITS} digits")]
    TooLong,
}

impl Decimal {
    /// Creates a decimal from an unscaled `i128` and a scale.
    pub fn from_i128(unscaled: i128, scale: u32) -> Self {
        Self::from_be_bytes(&unscaled.to_be_bytes(), scale)
    }

    /// Creates a decimal from big-endian two's-complement bytes of the
    /// unscaled value (any length; empty means zero) and a scale.
    pub fn from_be_bytes(bytes: &[u8], scale: u32) -> Self {
        Self {
            bytes: minimal(bytes).to_vec(),
            scale,
        }
        .normalized()
    }

    /// The unscaled value as minimal big-endian two's-complement bytes (`[0]` for zero).
    pub fn unscaled_be_bytes(&self) -> &[u8] {
        if self.bytes.is_empty() {
            &[0]
        } else {
            &self.bytes
        }
    }

    /// The unscaled value, if it fits `i128`.
    pub fn to_i128(&self) -> Option<i128> {
        let n = self.bytes.len();
        if n > 16 {
            return None;
        }
        let fill = if self.is_negative() { 0xff } else { 0 };
        let mut out = [fill; 16];
        out[16 - n..].copy_from_slice(&self.bytes);
        Some(i128::from_be_bytes(out))
    }

    /// The number of digits after the decimal point.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.bytes.first().is_some_and(|b| b & 0x80 != 0)
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The same value with scale `scale`, or `None` if that would drop
    /// non-zero digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::Decimal;
    ///
    /// let d = Decimal::from_i128(15, 1); // 1.5
    /// assert_eq!(d.rescale(3), Some(Decimal::from_i128(1500, 3)));
    /// assert_eq!(Decimal::from_i128(1500, 3).rescale(1), Some(d.clone()));
    /// assert_eq!(d.rescale(0), None);
    /// ```
    pub fn rescale(&self, scale: u32) -> Option<Decimal> {
        let (neg, mut mag) = self.magnitude();
        if scale >= self.scale {
            let mut up = scale - self.scale;
            if up as usize > MAX_DIGITS && !self.is_zero() {
                return None;
            }
            while up > 0 && !self.is_zero() {
                let step = up.min(9);
                mul_add(&mut mag, 10u32.pow(step), 0);
                up -= step;
            }
        } else {
            for _ in scale..self.scale {
                let (q, r) = div_rem(&mag, 10);
                if r != 0 {
                    return None;
                }
                mag = q;
            }
        }
        Some(Self::from_magnitude(neg, &mag, scale))
    }

    fn normalized(mut self) -> Self {
        if self.bytes == [0] {
            self.bytes.clear();
        }
        self
    }

    /// Sign and unsigned big-endian magnitude.
    fn magnitude(&self) -> (bool, Vec<u8>) {
        let mut mag = self.bytes.clone();
        let neg = self.is_negative();
        if neg {
            negate(&mut mag);
        }
        (neg, mag)
    }

    fn from_magnitude(neg: bool, mag: &[u8], scale: u32) -> Self {
        let mut bytes = Vec::with_capacity(mag.len() + 1);
        bytes.push(0);
        bytes.extend_from_slice(mag);
        if neg {
            negate(&mut bytes);
        }
        Self::from_be_bytes(&bytes, scale)
    }
}

/// Strips sign-extension bytes that carry no information.
fn minimal(mut b: &[u8]) -> &[u8] {
    while let [first, second, ..] = b {
        let redundant =
            (*first == 0 && second & 0x80 == 0) || (*first == 0xff && second & 0x80 != 0);
        if !redundant {
            break;
        }
        b = &b[1..];
    }
    b
}

/// Two's-complement negation in place (invert, add one).
fn negate(b: &mut [u8]) {
    let mut carry = true;
    for byte in b.iter_mut().rev() {
        let (v, c) = (!*byte).overflowing_add(u8::from(carry));
        *byte = v;
        carry = c;
    }
}

/// `mag = mag * m + add` on an unsigned big-endian magnitude.
fn mul_add(mag: &mut Vec<u8>, m: u32, add: u32) {
    let mut carry = u64::from(add);
    for byte in mag.iter_mut().rev() {
        let v = u64::from(*byte) * u64::from(m) + carry;
        *byte = v as u8;
        carry = v >> 8;
    }
    while carry > 0 {
        mag.insert(0, carry as u8);
        carry >>= 8;
    }
}

/// Quotient and remainder of an unsigned big-endian magnitude by `d` (non-zero).
fn div_rem(mag: &[u8], d: u32) -> (Vec<u8>, u32) {
    let d = u64::from(d.max(1));
    let mut rem = 0u64;
    let mut q = Vec::with_capacity(mag.len());
    for &byte in mag {
        let cur = (rem << 8) | u64::from(byte);
        let digit = cur / d;
        rem = cur % d;
        if !(q.is_empty() && digit == 0) {
            q.push(digit as u8);
        }
    }
    (q, rem as u32)
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (neg, mut mag) = self.magnitude();
        // Base-10^9 chunks, least significant first.
        let mut chunks = Vec::new();
        while !mag.is_empty() {
            let (q, r) = div_rem(&mag, 1_000_000_000);
            chunks.push(r);
            mag = q;
        }
        let mut digits = String::new();
        for (i, c) in chunks.iter().rev().enumerate() {
            if i == 0 {
                digits.push_str(&c.to_string());
            } else {
                digits.push_str(&format!("{c:09}"));
            }
        }
        if digits.is_empty() {
            digits.push('0');
        }
        let scale = self.scale as usize;
        if digits.len() <= scale {
            digits.insert_str(0, &"0".repeat(scale + 1 - digits.len()));
        }
        if neg {
            f.write_str("-")?;
        }
        let (int, frac) = digits.split_at(digits.len() - scale);
        f.write_str(int)?;
        if scale > 0 {
            f.write_str(".")?;
            f.write_str(frac)?;
        }
        Ok(())
    }
}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`; the scale is the number
    /// of fractional digits less the exponent (never below zero).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], parse_exp(&body[i + 1..])?),
            None => (body, 0),
        };
        let mut mag = Vec::new();
        let (mut digits, mut frac, mut seen_point) = (0usize, 0i64, false);
        for c in mantissa.chars() {
            match c {
                '.' if !seen_point => seen_point = true,
                '0'..='9' => {
                    digits += 1;
                    if digits > MAX_DIGITS {
                        return Err(ParseDecimalError::TooLong);
                    }
                    frac += i64::from(seen_point);
                    mul_add(&mut mag, 10, u32::from(c as u8 - b'0'));
                }
                c => return Err(ParseDecimalError::InvalidChar(c)),
            }
        }
        if digits == 0 {
            return Err(ParseDecimalError::Empty);
        }
        // Bounded by MAX_DIGITS on both sides, so this fits `u32` when positive.
        let scale = frac - exp;
        if scale < 0 {
            for _ in 0..-scale {
                mul_add(&mut mag, 10, 0);
            }
        }
        let scale = u32::try_from(scale.max(0)).map_err(|_| ParseDecimalError::TooLong)?;
        let d = Self::from_magnitude(neg, &mag, scale);
        Ok(d)
    }
}

fn parse_exp(s: &str) -> Result<i64, ParseDecimalError> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() {
        return Err(ParseDecimalError::Empty);
    }
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(ParseDecimalError::InvalidChar(c));
    }
    match s.parse::<i64>() {
        Ok(e) if e.unsigned_abs() <= MAX_DIGITS as u64 => Ok(e),
        _ => Err(ParseDecimalError::TooLong),
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    /// Accepts a string (the canonical form) or a JSON integer.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number as a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from_i128(v.into(), 0))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal::from_i128(v.into(), 0))
            }
        }
        d.deserialize_any(V)
    }
}

/// The Avro `duration` logical type: months, days and milliseconds, each
/// an unsigned 32-bit count (encoded as `fixed(12)`, little-endian).
///
/// # Examples
///
/// ```
/// use schemabus_runtime::Duration;
///
/// let d = Duration { months: 1, days: 2, millis: 3 };
/// assert_eq!(serde_json::to_string(&d)?, r#"{"months":1,"days":2,"millis":3}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    /// Number of months.
    pub months: u32,
    /// Number of days.
    pub days: u32,
    /// Number of milliseconds.
    pub millis: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn minimal_bytes() {
        assert_eq!(Decimal::from_i128(0, 0).unscaled_be_bytes(), [0]);
        assert_eq!(Decimal::from_i128(127, 0).unscaled_be_bytes(), [0x7f]);
        assert_eq!(Decimal::from_i128(128, 0).unscaled_be_bytes(), [0x00, 0x80]);
        assert_eq!(Decimal::from_i128(-128, 0).unscaled_be_bytes(), [0x80]);
        assert_eq!(
            Decimal::from_i128(-129, 0).unscaled_be_bytes(),
            [0xff, 0x7f]
        );
        assert_eq!(Decimal::from_be_bytes(&[], 2), Decimal::from_i128(0, 2));
        assert_eq!(
            Decimal::from_be_bytes(&[0xff, 0xff, 0x80], 0),
            Decimal::from_i128(-128, 0)
        );
    }

    #[test]
    fn display_and_parse() {
        for (s, unscaled, scale) in [
            ("0", 0, 0),
            ("0.00", 0, 2),
            ("-123.45", -12345, 2),
            ("0.005", 5, 3),
            ("-0.5", -5, 1),
            ("170141183460469231731687303715884105727", i128::MAX, 0),
            ("-17014118346046923173168730371588410572.8", i128::MIN, 1),
        ] {
            let d = Decimal::from_i128(unscaled, scale);
            assert_eq!(d.to_string(), s);
            assert_eq!(s.parse::<Decimal>(), Ok(d));
        }
        assert_eq!("+1.5e2".parse::<Decimal>(), Ok(Decimal::from_i128(150, 0)));
        assert_eq!("1.5E-2".parse::<Decimal>(), Ok(Decimal::from_i128(15, 3)));
        assert_eq!("".parse::<Decimal>(), Err(ParseDecimalError::Empty));
        assert_eq!("-.".parse::<Decimal>(), Err(ParseDecimalError::Empty));
        assert_eq!(
            "1.2.3".parse::<Decimal>(),
            Err(ParseDecimalError::InvalidChar('.'))
        );
        assert_eq!(
            "1x".parse::<Decimal>(),
            Err(ParseDecimalError::InvalidChar('x'))
        );
        assert_eq!(
            "1e99999".parse::<Decimal>(),
            Err(ParseDecimalError::TooLong)
        );
    }

    #[test]
    fn beyond_i128() {
        let s = "-123456789012345678901234567890123456789012345.678";
        let d: Decimal = s.parse().unwrap();
        assert_eq!(d.to_i128(), None);
        assert_eq!(d.to_string(), s);
        assert_eq!(Decimal::from_be_bytes(d.unscaled_be_bytes(), 3), d);
    }

    #[test]
    fn serde_json_string() {
        let d = Decimal::from_i128(-12345, 2);
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""-123.45""#);
        assert_eq!(serde_json::from_str::<Decimal>(r#""-123.45""#).unwrap(), d);
        assert_eq!(
            serde_json::from_str::<Decimal>("42").unwrap(),
            Decimal::from_i128(42, 0)
        );
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(unscaled: i128, scale in 0u32..60) {
            let d = Decimal::from_i128(unscaled, scale);
            let back: Decimal = d.to_string().parse().unwrap();
            prop_assert_eq!(back.to_i128(), Some(unscaled));
            prop_assert_eq!(&back, &d);
        }

        #[test]
        fn rescale_round_trip(unscaled in any::<i64>(), scale in 0u32..10, up in 0u32..20) {
            let d = Decimal::from_i128(unscaled.into(), scale);
            let bigger = d.rescale(scale + up).unwrap();
            prop_assert_eq!(bigger.rescale(scale), Some(d));
        }
    }
}
