//! Decoding data written with another writer schema (`Resolver`): the
//! cached resolution against building apache-avro's reader and writer for
//! every message, as the resolver did before it kept them.
//!
//! Run: `cargo bench --bench resolve -- --warm-up-time 1 --measurement-time 3`.
//! The writer schema is `DebateCompleted`'s with its fields in reverse order,
//! so every decode goes through schema resolution.

#[path = "support/sample.rs"]
mod sample;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use criterion::{criterion_group, criterion_main, Criterion};
use schemabus::codec::resolve::Resolver;
use schemabus::events::debate::DebateCompleted;
use schemabus::{AvroCodec, AvroSchema};
use std::hint::black_box;

use sample::debate_completed;

fn reversed_writer() -> String {
    let mut json: serde_json::Value =
        serde_json::from_str(DebateCompleted::SCHEMA_JSON).expect("schema json");
    if let Some(fields) = json["fields"].as_array_mut() {
        fields.reverse();
    }
    json.to_string()
}

fn resolve(c: &mut Criterion) {
    let event = debate_completed();
    let writer_json = reversed_writer();
    let writer = Schema::parse_str(&writer_json).expect("writer");
    let reader = Schema::parse_str(DebateCompleted::SCHEMA_JSON).expect("reader");
    // The event's bytes as the reversed writer schema lays them out.
    let value = GenericDatumReader::builder(&reader)
        .build()
        .and_then(|r| r.read_value(&mut &event.to_avro_bytes().expect("encode")[..]))
        .expect("value");
    let bytes = GenericDatumWriter::builder(&writer)
        .build()
        .and_then(|w| w.write_value_to_vec(value))
        .expect("bytes");
    let resolver = Resolver::new();
    let decoded: DebateCompleted = resolver.decode(&writer_json, &bytes).expect("resolve");
    assert_eq!(decoded.topic, event.topic);

    let mut group = c.benchmark_group("resolve_other_writer");
    group.bench_function("resolver_cached", |b| {
        b.iter(|| {
            let e: DebateCompleted = resolver
                .decode(black_box(&writer_json), black_box(&bytes))
                .expect("resolve");
            e
        })
    });
    group.bench_function("apache_reader_and_writer_per_message", |b| {
        b.iter(|| {
            let value = GenericDatumReader::builder(&writer)
                .reader_schema(&reader)
                .build()
                .and_then(|r| r.read_value(&mut black_box(&bytes[..])))
                .expect("read");
            let resolved = GenericDatumWriter::builder(&reader)
                .build()
                .and_then(|w| w.write_value_to_vec(value))
                .expect("write");
            DebateCompleted::from_avro_bytes(&resolved).expect("decode")
        })
    });
    group.finish();
}

criterion_group!(benches, resolve);
criterion_main!(benches);
