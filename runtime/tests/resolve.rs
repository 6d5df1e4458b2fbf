//! Resolving data written with an older schema into a newer generated type.
#![allow(clippy::unwrap_used)]

use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use schemabus_runtime::codec::avro::{reader::Reader, writer::*};
use schemabus_runtime::codec::resolve::{ResolveError, Resolver};
use schemabus_runtime::{AvroCodec, AvroSchema, DecodeError, EncodeError};

/// Version 2: `note` removed, `winner` added with a default.
#[derive(Debug, PartialEq)]
struct Completed {
    id: String,
    rounds: i32,
    winner: String,
}

impl AvroSchema for Completed {
    const FULL_NAME: &'static str = "zamaz.debate.Completed";
    const SCHEMA_JSON: &'static str = r#"{"type":"record","name":"Completed","namespace":"zamaz.debate","fields":[
        {"name":"id","type":"string"},
        {"name":"rounds","type":"int"},
        {"name":"winner","type":"string","default":"none"}]}"#;
    const CANONICAL_FORM: &'static str = r#"{"name":"zamaz.debate.Completed","type":"record","fields":[{"name":"id","type":"string"},{"name":"rounds","type":"int"},{"name":"winner","type":"string"}]}"#;
    const FINGERPRINT: u64 = 0;
}

impl AvroCodec for Completed {
    const MIN_LEN: usize = 3;
    fn avro_len(&self) -> usize {
        str_len(&self.id) + int_len(self.rounds) + str_len(&self.winner)
    }
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_str(buf, &self.id);
        put_int(buf, self.rounds);
        put_str(buf, &self.winner);
        Ok(())
    }
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            id: r.read_string()?,
            rounds: r.read_int()?,
            winner: r.read_string()?,
        })
    }
}

/// Version 1: had `note`, no `winner`; `rounds` was written before `id`.
const V1: &str = r#"{"type":"record","name":"Completed","namespace":"zamaz.debate","fields":[
    {"name":"rounds","type":"int"},
    {"name":"note","type":"string"},
    {"name":"id","type":"string"}]}"#;

fn v1_bytes() -> Vec<u8> {
    let schema = Schema::parse_str(V1).unwrap();
    let value = Value::Record(vec![
        ("rounds".into(), Value::Int(7)),
        ("note".into(), Value::String("dropped".into())),
        ("id".into(), Value::String("d-1".into())),
    ]);
    GenericDatumWriter::builder(&schema)
        .build()
        .unwrap()
        .write_value_to_vec(value)
        .unwrap()
}

#[test]
fn added_field_with_default_and_removed_field() {
    let resolver = Resolver::new();
    let got: Completed = resolver.decode(V1, &v1_bytes()).unwrap();
    assert_eq!(
        got,
        Completed {
            id: "d-1".into(),
            rounds: 7,
            winner: "none".into()
        }
    );
    // Cached: a second decode reuses the plan.
    let again: Completed = resolver.decode(V1, &v1_bytes()).unwrap();
    assert_eq!(again, got);
    assert_eq!(resolver.cached(), 1);
}

#[test]
fn same_schema_decodes_directly() {
    assert_eq!(
        Schema::parse_str(Completed::SCHEMA_JSON)
            .unwrap()
            .canonical_form(),
        Completed::CANONICAL_FORM
    );
    let value = Completed {
        id: "d-2".into(),
        rounds: 1,
        winner: "pro".into(),
    };
    let bytes = value.to_avro_bytes().unwrap();
    let resolver = Resolver::new();
    assert_eq!(
        resolver
            .decode::<Completed>(Completed::SCHEMA_JSON, &bytes)
            .unwrap(),
        value
    );
    // Differently formatted but canonically equal: parsed once, then direct.
    let reformatted = Completed::SCHEMA_JSON.replace('\n', " ");
    assert_eq!(
        resolver.decode::<Completed>(&reformatted, &bytes).unwrap(),
        value
    );
    assert_eq!(resolver.cached(), 1);
    assert!(matches!(
        resolver.decode::<Completed>(&reformatted, &bytes[..3]),
        Err(ResolveError::Decode(_))
    ));
}

#[test]
fn incompatible_writer() {
    let writer = r#"{"type":"record","name":"Completed","namespace":"zamaz.debate","fields":[
        {"name":"id","type":"string"},{"name":"rounds","type":"string"}]}"#;
    let err = Resolver::new()
        .decode::<Completed>(writer, &[])
        .unwrap_err();
    assert!(
        matches!(
            err,
            ResolveError::Incompatible {
                reader: "zamaz.debate.Completed",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn invalid_writer_schema_and_bad_data() {
    let resolver = Resolver::new();
    assert!(matches!(
        resolver.decode::<Completed>("{not json", &[]),
        Err(ResolveError::WriterSchema(_))
    ));
    let bytes = v1_bytes();
    assert!(matches!(
        resolver.decode::<Completed>(V1, &bytes[..2]),
        // Truncation is caught by the length pre-check, before apache-avro.
        Err(ResolveError::Decode(_))
    ));
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(
        resolver.decode::<Completed>(V1, &long),
        Err(ResolveError::TrailingBytes(1))
    ));
}

#[test]
fn resolver_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Resolver>();
    assert_send_sync::<ResolveError>();
}
