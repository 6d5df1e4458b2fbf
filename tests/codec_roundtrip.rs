//! The generated codecs of the reference domain agree with apache-avro, the
//! reference implementation, for every event type: random values written
//! by apache-avro decode, re-encode to the same bytes (or, with maps of two
//! or more entries, bytes apache-avro reads back to the same value), and
//! survive CloudEvents JSON.

#![allow(clippy::unwrap_used)]

#[path = "support/avro_values.rs"]
mod avro_values;

use apache_avro::types::Value;
use apache_avro::Schema;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use schemabus::events::{AnyEvent, EVENT_TYPES};
use schemabus::{EventMetadata, EventType};

use avro_values::{apache_decode, apache_encode};
use avro_values::{
    has_multi_entry_map, timestamps_within_rfc3339, value_strategy, value_strategy_rfc3339,
};

/// Cases per event type.
const CASES: u32 = 96;

fn avro_roundtrip(info: &EventType, schema: &Schema, value: &Value) -> Result<(), TestCaseError> {
    let name = info.name;
    let bytes_a = apache_encode(schema, value)?;

    // apache-avro → generated decoder.
    let x = AnyEvent::decode_avro(name, &bytes_a)
        .map_err(|e| TestCaseError::fail(format!("decode_avro of apache bytes: {e}")))?;
    prop_assert_eq!(x.event_type(), name);
    prop_assert_eq!(x.context(), info.context);

    // generated encoder → apache-avro.
    let bytes_m = x
        .to_avro_bytes()
        .map_err(|e| TestCaseError::fail(format!("to_avro_bytes: {e}")))?;
    let back = apache_decode(schema, &bytes_m)?;
    prop_assert_eq!(
        &back,
        value,
        "apache-avro reads the generated encoding differently"
    );
    if !has_multi_entry_map(value) {
        prop_assert_eq!(&bytes_m, &bytes_a, "encodings differ");
    }

    // generated → generated.
    let again = AnyEvent::decode_avro(name, &bytes_m)
        .map_err(|e| TestCaseError::fail(format!("decode_avro of own bytes: {e}")))?;
    prop_assert_eq!(&again, &x);

    Ok(())
}

/// The event apache-avro's encoding of `value` decodes to goes through
/// CloudEvents JSON unchanged, with fresh metadata.
fn json_roundtrip(info: &EventType, schema: &Schema, value: &Value) -> Result<(), TestCaseError> {
    // Timestamps outside years 1–9999 have no RFC 3339 form; values come
    // from `value_strategy_rfc3339`, and
    // `json_of_timestamps_outside_years_1_to_9999_round_trips` covers the rest.
    prop_assert!(timestamps_within_rfc3339(value));
    let bytes = apache_encode(schema, value)?;
    let mut event = AnyEvent::decode_avro(info.name, &bytes)
        .map_err(|e| TestCaseError::fail(format!("decode_avro of apache bytes: {e}")))?;
    *event.metadata_mut() = EventMetadata::new().with_source("roundtrip-test");
    let json = event
        .to_json()
        .map_err(|e| TestCaseError::fail(format!("to_json: {e}")))?;
    let decoded = AnyEvent::decode_json(&json).map_err(|e| {
        TestCaseError::fail(format!(
            "decode_json: {e}\n{}",
            String::from_utf8_lossy(&json)
        ))
    })?;
    prop_assert_eq!(decoded, event, "json: {}", String::from_utf8_lossy(&json));
    Ok(())
}

/// Runs `property` on `CASES` random values of every event type and fails
/// with every type's minimal counterexample.
fn for_every_event_type(
    strategy: fn(&Schema) -> BoxedStrategy<Value>,
    property: impl Fn(&EventType, &Schema, &Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut failures = Vec::new();
    for info in EVENT_TYPES {
        let schema = Schema::parse_str(info.schema_json)
            .unwrap_or_else(|e| panic!("{}: schema_json does not parse: {e}", info.name));
        let strategy = strategy(&schema);
        let mut runner = TestRunner::new(config.clone());
        match runner.run(&strategy, |value| property(info, &schema, &value)) {
            Ok(()) => {}
            Err(TestError::Fail(reason, value)) => {
                failures.push(format!(
                    "{}: {reason}\n  minimal value: {value:?}",
                    info.name
                ));
            }
            Err(TestError::Abort(reason)) => failures.push(format!("{}: {reason}", info.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} event types failed:\n{}",
        failures.len(),
        EVENT_TYPES.len(),
        failures.join("\n")
    );
}

#[test]
fn every_event_type_round_trips_with_apache_avro() {
    for_every_event_type(value_strategy, avro_roundtrip);
}

#[test]
fn every_event_type_round_trips_through_cloudevents_json() {
    for_every_event_type(value_strategy_rfc3339, json_roundtrip);
}

/// serde_json parses floats "best effort" unless its `float_roundtrip`
/// feature is on, so a `double` can come back one ulp off.
#[test]
fn json_preserves_doubles_exactly() {
    use schemabus::events::performance::OptimizationIdentified;

    let mut failures = Vec::new();
    for value in [
        3.406612564586687e-168,
        -1.7520003268855837e103,
        1.0565308862861834e-231,
    ] {
        let event = OptimizationIdentified {
            optimization_id: uuid::Uuid::new_v4(),
            optimization_name: "n".to_owned(),
            optimization_type: "t".to_owned(),
            target_area: "a".to_owned(),
            expected_improvement: value,
            metadata: EventMetadata::new(),
        };
        let json = schemabus::DomainEvent::to_json(&event).unwrap();
        let AnyEvent::Performance(schemabus::events::PerformanceEvent::OptimizationIdentified(
            back,
        )) = AnyEvent::decode_json(&json).unwrap()
        else {
            panic!("decoded to another type")
        };
        if back.expected_improvement.to_bits() != value.to_bits() {
            failures.push(format!(
                "{value:e} came back as {:e}",
                back.expected_improvement
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("; "));
}

/// apache-avro 0.22 writes a logical type's primitive as `{"type":"string"}`
/// in the canonical form; the specification's [PRIMITIVES] rule makes that
/// `"string"`.
fn spec_primitives(apache_canonical: &str) -> String {
    let mut out = apache_canonical.to_owned();
    for p in [
        "null", "boolean", "int", "long", "float", "double", "bytes", "string",
    ] {
        out = out.replace(&format!(r#"{{"type":"{p}"}}"#), &format!(r#""{p}""#));
    }
    out
}

#[test]
fn catalog_lists_every_schema_sorted_with_true_fingerprints() {
    assert_eq!(EVENT_TYPES.len(), 67);
    for pair in EVENT_TYPES.windows(2) {
        assert!(
            pair[0].name < pair[1].name,
            "EVENT_TYPES not strictly sorted: {} before {}",
            pair[0].name,
            pair[1].name
        );
    }
    let contexts = [
        "debate",
        "evolution",
        "implementation",
        "performance",
        "testing",
    ];
    for info in EVENT_TYPES {
        assert!(
            contexts.contains(&info.context),
            "{}: {}",
            info.name,
            info.context
        );
        assert!(
            info.name.starts_with(&format!("zamaz.{}.", info.context)),
            "{} is not in the namespace of context {}",
            info.name,
            info.context
        );
        assert_eq!(
            info.fingerprint,
            schemabus_codegen::canonical::rabin_fingerprint(info.canonical_form.as_bytes()),
            "{}: fingerprint is not the Rabin fingerprint of the canonical form",
            info.name
        );
        // apache-avro agrees on the canonical form and the fingerprint.
        let schema = Schema::parse_str(info.schema_json).unwrap();
        assert_eq!(
            spec_primitives(&schema.canonical_form()),
            info.canonical_form,
            "{}",
            info.name
        );
        let ours = Schema::parse_str(info.canonical_form).unwrap();
        assert_eq!(ours.canonical_form(), info.canonical_form, "{}", info.name);
        let fp = ours.fingerprint::<apache_avro::rabin::Rabin>();
        let apache_fp = u64::from_le_bytes(fp.bytes.as_slice().try_into().unwrap());
        assert_eq!(apache_fp, info.fingerprint, "{}", info.name);
        // The lookup finds the entry.
        assert_eq!(AnyEvent::event_type_info(info.name), Some(info));
    }
    assert_eq!(AnyEvent::event_type_info("zamaz.debate.NoSuchEvent"), None);
    assert_eq!(AnyEvent::event_type_info(""), None);
}

/// `decode_avro` decodes valid bytes under their own type name and rejects
/// the same bytes under any name that is not an event type.
#[test]
fn decode_avro_rejects_unknown_event_types() {
    let info = &EVENT_TYPES[0];
    let schema = Schema::parse_str(info.schema_json).unwrap();
    let value = value_strategy(&schema)
        .new_tree(&mut TestRunner::deterministic())
        .unwrap()
        .current();
    let bytes = apache_encode(&schema, &value).unwrap();
    assert!(AnyEvent::decode_avro(info.name, &bytes).is_ok());
    for unknown in [
        "",
        "DebateInitiated",
        "zamaz.debate.debateinitiated",
        "zamaz.debate.Nope",
    ] {
        let err = AnyEvent::decode_avro(unknown, &bytes).unwrap_err();
        assert!(
            matches!(&err, schemabus::EventDecodeError::UnknownEventType(t) if t == unknown),
            "{unknown:?}: {err:?}"
        );
    }
}

/// `MetricCollected.timestamp` (`timestamp-micros`) beyond year 9999 or
/// before year 1 is valid Avro, decodes, and `to_json` accepts the event;
/// the JSON it writes must then decode to the same event (or `to_json` must
/// refuse it). Likewise for the metadata's `occurred_at` (CloudEvents `time`).
#[test]
fn json_of_timestamps_outside_years_1_to_9999_round_trips() {
    let name = "zamaz.performance.MetricCollected";
    let info = AnyEvent::event_type_info(name).unwrap();
    let schema = Schema::parse_str(info.schema_json).unwrap();
    let Value::Record(mut fields) = value_strategy(&schema)
        .new_tree(&mut TestRunner::deterministic())
        .unwrap()
        .current()
    else {
        panic!("not a record value")
    };
    let slot = fields.iter().position(|(n, _)| n == "timestamp").unwrap();
    let mut failures = Vec::new();
    for micros in [
        avro_values::YEAR_10000_MICROS,
        // Year -1199.
        -100_000_000_000_000_000,
    ] {
        let at = chrono::DateTime::from_timestamp_micros(micros).unwrap();
        // In the payload.
        fields[slot].1 = Value::TimestampMicros(micros);
        let bytes = apache_encode(&schema, &Value::Record(fields.clone())).unwrap();
        let mut event = AnyEvent::decode_avro(name, &bytes).unwrap();
        *event.metadata_mut() = EventMetadata::new();
        if let Ok(json) = event.to_json() {
            if let Err(e) = AnyEvent::decode_json(&json) {
                failures.push(format!(
                    "timestamp {at:?}: {e}\n  {}",
                    String::from_utf8_lossy(&json)
                ));
            }
        }
        // In the metadata.
        fields[slot].1 = Value::TimestampMicros(0);
        let bytes = apache_encode(&schema, &Value::Record(fields.clone())).unwrap();
        let mut event = AnyEvent::decode_avro(name, &bytes).unwrap();
        *event.metadata_mut() = EventMetadata::new().with_occurred_at(at);
        if let Ok(json) = event.to_json() {
            if let Err(e) = AnyEvent::decode_json(&json) {
                failures.push(format!(
                    "occurred_at {at:?}: {e}\n  {}",
                    String::from_utf8_lossy(&json)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "to_json wrote JSON that decode_json rejects:\n{}",
        failures.join("\n")
    );
}
