use std::fs;

use super::*;

fn fname(ns: &str, name: &str) -> FullName {
    FullName {
        namespace: ns.into(),
        name: name.into(),
    }
}

fn sources(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, s)| ((*p).to_owned(), (*s).to_owned()))
        .collect()
}

fn schema_errors(r: Result<Model, Error>) -> Vec<Diagnostic> {
    match r {
        Err(Error::Schema(d)) => d,
        other => panic!("expected schema errors, got {other:?}"),
    }
}

const SEVERITY: &str = r#"{"type": "enum", "name": "Severity", "namespace": "zamaz.common", "symbols": ["LOW", "HIGH"]}"#;

#[test]
fn cross_file_references_in_any_order() -> Result<(), Error> {
    let m = load_sources(sources(&[
        (
            "performance/Breached.avsc",
            r#"{"type": "record", "name": "Breached", "namespace": "zamaz.performance", "fields": [
                {"name": "severity", "type": "zamaz.common.Severity", "default": "HIGH"}]}"#,
        ),
        ("common/Severity.avsc", SEVERITY),
    ]))?;
    let rels: Vec<_> = m.files.iter().map(|f| f.rel_path.as_str()).collect();
    assert_eq!(rels, ["common/Severity.avsc", "performance/Breached.avsc"]);
    assert_eq!(
        m.files[1].root,
        Schema::Ref(fname("zamaz.performance", "Breached"))
    );
    assert_eq!(
        m.get(&fname("zamaz.performance", "Breached"))
            .map(|t| t.span.file),
        Some(1)
    );
    assert_eq!(m.types.len(), 2);
    Ok(())
}

#[test]
fn unknown_type_gets_a_suggestion() {
    let src = "{\n  \"type\": \"record\", \"name\": \"M\", \"namespace\": \"zamaz.performance\",\n  \"fields\": [{\"name\": \"s\",\n      \"type\": \"zamaz.common.Sevrity\"}]}";
    let d = schema_errors(load_sources(sources(&[
        ("common/Severity.avsc", SEVERITY),
        ("p/M.avsc", src),
    ])));
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].to_string(),
        "error: unknown type `zamaz.common.Sevrity`\n --> p/M.avsc:4:15\n  |\n4 |       \"type\": \"zamaz.common.Sevrity\"}]}\n  |               ^\n  = help: did you mean `zamaz.common.Severity`?"
    );
    // The same simple name in another namespace is suggested fully qualified.
    let src = r#"{"type": "record", "name": "M", "namespace": "zamaz.performance", "fields": [{"name": "s", "type": "Severity"}]}"#;
    let d = schema_errors(load_sources(sources(&[
        ("common/Severity.avsc", SEVERITY),
        ("p/M.avsc", src),
    ])));
    assert_eq!(
        d[0].message,
        "unknown type `Severity` (looked for `zamaz.performance.Severity` and `Severity`)"
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some("did you mean `zamaz.common.Severity`?")
    );
    let src = r#"{"type": "record", "name": "M", "fields": [{"name": "s", "type": "Nothing"}]}"#;
    let d = schema_errors(load_sources(sources(&[("m.avsc", src)])));
    assert!(d[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("under the schema root")));
    let src = r#"{"type": "record", "name": "M", "fields": [{"name": "s", "type": "String"}]}"#;
    let d = schema_errors(load_sources(sources(&[("m.avsc", src)])));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `string`?"));
}

#[test]
fn duplicate_definitions_name_both_places() {
    let d = schema_errors(load_sources(sources(&[
        ("b.avsc", SEVERITY),
        ("a.avsc", SEVERITY),
    ])));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, PathBuf::from("b.avsc"));
    assert_eq!(
        d[0].message,
        "type `zamaz.common.Severity` is defined twice"
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some("first defined at a.avsc:1:1; rename one of them")
    );
}

#[test]
fn defaults_of_types_from_other_files_are_checked() {
    let user = r#"{"type": "record", "name": "U", "namespace": "x", "fields": [
        {"name": "s", "type": "zamaz.common.Severity", "default": "MEDIUM"}]}"#;
    let d = schema_errors(load_sources(sources(&[
        ("a/U.avsc", user),
        ("z/Severity.avsc", SEVERITY),
    ])));
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].line, d[0].col), (2, 67));
    assert_eq!(
        d[0].message,
        "invalid default for field `s` of `x.U`: default \"MEDIUM\" is not a symbol of enum `zamaz.common.Severity`"
    );
}

#[test]
fn errors_of_all_files_are_collected_without_cascades() {
    // b.avsc has an error inside E, yet a.avsc's reference to E resolves and
    // its default is not checked against the broken definition.
    let a = r#"{"type": "record", "name": "A", "fields": [{"name": "e", "type": "E", "default": "X"}, {"name": "q", "type": "Q"}]}"#;
    let b = r#"{"type": "enum", "name": "E", "symbols": ["A", "A"]}"#;
    let c = "{";
    let d = schema_errors(load_sources(sources(&[
        ("a.avsc", a),
        ("b.avsc", b),
        ("c.avsc", c),
    ])));
    let paths: Vec<_> = d
        .iter()
        .map(|d| d.path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        paths,
        ["a.avsc", "b.avsc", "c.avsc"],
        "{}",
        Error::Schema(d.clone())
    );
    assert!(Error::Schema(d)
        .to_string()
        .ends_with("\n\n3 errors in schemas"));
}

#[test]
fn load_dir_walks_recursively_and_sorts() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    fs::create_dir_all(dir.path().join("common/deeper"))?;
    fs::create_dir_all(dir.path().join("b"))?;
    fs::write(dir.path().join("common/deeper/Severity.avsc"), SEVERITY)?;
    fs::write(
        dir.path().join("b/User.avsc"),
        r#"{"type": "record", "name": "User", "fields": [{"name": "s", "type": "zamaz.common.Severity"}]}"#,
    )?;
    fs::write(dir.path().join("README.md"), "not a schema")?;
    let m = load_dir(dir.path())?;
    let rels: Vec<_> = m.files.iter().map(|f| f.rel_path.as_str()).collect();
    assert_eq!(rels, ["b/User.avsc", "common/deeper/Severity.avsc"]);
    assert_eq!(m.files[0].path, dir.path().join("b/User.avsc"));
    let m2 = load_files(
        dir.path(),
        &[
            dir.path().join("common/deeper/Severity.avsc"),
            dir.path().join("b/User.avsc"),
        ],
    )?;
    assert_eq!(m, m2);
    Ok(())
}

#[test]
fn empty_and_missing_directories() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    assert_eq!(load_dir(dir.path())?, Model::default());
    let missing = dir.path().join("nope");
    match load_dir(&missing) {
        Err(e @ Error::Io { .. }) => assert!(e.to_string().contains("nope"), "{e}"),
        other => panic!("expected an io error, got {other:?}"),
    }
    Ok(())
}
