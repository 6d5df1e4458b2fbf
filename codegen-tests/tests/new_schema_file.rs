//! A new `.avsc` dropped into a crate's schema directory yields a new type
//! with no other edit; a broken one fails the build with `file:line:col`.
//!
//! Builds and runs a throwaway crate that uses `schemabus` the way the
//! README tells users to. Its target directory is
//! `<workspace>/target/new-schema-test`, shared between runs, so the
//! dependencies compile once; each run then rebuilds only the small crate.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Removes the crate directory when the test ends, whether or not it passed.
struct TempCrate(PathBuf);

impl Drop for TempCrate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TempCrate {
    fn write(&self, path: &str, text: &str) {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.0.join(path)).unwrap();
    }

    /// `cargo run --offline` in the crate.
    fn cargo_run(&self, workspace: &Path) -> Output {
        let started = Instant::now();
        let out = Command::new(env!("CARGO"))
            .args(["run", "--offline", "--quiet"])
            .current_dir(&self.0)
            .env("CARGO_TARGET_DIR", workspace.join("target/new-schema-test"))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .output()
            .unwrap();
        eprintln!("cargo run took {:.1?}", started.elapsed());
        out
    }
}

fn new_crate(workspace: &Path) -> TempCrate {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "schemabus-new-schema-{}-{nanos}",
        std::process::id()
    ));
    let krate = TempCrate(dir);
    let ws = workspace.display().to_string().replace('\\', "/");
    krate.write(
        "Cargo.toml",
        &format!(
            r#"[package]
name = "new-schema-probe"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
schemabus = {{ path = "{ws}" }}

[build-dependencies]
schemabus-codegen = {{ path = "{ws}/codegen" }}

[workspace]
"#
        ),
    );
    // The workspace's versions, so that `--offline` needs nothing new and the
    // dependencies are the ones already built.
    std::fs::copy(workspace.join("Cargo.lock"), krate.0.join("Cargo.lock")).unwrap();
    krate.write(
        "build.rs",
        r#"fn main() {
    if let Err(error) = schemabus_codegen::Builder::new().schemas("schemas").compile() {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
"#,
    );
    krate
}

const ORDER_PLACED: &str = r#"{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "shop",
  "doc": "An order was placed.",
  "aggregate": "order_id",
  "fields": [
    {"name": "order_id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "total_cents", "type": "long"}
  ]
}
"#;

const ORDER_SHIPPED: &str = r#"{
  "type": "record",
  "name": "OrderShipped",
  "namespace": "shop",
  "doc": "An order left the warehouse.",
  "aggregate": "order_id",
  "fields": [
    {"name": "order_id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "carrier", "type": "string"},
    {"name": "parcels", "type": "int", "default": 1}
  ]
}
"#;

/// Lists the catalog; knows nothing of any particular event.
const MAIN_GENERIC: &str = r#"mod events {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

fn main() {
    for info in events::EVENT_TYPES {
        println!("type {} in {}", info.name, info.context);
    }
}
"#;

/// Uses the new type by name.
const MAIN_SHIPPED: &str = r#"mod events {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

use schemabus::{AvroCodec, DomainEvent};

fn main() {
    let shipped = events::shop::OrderShipped {
        order_id: "0f8fad5b-d9cb-469f-a165-70867728950e".parse().unwrap(),
        carrier: "Post".to_owned(),
        parcels: 2,
        metadata: schemabus::EventMetadata::new(),
    };
    let bytes = shipped.to_avro_bytes().unwrap();
    let decoded = events::AnyEvent::decode_avro(events::shop::OrderShipped::EVENT_TYPE, &bytes).unwrap();
    match decoded {
        events::AnyEvent::Shop(events::ShopEvent::OrderShipped(e)) => {
            assert_eq!(e.carrier, "Post");
            println!("event type {}", events::shop::OrderShipped::EVENT_TYPE);
            println!("context {}", events::shop::OrderShipped::CONTEXT);
            println!("aggregate {}", e.aggregate_id());
        }
        other => panic!("{other:?}"),
    }
}
"#;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_success(out: &Output, step: &str) {
    assert!(
        out.status.success(),
        "{step}: cargo run failed\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_new_schema_file_is_a_new_type_and_a_broken_one_fails_the_build() {
    let started = Instant::now();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let krate = new_crate(workspace);

    // One schema.
    krate.write("schemas/shop/OrderPlaced.avsc", ORDER_PLACED);
    krate.write("src/main.rs", MAIN_GENERIC);
    let out = krate.cargo_run(workspace);
    assert_success(&out, "one schema");
    assert_eq!(stdout(&out), "type shop.OrderPlaced in shop\n");

    // A second schema file, nothing else changed: the catalog has it.
    krate.write("schemas/shop/OrderShipped.avsc", ORDER_SHIPPED);
    let out = krate.cargo_run(workspace);
    assert_success(&out, "two schemas");
    assert_eq!(
        stdout(&out),
        "type shop.OrderPlaced in shop\ntype shop.OrderShipped in shop\n"
    );

    // And the code can name the new type, its enum variant and its fields.
    krate.write("src/main.rs", MAIN_SHIPPED);
    let out = krate.cargo_run(workspace);
    assert_success(&out, "using the new type");
    assert_eq!(
        stdout(&out),
        "event type shop.OrderShipped\ncontext shop\naggregate 0f8fad5b-d9cb-469f-a165-70867728950e\n"
    );

    // A broken schema: the build fails, naming the file, line and column.
    let broken = ORDER_SHIPPED
        .replace("OrderShipped", "OrderLost")
        .replace(r#""type": "string"}"#, r#""type": "strnig"}"#);
    let (line, col) = broken
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find(r#""strnig""#).map(|c| (i + 1, c + 1)))
        .unwrap();
    krate.write("schemas/shop/OrderLost.avsc", &broken);
    let out = krate.cargo_run(workspace);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a broken schema built:\n{stderr}");
    let location = format!("OrderLost.avsc:{line}:{col}");
    assert!(stderr.contains(&location), "no `{location}` in:\n{stderr}");
    assert!(stderr.contains("strnig"), "{stderr}");

    // Fixed again (removed): builds.
    krate.remove("schemas/shop/OrderLost.avsc");
    let out = krate.cargo_run(workspace);
    assert_success(&out, "after removing the broken schema");
    eprintln!("whole test took {:.1?}", started.elapsed());
}
