//! Data written with an older or otherwise different writer schema decodes
//! into the current generated types through `Resolver`.

#![allow(clippy::unwrap_used)]

#[path = "support/avro_values.rs"]
mod avro_values;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use proptest::prelude::*;
use proptest::test_runner::Config;
use schemabus::codec::resolve::{ResolveError, Resolver};
use schemabus::events::common::{ArgumentType, JsonValue, JsonValueValue};
use schemabus::events::debate::{ArgumentPresented, DebateInitiated, DebateRequested};
use schemabus::events::testing::CoverageAnalyzed;
use schemabus::{AvroCodec, AvroSchema};

use avro_values::value_strategy;

/// The current schema of `T` as JSON, edited by `edit`.
fn writer_schema<T: AvroSchema>(edit: impl FnOnce(&mut Vec<serde_json::Value>)) -> String {
    let mut json: serde_json::Value = serde_json::from_str(T::SCHEMA_JSON).unwrap();
    edit(json["fields"].as_array_mut().unwrap());
    json.to_string()
}

fn without_field(fields: &mut Vec<serde_json::Value>, name: &str) {
    let before = fields.len();
    fields.retain(|f| f["name"] != name);
    assert_eq!(fields.len(), before - 1, "no field {name}");
}

fn field_mut<'a>(fields: &'a mut [serde_json::Value], name: &str) -> &'a mut serde_json::Value {
    fields.iter_mut().find(|f| f["name"] == name).unwrap()
}

fn write(schema_json: &str, value: Value) -> Vec<u8> {
    let schema = Schema::parse_str(schema_json).unwrap();
    GenericDatumWriter::builder(&schema)
        .build()
        .and_then(|w| w.write_value_to_vec(value))
        .unwrap()
}

/// `event` in the current schema, as apache-avro reads it.
fn as_value<T: AvroCodec + AvroSchema>(event: &T) -> Vec<(String, Value)> {
    let schema = Schema::parse_str(T::SCHEMA_JSON).unwrap();
    let bytes = event.to_avro_bytes().unwrap();
    let value = GenericDatumReader::builder(&schema)
        .build()
        .unwrap()
        .read_value(&mut &bytes[..])
        .unwrap();
    match value {
        Value::Record(fields) => fields,
        other => panic!("not a record: {other:?}"),
    }
}

fn uuid_value() -> Value {
    Value::Uuid(apache_avro::Uuid::from_u128(
        0x0f8f_ad5b_d9cb_469f_a165_7086_7728_950e,
    ))
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    /// `DebateInitiated` before `max_rounds` existed: the default, 5, fills it.
    #[test]
    fn older_writer_without_max_rounds_gets_the_default(
        value in value_strategy(
            &Schema::parse_str(&writer_schema::<DebateInitiated>(|f| without_field(f, "max_rounds")))
                .unwrap(),
        )
    ) {
        let writer = writer_schema::<DebateInitiated>(|f| without_field(f, "max_rounds"));
        let bytes = write(&writer, value.clone());
        let resolver = Resolver::new();
        let event: DebateInitiated = resolver.decode(&writer, &bytes).unwrap();
        prop_assert_eq!(event.max_rounds, 5);
        prop_assert_eq!(event.max_rounds, DebateInitiated::default_max_rounds());
        let mut fields = as_value(&event);
        prop_assert_eq!(fields.pop(), Some(("max_rounds".to_owned(), Value::Int(5))));
        prop_assert_eq!(Value::Record(fields), value);
    }

    /// A writer with fields the reader does not know: they are skipped.
    #[test]
    fn extra_writer_fields_are_dropped(
        value in value_strategy(&Schema::parse_str(&extra_fields_writer()).unwrap())
    ) {
        let writer = extra_fields_writer();
        let bytes = write(&writer, value.clone());
        let event: DebateInitiated = Resolver::new().decode(&writer, &bytes).unwrap();
        let Value::Record(mut written) = value else { panic!("not a record") };
        written.retain(|(name, _)| !["moderator", "tags", "score"].contains(&name.as_str()));
        prop_assert_eq!(as_value(&event), written);
    }
}

/// `DebateInitiated` with a string, a map and a union the reader lacks,
/// in front of, between and after its own fields.
fn extra_fields_writer() -> String {
    writer_schema::<DebateInitiated>(|f| {
        f.insert(
            0,
            serde_json::json!({"name": "score", "type": ["null", "double", {"type": "array", "items": "string"}]}),
        );
        f.insert(
            2,
            serde_json::json!({"name": "moderator", "type": "string"}),
        );
        f.push(serde_json::json!({"name": "tags", "type": {"type": "map", "values": "long"}}));
    })
}

#[test]
fn reordered_writer_fields_resolve_by_name() {
    let writer = writer_schema::<DebateInitiated>(|f| f.reverse());
    let bytes = write(
        &writer,
        Value::Record(vec![
            ("max_rounds".into(), Value::Int(9)),
            (
                "participants".into(),
                Value::Array(vec![Value::String("Claude".into())]),
            ),
            ("topic".into(), Value::String("Order?".into())),
            ("debate_id".into(), uuid_value()),
        ]),
    );
    let event: DebateInitiated = Resolver::new().decode(&writer, &bytes).unwrap();
    assert_eq!(event.max_rounds, 9);
    assert_eq!(event.topic, "Order?");
    assert_eq!(event.participants, ["Claude"]);
    assert_eq!(
        event.debate_id.to_string(),
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    );
}

#[test]
fn incompatible_writer_is_a_typed_error() {
    let resolver = Resolver::new();
    // `topic` was an int.
    let writer = writer_schema::<DebateInitiated>(|f| {
        field_mut(f, "topic")["type"] = "int".into();
    });
    let bytes = write(
        &writer,
        Value::Record(vec![
            ("debate_id".into(), uuid_value()),
            ("topic".into(), Value::Int(7)),
            ("participants".into(), Value::Array(vec![])),
            ("max_rounds".into(), Value::Int(1)),
        ]),
    );
    match resolver.decode::<DebateInitiated>(&writer, &bytes) {
        Err(ResolveError::Incompatible { reader, .. }) => {
            assert_eq!(reader, "zamaz.debate.DebateInitiated");
        }
        other => panic!("{other:?}"),
    }
    // A writer without a field that has no default.
    let writer = writer_schema::<DebateInitiated>(|f| without_field(f, "topic"));
    let bytes = write(
        &writer,
        Value::Record(vec![
            ("debate_id".into(), uuid_value()),
            ("participants".into(), Value::Array(vec![])),
            ("max_rounds".into(), Value::Int(1)),
        ]),
    );
    assert!(matches!(
        resolver.decode::<DebateInitiated>(&writer, &bytes),
        Err(ResolveError::Incompatible { .. })
    ));
    // Nothing was cached for either, and the resolver still works.
    assert_eq!(resolver.cached(), 0);
    let ok = writer_schema::<DebateInitiated>(|f| without_field(f, "max_rounds"));
    let bytes = write(
        &ok,
        Value::Record(vec![
            ("debate_id".into(), uuid_value()),
            ("topic".into(), Value::String("t".into())),
            ("participants".into(), Value::Array(vec![])),
        ]),
    );
    assert_eq!(
        resolver
            .decode::<DebateInitiated>(&ok, &bytes)
            .unwrap()
            .max_rounds,
        5
    );
}

#[test]
fn broken_writer_schemas_and_data_are_typed_errors() {
    let resolver = Resolver::new();
    assert!(matches!(
        resolver.decode::<DebateInitiated>("{not json", &[]),
        Err(ResolveError::WriterSchema(_))
    ));
    assert!(matches!(
        resolver.decode::<DebateInitiated>(
            r#"{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}"#,
            &[]
        ),
        Err(ResolveError::WriterSchema(_))
    ));

    let writer = writer_schema::<DebateInitiated>(|f| without_field(f, "max_rounds"));
    let valid = write(
        &writer,
        Value::Record(vec![
            ("debate_id".into(), uuid_value()),
            ("topic".into(), Value::String("t".into())),
            (
                "participants".into(),
                Value::Array(vec![Value::String("p".into())]),
            ),
        ]),
    );
    assert!(resolver.decode::<DebateInitiated>(&writer, &valid).is_ok());
    for end in 0..valid.len() {
        assert!(
            matches!(
                resolver.decode::<DebateInitiated>(&writer, &valid[..end]),
                // Caught by the length pre-check before apache-avro reads it.
                Err(ResolveError::Decode(_))
            ),
            "prefix of {end} bytes"
        );
    }
    let trailing = [&valid[..], &[0, 0, 0]].concat();
    assert!(matches!(
        resolver.decode::<DebateInitiated>(&writer, &trailing),
        Err(ResolveError::TrailingBytes(3))
    ));
    // The current schema itself: the generated decoder's own errors.
    assert!(matches!(
        resolver.decode::<DebateInitiated>(DebateInitiated::SCHEMA_JSON, &[0x02]),
        Err(ResolveError::Decode(_))
    ));
    // A hostile count in the writer's layout does not allocate its size.
    let mut hostile = valid[..valid.len() - 4].to_vec();
    hostile.extend([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]); // 2^62 items
    assert!(resolver
        .decode::<DebateInitiated>(&writer, &hostile)
        .is_err());
}

#[test]
fn the_same_writer_twice_hits_the_cache() {
    let resolver = Resolver::new();
    assert_eq!(resolver.cached(), 0);
    let older = writer_schema::<DebateInitiated>(|f| without_field(f, "max_rounds"));
    let datum = |topic: &str| {
        write(
            &older,
            Value::Record(vec![
                ("debate_id".into(), uuid_value()),
                ("topic".into(), Value::String(topic.into())),
                ("participants".into(), Value::Array(vec![])),
            ]),
        )
    };
    let first: DebateInitiated = resolver.decode(&older, &datum("one")).unwrap();
    assert_eq!(resolver.cached(), 1);
    let second: DebateInitiated = resolver.decode(&older, &datum("two")).unwrap();
    assert_eq!(
        resolver.cached(),
        1,
        "the same writer schema is cached once"
    );
    assert_eq!(
        (first.topic.as_str(), second.topic.as_str()),
        ("one", "two")
    );

    // Another writer is another entry.
    let extra = extra_fields_writer();
    let bytes = write(
        &extra,
        Value::Record(vec![
            ("score".into(), Value::Union(0, Box::new(Value::Null))),
            ("debate_id".into(), uuid_value()),
            ("moderator".into(), Value::String("m".into())),
            ("topic".into(), Value::String("three".into())),
            ("participants".into(), Value::Array(vec![])),
            ("max_rounds".into(), Value::Int(2)),
            ("tags".into(), Value::Map(Default::default())),
        ]),
    );
    let third: DebateInitiated = resolver.decode(&extra, &bytes).unwrap();
    assert_eq!((third.topic.as_str(), third.max_rounds), ("three", 2));
    assert_eq!(resolver.cached(), 2);

    // The reader's own schema takes the direct path and is not cached.
    let own = third.to_avro_bytes().unwrap();
    let same: DebateInitiated = resolver.decode(DebateInitiated::SCHEMA_JSON, &own).unwrap();
    assert_eq!(same, third);
    assert_eq!(resolver.cached(), 2);

    // The same canonical form in other JSON (docs dropped, keys reordered):
    // cached as a direct plan, and decoded as is.
    let mut json: serde_json::Value = serde_json::from_str(DebateInitiated::SCHEMA_JSON).unwrap();
    json.as_object_mut().unwrap().remove("doc");
    for f in json["fields"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("doc");
    }
    let equivalent = json.to_string();
    assert_ne!(equivalent, DebateInitiated::SCHEMA_JSON);
    let again: DebateInitiated = resolver.decode(&equivalent, &own).unwrap();
    assert_eq!(again, third);
    assert_eq!(resolver.cached(), 3);
    let _: DebateInitiated = resolver.decode(&equivalent, &own).unwrap();
    assert_eq!(resolver.cached(), 3);

    // The cache is per reader type: the same writer JSON for another type.
    let _ = resolver.decode::<CoverageAnalyzed>(&older, &datum("x"));
    assert_eq!(resolver.cached(), 3, "an incompatible pair is not cached");
    assert!(format!("{resolver:?}").contains('3'));
}

#[test]
fn numeric_writer_types_are_promoted() {
    let writer = writer_schema::<CoverageAnalyzed>(|f| {
        field_mut(f, "line_coverage")["type"] = "float".into();
        field_mut(f, "branch_coverage")["type"] = "int".into();
        field_mut(f, "function_coverage")["type"] = "long".into();
    });
    let bytes = write(
        &writer,
        Value::Record(vec![
            ("test_suite_id".into(), uuid_value()),
            ("line_coverage".into(), Value::Float(0.75)),
            ("branch_coverage".into(), Value::Int(-3)),
            ("function_coverage".into(), Value::Long(1 << 40)),
            ("total_lines".into(), Value::Int(100)),
            ("covered_lines".into(), Value::Int(75)),
        ]),
    );
    let event: CoverageAnalyzed = Resolver::new().decode(&writer, &bytes).unwrap();
    assert_eq!(event.line_coverage, 0.75);
    assert_eq!(event.branch_coverage, -3.0);
    assert_eq!(event.function_coverage, (1u64 << 40) as f64);
    assert_eq!((event.total_lines, event.covered_lines), (100, 75));
}

#[test]
fn unknown_enum_symbol_takes_the_enum_default() {
    let writer = writer_schema::<ArgumentPresented>(|f| {
        let t = &mut field_mut(f, "argument_type")["type"];
        t["symbols"]
            .as_array_mut()
            .unwrap()
            .push("RHETORICAL".into());
    });
    let record = |symbol: (u32, &str)| {
        Value::Record(vec![
            ("debate_id".into(), uuid_value()),
            ("round_id".into(), uuid_value()),
            ("participant".into(), Value::String("Claude".into())),
            ("argument_content".into(), Value::String("Because.".into())),
            (
                "argument_type".into(),
                Value::Enum(symbol.0, symbol.1.into()),
            ),
            ("confidence".into(), Value::Double(0.5)),
        ])
    };
    let resolver = Resolver::new();
    let unknown: ArgumentPresented = resolver
        .decode(&writer, &write(&writer, record((4, "RHETORICAL"))))
        .unwrap();
    assert_eq!(unknown.argument_type, ArgumentType::Clarifying);
    // Known symbols keep their meaning even at another index.
    let reordered = writer_schema::<ArgumentPresented>(|f| {
        let t = &mut field_mut(f, "argument_type")["type"];
        t["symbols"].as_array_mut().unwrap().reverse();
    });
    let known: ArgumentPresented = resolver
        .decode(&reordered, &write(&reordered, record((0, "EVIDENCE"))))
        .unwrap();
    assert_eq!(known.argument_type, ArgumentType::Evidence);
}

#[test]
fn a_plain_writer_type_resolves_into_a_reader_union() {
    // `metadata` was a plain map (no null, no default); the named type
    // `JsonValue` is defined inside it, where it is first used.
    let writer = writer_schema::<DebateRequested>(|f| {
        let field = field_mut(f, "metadata");
        let map = field["type"][1].clone();
        assert_eq!(map["type"], "map");
        field["type"] = map;
        field.as_object_mut().unwrap().remove("default");
    });
    let entry = Value::Record(vec![(
        "value".into(),
        Value::Union(2, Box::new(Value::Long(42))),
    )]);
    let bytes = write(
        &writer,
        Value::Record(vec![
            ("debate_id".into(), uuid_value()),
            ("question".into(), Value::String("q".into())),
            ("context".into(), Value::String("c".into())),
            ("requester".into(), Value::String("r".into())),
            (
                "metadata".into(),
                Value::Map([("k".to_owned(), entry)].into()),
            ),
        ]),
    );
    let event: DebateRequested = Resolver::new().decode(&writer, &bytes).unwrap();
    let metadata = event.metadata.unwrap();
    assert_eq!(
        metadata.get("k"),
        Some(&JsonValue {
            value: JsonValueValue::Long(42)
        })
    );
}

/// A field renamed with an alias reads the value the writer wrote under the
/// old name (apache-avro alone would leave the default or fail).
#[test]
fn renamed_fields_read_through_their_aliases() {
    use schemabus::codec::resolve::ReaderType;
    let writer = r#"{"type":"record","name":"Point","fields":[
        {"name":"x","type":"long"},{"name":"ordinate","type":"long"}]}"#;
    let reader_json: &'static str = r#"{"type":"record","name":"Point","fields":[
        {"name":"x","type":"long"},{"name":"y","type":"long","aliases":["ordinate"],"default":0}]}"#;
    let canonical: &'static str = Box::leak(
        Schema::parse_str(reader_json)
            .unwrap()
            .canonical_form()
            .into_boxed_str(),
    );
    let reader = ReaderType {
        name: "Point",
        schema_json: reader_json,
        canonical_form: canonical,
    };
    // x = 3, ordinate = 7 (zig-zag varints).
    let resolved = Resolver::new().resolve(reader, writer, &[6, 14]).unwrap();
    assert_eq!(&*resolved, &[6, 14]);
    let without_alias = reader_json.replace(r#","aliases":["ordinate"]"#, "");
    let reader = ReaderType {
        schema_json: Box::leak(without_alias.into_boxed_str()),
        ..reader
    };
    // Without the alias the field is filled from its default.
    assert_eq!(
        &*Resolver::new().resolve(reader, writer, &[6, 14]).unwrap(),
        &[6, 0]
    );
}
