//! `schemabus register`, `decode` and `tail` against `schemabus registry
//! serve` (a process) and, for `tail`, the test broker.

#![allow(clippy::unwrap_used)]

#[path = "support/kafka.rs"]
#[macro_use]
mod kafka_support;
mod support {
    pub(crate) use super::kafka_support as kafka;
}

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

use schemabus::codec::wire;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::events::CATALOG;
use schemabus::kafka::EventProducer;
use schemabus::registry::{HttpRegistry, SchemaRegistry};
use schemabus::{AvroCodec, AvroSchema, EventMetadata};
use uuid::Uuid;

/// `schemabus registry serve --in-memory` on a free port, stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemabus"))
            .args(["registry", "serve", "--addr", "127.0.0.1:0", "--in-memory"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn schemabus(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemabus"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("KAFKA_SCHEMA_REGISTRY_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn completed() -> DebateCompleted {
    DebateCompleted {
        debate_id: Uuid::new_v4(),
        topic: "Registries".to_owned(),
        winner: Some("B".to_owned()),
        consensus: false,
        decision_type: DecisionType::Simple,
        decision_id: Uuid::new_v4(),
        summary: "decoded by the CLI".to_owned(),
        metadata: EventMetadata::new(),
    }
}

#[test]
fn register_puts_every_schema_under_its_subject() {
    let server = Server::start();
    let dry = schemabus(&["register", "--registry", &server.url, "--dry-run"], None);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    assert!(text(&dry.stdout).ends_with("67 of 67 subject(s) would be accepted\n"));
    let out = schemabus(&["register", "--registry", &server.url], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("zamaz.debate.DebateCompleted: id "),
        "{stdout}"
    );
    assert!(stdout.contains("(version 1, new)"));
    assert!(stdout.ends_with("67 of 67 subject(s) registered\n"));
    let again = text(&schemabus(&["register", "--registry", &server.url], None).stdout);
    assert_eq!(again.matches("unchanged").count(), 67, "{again}");
    let none = schemabus(&["register"], None);
    assert_eq!(none.status.code(), Some(2));
    assert!(text(&none.stderr).contains("no registry"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_prints_a_framed_value_as_json() {
    let server = Server::start();
    let registry = HttpRegistry::new(&server.url).unwrap();
    let id = registry
        .register("zamaz.debate.DebateCompleted", DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    let event = completed();
    let framed = wire::frame(id, &event.to_avro_bytes().unwrap());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &framed).unwrap();
    let out = schemabus(
        &[
            "decode",
            file.path().to_str().unwrap(),
            "--registry",
            &server.url,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema_id"], id);
    assert_eq!(json["type"], "zamaz.debate.DebateCompleted");
    assert_eq!(json["data"]["debate_id"], event.debate_id.to_string());
    assert_eq!(json["data"]["summary"], "decoded by the CLI");
    assert_eq!(json["data"]["decision_type"], "SIMPLE");
    // The same as hexadecimal text on standard input.
    let hex: String = framed.iter().map(|b| format!("{b:02x}")).collect();
    let out = schemabus(
        &["decode", "--hex", "--registry", &server.url],
        Some(hex.as_bytes()),
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        json
    );
    // An id the registry does not know, and garbage.
    let unknown = wire::frame(id + 1000, &event.to_avro_bytes().unwrap());
    let out = schemabus(&["decode", "--registry", &server.url], Some(&unknown));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!("schema id {}", id + 1000)),
        "{}",
        text(&out.stderr)
    );
    let out = schemabus(&["decode", "--registry", &server.url], Some(b"garbage"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("neither CloudEvents JSON nor Avro"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_avro_and_json_events_alike() {
    let servers = broker_or_skip!();
    let server = Server::start();
    let spool = tempfile::tempdir().unwrap();
    let config = support::kafka::config(&servers, "tail", &spool).schema_registry_url(&server.url);
    let (avro, json) = (completed(), completed());
    EventProducer::new(&config.clone().use_avro(true), &CATALOG)
        .unwrap()
        .publish(&avro)
        .await
        .unwrap();
    EventProducer::new(&config, &CATALOG)
        .unwrap()
        .publish(&json)
        .await
        .unwrap();
    let out = schemabus(
        &[
            "tail",
            "debate",
            "--from-beginning",
            "--max",
            "2",
            "--kafka",
            &servers,
            "--topic-prefix",
            &config.topic_prefix,
            "--registry",
            &server.url,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut ids: Vec<String> = lines
        .iter()
        .map(|l| l["data"]["debate_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected = vec![avro.debate_id.to_string(), json.debate_id.to_string()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(lines
        .iter()
        .all(|l| l["type"] == "zamaz.debate.DebateCompleted"));
}

#[test]
fn check_compares_with_the_versions_in_a_registry() {
    let server = Server::start();
    let out = schemabus(&["register", "--registry", &server.url], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = schemabus(&["check", "--registry", &server.url], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // A copy of the project with a type changed: the registry's version 1
    // is what it breaks.
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cp")
        .args(["-r", "schemas", "schemabus.toml"])
        .arg(dir.path())
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let file = dir.path().join("schemas/debate/DebateCompleted.avsc");
    let schema = std::fs::read_to_string(&file).unwrap();
    let edited = schema.replacen(
        "\"name\": \"topic\",\n      \"type\": \"string\"",
        "\"name\": \"topic\",\n      \"type\": \"int\"",
        1,
    );
    assert_ne!(schema, edited);
    std::fs::write(&file, edited).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_schemabus"))
        .args(["check", "--registry", &server.url])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "`string` data written by registry version 1 cannot be read as `int` [TYPE_MISMATCH]"
        ),
        "{}",
        text(&out.stdout)
    );
    // An unreachable registry is an input error.
    let out = schemabus(&["check", "--registry", "http://127.0.0.1:9"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot connect"),
        "{}",
        text(&out.stderr)
    );
}
