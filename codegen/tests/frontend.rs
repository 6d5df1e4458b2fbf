//! The front end (load, resolve, canonical forms) on the project's own schemas.

use std::path::Path;

use schemabus_codegen::canonical::{
    fingerprint_hex, parsing_canonical_form_of, rabin_fingerprint, standalone_json,
};
use schemabus_codegen::error::Error;
use schemabus_codegen::resolve::load_dir;

#[test]
fn project_schemas_load_and_render() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    if !root.is_dir() {
        return Ok(());
    }
    let model = load_dir(&root).map_err(|e: Error| e.to_string())?;
    assert!(!model.types.is_empty());
    for name in model.types.keys() {
        let json = standalone_json(&model, name);
        let parsed = apache_avro::Schema::parse_str(&json)
            .map_err(|e| format!("{}: {e}\n{json}", name.full()))?;
        assert!(!parsed.canonical_form().is_empty());
        let pcf = parsing_canonical_form_of(&model, name);
        assert_eq!(fingerprint_hex(rabin_fingerprint(pcf.as_bytes())).len(), 16);
    }
    Ok(())
}

#[test]
fn a_bad_schema_fails_with_every_problem() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let write = |name: &str, text: &str| {
        if let Err(e) = std::fs::write(dir.path().join(name), text) {
            panic!("write {name}: {e}");
        }
    };
    write(
        "Breached.avsc",
        r#"{
  "type": "record",
  "name": "Breached",
  "namespace": "zamaz.performance",
  "fields": [
    {"name": "severity", "type": "zamaz.common.Sevrity"},
    {"name": "at", "type": "long", "logicalType": "timestamp-millis"}
  ]
}"#,
    );
    write(
        "Severity.avsc",
        r#"{"type": "enum", "name": "Severity", "namespace": "zamaz.common", "symbols": ["LOW"]}"#,
    );
    let err = match load_dir(dir.path()) {
        Ok(m) => panic!("expected errors, got {m:?}"),
        Err(e) => e,
    };
    let text = err.to_string();
    assert!(
        text.contains("error: unknown type `zamaz.common.Sevrity`"),
        "{text}"
    );
    assert!(text.contains("Breached.avsc:6:34"), "{text}");
    assert!(
        text.contains("= help: did you mean `zamaz.common.Severity`?"),
        "{text}"
    );
    assert!(
        text.contains("`logicalType` on a field is ignored by Avro"),
        "{text}"
    );
    assert!(text.ends_with("2 errors in schemas"), "{text}");
}
