//! Reading the canonical text form of a UUID (`8-4-4-4-12` hex) with a
//! lookup table: parsing UUID strings was the largest single cost of
//! decoding the reference domain's events (a third of `decode_into`).

use uuid::Uuid;

/// Offsets of the 16 bytes' hex pairs in the 36-character form.
const PAIRS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/// Offsets of the hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// Hex digit value of each byte, or 0xff for non-hex bytes.
const NIBBLE: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Parses the 36-character hyphenated form (either case); `None` for
/// anything else, which the caller hands to the general parser.
#[inline]
pub fn parse_hyphenated(text: &[u8]) -> Option<Uuid> {
    let text: &[u8; 36] = text.try_into().ok()?;
    if HYPHENS.iter().any(|&at| text[at] != b'-') {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut invalid = 0u8;
    for (byte, &at) in bytes.iter_mut().zip(&PAIRS) {
        let hi = NIBBLE[usize::from(text[at])];
        let lo = NIBBLE[usize::from(text[at + 1])];
        invalid |= (hi | lo) & 0xf0;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (invalid == 0).then(|| Uuid::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_the_uuid_crate() {
        for v in [
            Uuid::nil(),
            Uuid::max(),
            Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
        ] {
            let text = v.hyphenated().to_string();
            assert_eq!(parse_hyphenated(text.as_bytes()), Some(v));
            let upper = v.hyphenated().to_string().to_uppercase();
            assert_eq!(parse_hyphenated(upper.as_bytes()), Some(v));
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
