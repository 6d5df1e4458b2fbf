//! The generated code of every fixture record against apache-avro, the
//! reference implementation, plus focused checks of defaults, serde names,
//! JSON forms, recursion limits and the `DomainEvent` impl.

#![allow(clippy::unwrap_used)]

#[path = "../../tests/support/avro_values.rs"]
mod avro_values;

use std::fmt::Debug;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use apache_avro::Schema;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use schemabus::codec::avro::reader::{Reader, MAX_DEPTH};
use schemabus::codec::avro::DecodeErrorKind;
use schemabus::{AvroCodec, AvroSchema, DomainEvent, EventMetadata};
use serde::de::DeserializeOwned;
use serde::Serialize;

use schemabus_codegen_tests::generated::fixtures::orders::{OrderLine, OrderPlaced};
use schemabus_codegen_tests::generated::fixtures::shapes::r#match::Type as Keywords;
use schemabus_codegen_tests::generated::fixtures::shapes::{
    Collections, Keywords as KeywordEnum, Logical, Md5, Named, Node, Pair, Point, Primitives, Suit,
    Unions, UnionsChoice, UnionsChoicesItem, UnionsNullableChoice, Wide,
};
use schemabus_codegen_tests::generated::{AnyEvent, EVENT_TYPES};

use avro_values::{apache_decode, apache_encode, fail};
use avro_values::{
    has_multi_entry_map, timestamps_within_rfc3339, value_strategy, value_strategy_rfc3339,
};

/// Cases per fixture type.
const CASES: u32 = 128;

/// What the property tests need of a generated record.
trait Fixture:
    AvroCodec + AvroSchema + PartialEq + Debug + Clone + Serialize + DeserializeOwned
{
}
impl<T: AvroCodec + AvroSchema + PartialEq + Debug + Clone + Serialize + DeserializeOwned> Fixture
    for T
{
}

/// apache bytes ↔ generated codec, both directions, and `avro_decode_into`
/// over a previously decoded different value.
fn avro_property<T: Fixture>(schema: &Schema, v1: &Value, v2: &Value) -> Result<(), TestCaseError> {
    let bytes_a = apache_encode(schema, v1)?;
    prop_assert!(
        bytes_a.len() >= T::MIN_LEN,
        "MIN_LEN {} exceeds a real encoding of {} bytes",
        T::MIN_LEN,
        bytes_a.len()
    );
    let x = T::from_avro_bytes(&bytes_a).map_err(|e| fail("decode apache bytes", e))?;

    let bytes_m = x.to_avro_bytes().map_err(|e| fail("encode", e))?;
    prop_assert_eq!(
        x.avro_len(),
        bytes_m.len(),
        "avro_len is not the encoded size"
    );
    let back = apache_decode(schema, &bytes_m)?;
    prop_assert_eq!(
        &back,
        v1,
        "apache-avro reads the generated encoding differently"
    );
    if !has_multi_entry_map(v1) {
        prop_assert_eq!(&bytes_m, &bytes_a, "encodings differ");
    }
    let again = T::from_avro_bytes(&bytes_m).map_err(|e| fail("decode own bytes", e))?;
    prop_assert_eq!(&again, &x);

    // Decoding into a value that held something else gives a fresh decode.
    let bytes_2 = apache_encode(schema, v2)?;
    let fresh = T::from_avro_bytes(&bytes_2).map_err(|e| fail("decode second value", e))?;
    let mut reused = x.clone();
    let mut r = Reader::new(&bytes_2);
    reused
        .avro_decode_into(&mut r)
        .map_err(|e| fail("avro_decode_into", e))?;
    prop_assert!(
        r.is_empty(),
        "avro_decode_into left {} bytes",
        r.remaining()
    );
    prop_assert_eq!(
        &reused,
        &fresh,
        "avro_decode_into differs from a fresh decode"
    );
    // And back again, into the (now) second value.
    let mut r = Reader::new(&bytes_a);
    reused
        .avro_decode_into(&mut r)
        .map_err(|e| fail("avro_decode_into", e))?;
    prop_assert_eq!(&reused, &x, "avro_decode_into differs from a fresh decode");
    Ok(())
}

/// The serde (JSON) form decodes to the same value.
fn json_property<T: Fixture>(schema: &Schema, v1: &Value, _: &Value) -> Result<(), TestCaseError> {
    // Values come from `value_strategy_rfc3339`: timestamps outside years
    // 1–9999 have no RFC 3339 form.
    prop_assert!(timestamps_within_rfc3339(v1));
    let bytes = apache_encode(schema, v1)?;
    let x = T::from_avro_bytes(&bytes).map_err(|e| fail("decode apache bytes", e))?;
    let json = serde_json::to_string(&x).map_err(|e| fail("to json", e))?;
    let back: T = serde_json::from_str(&json).map_err(|e| fail(&format!("from json {json}"), e))?;
    prop_assert_eq!(back, x, "json: {}", json);
    Ok(())
}

type PropertyFn = fn(&Schema, &Value, &Value) -> Result<(), TestCaseError>;
type StrategyFn = fn(&Schema) -> BoxedStrategy<Value>;

#[derive(Clone, Copy)]
enum Property {
    Avro,
    Json,
}

fn run<T: Fixture>(property: Property, failures: &mut Vec<String>) {
    let (property, strategy): (PropertyFn, StrategyFn) = match property {
        Property::Avro => (avro_property::<T>, value_strategy),
        Property::Json => (json_property::<T>, value_strategy_rfc3339),
    };
    let schema = Schema::parse_str(T::SCHEMA_JSON)
        .unwrap_or_else(|e| panic!("{}: SCHEMA_JSON does not parse: {e}", T::FULL_NAME));
    let strategy = strategy(&schema);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    match runner.run(&(strategy.clone(), strategy), |(v1, v2)| {
        property(&schema, &v1, &v2)
    }) {
        Ok(()) => {}
        Err(TestError::Fail(reason, (v1, _))) => failures.push(format!(
            "{}: {reason}\n  minimal value: {v1:?}",
            T::FULL_NAME
        )),
        Err(TestError::Abort(reason)) => failures.push(format!("{}: {reason}", T::FULL_NAME)),
    }
}

/// Every fixture record type, each once.
fn run_all(property: Property) {
    let mut failures = Vec::new();
    run::<Primitives>(property, &mut failures);
    run::<Logical>(property, &mut failures);
    run::<Collections>(property, &mut failures);
    run::<Point>(property, &mut failures);
    run::<Unions>(property, &mut failures);
    run::<Named>(property, &mut failures);
    run::<Node>(property, &mut failures);
    run::<Pair>(property, &mut failures);
    run::<Keywords>(property, &mut failures);
    run::<OrderLine>(property, &mut failures);
    run::<OrderPlaced>(property, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_round_trips_with_apache_avro() {
    run_all(Property::Avro);
}

#[test]
fn every_fixture_round_trips_through_json() {
    run_all(Property::Json);
}

// ---------------------------------------------------------------- defaults

/// What apache-avro makes of a record written without any field, read with
/// `T`'s schema: every field at its schema default.
fn apache_defaults<T: AvroSchema>() -> Value {
    let reader = Schema::parse_str(T::SCHEMA_JSON).unwrap();
    let writer = Schema::parse_str(&format!(
        r#"{{"type":"record","name":"{}","fields":[]}}"#,
        T::FULL_NAME
    ))
    .unwrap();
    GenericDatumReader::builder(&writer)
        .reader_schema(&reader)
        .build()
        .unwrap()
        .read_value(&mut &[][..])
        .unwrap()
}

fn apache_value_of<T: Fixture>(v: &T) -> Value {
    let schema = Schema::parse_str(T::SCHEMA_JSON).unwrap();
    let bytes = v.to_avro_bytes().unwrap();
    apache_decode(&schema, &bytes).unwrap()
}

#[test]
fn primitives_default_is_the_schema_defaults() {
    let d = Primitives::default();
    assert_eq!(d.nothing, ());
    assert!(d.flag);
    assert_eq!(d.small, -7);
    assert_eq!(d.big, 9_000_000_000);
    assert_eq!(d.ratio.to_bits(), 0.5f32.to_bits());
    assert_eq!(d.precise.to_bits(), 2.25f64.to_bits());
    // "\u0000\u00ff": each code point is one byte (Avro's JSON encoding of bytes).
    assert_eq!(d.raw, [0x00, 0xff]);
    assert_eq!(d.text, "héllo");
    // apache-avro 0.22 reads the `bytes` default as UTF-8 ([0, 195, 191]);
    // the specification maps code points 0–255 to bytes. Every other field
    // must agree with it.
    let Value::Record(mut ours) = apache_value_of(&d) else {
        panic!("not a record")
    };
    let Value::Record(mut apache) = apache_defaults::<Primitives>() else {
        panic!("not a record")
    };
    ours.retain(|(name, _)| name != "raw");
    apache.retain(|(name, _)| name != "raw");
    assert_eq!(ours, apache);
}

#[test]
fn record_defaults_agree_with_apache_avro() {
    assert_eq!(
        apache_value_of(&Collections::default()),
        apache_defaults::<Collections>()
    );
    assert_eq!(
        apache_value_of(&Point::default()),
        apache_defaults::<Point>()
    );
    let c = Collections::default();
    assert_eq!(c.numbers, [1, 2, 3]);
    assert_eq!(c.labels.get("a").map(String::as_str), Some("x"));
    assert_eq!(c.labels.len(), 1);
    assert!(c.matrix.is_empty() && c.groups.is_empty() && c.sparse.is_empty());
    assert!(c.points.is_empty() && c.blobs.is_empty());
}

/// Fields left out of JSON take their schema default.
#[test]
fn serde_fills_missing_fields_with_schema_defaults() {
    let p: Primitives = serde_json::from_str("{}").unwrap();
    assert_eq!(p, Primitives::default());
    let c: Collections = serde_json::from_str("{}").unwrap();
    assert_eq!(c, Collections::default());

    let u: Unions = serde_json::from_str(r#"{"required_nullable": null, "choices": []}"#).unwrap();
    assert_eq!(u.null_first, None);
    assert_eq!(u.null_last.as_deref(), Some("set"));
    assert_eq!(u.choice, UnionsChoice::Int(4));
    assert_eq!(u.nullable_choice, UnionsNullableChoice::Null);
    assert_eq!(u.nested_point, None);
    // A field without a default is required (serde lets a missing
    // nullable field be `None`, so `choices` is the one to leave out).
    assert!(serde_json::from_str::<Unions>(r#"{"required_nullable": 1}"#).is_err());

    let n: Named = serde_json::from_str(&format!(
        r#"{{"keyword_enum": "match", "digest": "{}", "wide": "{}"}}"#,
        "A".repeat(22) + "==",
        "A".repeat(54) + "=="
    ))
    .unwrap();
    assert_eq!(
        n.suit,
        Suit::Hearts,
        "the field default, not the enum default"
    );
    assert_eq!(n.suits, [Suit::Clubs]);
    assert_eq!(n.keyword_enum, KeywordEnum::Match);
}

/// `Default` is implemented exactly when every field has a default.
#[test]
fn default_only_where_every_field_has_one() {
    use std::marker::PhantomData;

    struct Probe<T>(PhantomData<T>);
    trait NoDefault {
        const HAS_DEFAULT: bool = false;
    }
    impl<T> NoDefault for Probe<T> {}
    #[allow(dead_code)]
    impl<T: Default> Probe<T> {
        const HAS_DEFAULT: bool = true;
    }
    macro_rules! has_default {
        ($t:ty) => {
            Probe::<$t>::HAS_DEFAULT
        };
    }
    // (type, has Default, should have it)
    let table = [
        ("Primitives", has_default!(Primitives), true),
        ("Collections", has_default!(Collections), true),
        ("Point", has_default!(Point), true),
        ("Logical", has_default!(Logical), false),
        (
            "Unions: required_nullable has none",
            has_default!(Unions),
            false,
        ),
        (
            "Named: keyword_enum, digest, wide have none",
            has_default!(Named),
            false,
        ),
        ("Node: value has none", has_default!(Node), false),
        ("Pair: left has none", has_default!(Pair), false),
        ("match.type", has_default!(Keywords), false),
        ("OrderLine: sku has none", has_default!(OrderLine), false),
        ("OrderPlaced", has_default!(OrderPlaced), false),
        // Enums: Default is the schema's `default` symbol.
        ("Suit", has_default!(Suit), true),
        (
            "Keywords enum: no default symbol",
            has_default!(KeywordEnum),
            false,
        ),
    ];
    for (name, actual, expected) in table {
        assert_eq!(actual, expected, "Default on {name}");
    }
    assert_eq!(Suit::default(), Suit::Spades);
}

// ------------------------------------------------------------ serde names

#[test]
fn field_aliases_are_accepted() {
    let p: Point = serde_json::from_str(r#"{"x": 1.5, "ordinate": -2.5}"#).unwrap();
    assert_eq!(p, Point { x: 1.5, y: -2.5 });
    let p: Point = serde_json::from_str(r#"{"y": 3.0}"#).unwrap();
    assert_eq!(p, Point { x: 0.0, y: 3.0 });
    // Written under the schema name.
    assert_eq!(
        serde_json::to_string(&Point { x: 1.0, y: 2.0 }).unwrap(),
        r#"{"x":1.0,"y":2.0}"#
    );
    let k: Keywords =
        serde_json::from_str(r#"{"type": "t", "self": 1, "camel_case_old": 7, "loop": "CLUBS"}"#)
            .unwrap();
    assert_eq!(k.camel_case, 7);
}

#[test]
fn keyword_fields_use_their_avro_names() {
    let k = Keywords {
        r#type: "kind".to_owned(),
        self_: -1,
        camel_case: 1 << 40,
        r#loop: Suit::Diamonds,
    };
    let json = serde_json::to_value(&k).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "kind", "self": -1, "camelCase": 1_i64 << 40, "loop": "DIAMONDS"})
    );
    assert_eq!(serde_json::from_value::<Keywords>(json).unwrap(), k);
    assert_eq!(Keywords::FULL_NAME, "fixtures.shapes.match.type");
    // Enum symbols that are Rust keywords keep their Avro spelling.
    assert_eq!(
        serde_json::to_string(&[
            KeywordEnum::Type,
            KeywordEnum::Self_,
            KeywordEnum::Match,
            KeywordEnum::Self3
        ])
        .unwrap(),
        r#"["type","self","match","Self"]"#
    );
}

// ------------------------------------------------------------- JSON forms

fn logical_sample() -> Logical {
    use chrono::{DateTime, NaiveDate, NaiveTime};
    let at = DateTime::from_timestamp_nanos(1_714_564_800_123_456_789);
    Logical {
        id: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        id_fixed: uuid::Uuid::from_u128(1),
        day: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        time_ms: NaiveTime::from_hms_milli_opt(12, 0, 0, 5).unwrap(),
        time_us: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
        at_ms: at,
        at_us: at,
        at_ns: at,
        local_ms: at.naive_utc(),
        local_us: at.naive_utc(),
        local_ns: at.naive_utc(),
        price: "-123.45".parse().unwrap(),
        amount: "1.5000".parse().unwrap(),
        period: schemabus::Duration {
            months: 1,
            days: 2,
            millis: 3,
        },
        maybe_at: Some(at),
        history: vec![at],
    }
}

#[test]
fn timestamps_have_the_precision_of_their_logical_type() {
    let json = serde_json::to_value(logical_sample()).unwrap();
    assert_eq!(json["at_ms"], "2024-05-01T12:00:00.123Z");
    assert_eq!(json["at_us"], "2024-05-01T12:00:00.123456Z");
    assert_eq!(json["at_ns"], "2024-05-01T12:00:00.123456789Z");
    assert_eq!(json["local_ms"], "2024-05-01T12:00:00.123");
    assert_eq!(json["local_us"], "2024-05-01T12:00:00.123456");
    assert_eq!(json["local_ns"], "2024-05-01T12:00:00.123456789");
    assert_eq!(json["maybe_at"], "2024-05-01T12:00:00.123456Z");
    assert_eq!(
        json["history"],
        serde_json::json!(["2024-05-01T12:00:00.123Z"])
    );
    // A whole second still has every digit.
    let mut whole = logical_sample();
    whole.at_us = chrono::DateTime::from_timestamp(1_714_564_800, 0).unwrap();
    assert_eq!(
        serde_json::to_value(&whole).unwrap()["at_us"],
        "2024-05-01T12:00:00.000000Z"
    );
    assert_eq!(json["price"], "-123.45");
    assert_eq!(json["amount"], "1.5000");
    assert_eq!(json["id"], "01234567-89ab-cdef-0123-456789abcdef");
    assert_eq!(json["day"], "2024-05-01");
}

#[test]
fn json_parsing_truncates_to_the_logical_type() {
    let mut json = serde_json::to_value(logical_sample()).unwrap();
    json["at_ms"] = "2024-05-01T14:00:00.123999+02:00".into();
    let l: Logical = serde_json::from_value(json).unwrap();
    assert_eq!(l.at_ms.timestamp_millis(), 1_714_564_800_123);
    // What JSON gives, Avro keeps: the value survives both.
    let back = Logical::from_avro_bytes(&l.to_avro_bytes().unwrap()).unwrap();
    assert_eq!(back, l);
}

#[test]
fn bytes_and_fixed_are_base64() {
    let p = Primitives {
        raw: vec![0xfb, 0xff, 0x00],
        ..Primitives::default()
    };
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["raw"], "+/8A");
    assert_eq!(
        serde_json::to_value(Primitives::default()).unwrap()["raw"],
        "AP8="
    );
    let c = Collections {
        blobs: vec![vec![], b"hi".to_vec()],
        ..Collections::default()
    };
    assert_eq!(
        serde_json::to_value(&c).unwrap()["blobs"],
        serde_json::json!(["", "aGk="])
    );
    assert_eq!(
        serde_json::to_value(Md5([0xff; 16])).unwrap(),
        "/////////////////////w=="
    );
    assert_eq!(
        serde_json::from_value::<Wide>(serde_json::json!("A".repeat(54) + "==")).unwrap(),
        Wide([0; 40])
    );
    // The wrong size for a fixed is an error.
    assert!(serde_json::from_value::<Md5>(serde_json::json!("AP8=")).is_err());
    assert!(
        serde_json::from_value::<Primitives>(serde_json::json!({"raw": "not base64!"})).is_err()
    );
}

#[test]
fn unions_are_tagged_with_their_branch() {
    let u = Unions {
        null_first: Some("a".to_owned()),
        null_last: None,
        required_nullable: Some(5),
        choice: UnionsChoice::Int(4),
        nullable_choice: UnionsNullableChoice::Double(0.5),
        choices: vec![
            UnionsChoicesItem::String("s".to_owned()),
            UnionsChoicesItem::Map([("k".to_owned(), 1)].into()),
        ],
        nested_point: Some(Point { x: 1.0, y: 2.0 }),
    };
    let json = serde_json::to_value(&u).unwrap();
    // Nullable unions are plain optional values.
    assert_eq!(json["null_first"], "a");
    assert_eq!(json["null_last"], serde_json::Value::Null);
    assert_eq!(json["required_nullable"], 5);
    assert_eq!(
        json["nested_point"],
        serde_json::json!({"x": 1.0, "y": 2.0})
    );
    // Other unions name the branch.
    assert_eq!(json["choice"], serde_json::json!({"int": 4}));
    assert_eq!(json["nullable_choice"], serde_json::json!({"double": 0.5}));
    assert_eq!(
        json["choices"],
        serde_json::json!([{"string": "s"}, {"map": {"k": 1}}])
    );
    assert_eq!(serde_json::from_value::<Unions>(json).unwrap(), u);

    let point = UnionsChoice::Point(Point { x: 0.0, y: 1.0 });
    assert_eq!(
        serde_json::to_value(&point).unwrap(),
        serde_json::json!({"fixtures.shapes.Point": {"x": 0.0, "y": 1.0}})
    );
    assert_eq!(
        serde_json::to_value(UnionsChoice::String("x".to_owned())).unwrap(),
        serde_json::json!({"string": "x"})
    );
    assert!(serde_json::from_value::<UnionsChoice>(serde_json::json!({"long": 4})).is_err());
    assert!(serde_json::from_value::<UnionsChoice>(serde_json::json!(4)).is_err());

    // The null branch of a wider union is JSON null, as in Avro's JSON encoding.
    let null = UnionsNullableChoice::Null;
    assert_eq!(
        serde_json::to_value(&null).unwrap(),
        serde_json::Value::Null
    );
    assert_eq!(
        serde_json::from_value::<UnionsNullableChoice>(serde_json::Value::Null).unwrap(),
        null
    );
    assert!(serde_json::from_value::<UnionsNullableChoice>(serde_json::json!("null")).is_err());
    let with_null = Unions {
        nullable_choice: UnionsNullableChoice::Null,
        ..u
    };
    let json = serde_json::to_value(&with_null).unwrap();
    assert_eq!(json["nullable_choice"], serde_json::Value::Null);
    assert_eq!(serde_json::from_value::<Unions>(json).unwrap(), with_null);
}

// -------------------------------------------------------------- recursion

/// A `Node` list `depth` nodes long, linked through `next`, as Avro bytes.
fn node_chain_bytes(depth: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(depth * 4 + 4);
    for _ in 1..depth {
        bytes.extend_from_slice(&[0x02, 0x02]); // value 1, next: branch 1 (Node)
    }
    bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00]); // value 1, next null, no children, pair null
    for _ in 1..depth {
        bytes.extend_from_slice(&[0x00, 0x00]); // children, pair of each enclosing node
    }
    bytes
}

fn chain_len(node: &Node) -> usize {
    let mut n = 1;
    let mut cur = node;
    while let Some(next) = &cur.next {
        n += 1;
        cur = next;
    }
    n
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    let bytes = node_chain_bytes(10_000);
    let err = Node::from_avro_bytes(&bytes).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH));
    // The same through avro_decode_into, over a value that already nests.
    let mut reused = Node::from_avro_bytes(&node_chain_bytes(50)).unwrap();
    let err = reused
        .avro_decode_into(&mut Reader::new(&bytes))
        .unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH));
}

#[test]
fn nesting_up_to_the_limit_decodes() {
    let node = Node::from_avro_bytes(&node_chain_bytes(MAX_DEPTH)).unwrap();
    assert_eq!(chain_len(&node), MAX_DEPTH);
    assert_eq!(node.to_avro_bytes().unwrap(), node_chain_bytes(MAX_DEPTH));
    let err = Node::from_avro_bytes(&node_chain_bytes(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH));
    // A sibling list of children does not nest.
    let mut wide = vec![0x02, 0x00]; // value 1, next null
    wide.push(0xc8); // block of 100 children (zig-zag 100 = 200, varint c8 01)
    wide.push(0x01);
    for _ in 0..100 {
        wide.extend_from_slice(&[0x04, 0x00, 0x00, 0x00]);
    }
    wide.extend_from_slice(&[0x00, 0x00]); // end of children, pair null
    let node = Node::from_avro_bytes(&wide).unwrap();
    assert_eq!(node.children.len(), 100);
}

#[test]
fn nesting_through_pair_is_limited_too() {
    // Node { pair: Pair { left: Node{..}, right: Pair { left, right: ... } } }
    let depth = 5_000;
    let leaf = [0x02, 0x00, 0x00, 0x00];
    let mut bytes = vec![0x02, 0x00, 0x00, 0x02]; // value, next null, no children, pair: branch 1
    for _ in 0..depth {
        bytes.extend_from_slice(&leaf); // Pair.left
        bytes.push(0x02); // Pair.right: branch 1
    }
    bytes.extend_from_slice(&leaf);
    bytes.push(0x00);
    let err = Node::from_avro_bytes(&bytes).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH));
}

// ---------------------------------------------------------- DomainEvent

fn order() -> OrderPlaced {
    OrderPlaced {
        order_id: uuid::Uuid::from_u128(0xfeed),
        lines: vec![OrderLine {
            sku: "SKU-1".to_owned(),
            quantity: 2,
            unit_price: "9.99".parse().unwrap(),
        }],
        placed_at: chrono::DateTime::from_timestamp_micros(1_714_564_800_000_001).unwrap(),
        note: None,
        metadata: EventMetadata::new(),
    }
}

#[test]
fn order_placed_is_a_domain_event() {
    let mut o = order();
    assert_eq!(OrderPlaced::CONTEXT, "orders");
    assert_eq!(OrderPlaced::EVENT_TYPE, "fixtures.orders.OrderPlaced");
    assert_eq!(OrderPlaced::EVENT_TYPE, OrderPlaced::FULL_NAME);
    assert_eq!(o.aggregate_id(), o.order_id.to_string());
    assert_eq!(o.context(), "orders");
    let source = "orders-service";
    o.metadata_mut().source = source.to_owned();
    assert_eq!(o.metadata().source, source);

    assert_eq!(EVENT_TYPES.len(), 1);
    assert_eq!(EVENT_TYPES[0].name, OrderPlaced::EVENT_TYPE);
    assert_eq!(EVENT_TYPES[0].context, "orders");
    assert_eq!(EVENT_TYPES[0].schema_json, OrderPlaced::SCHEMA_JSON);
    assert_eq!(EVENT_TYPES[0].fingerprint, OrderPlaced::FINGERPRINT);

    // The metadata is not part of the payload, in Avro or in JSON's data.
    let bytes = o.to_avro_bytes().unwrap();
    let decoded = OrderPlaced::from_avro_bytes(&bytes).unwrap();
    assert_eq!(decoded.metadata, EventMetadata::empty());
    let any = AnyEvent::decode_avro(OrderPlaced::EVENT_TYPE, &bytes).unwrap();
    assert_eq!(any.aggregate_id(), o.order_id.to_string());

    let json: serde_json::Value = serde_json::from_slice(&o.to_json().unwrap()).unwrap();
    assert_eq!(json["subject"], o.order_id.to_string());
    assert_eq!(json["type"], "fixtures.orders.OrderPlaced");
    assert_eq!(json["context"], "orders");
    assert_eq!(json["source"], source);
    assert_eq!(json["data"]["placed_at"], "2024-05-01T12:00:00.000001Z");
    assert_eq!(json["data"]["lines"][0]["unit_price"], "9.99");
    assert!(json["data"].get("metadata").is_none());
    let back = AnyEvent::decode_json(&o.to_json().unwrap()).unwrap();
    assert_eq!(back, AnyEvent::from(o.clone()));
    assert_eq!(back.metadata(), o.metadata());

    let headers = o.to_headers();
    assert!(headers.contains(&("ce_subject", o.order_id.to_string())));
    assert!(headers.contains(&("ce_type", OrderPlaced::EVENT_TYPE.to_owned())));
}

/// `OrderLine.quantity` has a default, so JSON may leave it out.
#[test]
fn order_line_quantity_defaults_to_one() {
    let line: OrderLine = serde_json::from_str(r#"{"sku": "a", "unit_price": "1.00"}"#).unwrap();
    assert_eq!(line.quantity, 1);
    assert_eq!(line.unit_price.scale(), 2);
}

#[test]
fn a_default_record_from_another_namespace_builds_its_unions_there() {
    use schemabus_codegen_tests::generated::fixtures::other::Wrapper;
    use schemabus_codegen_tests::generated::fixtures::shapes::{UnionsChoice, UnionsChoicesItem};
    let wrapper = Wrapper::default();
    assert_eq!(wrapper.inner.choice, UnionsChoice::Int(7));
    assert_eq!(
        wrapper.inner.choices,
        vec![
            UnionsChoicesItem::String("a".to_owned()),
            UnionsChoicesItem::String("b".to_owned()),
        ]
    );
    assert_eq!(wrapper.inner.null_last.as_deref(), Some("set"));
}

#[test]
fn json_decimals_take_the_schema_scale_and_times_the_avro_precision() {
    use schemabus_codegen_tests::generated::fixtures::shapes::Logical;
    let json = serde_json::json!({
        "id": "00000000-0000-0000-0000-000000000001",
        "id_fixed": "00000000-0000-0000-0000-000000000002",
        "day": "2024-05-01",
        "time_ms": "12:34:56.789999",
        "time_us": "12:34:56.123456789",
        "at_ms": "2024-05-01T12:00:00.000Z",
        "at_us": "2024-05-01T12:00:00.000000Z",
        "at_ns": "2024-05-01T12:00:00.000000000Z",
        "local_ms": "2024-05-01T12:00:00.000",
        "local_us": "2024-05-01T12:00:00.000000",
        "local_ns": "2024-05-01T12:00:00.000000000",
        "price": "1.5",
        "amount": "-2",
        "period": {"months": 1, "days": 2, "millis": 3},
        "maybe_at": null,
        "history": []
    });
    let value: Logical = serde_json::from_value(json).unwrap();
    assert_eq!(value.price.to_string(), "1.50");
    assert_eq!(value.amount.to_string(), "-2.0000");
    assert_eq!(value.time_ms.to_string(), "12:34:56.789");
    assert_eq!(value.time_us.to_string(), "12:34:56.123456");
    // JSON and Avro now agree value for value.
    let avro = Logical::from_avro_bytes(&value.to_avro_bytes().unwrap()).unwrap();
    assert_eq!(avro, value);
    let again: Logical = serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap();
    assert_eq!(again, value);
    // More fractional digits than the scale holds are refused, not rounded.
    let mut too_precise = serde_json::to_value(&value).unwrap();
    too_precise["price"] = "1.505".into();
    assert!(serde_json::from_value::<Logical>(too_precise).is_err());
}
