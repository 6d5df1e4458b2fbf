//! Codec benchmarks: encode and decode of `DebateCompleted`, side by side.
//!
//! One criterion group per operation, so that every ratio in
//! `BENCHMARKS.md` is between numbers taken in the same run:
//!
//! | group | what is timed |
//! | --- | --- |
//! | `encode_fresh_vec` | encode into a newly allocated `Vec` |
//! | `encode_reused_buf` | encode into a cleared buffer kept across iterations |
//! | `decode_owned` | decode an owned value (and drop it) |
//! | `decode_into` | the generated `avro_decode_into` (into an existing value), beside the others' owned decode |
//! | `encode_decode` | encode into a fresh `Vec`, then decode an owned value |
//! | `decode_borrowed` | decode a value that borrows its strings from the input |
//!
//! Contenders:
//!
//! * `generated`: the generated `AvroCodec` of `schemabus::events::debate::DebateCompleted`.
//! * `serde_avro_fast`: serde_avro_fast 2 on a serde mirror whose uuid fields
//!   are `String` (the schema's uuids are strings); its `SerializerConfig` is
//!   built once and reused.
//! * `serde_avro_fast_uuid`: the same with `uuid::Uuid` fields, the types the
//!   generated struct has (serde_avro_fast is human-readable, so `Uuid`
//!   goes through `str`).
//! * `apache_avro_value`: apache-avro 0.22's `Value` path: `to_value` then a
//!   `GenericDatumWriter` (validating, as `to_avro_datum` does) built once;
//!   `GenericDatumReader::read_value` then `from_value`.
//! * `apache_avro_value_fn`: the same path through the deprecated free
//!   functions `to_avro_datum` / `from_avro_datum`, which build the writer or
//!   reader (and resolve the schema) on every call.
//! * `apache_avro_serde`: apache-avro 0.22's serde path,
//!   `GenericDatumWriter::write_ser` (its `SchemaAwareSerializer`) and
//!   `GenericDatumReader::read_deser` (its `SchemaAwareDeserializer`).
//! * `serde_json`: `serde_json` on the generated struct (not Avro; a
//!   reference point).
//!
//! Generated-only rows: `generated_into` (`decode_into`: `avro_decode_into`
//! a value of the same shape), `generated_reuse` (`encode_decode`: reused
//! buffer and `avro_decode_into`), `generated_view` (`decode_borrowed`: the
//! generated `DebateCompletedRef<'_>`, strings borrowed from the input), and
//! `generated_owned` (the owned decode, for reference).
//!
//! Before anything is measured, `check` asserts that every Avro contender
//! writes a datum byte-identical to the generated codec's and that every
//! contender decodes back to an equal value.
//!
//! Run with `cargo bench --bench codec -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::writer::datum::GenericDatumWriter;
use criterion::{criterion_group, criterion_main, Criterion};
use schemabus::codec::avro::reader::Reader;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::{DebateCompleted, DebateCompletedRef};
use schemabus::{AvroCodec, AvroSchema, EventMetadata};
use uuid::Uuid;

/// The serde mirrors of `DebateCompleted` the other libraries work on.
///
/// Each is named exactly `DebateCompleted`: apache-avro's serde reader
/// matches the Rust type name against the record name.
mod mirror {
    use schemabus::events::common::DecisionType;
    use serde::{Deserialize, Serialize};

    /// Owned, uuids as `String` (the schema's uuid is a string).
    pub mod owned {
        use super::*;

        /// Owned mirror with string uuids.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct DebateCompleted {
            /// Id of the debate.
            pub debate_id: String,
            /// Topic that was debated.
            pub topic: String,
            /// Winner, if any.
            pub winner: Option<String>,
            /// Whether consensus was reached.
            pub consensus: bool,
            /// Complexity class of the decision.
            pub decision_type: DecisionType,
            /// Id of the decision.
            pub decision_id: String,
            /// Summary of the debate.
            pub summary: String,
        }
    }

    /// Owned, uuids as `uuid::Uuid`, as in the generated struct.
    pub mod typed {
        use super::*;

        /// Owned mirror with typed uuids.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct DebateCompleted {
            /// Id of the debate.
            pub debate_id: uuid::Uuid,
            /// Topic that was debated.
            pub topic: String,
            /// Winner, if any.
            pub winner: Option<String>,
            /// Whether consensus was reached.
            pub consensus: bool,
            /// Complexity class of the decision.
            pub decision_type: DecisionType,
            /// Id of the decision.
            pub decision_id: uuid::Uuid,
            /// Summary of the debate.
            pub summary: String,
        }
    }

    /// Borrowed: every string (uuids included) points into the input.
    pub mod borrowed {
        use super::*;

        /// Borrowed mirror for serde_avro_fast's zero-copy decode.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct DebateCompleted<'a> {
            /// Id of the debate.
            pub debate_id: &'a str,
            /// Topic that was debated.
            pub topic: &'a str,
            /// Winner, if any.
            #[serde(borrow)]
            pub winner: Option<&'a str>,
            /// Whether consensus was reached.
            pub consensus: bool,
            /// Complexity class of the decision.
            pub decision_type: DecisionType,
            /// Id of the decision.
            pub decision_id: &'a str,
            /// Summary of the debate.
            pub summary: &'a str,
        }
    }
}

/// A realistic event: a ~40-character topic, a ~200-character ASCII summary,
/// a winner. Metadata is empty, as decoding a bare payload yields.
fn sample() -> DebateCompleted {
    DebateCompleted {
        debate_id: Uuid::parse_str("3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c").expect("uuid"),
        topic: "Should the event bus adopt Avro schemas?".to_owned(),
        winner: Some("claude-architect".to_owned()),
        consensus: true,
        decision_type: DecisionType::Complex,
        decision_id: Uuid::parse_str("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d").expect("uuid"),
        summary: "Adopt Avro with a schema registry: generated codecs keep producers \
                  and consumers in lockstep, the canonical form fingerprints every \
                  schema, and backward-compatible evolution is checked in CI before \
                  any deploy."
            .to_owned(),
        metadata: EventMetadata::empty(),
    }
}

fn to_owned_mirror(e: &DebateCompleted) -> mirror::owned::DebateCompleted {
    mirror::owned::DebateCompleted {
        debate_id: e.debate_id.to_string(),
        topic: e.topic.clone(),
        winner: e.winner.clone(),
        consensus: e.consensus,
        decision_type: e.decision_type,
        decision_id: e.decision_id.to_string(),
        summary: e.summary.clone(),
    }
}

fn to_typed_mirror(e: &DebateCompleted) -> mirror::typed::DebateCompleted {
    mirror::typed::DebateCompleted {
        debate_id: e.debate_id,
        topic: e.topic.clone(),
        winner: e.winner.clone(),
        consensus: e.consensus,
        decision_type: e.decision_type,
        decision_id: e.decision_id,
        summary: e.summary.clone(),
    }
}

/// Everything the contenders need, built once outside the timed loops.
struct Fixture {
    event: DebateCompleted,
    owned: mirror::owned::DebateCompleted,
    typed: mirror::typed::DebateCompleted,
    /// The generated codec's datum: the reference every contender must match.
    datum: Vec<u8>,
    json: Vec<u8>,
    saf_schema: serde_avro_fast::Schema,
    apache_schema: apache_avro::Schema,
}

impl Fixture {
    fn new() -> Self {
        let event = sample();
        let datum = event.to_avro_bytes().expect("generated encode");
        Self {
            owned: to_owned_mirror(&event),
            typed: to_typed_mirror(&event),
            json: serde_json::to_vec(&event).expect("json encode"),
            saf_schema: DebateCompleted::SCHEMA_JSON
                .parse()
                .expect("serde_avro_fast parses the schema"),
            apache_schema: apache_avro::Schema::parse_str(DebateCompleted::SCHEMA_JSON)
                .expect("apache-avro parses the schema"),
            event,
            datum,
        }
    }

    fn apache_writer(&self) -> GenericDatumWriter<'_> {
        // `validate` defaults to true, as in `to_avro_datum`.
        GenericDatumWriter::builder(&self.apache_schema)
            .build()
            .expect("apache writer")
    }

    fn apache_reader(&self) -> GenericDatumReader<'_> {
        GenericDatumReader::builder(&self.apache_schema)
            .build()
            .expect("apache reader")
    }
}

// Each contender's operations, shared by the setup check and the benchmarks
// so that what is checked is exactly what is measured.

fn saf_encode_vec<T: serde::Serialize>(
    v: &T,
    config: &mut serde_avro_fast::ser::SerializerConfig<'_>,
) -> Vec<u8> {
    serde_avro_fast::to_datum_vec(v, config).expect("serde_avro_fast encode")
}

fn saf_encode_reuse<T: serde::Serialize>(
    v: &T,
    config: &mut serde_avro_fast::ser::SerializerConfig<'_>,
    buf: &mut Vec<u8>,
) {
    let mut out = std::mem::take(buf);
    out.clear();
    *buf = serde_avro_fast::to_datum(v, out, config).expect("serde_avro_fast encode");
}

fn apache_value_encode_vec(
    writer: &GenericDatumWriter<'_>,
    v: &mirror::owned::DebateCompleted,
) -> Vec<u8> {
    let value = apache_avro::to_value(v).expect("apache to_value");
    writer
        .write_value_to_vec(value)
        .expect("apache write_value")
}

fn apache_value_encode_reuse(
    writer: &GenericDatumWriter<'_>,
    v: &mirror::owned::DebateCompleted,
    buf: &mut Vec<u8>,
) {
    buf.clear();
    let value = apache_avro::to_value(v).expect("apache to_value");
    writer
        .write_value_ref(buf, &value)
        .expect("apache write_value");
}

#[allow(deprecated)]
fn apache_value_fn_encode(
    schema: &apache_avro::Schema,
    v: &mirror::owned::DebateCompleted,
) -> Vec<u8> {
    let value = apache_avro::to_value(v).expect("apache to_value");
    apache_avro::to_avro_datum(schema, value).expect("apache to_avro_datum")
}

fn apache_serde_encode_vec(
    writer: &GenericDatumWriter<'_>,
    v: &mirror::owned::DebateCompleted,
) -> Vec<u8> {
    writer.write_ser_to_vec(v).expect("apache write_ser")
}

fn apache_serde_encode_reuse(
    writer: &GenericDatumWriter<'_>,
    v: &mirror::owned::DebateCompleted,
    buf: &mut Vec<u8>,
) {
    buf.clear();
    writer.write_ser(buf, v).expect("apache write_ser");
}

fn generated_encode_reuse(e: &DebateCompleted, buf: &mut Vec<u8>) {
    buf.clear();
    e.avro_encode(buf).expect("generated encode");
}

fn generated_decode_into(target: &mut DebateCompleted, bytes: &[u8]) {
    let mut r = Reader::new(bytes);
    target
        .avro_decode_into(&mut r)
        .expect("generated decode_into");
    r.finish().expect("generated decode_into: trailing bytes");
}

fn saf_decode<'a, T: serde::Deserialize<'a>>(
    bytes: &'a [u8],
    schema: &serde_avro_fast::Schema,
) -> T {
    serde_avro_fast::from_datum_slice(bytes, schema).expect("serde_avro_fast decode")
}

fn apache_value_decode(
    reader: &GenericDatumReader<'_>,
    bytes: &[u8],
) -> mirror::owned::DebateCompleted {
    let value = reader
        .read_value(&mut &bytes[..])
        .expect("apache read_value");
    apache_avro::from_value(&value).expect("apache from_value")
}

#[allow(deprecated)]
fn apache_value_fn_decode(
    schema: &apache_avro::Schema,
    bytes: &[u8],
) -> mirror::owned::DebateCompleted {
    let value = apache_avro::from_avro_datum(schema, &mut &bytes[..], None)
        .expect("apache from_avro_datum");
    apache_avro::from_value(&value).expect("apache from_value")
}

fn apache_serde_decode(
    reader: &GenericDatumReader<'_>,
    bytes: &[u8],
) -> mirror::owned::DebateCompleted {
    reader
        .read_deser(&mut &bytes[..])
        .expect("apache read_deser")
}

/// Asserts that every contender writes the generated codec's exact datum and
/// decodes it back to an equal value. A benchmark of a wrong encoding is
/// worthless, so this runs before anything is measured.
fn check(f: &Fixture) {
    let e = &f.event;
    let datum = &f.datum;
    assert_eq!(datum.len(), e.avro_len(), "avro_len is exact");
    // Hand-computed layout: 37 + (1 + 40) + (1 + 1 + 16) + 1 + 1 + 37 + (2 + len).
    assert_eq!(datum[0], 72, "uuid string length 36, zig-zag");
    assert_eq!(e.topic.len(), 40);
    assert!(
        (180..=220).contains(&e.summary.len()),
        "{}",
        e.summary.len()
    );

    let mut buf = Vec::new();
    for _ in 0..2 {
        generated_encode_reuse(e, &mut buf);
        assert_eq!(&buf, datum, "generated, reused buffer");
    }

    let mut cfg = serde_avro_fast::ser::SerializerConfig::new(&f.saf_schema);
    assert_eq!(
        &saf_encode_vec(&f.owned, &mut cfg),
        datum,
        "serde_avro_fast"
    );
    assert_eq!(
        &saf_encode_vec(&f.typed, &mut cfg),
        datum,
        "serde_avro_fast_uuid"
    );
    for _ in 0..2 {
        saf_encode_reuse(&f.owned, &mut cfg, &mut buf);
        assert_eq!(&buf, datum, "serde_avro_fast, reused buffer");
        saf_encode_reuse(&f.typed, &mut cfg, &mut buf);
        assert_eq!(&buf, datum, "serde_avro_fast_uuid, reused buffer");
    }

    let writer = f.apache_writer();
    assert_eq!(
        &apache_value_encode_vec(&writer, &f.owned),
        datum,
        "apache Value"
    );
    assert_eq!(
        &apache_value_fn_encode(&f.apache_schema, &f.owned),
        datum,
        "apache to_avro_datum"
    );
    assert_eq!(
        &apache_serde_encode_vec(&writer, &f.owned),
        datum,
        "apache serde"
    );
    for _ in 0..2 {
        apache_value_encode_reuse(&writer, &f.owned, &mut buf);
        assert_eq!(&buf, datum, "apache Value, reused buffer");
        apache_serde_encode_reuse(&writer, &f.owned, &mut buf);
        assert_eq!(&buf, datum, "apache serde, reused buffer");
    }

    // Decoding.
    assert_eq!(&DebateCompleted::from_avro_bytes(datum).expect("decode"), e);
    let mut target = sample();
    target.topic = "a previous, different topic".to_owned();
    target.winner = None;
    target.summary.clear();
    target.decision_type = DecisionType::Simple;
    for _ in 0..2 {
        generated_decode_into(&mut target, datum);
        assert_eq!(&target, e, "generated decode_into");
    }
    assert_eq!(
        saf_decode::<mirror::owned::DebateCompleted>(datum, &f.saf_schema),
        f.owned
    );
    assert_eq!(
        saf_decode::<mirror::typed::DebateCompleted>(datum, &f.saf_schema),
        f.typed
    );
    let borrowed: mirror::borrowed::DebateCompleted<'_> = saf_decode(datum, &f.saf_schema);
    assert_eq!(borrowed.debate_id, f.owned.debate_id);
    assert_eq!(borrowed.topic, f.owned.topic);
    assert_eq!(borrowed.winner, f.owned.winner.as_deref());
    assert_eq!(borrowed.consensus, f.owned.consensus);
    assert_eq!(borrowed.decision_type, f.owned.decision_type);
    assert_eq!(borrowed.decision_id, f.owned.decision_id);
    assert_eq!(borrowed.summary, f.owned.summary);
    let view = DebateCompletedRef::from_avro_bytes(datum).expect("view");
    assert_eq!(view.debate_id, e.debate_id);
    assert_eq!(view.topic, e.topic);
    assert_eq!(view.winner, e.winner.as_deref());
    assert_eq!(view.consensus, e.consensus);
    assert_eq!(view.decision_type, e.decision_type);
    assert_eq!(view.decision_id, e.decision_id);
    assert_eq!(view.summary, e.summary);
    let reader = f.apache_reader();
    assert_eq!(apache_value_decode(&reader, datum), f.owned, "apache Value");
    assert_eq!(
        apache_value_fn_decode(&f.apache_schema, datum),
        f.owned,
        "apache from_avro_datum"
    );
    assert_eq!(apache_serde_decode(&reader, datum), f.owned, "apache serde");
    let from_json: DebateCompleted = serde_json::from_slice(&f.json).expect("json decode");
    assert_eq!(&from_json, e, "serde_json");
}

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    check(&f);
    let e = &f.event;
    let datum = f.datum.as_slice();
    let json = f.json.as_slice();
    let writer = f.apache_writer();
    let reader = f.apache_reader();
    let mut cfg = serde_avro_fast::ser::SerializerConfig::new(&f.saf_schema);

    let mut g = c.benchmark_group("encode_fresh_vec");
    g.bench_function("generated", |b| {
        b.iter(|| black_box(e).to_avro_bytes().expect("encode"))
    });
    g.bench_function("serde_avro_fast", |b| {
        b.iter(|| saf_encode_vec(black_box(&f.owned), &mut cfg))
    });
    g.bench_function("serde_avro_fast_uuid", |b| {
        b.iter(|| saf_encode_vec(black_box(&f.typed), &mut cfg))
    });
    g.bench_function("apache_avro_value", |b| {
        b.iter(|| apache_value_encode_vec(&writer, black_box(&f.owned)))
    });
    g.bench_function("apache_avro_value_fn", |b| {
        b.iter(|| apache_value_fn_encode(&f.apache_schema, black_box(&f.owned)))
    });
    g.bench_function("apache_avro_serde", |b| {
        b.iter(|| apache_serde_encode_vec(&writer, black_box(&f.owned)))
    });
    g.bench_function("serde_json", |b| {
        b.iter(|| serde_json::to_vec(black_box(e)).expect("json"))
    });
    g.finish();

    let mut g = c.benchmark_group("encode_reused_buf");
    let mut buf = Vec::with_capacity(1024);
    g.bench_function("generated", |b| {
        b.iter(|| generated_encode_reuse(black_box(e), black_box(&mut buf)))
    });
    g.bench_function("serde_avro_fast", |b| {
        b.iter(|| saf_encode_reuse(black_box(&f.owned), &mut cfg, black_box(&mut buf)))
    });
    g.bench_function("serde_avro_fast_uuid", |b| {
        b.iter(|| saf_encode_reuse(black_box(&f.typed), &mut cfg, black_box(&mut buf)))
    });
    g.bench_function("apache_avro_value", |b| {
        b.iter(|| apache_value_encode_reuse(&writer, black_box(&f.owned), black_box(&mut buf)))
    });
    g.bench_function("apache_avro_serde", |b| {
        b.iter(|| apache_serde_encode_reuse(&writer, black_box(&f.owned), black_box(&mut buf)))
    });
    g.bench_function("serde_json", |b| {
        b.iter(|| {
            let buf = black_box(&mut buf);
            buf.clear();
            serde_json::to_writer(buf, black_box(e)).expect("json");
        })
    });
    g.finish();

    let mut g = c.benchmark_group("decode_owned");
    decode_owned_contenders(&mut g, &f, &reader);
    g.bench_function("serde_json", |b| {
        b.iter(|| serde_json::from_slice::<DebateCompleted>(black_box(json)).expect("json"))
    });
    g.finish();

    let mut g = c.benchmark_group("decode_into");
    let mut target = e.clone();
    g.bench_function("generated_into", |b| {
        b.iter(|| generated_decode_into(black_box(&mut target), black_box(datum)))
    });
    decode_owned_contenders(&mut g, &f, &reader);
    g.finish();

    let mut g = c.benchmark_group("encode_decode");
    g.bench_function("generated", |b| {
        b.iter(|| {
            let bytes = black_box(e).to_avro_bytes().expect("encode");
            DebateCompleted::from_avro_bytes(black_box(&bytes)).expect("decode")
        })
    });
    let mut target = e.clone();
    g.bench_function("generated_reuse", |b| {
        b.iter(|| {
            generated_encode_reuse(black_box(e), black_box(&mut buf));
            generated_decode_into(black_box(&mut target), black_box(&buf));
        })
    });
    g.bench_function("serde_avro_fast", |b| {
        b.iter(|| {
            let bytes = saf_encode_vec(black_box(&f.owned), &mut cfg);
            saf_decode::<mirror::owned::DebateCompleted>(black_box(&bytes), &f.saf_schema)
        })
    });
    g.bench_function("serde_avro_fast_uuid", |b| {
        b.iter(|| {
            let bytes = saf_encode_vec(black_box(&f.typed), &mut cfg);
            saf_decode::<mirror::typed::DebateCompleted>(black_box(&bytes), &f.saf_schema)
        })
    });
    g.bench_function("apache_avro_value", |b| {
        b.iter(|| {
            let bytes = apache_value_encode_vec(&writer, black_box(&f.owned));
            apache_value_decode(&reader, black_box(&bytes))
        })
    });
    g.bench_function("apache_avro_serde", |b| {
        b.iter(|| {
            let bytes = apache_serde_encode_vec(&writer, black_box(&f.owned));
            apache_serde_decode(&reader, black_box(&bytes))
        })
    });
    g.bench_function("serde_json", |b| {
        b.iter(|| {
            let bytes = serde_json::to_vec(black_box(e)).expect("json");
            serde_json::from_slice::<DebateCompleted>(black_box(&bytes)).expect("json")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("decode_borrowed");
    g.bench_function("serde_avro_fast", |b| {
        b.iter(|| {
            saf_decode::<mirror::borrowed::DebateCompleted<'_>>(black_box(datum), &f.saf_schema)
        })
    });
    g.bench_function("generated_view", |b| {
        b.iter(|| DebateCompletedRef::from_avro_bytes(black_box(datum)).expect("view"))
    });
    g.bench_function("generated_owned", |b| {
        b.iter(|| DebateCompleted::from_avro_bytes(black_box(datum)).expect("decode"))
    });
    g.finish();
}

/// The owned decoders of every Avro contender, shared by `decode_owned` and
/// `decode_into` (where they are the reference for `generated_into`).
fn decode_owned_contenders(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    f: &Fixture,
    reader: &GenericDatumReader<'_>,
) {
    let datum = f.datum.as_slice();
    g.bench_function("generated", |b| {
        b.iter(|| DebateCompleted::from_avro_bytes(black_box(datum)).expect("decode"))
    });
    g.bench_function("serde_avro_fast", |b| {
        b.iter(|| saf_decode::<mirror::owned::DebateCompleted>(black_box(datum), &f.saf_schema))
    });
    g.bench_function("serde_avro_fast_uuid", |b| {
        b.iter(|| saf_decode::<mirror::typed::DebateCompleted>(black_box(datum), &f.saf_schema))
    });
    g.bench_function("apache_avro_value", |b| {
        b.iter(|| apache_value_decode(reader, black_box(datum)))
    });
    g.bench_function("apache_avro_value_fn", |b| {
        b.iter(|| apache_value_fn_decode(&f.apache_schema, black_box(datum)))
    });
    g.bench_function("apache_avro_serde", |b| {
        b.iter(|| apache_serde_decode(reader, black_box(datum)))
    });
}

criterion_group!(codec, benches);
criterion_main!(codec);
