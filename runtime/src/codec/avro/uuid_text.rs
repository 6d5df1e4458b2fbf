//! Reading the canonical text form of a UUID (`8-4-4-4-12` hex) without
//! the general parser: parsing UUID strings was the largest single cost of
//! decoding the reference domain's events (a third of `decode_into`). On
//! x86_64 sixteen digits at a time with SSE2 (part of every x86_64 CPU),
//! elsewhere eight at a time in a `u64`.

use uuid::Uuid;

/// Where the hex digits of the 36-character form start and end
/// (`8-4-4-4-12`), gathered into 32 digits around the hyphens.
const GROUPS: [(usize, usize); 5] = [(0, 8), (9, 13), (14, 18), (19, 23), (24, 36)];
/// Offsets of the hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// Parses the 36-character hyphenated form (either case); `None` for
/// anything else, which the caller hands to the general parser.
#[inline]
pub fn parse_hyphenated(text: &[u8]) -> Option<Uuid> {
    let digits = digits(text)?;
    // SAFETY: SSE2 is part of x86_64 and enabled in every build for it
    // (the `target_feature = "sse2"` cfg says so at compile time).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let bytes = unsafe { sse2::hex32(&digits) }?;
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let bytes = swar_hex32(&digits)?;
    Some(Uuid::from_bytes(bytes))
}

/// The 32 hex digits of the hyphenated form, hyphens checked and removed.
#[inline]
fn digits(text: &[u8]) -> Option<[u8; 32]> {
    let text: &[u8; 36] = text.try_into().ok()?;
    if HYPHENS.iter().any(|&at| text[at] != b'-') {
        return None;
    }
    let mut digits = [0u8; 32];
    let mut at = 0;
    for (start, end) in GROUPS {
        digits[at..at + end - start].copy_from_slice(&text[start..end]);
        at += end - start;
    }
    Some(digits)
}

/// 32 hex digits as 16 bytes, eight digits at a time in a `u64`.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn swar_hex32(digits: &[u8; 32]) -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16];
    for (out, chunk) in bytes.chunks_exact_mut(4).zip(digits.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        out.copy_from_slice(&hex8(u64::from_le_bytes(word))?.to_le_bytes());
    }
    Some(bytes)
}

/// Sixteen digits per SSE2 register: about 40 instructions per UUID where
/// a table lookup per digit took 280 and the `u64` version 180.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_cvtsi128_si64,
        _mm_movemask_epi8, _mm_or_si128, _mm_packus_epi16, _mm_set1_epi16, _mm_set1_epi8,
        _mm_set_epi64x, _mm_slli_epi16, _mm_srli_epi16, _mm_srli_si128,
    };

    /// 32 hex digits as 16 bytes; `None` if any is not a hex digit.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn hex32(digits: &[u8; 32]) -> Option<[u8; 16]> {
        let (first, second) = (nibbles(load(&digits[..16]))?, nibbles(load(&digits[16..]))?);
        let packed = _mm_packus_epi16(pairs(first), pairs(second));
        let low = _mm_cvtsi128_si64(packed).to_le_bytes();
        let high = _mm_cvtsi128_si64(_mm_srli_si128::<8>(packed)).to_le_bytes();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&low);
        bytes[8..].copy_from_slice(&high);
        Some(bytes)
    }

    /// Sixteen bytes into a register, the first in the lowest lane.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn load(sixteen: &[u8]) -> __m128i {
        let half = |at: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&sixteen[at..at + 8]);
            i64::from_le_bytes(word)
        };
        _mm_set_epi64x(half(8), half(0))
    }

    /// Lanes of `v` within `low..=high` all ones, the others zero.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn within(v: __m128i, low: u8, high: u8) -> __m128i {
        _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(low as i8 - 1)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(high as i8 + 1)),
        )
    }

    /// Each hex digit's value (0..=15); `None` if one is not a hex digit.
    /// Bytes from 0x80 compare as negative, so they fail both ranges.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn nibbles(v: __m128i) -> Option<__m128i> {
        let digit = within(v, b'0', b'9');
        let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'f');
        if _mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff {
            return None;
        }
        // '0'..'9' → 0..9; 'a'..'f' and 'A'..'F' → 1..6, plus 9.
        Some(_mm_add_epi8(
            _mm_and_si128(v, _mm_set1_epi8(0x0f)),
            _mm_and_si128(letter, _mm_set1_epi8(9)),
        ))
    }

    /// Each pair of nibbles as one byte in the low half of a 16-bit lane.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn pairs(nibbles: __m128i) -> __m128i {
        _mm_or_si128(
            _mm_slli_epi16::<4>(_mm_and_si128(nibbles, _mm_set1_epi16(0x0f))),
            _mm_srli_epi16::<8>(nibbles),
        )
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Eight ASCII hex digits (the first in the lowest byte) as four bytes,
/// the first two digits in the lowest; `None` if any is not a hex digit.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline]
fn hex8(w: u64) -> Option<u32> {
    // Below 0x80 every byte can take the additions below without a carry
    // into its neighbour; each sets a byte's high bit when it is at or
    // above a bound.
    let at_least = |w: u64, bound: u8| w.wrapping_add(ONES * u64::from(0x80 - bound));
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let lower = w | (ONES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
    if w & HIGH != 0 || (digit | letter) & HIGH != HIGH {
        return None;
    }
    // '0'..'9' → 0..9; 'a'..'f' and 'A'..'F' (bit 6 set) → 1..6 + 9.
    let nibbles = (w & (ONES * 0x0f)) + ((w >> 6) & ONES) * 9;
    // Pairs of nibbles into bytes, one per 16-bit lane …
    let lanes = 0x000f_000f_000f_000f_u64;
    let pairs = ((nibbles & lanes) << 4) | ((nibbles >> 8) & lanes);
    // … then the four bytes side by side.
    let pairs = (pairs | pairs >> 8) & 0x0000_ffff_0000_ffff;
    // The four bytes are the low 32 bits now: the cast keeps exactly them.
    Some((pairs | pairs >> 16) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_the_uuid_crate() {
        let fixed = [
            Uuid::nil(),
            Uuid::max(),
            Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
        ];
        for v in fixed.into_iter().chain((0..1000).map(|_| Uuid::new_v4())) {
            let text = v.hyphenated().to_string();
            assert_eq!(parse_hyphenated(text.as_bytes()), Some(v));
            let upper = v.hyphenated().to_string().to_uppercase();
            assert_eq!(parse_hyphenated(upper.as_bytes()), Some(v));
        }
    }

    #[test]
    fn agrees_with_the_uuid_crate_on_every_byte_at_every_position() {
        let valid = Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210)
            .hyphenated()
            .to_string()
            .into_bytes();
        for at in 0..36 {
            for byte in 0..=255u8 {
                let mut text = valid.clone();
                text[at] = byte;
                let expected = Uuid::try_parse_ascii(&text).ok();
                assert_eq!(parse_hyphenated(&text), expected, "{byte:#x} at {at}");
                let portable = digits(&text).and_then(|d| swar_hex32(&d));
                assert_eq!(
                    portable.map(Uuid::from_bytes),
                    expected,
                    "{byte:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn rejects_other_forms() {
        let v = Uuid::from_u128(42);
        assert_eq!(parse_hyphenated(v.simple().to_string().as_bytes()), None);
        let mut text = v.hyphenated().to_string().into_bytes();
        text[8] = b'x';
        assert_eq!(parse_hyphenated(&text), None);
        text[8] = b'-';
        text[0] = b'g';
        assert_eq!(parse_hyphenated(&text), None);
    }
}
