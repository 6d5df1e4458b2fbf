//! Borrowed views (`{Record}Ref<'a>`) of the reference domain agree with the
//! owned decoders: for random values written by apache-avro, every eager
//! field of the view equals the owned field, every lazy accessor decodes
//! exactly the owned field, and truncated or over-long input is an error.

#![allow(clippy::unwrap_used)]

#[path = "support/view_framing.rs"]
#[macro_use]
mod view_framing;
#[path = "support/avro_values.rs"]
mod avro_values;

use apache_avro::Schema;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schemabus::codec::avro::reader::Reader;
use schemabus::codec::avro::DecodeErrorKind;
use schemabus::events::common::{JsonValue, JsonValueRef, JsonValueValue};
use schemabus::events::debate::{
    DebateCompleted, DebateCompletedRef, DebateInitiated, DebateInitiatedRef, DebateRequested,
    DebateRequestedRef,
};
use schemabus::events::testing::{TestSuiteCreated, TestSuiteCreatedRef};
use schemabus::{AvroCodec, AvroSchema};

use avro_values::value_strategy;
use avro_values::{apache_encode, fail};

/// Cases per view type.
const CASES: u32 = 64;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// `AvroCodec::avro_skip` reads past exactly one value, and fails on every
/// strict prefix of it.
fn skip_property<T: AvroCodec>(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut r = Reader::new(bytes);
    T::avro_skip(&mut r).map_err(|e| fail("avro_skip of a valid encoding", e))?;
    proptest::prop_assert!(r.is_empty(), "avro_skip left {} bytes", r.remaining());
    // Followed by more input: stops where the value ends.
    let mut longer = bytes.to_vec();
    longer.extend_from_slice(&[0x02, 0x04, 0x06]);
    let mut r = Reader::new(&longer);
    T::avro_skip(&mut r).map_err(|e| fail("avro_skip with bytes after the value", e))?;
    proptest::prop_assert_eq!(r.position(), bytes.len());
    for n in 0..bytes.len() {
        let mut r = Reader::new(&bytes[..n]);
        proptest::prop_assert!(
            T::avro_skip(&mut r).is_err(),
            "avro_skip accepted a {n}-byte prefix of {} bytes",
            bytes.len()
        );
    }
    Ok(())
}

/// A property test of the view `$view` of `$owned`: `|$v, $o| $body`
/// compares a view with the owned value decoded from the same bytes.
macro_rules! view_test {
    ($test:ident, $owned:ty, $view:ident, |$v:ident, $o:ident| $body:block) => {
        #[test]
        fn $test() {
            let schema = Schema::parse_str(<$owned as AvroSchema>::SCHEMA_JSON).unwrap();
            let strategy = value_strategy(&schema);
            runner()
                .run(&strategy, |value| {
                    let bytes = apache_encode(&schema, &value)?;
                    let $o = <$owned as AvroCodec>::from_avro_bytes(&bytes)
                        .map_err(|e| fail("owned decode", e))?;
                    let $v = $view::from_avro_bytes(&bytes).map_err(|e| fail("view decode", e))?;
                    $body

                    check_view_framing!($view, &bytes, $v);

                    skip_property::<$owned>(&bytes)
                })
                .unwrap();
        }
    };
}

/// `Ok` of an accessor, or a test failure naming it.
macro_rules! lazy {
    ($v:ident . $field:ident ()) => {
        $v.$field()
            .map_err(|e| fail(concat!("accessor ", stringify!($field)), e))?
    };
}

view_test!(
    debate_completed_view,
    DebateCompleted,
    DebateCompletedRef,
    |v, o| {
        proptest::prop_assert_eq!(v.debate_id, o.debate_id);
        proptest::prop_assert_eq!(v.topic, o.topic.as_str());
        proptest::prop_assert_eq!(v.winner, o.winner.as_deref());
        proptest::prop_assert_eq!(v.consensus, o.consensus);
        proptest::prop_assert_eq!(v.decision_type, o.decision_type);
        proptest::prop_assert_eq!(v.decision_id, o.decision_id);
        proptest::prop_assert_eq!(v.summary, o.summary.as_str());
    }
);

view_test!(
    debate_requested_view,
    DebateRequested,
    DebateRequestedRef,
    |v, o| {
        proptest::prop_assert_eq!(v.debate_id, o.debate_id);
        proptest::prop_assert_eq!(v.question, o.question.as_str());
        proptest::prop_assert_eq!(v.context, o.context.as_str());
        proptest::prop_assert_eq!(v.requester, o.requester.as_str());
        proptest::prop_assert_eq!(lazy!(v.metadata()), o.metadata);
    }
);

view_test!(
    debate_initiated_view,
    DebateInitiated,
    DebateInitiatedRef,
    |v, o| {
        proptest::prop_assert_eq!(v.debate_id, o.debate_id);
        proptest::prop_assert_eq!(v.topic, o.topic.as_str());
        proptest::prop_assert_eq!(lazy!(v.participants()), o.participants);
        proptest::prop_assert_eq!(v.max_rounds, o.max_rounds);
    }
);

view_test!(
    test_suite_created_view,
    TestSuiteCreated,
    TestSuiteCreatedRef,
    |v, o| {
        proptest::prop_assert_eq!(v.test_suite_id, o.test_suite_id);
        proptest::prop_assert_eq!(v.name, o.name.as_str());
        proptest::prop_assert_eq!(v.test_count, o.test_count);
        proptest::prop_assert_eq!(lazy!(v.configuration()), o.configuration);
    }
);

view_test!(json_value_view, JsonValue, JsonValueRef, |v, o| {
    proptest::prop_assert_eq!(lazy!(v.value()), o.value);
});

#[test]
fn json_value_view_of_a_hand_built_value() {
    // {"value": {"a": [1, "x"]}}: branch 6 (map), one entry "a" → branch 5
    // (array) of two JsonValues: long 1 and string "x".
    let owned = JsonValue {
        value: JsonValueValue::Map(
            [(
                "a".to_owned(),
                JsonValue {
                    value: JsonValueValue::Array(vec![
                        JsonValue {
                            value: JsonValueValue::Long(1),
                        },
                        JsonValue {
                            value: JsonValueValue::String("x".to_owned()),
                        },
                    ]),
                },
            )]
            .into_iter()
            .collect(),
        ),
    };
    let bytes = owned.to_avro_bytes().unwrap();
    let view = JsonValueRef::from_avro_bytes(&bytes).unwrap();
    assert_eq!(view.value().unwrap(), owned.value);
    let copy = view;
    assert_eq!(copy, view);
    for n in 0..bytes.len() {
        assert!(JsonValueRef::from_avro_bytes(&bytes[..n]).is_err());
    }
}

// ------------------------------------------------------- generator probes

/// The field names declared by `pub struct {name}<'a> { .. }` in `code`.
fn struct_fields(code: &str, name: &str) -> Vec<String> {
    let header = format!("pub struct {name}<'a> {{");
    let start = code
        .find(&header)
        .unwrap_or_else(|| panic!("no `{header}` in the generated code"));
    code[start + header.len()..]
        .lines()
        .map(str::trim)
        .take_while(|l| *l != "}")
        .filter(|l| !l.is_empty() && !l.starts_with("///") && !l.starts_with("#["))
        .filter_map(|l| l.strip_prefix("pub ").unwrap_or(l).split_once(':'))
        .map(|(id, _)| id.trim().to_owned())
        .collect()
}

/// Fields named like the view's constructors are renamed `{name}_field`;
/// that must not collide with a field already called so. The generator
/// either rejects such a schema with a diagnostic or emits distinct fields.
#[test]
fn view_field_renames_do_not_collide() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.avsc"),
        r#"{"type": "record", "name": "R", "namespace": "x", "fields": [
            {"name": "read_from", "type": "int"},
            {"name": "read_from_field", "type": "int"},
            {"name": "from_avro_bytes", "type": {"type": "array", "items": "int"}},
            {"name": "from_avro_bytes_field", "type": {"type": "array", "items": "int"}}
        ]}"#,
    )
    .unwrap();
    let Ok(code) = schemabus_codegen::Builder::new()
        .schemas(dir.path().to_str().unwrap())
        .generate()
    else {
        return; // rejected: fine
    };
    let fields = struct_fields(&code, "RRef");
    let mut unique = fields.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        fields.len(),
        "duplicate fields in the generated view: {fields:?}"
    );
}
