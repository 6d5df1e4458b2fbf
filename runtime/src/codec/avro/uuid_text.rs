//! Reading the canonical text form of a UUID (`8-4-4-4-12` hex) with a
//! lookup table: parsing UUID strings was the largest single cost of
//! decoding the reference domain's events (a third of `decode_into`).

use uuid::Uuid;

/// Where the hex digits of the 36-character form start and end
/// (`8-4-4-4-12`), gathered into 32 digits around the hyphens.
const GROUPS: [(usize, usize); 5] = [(0, 8), (9, 13), (14, 18), (19, 23), (24, 36)];
/// Offsets of the hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// Parses the 36-character hyphenated form (either case); `None` for
/// anything else, which the caller hands to the general parser.
///
/// Eight digits at a time in a `u64` (SWAR), without branches or tables:
/// a table lookup per digit with its bounds checks cost about 280
/// instructions per UUID, this about half.
#[inline]
pub fn parse_hyphenated(text: &[u8]) -> Option<Uuid> {
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
    let mut bytes = [0u8; 16];
    for (out, chunk) in bytes.chunks_exact_mut(4).zip(digits.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        out.copy_from_slice(&hex8(u64::from_le_bytes(word))?.to_le_bytes());
    }
    Some(Uuid::from_bytes(bytes))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Eight ASCII hex digits (the first in the lowest byte) as four bytes,
/// the first two digits in the lowest; `None` if any is not a hex digit.
#[inline]
fn hex8(w: u64) -> Option<u32> {
    // Below 0x80 every byte can take the additions below without a carry
    // into its neighbour; each sets a byte's high bit when it is at or
    // above a bound.
    let at_least = |w: u64, bound: u8| w.wrapping_add(ONES * u64::from(0x80 - bound));
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let lower = w | ONES * 0x20;
    let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
    if w & HIGH != 0 || (digit | letter) & HIGH != HIGH {
        return None;
    }
    // '0'..'9' → 0..9; 'a'..'f' and 'A'..'F' (bit 6 set) → 1..6 + 9.
    let nibbles = (w & ONES * 0x0f) + ((w >> 6) & ONES) * 9;
    // Pairs of nibbles into bytes, one per 16-bit lane …
    let lanes = 0x000f_000f_000f_000f_u64;
    let pairs = ((nibbles & lanes) << 4) | ((nibbles >> 8) & lanes);
    // … then the four bytes side by side.
    let pairs = (pairs | pairs >> 8) & 0x0000_ffff_0000_ffff;
    u32::try_from((pairs | pairs >> 16) & 0xffff_ffff).ok()
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
