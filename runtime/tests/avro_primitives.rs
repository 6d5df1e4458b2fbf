//! Reader and writer primitives: round trips, every error kind, and
//! agreement with apache-avro's encoder.
#![allow(clippy::unwrap_used)]

use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use proptest::prelude::*;
use schemabus_runtime::codec::avro::reader::{Reader, MAX_DEPTH, MAX_ZERO_SIZE_ITEMS};
use schemabus_runtime::codec::avro::writer::*;
use schemabus_runtime::codec::avro::DecodeErrorKind as K;
use schemabus_runtime::AvroCodec;
use std::collections::BTreeMap;

fn avro(schema: &Schema, v: Value) -> Vec<u8> {
    GenericDatumWriter::builder(schema)
        .build()
        .unwrap()
        .write_value_to_vec(v)
        .unwrap()
}

fn kind<T: std::fmt::Debug>(r: Result<T, schemabus_runtime::DecodeError>) -> K {
    r.unwrap_err().kind().clone()
}

proptest! {
    #[test]
    fn long_round_trip(v: i64) {
        let mut buf = Vec::new();
        put_long(&mut buf, v);
        prop_assert_eq!(buf.len(), long_len(v));
        prop_assert_eq!(&buf, &avro(&Schema::Long, Value::Long(v)));
        let mut r = Reader::new(&buf);
        prop_assert_eq!(r.read_long().unwrap(), v);
        prop_assert!(r.is_empty());
    }

    #[test]
    fn int_round_trip(v: i32) {
        let mut buf = Vec::new();
        put_int(&mut buf, v);
        prop_assert_eq!(buf.len(), int_len(v));
        prop_assert_eq!(&buf, &avro(&Schema::Int, Value::Int(v)));
        prop_assert_eq!(Reader::new(&buf).read_int().unwrap(), v);
    }

    #[test]
    fn float_round_trip(v: f32) {
        let mut buf = Vec::new();
        put_float(&mut buf, v);
        prop_assert_eq!(&buf, &avro(&Schema::Float, Value::Float(v)));
        prop_assert_eq!(Reader::new(&buf).read_float().unwrap().to_bits(), v.to_bits());
    }

    #[test]
    fn double_round_trip(v: f64) {
        let mut buf = Vec::new();
        put_double(&mut buf, v);
        prop_assert_eq!(&buf, &avro(&Schema::Double, Value::Double(v)));
        prop_assert_eq!(Reader::new(&buf).read_double().unwrap().to_bits(), v.to_bits());
    }

    #[test]
    fn bytes_round_trip(v: Vec<u8>) {
        let mut buf = Vec::new();
        put_bytes(&mut buf, &v);
        prop_assert_eq!(buf.len(), bytes_len(v.len()));
        prop_assert_eq!(&buf, &avro(&Schema::Bytes, Value::Bytes(v.clone())));
        prop_assert_eq!(Reader::new(&buf).read_bytes().unwrap(), &v[..]);
        prop_assert_eq!(Reader::new(&buf).read_bytes_vec().unwrap(), v);
    }

    #[test]
    fn string_round_trip(v: String) {
        let mut buf = Vec::new();
        put_str(&mut buf, &v);
        prop_assert_eq!(buf.len(), str_len(&v));
        prop_assert_eq!(&buf, &avro(&Schema::String, Value::String(v.clone())));
        prop_assert_eq!(Reader::new(&buf).read_str().unwrap(), v.as_str());
        let mut out = String::from("previous contents");
        Reader::new(&buf).read_string_into(&mut out).unwrap();
        prop_assert_eq!(out, v);
    }

    #[test]
    fn bool_round_trip(v: bool) {
        let mut buf = Vec::new();
        put_bool(&mut buf, v);
        prop_assert_eq!(&buf, &avro(&Schema::Boolean, Value::Boolean(v)));
        prop_assert_eq!(Reader::new(&buf).read_bool().unwrap(), v);
    }

    #[test]
    fn uuid_round_trip(v: u128) {
        let id = uuid::Uuid::from_u128(v);
        let mut buf = Vec::new();
        put_uuid_str(&mut buf, &id);
        prop_assert_eq!(buf.len(), UUID_STR_LEN);
        prop_assert_eq!(&buf, &avro(&Schema::String, Value::String(id.to_string())));
        put_uuid_fixed(&mut buf, &id);
        let mut r = Reader::new(&buf);
        prop_assert_eq!(r.read_uuid_str().unwrap(), id);
        prop_assert_eq!(r.read_uuid_fixed().unwrap(), id);
    }

    #[test]
    fn collections_round_trip(v: Vec<String>, m: BTreeMap<String, i64>) {
        let bytes = v.to_avro_bytes().unwrap();
        prop_assert_eq!(bytes.len(), v.avro_len());
        prop_assert_eq!(Vec::<String>::from_avro_bytes(&bytes).unwrap(), v);
        let bytes = m.to_avro_bytes().unwrap();
        prop_assert_eq!(bytes.len(), m.avro_len());
        prop_assert_eq!(BTreeMap::<String, i64>::from_avro_bytes(&bytes).unwrap(), m);
    }

    #[test]
    fn arbitrary_input_never_panics(data: Vec<u8>) {
        let mut r = Reader::new(&data);
        let _ = Vec::<BTreeMap<String, Vec<f64>>>::from_avro_bytes(&data);
        let _ = r.read_block_len(0);
        let _ = r.read_str();
        let _ = r.read_uuid_str();
    }
}

#[test]
fn truncated_input() {
    assert_eq!(
        kind(Reader::new(&[]).read_long()),
        K::UnexpectedEof {
            needed: 1,
            remaining: 0
        }
    );
    assert_eq!(
        kind(Reader::new(&[0x80, 0x80]).read_long()),
        K::UnexpectedEof {
            needed: 3,
            remaining: 2
        }
    );
    assert_eq!(
        kind(Reader::new(&[1, 2, 3]).read_double()),
        K::UnexpectedEof {
            needed: 8,
            remaining: 3
        }
    );
    assert_eq!(
        kind(Reader::new(&[0x06, b'a']).read_str()),
        K::LengthTooLarge {
            len: 3,
            remaining: 1
        }
    );
    assert_eq!(
        kind(Reader::new(&[0; 3]).read_fixed::<4>()),
        K::UnexpectedEof {
            needed: 4,
            remaining: 3
        }
    );
    assert_eq!(
        kind(Reader::new(&[0; 3]).read_fixed_slice(5)),
        K::UnexpectedEof {
            needed: 5,
            remaining: 3
        }
    );
    assert_eq!(
        kind(Reader::new(&[]).read_bool()),
        K::UnexpectedEof {
            needed: 1,
            remaining: 0
        }
    );
}

#[test]
fn garbage_varint() {
    assert_eq!(
        kind(Reader::new(&[0xff; 11]).read_long()),
        K::VarintOverflow
    );
    assert_eq!(
        kind(Reader::new(&[0xff; 10]).read_long()),
        K::VarintOverflow
    );
    // Ten bytes whose last one carries more than the 64th bit.
    let mut too_big = [0xff; 10];
    too_big[9] = 0x02;
    assert_eq!(kind(Reader::new(&too_big).read_long()), K::VarintOverflow);
    too_big[9] = 0x01;
    assert_eq!(Reader::new(&too_big).read_long().unwrap(), i64::MIN);
}

#[test]
fn int_out_of_range() {
    let mut buf = Vec::new();
    put_long(&mut buf, i64::from(i32::MAX) + 1);
    assert_eq!(
        kind(Reader::new(&buf).read_int()),
        K::IntOutOfRange(i64::from(i32::MAX) + 1)
    );
}

#[test]
fn invalid_bool() {
    let mut r = Reader::new(&[2]);
    assert_eq!(kind(r.read_bool()), K::InvalidBool(2));
    assert_eq!(r.position(), 0);
}

#[test]
fn lengths_are_checked_before_allocating() {
    let mut buf = Vec::new();
    put_long(&mut buf, -1);
    assert_eq!(kind(Reader::new(&buf).read_bytes()), K::NegativeLength(-1));
    // A prefix of i64::MAX would abort the process if it were allocated.
    let mut buf = Vec::new();
    put_long(&mut buf, i64::MAX);
    assert_eq!(
        kind(Reader::new(&buf).read_bytes_vec()),
        K::LengthTooLarge {
            len: i64::MAX as u64,
            remaining: 0
        }
    );
    assert!(matches!(
        kind(Reader::new(&buf).read_string()),
        K::LengthTooLarge { .. }
    ));
    assert!(matches!(
        kind(Vec::<i64>::from_avro_bytes(&buf)),
        K::LengthTooLarge { .. }
    ));
}

#[test]
fn invalid_utf8_and_uuid() {
    let mut buf = Vec::new();
    put_bytes(&mut buf, &[0xc3, 0x28]);
    assert_eq!(kind(Reader::new(&buf).read_str()), K::InvalidUtf8);
    let mut buf = Vec::new();
    put_str(&mut buf, "not-a-uuid");
    assert_eq!(kind(Reader::new(&buf).read_uuid_str()), K::InvalidUuid);
    let mut buf = Vec::new();
    put_str(&mut buf, "héllo");
    assert_eq!(Reader::new(&buf).read_str().unwrap(), "héllo");
}

#[test]
fn union_and_enum_indexes() {
    assert_eq!(Reader::new(&[0x02]).read_union_index(2).unwrap(), 1);
    assert_eq!(
        kind(Reader::new(&[0x04]).read_union_index(2)),
        K::InvalidUnionIndex {
            index: 2,
            branches: 2
        }
    );
    assert_eq!(
        kind(Reader::new(&[0x01]).read_union_index(2)),
        K::InvalidUnionIndex {
            index: -1,
            branches: 2
        }
    );
    assert_eq!(Reader::new(&[0x04]).read_enum_index(3).unwrap(), 2);
    assert_eq!(
        kind(Reader::new(&[0x06]).read_enum_index(3)),
        K::InvalidEnumIndex {
            index: 3,
            symbols: 3
        }
    );
}

#[test]
fn block_lengths() {
    // Negative count with a byte size: |count| items follow.
    let mut buf = Vec::new();
    put_long(&mut buf, -2);
    put_long(&mut buf, 2);
    put_long(&mut buf, 5);
    put_long(&mut buf, 6);
    put_long(&mut buf, 0);
    assert_eq!(Vec::<i64>::from_avro_bytes(&buf).unwrap(), [5, 6]);
    assert_eq!(
        GenericDatumWriter::builder(
            &Schema::parse_str(r#"{"type":"array","items":"long"}"#).unwrap()
        )
        .build()
        .unwrap()
        .write_value_to_vec(Value::Array(vec![Value::Long(5), Value::Long(6)]))
        .unwrap(),
        vec![5i64, 6].to_avro_bytes().unwrap()
    );

    // Byte size larger than the input.
    let mut buf = Vec::new();
    put_long(&mut buf, -1);
    put_long(&mut buf, 100);
    assert!(matches!(
        kind(Reader::new(&buf).read_block_len(1)),
        K::LengthTooLarge { len: 100, .. }
    ));

    // More items than bytes could hold.
    let mut buf = Vec::new();
    put_long(&mut buf, 3);
    buf.extend_from_slice(&[0, 0]);
    assert_eq!(
        kind(Reader::new(&buf).read_block_len(1)),
        K::LengthTooLarge {
            len: 3,
            remaining: 2
        }
    );
    assert_eq!(Reader::new(&buf).read_block_len(0).unwrap(), Some(3));

    // Zero-size items are capped.
    let mut buf = Vec::new();
    put_long(&mut buf, MAX_ZERO_SIZE_ITEMS as i64 + 1);
    assert!(matches!(
        kind(Reader::new(&buf).read_block_len(0)),
        K::LengthTooLarge { .. }
    ));
    let mut buf = Vec::new();
    put_long(&mut buf, MAX_ZERO_SIZE_ITEMS as i64);
    put_long(&mut buf, 0);
    assert_eq!(
        Vec::<()>::from_avro_bytes(&buf).unwrap().len(),
        MAX_ZERO_SIZE_ITEMS
    );

    // i64::MIN has no absolute value in i64.
    let mut buf = Vec::new();
    put_long(&mut buf, i64::MIN);
    put_long(&mut buf, 0);
    assert!(matches!(
        kind(Reader::new(&buf).read_block_len(0)),
        K::LengthTooLarge { .. }
    ));
}

#[test]
fn trailing_bytes_and_depth() {
    assert_eq!(
        kind(i64::from_avro_bytes(&[0x02, 0x00])),
        K::TrailingBytes(1)
    );
    let mut r = Reader::new(&[]);
    for _ in 0..MAX_DEPTH {
        r.enter().unwrap();
    }
    assert_eq!(kind(r.enter()), K::DepthLimitExceeded(MAX_DEPTH));
    r.leave();
    r.enter().unwrap();
}

#[test]
fn error_display_has_path_and_offset() {
    let err = Reader::new(&[0x02, 0xff])
        .read_fixed::<4>()
        .unwrap_err()
        .in_field("DebateCompleted.topic");
    assert_eq!(
        err.to_string(),
        "at DebateCompleted.topic (byte 0): unexpected end of input: needed 4 bytes, 2 remaining"
    );
    let mut r = Reader::new(&[0x02, 0x80]);
    r.read_long().unwrap();
    assert_eq!(r.read_long().unwrap_err().offset(), Some(1));
}

#[test]
fn string_reuses_capacity() {
    let mut s = String::with_capacity(64);
    let ptr = s.as_ptr();
    let mut buf = Vec::new();
    put_str(&mut buf, "hello");
    s.avro_decode_into(&mut Reader::new(&buf)).unwrap();
    assert_eq!(s, "hello");
    assert_eq!(s.as_ptr(), ptr);
}
