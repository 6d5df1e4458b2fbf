//! The schema registry in the message path and as a server.
//!
//! Run: `cargo bench --bench registry`. Prints a table:
//! - schema-id lookup from the cache (what every produced record pays);
//! - encode + frame per message with the registry in the loop (cached id)
//!   against a fixed id;
//! - decode per message through the registry (writer schema by id, cached)
//!   against the generated decoder alone, for the current schema and for an
//!   older writer schema that needs resolution;
//! - the registry server under 16 concurrent HTTP clients: registrations/s
//!   and lookups/s (by schema and by id).

#[path = "support/sample.rs"]
mod sample;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use schemabus::events::debate::DebateCompleted;
use schemabus::events::CATALOG;
use schemabus::kafka::message::{self, ValueFormat};
use schemabus::kafka::{KafkaConfig, SchemaIds};
use schemabus::registry::server::{serve, ServerOptions};
use schemabus::registry::{EmbeddedRegistry, HttpRegistry, SchemaRegistry};
use schemabus::{AvroSchema, EventMetadata};

const TOPIC: &str = "debate.events";

/// Nanoseconds per call of `f`, median of 5 runs of `n` calls.
fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(n)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let event = sample::debate_completed();
    let config = KafkaConfig::default().use_avro(true);
    let schemas = SchemaIds::new(Arc::new(EmbeddedRegistry::in_memory()), &config);
    let id = schemas.id_blocking(TOPIC, &event).expect("id");

    println!("| what | per message | note |");
    println!("| --- | --- | --- |");
    let lookup = per_call(1_000_000, || {
        black_box(schemas.id_blocking(black_box(TOPIC), &event).ok());
    });
    println!(
        "| schema id from the cache (`SchemaIds::id_blocking`) | {lookup:.0} ns | after warm-up |"
    );

    let mut buf = Vec::new();
    let fixed = per_call(200_000, || {
        black_box(
            message::encode(
                &event,
                ValueFormat::Avro { schema_id: 1 },
                "bench",
                &mut buf,
            )
            .ok(),
        );
    });
    let with_registry = per_call(200_000, || {
        let schema_id = schemas.id_blocking(TOPIC, &event).unwrap_or(0);
        black_box(message::encode(&event, ValueFormat::Avro { schema_id }, "bench", &mut buf).ok());
    });
    println!("| encode + frame + headers, fixed id | {fixed:.0} ns | |");
    println!(
        "| encode + frame + headers, id from the registry | {with_registry:.0} ns | {:.2}× |",
        with_registry / fixed
    );

    let value = message::encode(
        &event,
        ValueFormat::Avro { schema_id: id },
        "bench",
        &mut buf,
    )
    .map(|headers| (buf.clone(), headers))
    .expect("encode");
    let (framed, headers) = value;
    let direct = per_call(200_000, || {
        black_box(
            (CATALOG.decode_avro)(
                DebateCompleted::FULL_NAME,
                &framed[5..],
                EventMetadata::empty(),
            )
            .ok(),
        );
    });
    let through = per_call(200_000, || {
        black_box(
            futures_executor::block_on(message::decode(
                &CATALOG,
                &schemas,
                Some(&framed),
                Some(&headers),
            ))
            .ok(),
        );
    });
    println!("| decode, generated decoder alone (no headers) | {direct:.0} ns | |");
    println!(
        "| decode, writer schema by id from the registry + `ce_*` headers | {through:.0} ns | {:.2}× |",
        through / direct
    );

    // An older writer: the current fields in reverse order, registered under
    // a subject of its own (so the level does not refuse it).
    let mut older: serde_json::Value =
        serde_json::from_str(DebateCompleted::SCHEMA_JSON).expect("json");
    older["fields"].as_array_mut().expect("fields").reverse();
    let older_id = runtime
        .block_on(schemas.registry().register("older", &older.to_string()))
        .expect("register");
    let older_value = apache_avro::Schema::parse_str(&older.to_string()).expect("schema");
    let datum = reversed_datum(&older_value, &framed[5..]);
    let older_framed = schemabus::codec::wire::frame(older_id, &datum);
    let resolved = per_call(50_000, || {
        black_box(
            futures_executor::block_on(message::decode(
                &CATALOG,
                &schemas,
                Some(&older_framed),
                Some(&headers),
            ))
            .ok(),
        );
    });
    assert!(futures_executor::block_on(message::decode(
        &CATALOG,
        &schemas,
        Some(&older_framed),
        Some(&headers)
    ))
    .is_ok());
    println!(
        "| decode, older writer schema resolved (apache-avro resolution) | {resolved:.0} ns | {:.1}× the direct decoder |",
        resolved / direct
    );

    let in_memory = runtime.block_on(server_rates(EmbeddedRegistry::in_memory()));
    let dir = tempfile::tempdir().expect("temp dir");
    let on_disk = runtime.block_on(server_rates(
        EmbeddedRegistry::open(dir.path()).expect("registry dir"),
    ));
    println!();
    println!(
        "| registry server, {CLIENTS} concurrent clients, {PER_CLIENT} requests each | in memory, per second | `--data DIR` (fsync per change), per second |"
    );
    println!("| --- | --- | --- |");
    let rows = [
        "registrations (new subject and schema each)",
        "lookups by subject and schema (`POST /subjects/{s}`)",
        "lookups by id (`GET /schemas/ids/{id}`)",
    ];
    for (i, row) in rows.iter().enumerate() {
        println!("| {row} | {:.0} | {:.0} |", in_memory[i], on_disk[i]);
    }
}

const CLIENTS: usize = 16;
const PER_CLIENT: usize = 200;

/// The datum of `current` (the current schema's encoding) re-encoded with
/// `older`, whose fields are the same in another order.
fn reversed_datum(older: &apache_avro::Schema, current: &[u8]) -> Vec<u8> {
    let writer = apache_avro::Schema::parse_str(DebateCompleted::SCHEMA_JSON).expect("schema");
    let value = apache_avro::reader::datum::GenericDatumReader::builder(&writer)
        .reader_schema(older)
        .build()
        .expect("reader")
        .read_value(&mut &current[..])
        .expect("read");
    apache_avro::writer::datum::GenericDatumWriter::builder(older)
        .build()
        .expect("writer")
        .write_value_to_vec(value)
        .expect("write")
}

/// What each client asks the server, `PER_CLIENT` times.
#[derive(Clone, Copy)]
enum Request {
    /// A new subject and schema each time.
    Register,
    /// A registered subject and schema.
    Lookup,
    /// A registered schema by id.
    ById,
}

/// Registrations/s, lookups/s by schema and by id of the server over
/// `registry` under 16 clients.
async fn server_rates(registry: EmbeddedRegistry) -> [f64; 3] {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(serve(listener, Arc::new(registry), ServerOptions::new()));
    let mut rates = [0.0; 3];
    for (rate, request) in rates
        .iter_mut()
        .zip([Request::Register, Request::Lookup, Request::ById])
    {
        *rate = per_second(&url, request).await;
    }
    rates
}

/// Requests per second of `CLIENTS` concurrent clients, each making
/// `PER_CLIENT` requests of one kind.
async fn per_second(url: &str, request: Request) -> f64 {
    let schema = |client: usize, i: usize| {
        format!(
            r#"{{"type":"record","name":"R{client}x{i}","fields":[{{"name":"a","type":"long"}}]}}"#
        )
    };
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let registry = HttpRegistry::new(url).expect("client");
            tokio::spawn(async move {
                for i in 0..PER_CLIENT {
                    let subject = format!("s{client}x{i}");
                    match request {
                        Request::Register => {
                            registry
                                .register(&subject, &schema(client, i))
                                .await
                                .expect("register");
                        }
                        Request::Lookup => {
                            registry
                                .lookup(&subject, &schema(client, i))
                                .await
                                .expect("lookup");
                        }
                        Request::ById => {
                            // Registrations got ids 1 ..= CLIENTS * PER_CLIENT.
                            let id = u32::try_from(client * PER_CLIENT + i + 1).unwrap_or(1);
                            registry.schema_by_id(id).await.expect("by id");
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    (CLIENTS * PER_CLIENT) as f64 / started.elapsed().as_secs_f64()
}
