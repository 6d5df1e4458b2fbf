//! A snapshot table of every schema in `schemas/`: full name, CRC-64-AVRO
//! fingerprint and Parsing Canonical Form. A changed schema shows up as a
//! diff of this table in review, next to the `.avsc` change.
//!
//! Events come from the compiled catalog (`schemabus::events::EVENT_TYPES`),
//! the shared types from codegen's canonical functions over
//! `resolve::load_dir("schemas")`; for events the two must agree. (That
//! codegen's canonical form and fingerprint match the spec and apache-avro
//! is tested in `codegen/src/canonical/tests.rs`.)

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use schemabus::events::EVENT_TYPES;
use schemabus_codegen::canonical::{
    fingerprint_hex, parsing_canonical_form_of, rabin_fingerprint, standalone_json,
};
use schemabus_codegen::model::{FullName, Model, NamedKind};
use schemabus_codegen::resolve::load_dir;

/// The reference schemas (integration tests run in the crate directory).
fn model() -> Model {
    load_dir(Path::new("schemas")).unwrap()
}

fn full_name(s: &str) -> FullName {
    let (namespace, name) = s.rsplit_once('.').unwrap_or(("", s));
    FullName {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    }
}

fn kind(model: &Model, name: &FullName) -> &'static str {
    match model.get(name).unwrap().kind {
        NamedKind::Record { .. } => "record",
        NamedKind::Enum { .. } => "enum",
        NamedKind::Fixed { .. } => "fixed",
    }
}

fn file(model: &Model, name: &FullName) -> String {
    model.files[model.get(name).unwrap().span.file]
        .rel_path
        .clone()
}

#[test]
fn catalog_agrees_with_codegen() {
    let model = model();
    assert!(!EVENT_TYPES.is_empty());
    for event in EVENT_TYPES {
        let name = full_name(event.name);
        assert!(model.get(&name).is_some(), "{} not in schemas/", event.name);
        let pcf = parsing_canonical_form_of(&model, &name);
        assert_eq!(event.canonical_form, pcf, "{}", event.name);
        assert_eq!(
            event.fingerprint,
            rabin_fingerprint(pcf.as_bytes()),
            "{}",
            event.name
        );
        assert_eq!(
            event.schema_json,
            standalone_json(&model, &name),
            "{}",
            event.name
        );
        // The context is the file's directory.
        let path = file(&model, &name);
        assert_eq!(
            path.split_once('/').map(|(dir, _)| dir),
            Some(event.context)
        );
    }
    // Sorted by name (the catalog is binary-searched), no duplicates.
    assert!(EVENT_TYPES.windows(2).all(|w| w[0].name < w[1].name));
}

#[test]
fn every_file_outside_common_is_an_event() {
    let model = model();
    let events: BTreeSet<&str> = EVENT_TYPES.iter().map(|e| e.name).collect();
    for (i, f) in model.files.iter().enumerate() {
        let defines_event = model
            .types
            .iter()
            .any(|(n, t)| t.span.file == i && events.contains(n.full().as_str()));
        assert_eq!(
            defines_event,
            !f.rel_path.starts_with("common/"),
            "{}",
            f.rel_path
        );
    }
}

#[test]
fn schema_table() {
    let model = model();
    let events: BTreeSet<&str> = EVENT_TYPES.iter().map(|e| e.name).collect();
    let mut table = String::new();
    writeln!(
        table,
        "# events ({}), from schemabus::events::EVENT_TYPES",
        EVENT_TYPES.len()
    )
    .unwrap();
    for event in EVENT_TYPES {
        let name = full_name(event.name);
        writeln!(table).unwrap();
        writeln!(table, "{}", event.name).unwrap();
        writeln!(table, "  file:        {}", file(&model, &name)).unwrap();
        writeln!(table, "  context:     {}", event.context).unwrap();
        writeln!(
            table,
            "  fingerprint: {}",
            fingerprint_hex(event.fingerprint)
        )
        .unwrap();
        writeln!(table, "  canonical:   {}", event.canonical_form).unwrap();
    }
    let shared: Vec<&FullName> = model
        .types
        .keys()
        .filter(|n| !events.contains(n.full().as_str()))
        .collect();
    writeln!(table).unwrap();
    writeln!(
        table,
        "# shared types ({}), from schemabus_codegen::canonical",
        shared.len()
    )
    .unwrap();
    for name in shared {
        let pcf = parsing_canonical_form_of(&model, name);
        let fp = rabin_fingerprint(pcf.as_bytes());
        writeln!(table).unwrap();
        writeln!(table, "{} ({})", name.full(), kind(&model, name)).unwrap();
        writeln!(table, "  file:        {}", file(&model, name)).unwrap();
        writeln!(table, "  fingerprint: {}", fingerprint_hex(fp)).unwrap();
        writeln!(table, "  canonical:   {pcf}").unwrap();
    }
    insta::assert_snapshot!("schemas", table);
}
