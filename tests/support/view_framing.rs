//! The framing checks every generated borrowed view must pass, shared by
//! the reference-domain and fixture view tests.

/// Inside a proptest closure: `$view::read_from` consumes exactly `$bytes`
/// and equals `$v`; trailing bytes and every strict prefix are errors.
macro_rules! check_view_framing {
    ($view:ident, $bytes:expr, $v:expr) => {{
        let bytes: &[u8] = $bytes;
        let mut longer = bytes.to_vec();
        longer.push(0x00);
        let mut r = Reader::new(&longer);
        let again = $view::read_from(&mut r).map_err(|e| fail("read_from", e))?;
        proptest::prop_assert_eq!(r.position(), bytes.len());
        proptest::prop_assert_eq!(again, $v);

        let err = $view::from_avro_bytes(&longer).unwrap_err();
        proptest::prop_assert_eq!(err.kind(), &DecodeErrorKind::TrailingBytes(1));

        for n in 0..bytes.len() {
            proptest::prop_assert!(
                $view::from_avro_bytes(&bytes[..n]).is_err(),
                "view accepted a {n}-byte prefix of {} bytes",
                bytes.len()
            );
        }
    }};
}
