//! Golden wire bytes of one fixed `DebateCompleted`: the Avro datum, the
//! Confluent-framed message, the CloudEvents JSON and the `ce_*` headers.
//! A change to any codec shows up as a snapshot diff; each form is also
//! checked against bytes written out by hand (or, for Avro, read by
//! apache-avro) and decoded back to the original event.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use chrono::{DateTime, Utc};
use schemabus::codec::wire::{self, Format};
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::events::AnyEvent;
use schemabus::{cloudevents, AvroCodec, AvroSchema, DomainEvent, EventMetadata};
use uuid::Uuid;

const EVENT_TYPE: &str = "zamaz.debate.DebateCompleted";
const DEBATE_ID: &str = "6d0f5a1e-7c1b-4b7e-9c35-2a8f0c4d1e01";
const DECISION_ID: &str = "6d0f5a1e-7c1b-4b7e-9c35-2a8f0c4d1e02";
const EVENT_ID: &str = "0e5c1d2a-3b4f-4a6e-8d7c-9b0a1f2e3d4c";
const CORRELATION_ID: &str = "0e5c1d2a-3b4f-4a6e-8d7c-000000000001";
const CAUSATION_ID: &str = "0e5c1d2a-3b4f-4a6e-8d7c-000000000002";
const TIME: &str = "2024-05-01T12:34:56.123456Z";

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

fn metadata() -> EventMetadata {
    EventMetadata {
        event_id: uuid(EVENT_ID),
        occurred_at: DateTime::parse_from_rfc3339(TIME)
            .unwrap()
            .with_timezone(&Utc),
        source: "debate-service".to_owned(),
        correlation_id: Some(uuid(CORRELATION_ID)),
        causation_id: Some(uuid(CAUSATION_ID)),
    }
}

fn event() -> DebateCompleted {
    DebateCompleted {
        debate_id: uuid(DEBATE_ID),
        topic: "Adopt Avro?".to_owned(),
        winner: Some("Claude".to_owned()),
        consensus: true,
        decision_type: DecisionType::Complex,
        decision_id: uuid(DECISION_ID),
        summary: "Yes, with a schema registry.".to_owned(),
        metadata: metadata(),
    }
}

/// `xxd`-style dump: offset, 16 bytes in hex, printable ASCII.
fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, row) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = row
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(out, "{:08x}  {:<47}  |{ascii}|", i * 16, hex.join(" ")).unwrap();
    }
    writeln!(out, "({} bytes)", bytes.len()).unwrap();
    out
}

/// Indents compact JSON, keeping the members' order (`serde_json::Value`
/// would sort them).
fn pretty_json(compact: &str) -> String {
    let (mut out, mut depth, mut in_string, mut escaped) = (String::new(), 0usize, false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    for c in compact.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                depth += 1;
                out.push(c);
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// An Avro string: zig-zag varint length (all lengths here are < 64), then UTF-8.
fn avro_str(s: &str) -> Vec<u8> {
    assert!(s.len() < 64);
    let mut out = vec![u8::try_from(s.len() * 2).unwrap()];
    out.extend_from_slice(s.as_bytes());
    out
}

/// The Avro encoding of `event()`, written out by hand from the schema.
fn expected_avro() -> Vec<u8> {
    [
        avro_str(DEBATE_ID),                      // debate_id: uuid string
        avro_str("Adopt Avro?"),                  // topic
        vec![0x02],                               // winner: branch 1 ("string")
        avro_str("Claude"),                       //   "Claude"
        vec![0x01],                               // consensus: true
        vec![0x04],                               // decision_type: COMPLEX, index 2
        avro_str(DECISION_ID),                    // decision_id
        avro_str("Yes, with a schema registry."), // summary
    ]
    .concat()
}

#[test]
fn avro_bytes() {
    let event = event();
    let bytes = event.to_avro_bytes().unwrap();
    assert_eq!(bytes, expected_avro());
    insta::assert_snapshot!("debate_completed_avro", hexdump(&bytes));

    // Decoding yields the payload; the metadata travels beside it.
    let mut payload_only = event.clone();
    payload_only.metadata = EventMetadata::empty();
    assert_eq!(
        DebateCompleted::from_avro_bytes(&bytes).unwrap(),
        payload_only
    );
    match AnyEvent::decode_avro(EVENT_TYPE, &bytes).unwrap() {
        AnyEvent::Debate(e) => assert_eq!(e, payload_only.clone().into()),
        other => panic!("decoded as {other:?}"),
    }
}

#[test]
fn apache_avro_reads_the_bytes() {
    let schema = apache_avro::Schema::parse_str(DebateCompleted::SCHEMA_JSON).unwrap();
    let bytes = event().to_avro_bytes().unwrap();
    let mut rest = &bytes[..];
    let value = GenericDatumReader::builder(&schema)
        .build()
        .unwrap()
        .read_value(&mut rest)
        .unwrap();
    assert!(rest.is_empty(), "{} bytes left", rest.len());
    let expected = Value::Record(vec![
        ("debate_id".to_owned(), Value::Uuid(uuid(DEBATE_ID))),
        ("topic".to_owned(), Value::String("Adopt Avro?".to_owned())),
        (
            "winner".to_owned(),
            Value::Union(1, Box::new(Value::String("Claude".to_owned()))),
        ),
        ("consensus".to_owned(), Value::Boolean(true)),
        (
            "decision_type".to_owned(),
            Value::Enum(2, "COMPLEX".to_owned()),
        ),
        ("decision_id".to_owned(), Value::Uuid(uuid(DECISION_ID))),
        (
            "summary".to_owned(),
            Value::String("Yes, with a schema registry.".to_owned()),
        ),
    ]);
    assert_eq!(value, expected);
}

#[test]
fn confluent_framed_bytes() {
    let event = event();
    let bytes = event.to_avro_bytes().unwrap();
    let framed = wire::frame(42, &bytes);
    assert_eq!(framed[..5], [0x00, 0x00, 0x00, 0x00, 0x2a]);
    assert_eq!(framed[5..], bytes[..]);
    insta::assert_snapshot!("debate_completed_framed", hexdump(&framed));

    assert_eq!(wire::detect(&framed), Some(Format::Avro));
    let (schema_id, payload) = wire::unframe(&framed).unwrap();
    assert_eq!(schema_id, 42);
    assert_eq!(payload, &bytes[..]);
    // Binary mode: payload from the value, metadata from the headers.
    let headers = event.to_headers();
    let (event_type, metadata) =
        cloudevents::metadata_from_headers(headers.iter().map(|(k, v)| (*k, v.as_bytes())))
            .unwrap();
    let mut decoded = AnyEvent::decode_avro(&event_type, payload).unwrap();
    *decoded.metadata_mut() = metadata;
    assert_eq!(decoded, AnyEvent::from(event));
}

#[test]
fn cloudevents_json() {
    let event = event();
    let json = event.to_json().unwrap();
    let expected = format!(
        concat!(
            r#"{{"specversion":"1.0","id":"{EVENT_ID}","source":"debate-service","#,
            r#""type":"zamaz.debate.DebateCompleted","time":"{TIME}","subject":"{DEBATE_ID}","#,
            r#""datacontenttype":"application/json","context":"debate","#,
            r#""correlationid":"{CORRELATION_ID}","causationid":"{CAUSATION_ID}","#,
            r#""data":{{"debate_id":"{DEBATE_ID}","topic":"Adopt Avro?","winner":"Claude","#,
            r#""consensus":true,"decision_type":"COMPLEX","decision_id":"{DECISION_ID}","#,
            r#""summary":"Yes, with a schema registry."}}}}"#
        ),
        EVENT_ID = EVENT_ID,
        TIME = TIME,
        DEBATE_ID = DEBATE_ID,
        CORRELATION_ID = CORRELATION_ID,
        CAUSATION_ID = CAUSATION_ID,
        DECISION_ID = DECISION_ID,
    );
    assert_eq!(String::from_utf8(json.clone()).unwrap(), expected);
    // Pretty-printed for review, in the order the members are written.
    let pretty = pretty_json(std::str::from_utf8(&json).unwrap());
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&pretty).unwrap(),
        value
    );
    insta::assert_snapshot!("debate_completed_cloudevent", pretty);

    assert_eq!(wire::detect(&json), Some(Format::Json));
    assert_eq!(
        cloudevents::from_json::<DebateCompleted>(&json).unwrap(),
        event
    );
    assert_eq!(AnyEvent::decode_json(&json).unwrap(), AnyEvent::from(event));
}

#[test]
fn kafka_headers() {
    let event = event();
    let headers = event.to_headers();
    let text: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect();
    insta::assert_snapshot!("debate_completed_headers", text);
    assert_eq!(
        headers,
        [
            ("ce_specversion", "1.0".to_owned()),
            ("ce_id", EVENT_ID.to_owned()),
            ("ce_source", "debate-service".to_owned()),
            ("ce_type", EVENT_TYPE.to_owned()),
            ("ce_time", TIME.to_owned()),
            ("ce_subject", DEBATE_ID.to_owned()),
            ("ce_context", "debate".to_owned()),
            ("ce_correlationid", CORRELATION_ID.to_owned()),
            ("ce_causationid", CAUSATION_ID.to_owned()),
            ("content-type", "application/avro".to_owned()),
        ]
    );

    let (event_type, decoded) =
        cloudevents::metadata_from_headers(headers.iter().map(|(k, v)| (*k, v.as_bytes())))
            .unwrap();
    assert_eq!(event_type, EVENT_TYPE);
    assert_eq!(decoded, metadata());
}

#[test]
fn the_bytes_do_not_depend_on_the_metadata() {
    // Metadata is not part of the schema: fresh metadata, same payload bytes.
    let mut other = event();
    other.metadata = EventMetadata::new();
    assert_eq!(other.to_avro_bytes().unwrap(), expected_avro());
}
