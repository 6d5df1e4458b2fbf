//! Hostile input gets an error, never a panic, a hang, a stack overflow or
//! an allocation sized by a length prefix — for every event type.

#![allow(clippy::unwrap_used)]

#[path = "support/avro_values.rs"]
mod avro_values;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use schemabus::codec::avro::reader::MAX_DEPTH;
use schemabus::codec::avro::writer::put_long;
use schemabus::codec::avro::{DecodeError, DecodeErrorKind};
use schemabus::events::{AnyEvent, EVENT_TYPES};
use schemabus::{CloudEventError, EventDecodeError, EventType};

use avro_values::value_strategy;

// ------------------------------------------------------ allocation probe

/// The system allocator, recording the largest single request made on a
/// thread while [`largest_allocation`] watches it.
struct Probe;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = WATCHING.try_with(|w| {
        if w.get() {
            let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
        }
    });
}

// SAFETY: every call is forwarded unchanged to `System`; `note` only
// touches const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Probe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: as for `dealloc`, and the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Probe = Probe;

/// Runs `f` and returns its result with the largest allocation it made.
fn largest_allocation<R>(f: impl FnOnce() -> R) -> (R, usize) {
    LARGEST.with(|l| l.set(0));
    WATCHING.with(|w| w.set(true));
    let r = f();
    WATCHING.with(|w| w.set(false));
    (r, LARGEST.with(Cell::get))
}

/// No hostile prefix may cost more than this in one allocation.
const ALLOCATION_LIMIT: usize = 64 * 1024;

// --------------------------------------------------------------- helpers

fn schema_of(info: &EventType) -> Schema {
    Schema::parse_str(info.schema_json).unwrap()
}

fn encode(schema: &Schema, value: &Value) -> Vec<u8> {
    GenericDatumWriter::builder(schema)
        .build()
        .and_then(|w| w.write_value_to_vec(value.clone()))
        .unwrap_or_else(|e| panic!("apache-avro cannot encode {value:?}: {e}"))
}

/// `n` random values of `schema`, the same on every run.
fn samples(schema: &Schema, n: usize) -> Vec<Value> {
    let strategy = value_strategy(schema);
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn avro_error(result: Result<AnyEvent, EventDecodeError>) -> DecodeError {
    match result {
        Err(EventDecodeError::Avro(e)) => e,
        Err(other) => panic!("not an Avro error: {other}"),
        Ok(event) => panic!("decoded hostile input as {event:?}"),
    }
}

fn fields_of(value: &Value) -> &[(String, Value)] {
    match value {
        Value::Record(fields) => fields,
        other => panic!("not a record: {other:?}"),
    }
}

/// Byte offset of top-level field `k` in the encoding of `record`: the
/// length of the encoding of its first `k` fields, under a schema cut
/// down to them.
fn field_offset(info: &EventType, record: &Value, k: usize) -> usize {
    let mut json: serde_json::Value = serde_json::from_str(info.schema_json).unwrap();
    json["fields"].as_array_mut().unwrap().truncate(k);
    let prefix_schema = Schema::parse_str(&json.to_string()).unwrap();
    let prefix = Value::Record(fields_of(record)[..k].to_vec());
    encode(&prefix_schema, &prefix).len()
}

fn varint(v: i64) -> Vec<u8> {
    let mut out = Vec::new();
    put_long(&mut out, v);
    out
}

/// Length of the varint at the start of `bytes`.
fn varint_len(bytes: &[u8]) -> usize {
    bytes.iter().position(|b| b & 0x80 == 0).unwrap() + 1
}

// ------------------------------------------------------------ (a) prefixes

#[test]
fn every_strict_prefix_is_an_error() {
    for info in EVENT_TYPES {
        let schema = schema_of(info);
        for value in samples(&schema, 8) {
            let bytes = encode(&schema, &value);
            assert!(AnyEvent::decode_avro(info.name, &bytes).is_ok());
            for end in 0..bytes.len() {
                let err = avro_error(AnyEvent::decode_avro(info.name, &bytes[..end]));
                assert!(
                    matches!(
                        err.kind(),
                        DecodeErrorKind::UnexpectedEof { .. }
                            | DecodeErrorKind::LengthTooLarge { .. }
                    ),
                    "{}: prefix of {end} of {} bytes: {err}",
                    info.name,
                    bytes.len()
                );
            }
        }
    }
}

// ---------------------------------------------------------- (b) garbage

proptest! {
    #![proptest_config(Config { cases: 512, failure_persistence: None, ..Config::default() })]

    /// Any bytes, as any event type: an answer, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for info in EVENT_TYPES {
            let _ = AnyEvent::decode_avro(info.name, &bytes);
        }
    }

    /// A valid encoding with a few bytes changed: an answer, never a panic;
    /// and whatever decodes re-encodes to bytes that decode to the same event.
    #[test]
    fn mutated_encodings_never_panic(
        type_index in 0..EVENT_TYPES.len(),
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..4),
    ) {
        let info = &EVENT_TYPES[type_index];
        let schema = schema_of(info);
        let value = samples(&schema, 1 + (seed % 4) as usize).pop().unwrap();
        let mut bytes = encode(&schema, &value);
        for (at, byte, op) in edits {
            match op {
                0 if !bytes.is_empty() => {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
                1 => {
                    let i = at.index(bytes.len() + 1);
                    bytes.insert(i, byte);
                }
                _ if !bytes.is_empty() => {
                    let i = at.index(bytes.len());
                    bytes.remove(i);
                }
                _ => {}
            }
        }
        if let Ok(event) = AnyEvent::decode_avro(info.name, &bytes) {
            let again = event.to_avro_bytes().unwrap();
            prop_assert_eq!(AnyEvent::decode_avro(info.name, &again).unwrap(), event);
        }
    }
}

// ---------------------------------------------- (c) huge string lengths

/// Every event type: the first top-level `string` (or `uuid`) field's
/// length prefix replaced by 2^62.
#[test]
fn huge_string_length_is_an_error_without_allocating() {
    let mut checked = 0;
    for info in EVENT_TYPES {
        let schema = schema_of(info);
        let Schema::Record(record) = &schema else {
            panic!("{} is not a record", info.name)
        };
        let Some(k) = record
            .fields
            .iter()
            .position(|f| matches!(f.schema, Schema::String | Schema::Uuid(_)))
        else {
            continue;
        };
        let value = samples(&schema, 1).pop().unwrap();
        let bytes = encode(&schema, &value);
        let at = field_offset(info, &value, k);
        let mut hostile = bytes[..at].to_vec();
        hostile.extend(varint(1 << 62));
        hostile.extend_from_slice(&bytes[at + varint_len(&bytes[at..])..]);

        let (result, largest) = largest_allocation(|| AnyEvent::decode_avro(info.name, &hostile));
        let err = avro_error(result);
        assert!(
            matches!(err.kind(), DecodeErrorKind::LengthTooLarge { len, .. } if *len == 1 << 62),
            "{}: {err}",
            info.name
        );
        assert_eq!(err.offset(), Some(at), "{}: {err}", info.name);
        let field = format!(
            "{}.{}",
            info.name.rsplit('.').next().unwrap(),
            record.fields[k].name
        );
        assert_eq!(
            err.path().collect::<Vec<_>>(),
            [field.as_str()],
            "{}",
            info.name
        );
        assert!(
            largest < ALLOCATION_LIMIT,
            "{}: allocated {largest} bytes",
            info.name
        );
        checked += 1;
    }
    assert!(
        checked >= 60,
        "only {checked} event types have a string field"
    );
}

// ----------------------------------------- (d) huge array and map counts

/// Every top-level array and map of every event type: an empty one
/// replaced by a block of 2^40 items, written with a positive count or
/// with a negative count and a byte size.
#[test]
fn huge_block_counts_are_errors_without_allocating() {
    let mut checked = Vec::new();
    for info in EVENT_TYPES {
        let schema = schema_of(info);
        let Schema::Record(record) = &schema else {
            panic!("{} is not a record", info.name)
        };
        for (k, field) in record.fields.iter().enumerate() {
            let empty = match &field.schema {
                Schema::Array(_) => Value::Array(Vec::new()),
                Schema::Map(_) => Value::Map(Default::default()),
                _ => continue,
            };
            let Value::Record(mut fields) = samples(&schema, 1).pop().unwrap() else {
                panic!("not a record")
            };
            fields[k].1 = empty;
            let value = Value::Record(fields);
            let bytes = encode(&schema, &value);
            let at = field_offset(info, &value, k);
            assert_eq!(
                bytes[at], 0,
                "{}.{}: not an empty block",
                info.name, field.name
            );
            for block in [
                varint(1 << 40),
                [varint(-(1 << 40)), varint(1 << 40)].concat(),
            ] {
                let mut hostile = bytes[..at].to_vec();
                hostile.extend(&block);
                hostile.extend_from_slice(&bytes[at..]);
                let (result, largest) =
                    largest_allocation(|| AnyEvent::decode_avro(info.name, &hostile));
                let err = avro_error(result);
                assert!(
                    matches!(err.kind(), DecodeErrorKind::LengthTooLarge { .. }),
                    "{}.{}: {err}",
                    info.name,
                    field.name
                );
                assert!(
                    largest < ALLOCATION_LIMIT,
                    "{}.{}: allocated {largest} bytes",
                    info.name,
                    field.name
                );
            }
            checked.push(format!("{}.{}", info.name, field.name));
        }
    }
    assert!(
        checked
            .iter()
            .any(|f| f == "zamaz.debate.DebateInitiated.participants"),
        "{checked:?}"
    );
    assert!(checked.len() >= 10, "{checked:?}");
}

/// `DebateInitiated.participants` with a count of 2^40, written by hand.
#[test]
fn debate_initiated_with_2_pow_40_participants() {
    let mut bytes = Vec::new();
    let id = b"0f8fad5b-d9cb-469f-a165-70867728950e";
    bytes.extend(varint(id.len() as i64));
    bytes.extend_from_slice(id);
    bytes.extend(varint(5));
    bytes.extend_from_slice(b"topic");
    let at = bytes.len();
    bytes.extend(varint(1 << 40));
    bytes.extend(varint(1)); // "a"
    bytes.push(b'a');
    bytes.extend(varint(0)); // end of array
    bytes.extend(varint(5)); // max_rounds
    let (result, largest) =
        largest_allocation(|| AnyEvent::decode_avro("zamaz.debate.DebateInitiated", &bytes));
    let err = avro_error(result);
    assert!(
        matches!(err.kind(), DecodeErrorKind::LengthTooLarge { len, .. } if *len == 1 << 40),
        "{err}"
    );
    assert_eq!(err.offset(), Some(at));
    assert_eq!(
        err.path().collect::<Vec<_>>(),
        ["DebateInitiated.participants"]
    );
    assert!(largest < ALLOCATION_LIMIT, "allocated {largest} bytes");

    // The same bytes with a true count decode.
    let mut ok = bytes[..at].to_vec();
    ok.extend(varint(1));
    ok.extend_from_slice(&bytes[at + varint(1 << 40).len()..]);
    let AnyEvent::Debate(schemabus::events::DebateEvent::DebateInitiated(e)) =
        AnyEvent::decode_avro("zamaz.debate.DebateInitiated", &ok).unwrap()
    else {
        panic!("another type")
    };
    assert_eq!(e.participants, ["a"]);
    assert_eq!(e.max_rounds, 5);
}

/// A `JsonValue` payload nested far deeper than the limit: an error, not a
/// stack overflow; nested just within it: decodes on a test thread's stack.
#[test]
fn deeply_nested_json_value_payload() {
    let name = "zamaz.testing.TestDataGenerated";
    let info = AnyEvent::event_type_info(name).unwrap();
    let schema = schema_of(info);
    let Schema::Record(record) = &schema else {
        panic!("not a record")
    };
    let k = record
        .fields
        .iter()
        .position(|f| f.name == "schema")
        .unwrap();
    let Value::Record(mut fields) = samples(&schema, 1).pop().unwrap() else {
        panic!("not a record")
    };
    fields[k].1 = Value::Map(Default::default());
    let value = Value::Record(fields);
    let bytes = encode(&schema, &value);
    let at = field_offset(info, &value, k);

    let nested = |depth: usize| {
        let mut out = bytes[..at].to_vec();
        out.extend([0x02, 0x02, b'k']); // map: one entry, key "k"
        for _ in 1..depth {
            out.extend([0x0a, 0x02]); // JsonValue: branch 5 (array), block of 1
        }
        out.push(0x00); // innermost JsonValue: null
        out.extend(std::iter::repeat_n(0x00, depth - 1)); // end of each array
        out.push(0x00); // end of the map
        out.extend_from_slice(&bytes[at + 1..]);
        out
    };
    for depth in [10_000, 1_000_000] {
        let err = avro_error(AnyEvent::decode_avro(name, &nested(depth)));
        assert_eq!(err.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH));
    }
    let ok = AnyEvent::decode_avro(name, &nested(MAX_DEPTH)).unwrap();
    assert_eq!(ok.to_avro_bytes().unwrap(), nested(MAX_DEPTH));
    let err = avro_error(AnyEvent::decode_avro(name, &nested(MAX_DEPTH + 1)));
    assert_eq!(err.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH));
}

/// The allocation probe sees what it should.
#[test]
fn the_probe_sees_large_allocations() {
    let (v, largest) = largest_allocation(|| vec![1u8; 1 << 20]);
    assert_eq!(v.len(), 1 << 20);
    assert!(largest >= 1 << 20, "{largest}");
    let ((), largest) = largest_allocation(|| {});
    assert_eq!(largest, 0);
}

/// Through `Resolver` (a writer schema other than the reader's), hostile
/// length prefixes and block counts must cost an error, not memory, just
/// as they do for the generated decoders.
#[test]
fn resolver_does_not_allocate_by_length_prefixes() {
    use schemabus::codec::resolve::Resolver;
    use schemabus::events::debate::DebateInitiated;

    // DebateInitiated before `max_rounds`: the resolver's slow path.
    let mut json: serde_json::Value =
        serde_json::from_str(<DebateInitiated as schemabus::AvroSchema>::SCHEMA_JSON).unwrap();
    json["fields"].as_array_mut().unwrap().pop();
    let writer = json.to_string();
    let id = b"0f8fad5b-d9cb-469f-a165-70867728950e";
    let mut head = varint(id.len() as i64);
    head.extend_from_slice(id);

    // A topic of 128 MiB, in a message of under 50 bytes.
    let mut long_topic = head.clone();
    long_topic.extend(varint(1 << 27));
    long_topic.extend_from_slice(b"topic");
    // 2^20 participants, likewise.
    let mut many = head.clone();
    many.extend(varint(1));
    many.push(b't');
    many.extend(varint(1 << 20));
    many.extend([0x02, b'p']);

    let mut failures = Vec::new();
    for (what, bytes) in [
        ("string length 2^27", long_topic),
        ("array count 2^20", many),
    ] {
        let resolver = Resolver::new();
        let (result, largest) =
            largest_allocation(|| resolver.decode::<DebateInitiated>(&writer, &bytes));
        assert!(result.is_err(), "{what}: decoded");
        if largest >= ALLOCATION_LIMIT {
            failures.push(format!(
                "{what}: a {}-byte message made one allocation of {largest} bytes",
                bytes.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------- (e) trailing bytes

#[test]
fn trailing_bytes_are_an_error() {
    for info in EVENT_TYPES {
        let schema = schema_of(info);
        for value in samples(&schema, 4) {
            let valid = encode(&schema, &value);
            for extra in [&[0u8][..], &[0x02, 0x00], &valid] {
                let bytes = [&valid[..], extra].concat();
                let err = avro_error(AnyEvent::decode_avro(info.name, &bytes));
                assert_eq!(
                    err.kind(),
                    &DecodeErrorKind::TrailingBytes(extra.len()),
                    "{}",
                    info.name
                );
                assert_eq!(err.offset(), Some(valid.len()));
            }
        }
    }
}

// ------------------------------------------------------------ (f) JSON

fn valid_envelope() -> serde_json::Value {
    serde_json::json!({
        "specversion": "1.0",
        "id": "5f0c1ed6-3a5a-4a6c-9f5e-8c1a0f6b7d21",
        "source": "test",
        "type": "zamaz.debate.DebateInitiated",
        "time": "2024-05-01T12:00:00.000000Z",
        "subject": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "datacontenttype": "application/json",
        "context": "debate",
        "data": {
            "debate_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "topic": "Adopt Avro?",
            "participants": ["Claude", "Gemini"],
            "max_rounds": 3
        }
    })
}

fn decode_json(v: &serde_json::Value) -> Result<AnyEvent, EventDecodeError> {
    AnyEvent::decode_json(&serde_json::to_vec(v).unwrap())
}

#[test]
fn the_valid_envelope_decodes() {
    let event = decode_json(&valid_envelope()).unwrap();
    assert_eq!(event.event_type(), "zamaz.debate.DebateInitiated");
    assert_eq!(event.metadata().source, "test");
    // `max_rounds` may be left out: it has a default.
    let mut v = valid_envelope();
    v["data"].as_object_mut().unwrap().remove("max_rounds");
    let AnyEvent::Debate(schemabus::events::DebateEvent::DebateInitiated(e)) =
        decode_json(&v).unwrap()
    else {
        panic!("another type")
    };
    assert_eq!(e.max_rounds, 5);
}

#[test]
fn malformed_json_is_an_error() {
    for bytes in [
        &b""[..],
        b"{",
        b"null",
        b"[]",
        b"42",
        b"\"1.0\"",
        b"{}",
        b"\xff\xfe{}",
        br#"{"specversion":"1.0"}"#,
    ] {
        match AnyEvent::decode_json(bytes) {
            Err(EventDecodeError::CloudEvent(CloudEventError::Json(_))) => {}
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }
    let mut truncated = serde_json::to_vec(&valid_envelope()).unwrap();
    while truncated.pop().is_some() {
        assert!(
            AnyEvent::decode_json(&truncated).is_err(),
            "{}",
            String::from_utf8_lossy(&truncated)
        );
    }
}

#[test]
fn wrong_specversion_is_an_error() {
    for version in ["0.3", "1", "1.0.0", ""] {
        let mut v = valid_envelope();
        v["specversion"] = version.into();
        match decode_json(&v) {
            Err(EventDecodeError::CloudEvent(CloudEventError::SpecVersion(s))) => {
                assert_eq!(s, version);
            }
            other => panic!("{version:?}: {other:?}"),
        }
    }
    let mut v = valid_envelope();
    v["specversion"] = 1.0.into();
    assert!(decode_json(&v).is_err());
}

#[test]
fn unknown_event_type_is_an_error() {
    for ty in [
        "zamaz.debate.DebateExploded",
        "",
        "DebateInitiated",
        "zamaz.common.JsonValue",
    ] {
        let mut v = valid_envelope();
        v["type"] = ty.into();
        match decode_json(&v) {
            Err(EventDecodeError::UnknownEventType(t)) => assert_eq!(t, ty),
            other => panic!("{ty:?}: {other:?}"),
        }
    }
}

#[test]
fn bad_attributes_are_errors() {
    let cases: [(&str, serde_json::Value); 8] = [
        ("id", "not-a-uuid".into()),
        ("id", serde_json::Value::Null),
        ("time", "yesterday".into()),
        ("time", "2024-05-01 12:00:00".into()),
        ("time", 1_714_564_800.into()),
        ("source", serde_json::json!({})),
        ("correlationid", "nope".into()),
        ("causationid", "nope".into()),
    ];
    for (attr, bad) in cases {
        let mut v = valid_envelope();
        v[attr] = bad.clone();
        assert!(
            matches!(decode_json(&v), Err(EventDecodeError::CloudEvent(_))),
            "{attr} = {bad}: {:?}",
            decode_json(&v)
        );
    }
    for attr in ["id", "source", "type", "time", "data", "specversion"] {
        let mut v = valid_envelope();
        v.as_object_mut().unwrap().remove(attr);
        assert!(
            matches!(decode_json(&v), Err(EventDecodeError::CloudEvent(_))),
            "without {attr}: {:?}",
            decode_json(&v)
        );
    }
}

#[test]
fn wrong_data_types_are_errors() {
    let cases: [(&str, serde_json::Value); 10] = [
        ("topic", 42.into()),
        ("topic", serde_json::Value::Null),
        ("debate_id", "not-a-uuid".into()),
        ("debate_id", 7.into()),
        ("participants", "Claude".into()),
        ("participants", serde_json::json!([1, 2])),
        ("max_rounds", "3".into()),
        ("max_rounds", 1.5.into()),
        ("max_rounds", (i64::from(i32::MAX) + 1).into()),
        ("max_rounds", serde_json::Value::Null),
    ];
    for (field, bad) in cases {
        let mut v = valid_envelope();
        v["data"][field] = bad.clone();
        assert!(
            matches!(
                decode_json(&v),
                Err(EventDecodeError::CloudEvent(CloudEventError::Json(_)))
            ),
            "{field} = {bad}: {:?}",
            decode_json(&v)
        );
    }
    for data in [
        serde_json::Value::Null,
        serde_json::json!([]),
        serde_json::json!("x"),
        serde_json::json!({}),
    ] {
        let mut v = valid_envelope();
        v["data"] = data.clone();
        assert!(decode_json(&v).is_err(), "data = {data}");
    }
    // A required field left out.
    let mut v = valid_envelope();
    v["data"].as_object_mut().unwrap().remove("topic");
    assert!(decode_json(&v).is_err());
}

#[test]
fn deeply_nested_json_data_is_an_error_not_a_stack_overflow() {
    let mut v = valid_envelope();
    v["type"] = "zamaz.testing.TestDataGenerated".into();
    let deep = format!(
        r#"{{"test_suite_id":"0f8fad5b-d9cb-469f-a165-70867728950e","data_type":"x","record_count":1,"schema":{{"k":{}null{}}}}}"#,
        r#"{"value":{"array":["#.repeat(100_000),
        "]}}".repeat(100_000)
    );
    v["data"] = serde_json::Value::Null;
    let text = serde_json::to_string(&v)
        .unwrap()
        .replace(r#""data":null"#, &format!(r#""data":{deep}"#));
    assert!(AnyEvent::decode_json(text.as_bytes()).is_err());
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    /// Any bytes as a CloudEvents message: an answer, never a panic.
    #[test]
    fn random_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = AnyEvent::decode_json(&bytes);
    }

    /// The valid envelope with one byte changed: an answer, never a panic.
    #[test]
    fn mutated_json_never_panics(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = serde_json::to_vec(&valid_envelope()).unwrap();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = AnyEvent::decode_json(&bytes);
    }
}
