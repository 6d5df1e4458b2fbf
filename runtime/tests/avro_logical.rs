//! Logical type conversions at their boundaries.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use proptest::prelude::*;
use schemabus_runtime::codec::avro::logical::*;
use schemabus_runtime::codec::avro::reader::Reader;
use schemabus_runtime::codec::avro::writer::put_long;
use schemabus_runtime::codec::avro::{DecodeErrorKind, EncodeErrorKind};
use schemabus_runtime::{Decimal, Duration};

#[test]
fn timestamps_at_the_epoch_and_before() {
    let t = DateTime::from_timestamp_nanos(-1); // 1969-12-31T23:59:59.999999999
    assert_eq!(timestamp_millis_to_avro(&t).unwrap(), -1);
    assert_eq!(timestamp_micros_to_avro(&t).unwrap(), -1);
    assert_eq!(timestamp_nanos_to_avro(&t).unwrap(), -1);
    assert_eq!(timestamp_micros_from_avro(0).unwrap(), DateTime::UNIX_EPOCH);
    assert_eq!(local_timestamp_micros_to_avro(&t.naive_utc()).unwrap(), -1);
    assert_eq!(local_timestamp_nanos_from_avro(-1).unwrap(), t.naive_utc());
}

#[test]
fn timestamp_ranges() {
    // Every i64 of nanoseconds is an instant; not every instant is an i64 of nanoseconds.
    assert_eq!(
        timestamp_nanos_from_avro(i64::MAX)
            .unwrap()
            .timestamp_nanos_opt(),
        Some(i64::MAX)
    );
    let far = DateTime::<Utc>::MAX_UTC;
    assert_eq!(
        timestamp_nanos_to_avro(&far).unwrap_err().kind(),
        &EncodeErrorKind::TimestampOutOfRange {
            logical: "timestamp-nanos"
        }
    );
    assert!(local_timestamp_nanos_to_avro(&far.naive_utc()).is_err());
    assert_eq!(timestamp_nanos_len(&far), 0);
    assert!(put_timestamp_nanos(&mut Vec::new(), &far).is_err());
    // Millis and micros cover chrono's whole range.
    assert_eq!(
        timestamp_micros_from_avro(timestamp_micros_to_avro(&far).unwrap()).unwrap(),
        far.trunc_micros()
    );
    assert_eq!(
        timestamp_millis_from_avro(i64::MAX).unwrap_err().kind(),
        &DecodeErrorKind::InvalidLogicalValue {
            logical: "timestamp-millis",
            value: i64::MAX
        }
    );
    assert!(timestamp_micros_from_avro(i64::MIN).is_err());
    assert!(local_timestamp_millis_from_avro(i64::MIN).is_err());
    assert!(local_timestamp_micros_from_avro(i64::MAX).is_err());
}

trait TruncMicros {
    fn trunc_micros(self) -> Self;
}
impl TruncMicros for DateTime<Utc> {
    fn trunc_micros(self) -> Self {
        use chrono::SubsecRound;
        self.trunc_subsecs(6)
    }
}

#[test]
fn read_helpers_report_offset() {
    let mut buf = vec![0x00];
    put_long(&mut buf, i64::MAX);
    let mut r = Reader::new(&buf);
    r.read_long().unwrap();
    let err = read_timestamp_millis(&mut r).unwrap_err();
    assert_eq!(err.offset(), Some(1));
    assert_eq!(
        err.to_string(),
        format!(
            "at byte 1: timestamp-millis value {} out of range",
            i64::MAX
        )
    );
}

#[test]
fn dates() {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    assert_eq!(date_to_avro(&epoch).unwrap(), 0);
    assert_eq!(
        date_from_avro(-1).unwrap(),
        NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()
    );
    assert_eq!(
        date_to_avro(&NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()).unwrap(),
        19844
    );
    for d in [NaiveDate::MIN, NaiveDate::MAX] {
        assert_eq!(date_from_avro(date_to_avro(&d).unwrap()).unwrap(), d);
    }
    assert!(date_from_avro(i32::MAX).is_err());
    assert!(date_from_avro(i32::MIN).is_err());
}

#[test]
fn times() {
    let last = NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap();
    assert_eq!(time_millis_to_avro(&last).unwrap(), 86_399_999);
    assert_eq!(time_micros_to_avro(&last).unwrap(), 86_399_999_999);
    assert_eq!(
        time_millis_from_avro(86_399_999).unwrap(),
        NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap()
    );
    assert_eq!(time_micros_from_avro(0).unwrap(), NaiveTime::MIN);
    assert!(time_millis_from_avro(86_400_000).is_err());
    assert!(time_millis_from_avro(-1).is_err());
    assert!(time_micros_from_avro(86_400_000_000).is_err());
    assert!(time_micros_from_avro(-1).is_err());
    // A leap second folds into the last representable instant.
    let leap = NaiveTime::from_hms_milli_opt(23, 59, 59, 1_500).unwrap();
    assert_eq!(time_millis_to_avro(&leap).unwrap(), 86_399_999);
}

#[test]
fn decimal_fixed_sign_extension_and_overflow() {
    let neg = Decimal::from_i128(-2, 2);
    assert_eq!(
        decimal_to_fixed::<4>(&neg, 2).unwrap(),
        [0xff, 0xff, 0xff, 0xfe]
    );
    assert_eq!(
        decimal_to_fixed::<2>(&Decimal::from_i128(255, 0), 0).unwrap(),
        [0x00, 0xff]
    );
    let big = Decimal::from_i128(32768, 0); // needs 3 bytes: 00 80 00
    assert_eq!(
        decimal_to_fixed::<2>(&big, 0).unwrap_err().kind(),
        &EncodeErrorKind::DecimalOverflow { size: 2 }
    );
    assert!(put_decimal_fixed(&mut Vec::new(), &big, 0, 2).is_err());
    let mut buf = Vec::new();
    put_decimal_fixed(&mut buf, &neg, 2, 4).unwrap();
    assert_eq!(buf, [0xff, 0xff, 0xff, 0xfe]);
    assert_eq!(
        read_decimal_fixed(&mut Reader::new(&buf), 2, 4).unwrap(),
        neg
    );
}

#[test]
fn decimal_rescales_to_schema() {
    let d: Decimal = "1.5".parse().unwrap();
    let mut buf = Vec::new();
    put_decimal_bytes(&mut buf, &d, 3).unwrap();
    assert_eq!(buf.len(), decimal_bytes_len(&d, 3));
    assert_eq!(
        read_decimal_bytes(&mut Reader::new(&buf), 3)
            .unwrap()
            .to_string(),
        "1.500"
    );
    assert_eq!(
        decimal_to_bytes(&"1.55".parse().unwrap(), 1)
            .unwrap_err()
            .kind(),
        &EncodeErrorKind::DecimalScale {
            value: 2,
            schema: 1
        }
    );
    assert_eq!(decimal_bytes_len(&"1.55".parse().unwrap(), 1), 0);
}

#[test]
fn decimal_matches_apache_avro() {
    use apache_avro::types::Value;
    use apache_avro::writer::datum::GenericDatumWriter;
    let schema = apache_avro::Schema::parse_str(
        r#"{"type":"bytes","logicalType":"decimal","precision":20,"scale":2}"#,
    )
    .unwrap();
    for v in [0i128, 1, -1, 127, 128, -128, -129, 123_456_789_012_345] {
        let d = Decimal::from_i128(v, 2);
        let mut ours = Vec::new();
        put_decimal_bytes(&mut ours, &d, 2).unwrap();
        let bytes = apache_avro::Decimal::from(d.unscaled_be_bytes().to_vec());
        let theirs = GenericDatumWriter::builder(&schema)
            .build()
            .unwrap()
            .write_value_to_vec(Value::Decimal(bytes))
            .unwrap();
        assert_eq!(ours, theirs, "{v}");
    }
}

#[test]
fn durations() {
    let d = Duration {
        months: 1,
        days: 0x0102_0304,
        millis: u32::MAX,
    };
    let bytes = duration_to_avro(&d);
    assert_eq!(bytes, [1, 0, 0, 0, 4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff]);
    let mut buf = Vec::new();
    put_duration(&mut buf, &d);
    assert_eq!(buf.len(), DURATION_LEN);
    assert_eq!(read_duration(&mut Reader::new(&buf)).unwrap(), d);
    assert!(read_duration(&mut Reader::new(&buf[..11])).is_err());
}

proptest! {
    #[test]
    fn timestamp_micros_round_trip(micros in -8_000_000_000_000_000i64..8_000_000_000_000_000) {
        let t = timestamp_micros_from_avro(micros).unwrap();
        let mut buf = Vec::new();
        put_timestamp_micros(&mut buf, &t).unwrap();
        prop_assert_eq!(buf.len(), timestamp_micros_len(&t));
        prop_assert_eq!(read_timestamp_micros(&mut Reader::new(&buf)).unwrap(), t);
    }

    #[test]
    fn date_round_trip(days in -100_000_000i32..100_000_000) {
        if let Ok(d) = date_from_avro(days) {
            prop_assert_eq!(date_to_avro(&d).unwrap(), days);
        }
    }

    #[test]
    fn decimal_fixed_round_trip(v: i64, scale in 0u32..10) {
        let d = Decimal::from_i128(v.into(), scale);
        let fixed = decimal_to_fixed::<8>(&d, scale).unwrap();
        prop_assert_eq!(fixed, v.to_be_bytes());
        prop_assert_eq!(decimal_from_bytes(&fixed, scale).unwrap(), d);
    }
}
