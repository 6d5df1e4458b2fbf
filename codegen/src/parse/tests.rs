//! Tests of single-file parsing, through the loader so that defaults are
//! checked as in real use.

use super::*;
use crate::error::Error;
use crate::model::{Field, Logical, Model, NamedKind, Order};
use crate::resolve::load_sources;

fn load(src: &str) -> Result<Model, Vec<Diagnostic>> {
    match load_sources(vec![("t.avsc".into(), src.into())]) {
        Ok(m) => Ok(m),
        Err(Error::Schema(d)) => Err(d),
        Err(e) => panic!("unexpected error {e}"),
    }
}

fn ok(src: &str) -> Model {
    match load(src) {
        Ok(m) => m,
        Err(d) => panic!("unexpected errors:\n{}", Error::Schema(d)),
    }
}

fn errs(src: &str) -> Vec<Diagnostic> {
    match load(src) {
        Ok(m) => panic!("expected errors, got {m:?}"),
        Err(d) => d,
    }
}

/// The single error of `src`: (line, col, message, hint).
fn err1(src: &str) -> (u32, u32, String, Option<String>) {
    let d = errs(src);
    assert_eq!(
        d.len(),
        1,
        "expected one error, got:\n{}",
        Error::Schema(d.clone())
    );
    let d = &d[0];
    (d.line, d.col, d.message.clone(), d.hint.clone())
}

fn fname(ns: &str, name: &str) -> FullName {
    FullName {
        namespace: ns.into(),
        name: name.into(),
    }
}

fn named<'m>(m: &'m Model, ns: &str, name: &str) -> &'m NamedType {
    match m.get(&fname(ns, name)) {
        Some(t) => t,
        None => panic!(
            "no type {ns}.{name} in {:?}",
            m.types.keys().collect::<Vec<_>>()
        ),
    }
}

fn fields(t: &NamedType) -> &[Field] {
    match &t.kind {
        NamedKind::Record { fields } => fields,
        k => panic!("not a record: {k:?}"),
    }
}

fn record(fields: &str) -> String {
    format!(r#"{{"type": "record", "name": "R", "namespace": "a.b", "fields": [{fields}]}}"#)
}

#[test]
fn primitives_as_strings_and_objects() {
    let m = ok(r#""int""#);
    assert_eq!(m.files[0].root, Schema::Int(None));
    let m = ok(r#"{"type": "string", "custom": 1}"#);
    assert_eq!(m.files[0].root, Schema::String(None));
    let m = ok(r#"["null", "boolean", "int", "long", "float", "double", "bytes", "string"]"#);
    let Schema::Union(b) = &m.files[0].root else {
        panic!("union")
    };
    assert_eq!(b.len(), 8);
}

#[test]
fn nested_definitions_and_namespaces() {
    let m = ok(r#"{
      "type": "record", "name": "Outer", "namespace": "a.b", "doc": "outer",
      "aliases": ["Old", "x.y.Older"],
      "aggregate": "id",
      "fields": [
        {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"], "default": "RED"}},
        {"name": "f", "type": {"type": "fixed", "name": "c.d.Hash", "size": 4}},
        {"name": "g", "type": {"type": "array", "items": {"type": "record", "name": "Inner", "fields": [
            {"name": "h", "type": {"type": "record", "name": "Deep", "namespace": "", "fields": []}},
            {"name": "i", "type": "c.d.Hash", "doc": "a reference"}
        ]}}},
        {"name": "j", "type": "c.d.Hash", "order": "descending", "aliases": ["jj"], "extra": [1]},
        {"name": "k", "type": {"type": "error", "name": "Oops", "fields": []}}
      ]
    }"#);
    let outer = named(&m, "a.b", "Outer");
    assert_eq!(outer.doc.as_deref(), Some("outer"));
    assert_eq!(
        outer.aliases,
        vec![fname("a.b", "Old"), fname("x.y", "Older")]
    );
    assert_eq!(
        outer.props.get("aggregate"),
        Some(&JsonValue::String("id".into()))
    );
    assert_eq!(
        outer.span,
        Span {
            file: 0,
            line: 1,
            col: 1
        }
    );
    let f = fields(outer);
    assert_eq!(f[0].schema, Schema::Ref(fname("a.b", "Color")));
    assert_eq!(f[1].schema, Schema::Ref(fname("c.d", "Hash")));
    assert_eq!(
        f[2].schema,
        Schema::Array(Box::new(Schema::Ref(fname("a.b", "Inner"))))
    );
    assert_eq!(f[3].order, Order::Descending);
    assert_eq!(f[3].aliases, vec!["jj".to_owned()]);
    assert_eq!(
        f[3].props.get("extra"),
        Some(&JsonValue::Array(vec![JsonValue::Number("1".into())]))
    );
    let inner = named(&m, "a.b", "Inner");
    assert_eq!(fields(inner)[0].schema, Schema::Ref(fname("", "Deep")));
    assert!(matches!(
        named(&m, "a.b", "Oops").kind,
        NamedKind::Record { .. }
    ));
    let NamedKind::Enum { symbols, default } = &named(&m, "a.b", "Color").kind else {
        panic!("enum")
    };
    assert_eq!(symbols, &["RED", "GREEN"]);
    assert_eq!(default.as_deref(), Some("RED"));
    assert_eq!(m.types.len(), 6);
}

#[test]
fn unqualified_reference_falls_back_to_null_namespace() {
    let m = ok(
        r#"{"type": "record", "name": "R", "namespace": "a", "fields": [
        {"name": "x", "type": {"type": "record", "name": "N", "namespace": "", "fields": []}},
        {"name": "y", "type": "N"}]}"#,
    );
    assert_eq!(
        fields(named(&m, "a", "R"))[1].schema,
        Schema::Ref(fname("", "N"))
    );
}

#[test]
fn logical_types() {
    let m = ok(&record(
        r#"{"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "d", "type": {"type": "int", "logicalType": "date"}},
        {"name": "t", "type": {"type": "long", "logicalType": "local-timestamp-nanos"}},
        {"name": "m", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "f", "type": {"type": "fixed", "name": "Money", "size": 16, "logicalType": "decimal", "precision": 38}},
        {"name": "dur", "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"}},
        {"name": "x", "type": {"type": "long", "logicalType": "my-own"}},
        {"name": "y", "type": {"type": "fixed", "name": "Y", "size": 3, "logicalType": "my-own", "p": 1}}"#,
    ));
    let f = fields(named(&m, "a.b", "R"));
    assert_eq!(f[0].schema, Schema::String(Some(Logical::Uuid)));
    assert_eq!(f[1].schema, Schema::Int(Some(Logical::Date)));
    assert_eq!(
        f[2].schema,
        Schema::Long(Some(Logical::LocalTimestampNanos))
    );
    assert_eq!(
        f[3].schema,
        Schema::Bytes(Some(Logical::Decimal {
            precision: 10,
            scale: 2
        }))
    );
    assert_eq!(f[6].schema, Schema::Long(None));
    let money = named(&m, "a.b", "Money");
    assert_eq!(
        money.kind,
        NamedKind::Fixed {
            size: 16,
            logical: Some(Logical::Decimal {
                precision: 38,
                scale: 0
            })
        }
    );
    assert!(money.props.is_empty());
    let y = named(&m, "a.b", "Y");
    assert_eq!(
        y.kind,
        NamedKind::Fixed {
            size: 3,
            logical: None
        }
    );
    assert_eq!(
        y.props.get("logicalType"),
        Some(&JsonValue::String("my-own".into()))
    );
    assert_eq!(
        named(&m, "a.b", "Dur").kind,
        NamedKind::Fixed {
            size: 12,
            logical: Some(Logical::Duration)
        }
    );
}

#[test]
fn logical_type_errors() {
    let (line, col, msg, hint) = err1(r#"{"type": "string", "logicalType": "date"}"#);
    assert_eq!((line, col), (1, 35));
    assert_eq!(msg, "logical type `date` cannot annotate `string`");
    assert_eq!(
        hint.as_deref(),
        Some("`date` annotates `int`, e.g. {\"type\": \"int\", \"logicalType\": \"date\"}")
    );
    let (_, _, msg, _) = err1(r#"{"type": "bytes", "logicalType": "decimal", "precision": 0}"#);
    assert_eq!(msg, "decimal `precision` must be a positive integer");
    let (_, _, msg, _) =
        err1(r#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 5}"#);
    assert!(msg.contains("greater than `precision`"), "{msg}");
    let (_, _, msg, hint) = err1(
        r#"{"type": "fixed", "name": "F", "size": 8, "logicalType": "decimal", "precision": 19}"#,
    );
    assert_eq!(
        msg,
        "decimal precision 19 does not fit in a fixed of size 8 (at most 18 digits)"
    );
    assert!(hint.is_some());
    let (_, _, msg, _) =
        err1(r#"{"type": "fixed", "name": "F", "size": 15, "logicalType": "uuid"}"#);
    assert_eq!(
        msg,
        "logical type `uuid` needs a fixed of size 16, found size 15"
    );
    let (_, _, msg, _) = err1(r#"{"type": "bytes", "logicalType": "decimal"}"#);
    assert_eq!(msg, "decimal is missing `precision`");
    let (_, _, msg, _) =
        err1(r#"{"type": "record", "name": "R", "logicalType": "uuid", "fields": []}"#);
    assert_eq!(msg, "logical type `uuid` cannot annotate `record`");
    let (_, _, msg, hint) = err1(&record(
        r#"{"name": "t", "type": "long", "logicalType": "timestamp-millis"}"#,
    ));
    assert_eq!(msg, "`logicalType` on a field is ignored by Avro");
    assert!(
        hint.is_some_and(
            |h| h.contains("{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}")
        )
    );
    let (_, _, msg, hint) = err1(&record(r#"{"name": "t", "type": "timestamp-micros"}"#));
    assert_eq!(msg, "`timestamp-micros` is a logical type, not a type");
    assert!(hint.is_some_and(|h| h.contains("\"long\"")));
}

#[test]
fn union_rules() {
    let (line, col, msg, _) = err1(r#"["null", ["int", "string"]]"#);
    assert_eq!(
        (line, col, msg.as_str()),
        (1, 10, "a union may not directly contain another union")
    );
    let (_, col, msg, hint) = err1(r#"["int", {"type": "int", "logicalType": "date"}]"#);
    assert_eq!(
        (col, msg.as_str()),
        (9, "union contains `int` more than once")
    );
    assert!(hint.is_some_and(|h| h.contains("line 1, column 2")));
    let (_, _, msg, _) =
        err1(r#"[{"type": "array", "items": "int"}, {"type": "array", "items": "string"}]"#);
    assert_eq!(msg, "union contains `array` more than once");
    let (_, _, msg, _) = err1(
        r#"[{"type": "enum", "name": "E", "symbols": ["A"]}, {"type": "fixed", "name": "F", "size": 1}, "E"]"#,
    );
    assert_eq!(msg, "union contains `E` more than once");
    let m = ok(
        r#"[{"type": "enum", "name": "x.E", "symbols": ["A"]}, {"type": "enum", "name": "y.E", "symbols": ["A"]}]"#,
    );
    assert_eq!(m.types.len(), 2);
    assert_eq!(err1("[]").2, "empty union");
}

#[test]
fn names_and_symbols() {
    assert_eq!(
        err1(r#"{"type": "record", "name": "1Bad", "fields": []}"#).2,
        "invalid name `1Bad`"
    );
    assert_eq!(
        err1(r#"{"type": "record", "name": "R", "namespace": "a..b", "fields": []}"#).2,
        "invalid namespace `a..b`"
    );
    assert_eq!(
        err1(r#"{"type": "fixed", "name": "int", "size": 1}"#).2,
        "`int` is a primitive type and cannot name a fixed"
    );
    let (line, col, msg, hint) =
        err1("{\"type\": \"enum\", \"name\": \"E\",\n \"symbols\": [\"A\", \"B\", \"A\"]}");
    assert_eq!(
        (line, col, msg.as_str()),
        (2, 24, "duplicate enum symbol `A`")
    );
    assert_eq!(hint.as_deref(), Some("first at line 2, column 14"));
    assert_eq!(
        err1(r#"{"type": "enum", "name": "E", "symbols": ["a-b"]}"#).2,
        "invalid enum symbol `a-b`"
    );
    let (_, _, msg, hint) =
        err1(r#"{"type": "enum", "name": "E", "symbols": ["RED", "GREEN"], "default": "GREN"}"#);
    assert_eq!(msg, "enum default `GREN` is not a symbol of the enum");
    assert_eq!(hint.as_deref(), Some("did you mean `GREEN`?"));
    assert_eq!(
        err1(r#"{"type": "fixed", "name": "F", "size": -1}"#).2,
        "`size` must be a non-negative integer"
    );
    assert_eq!(
        err1(r#"{"type": "fixed", "name": "F", "size": 1.5}"#).2,
        "`size` must be a non-negative integer"
    );
    let (_, _, msg, hint) = err1(&record(
        r#"{"name": "a", "type": "int"}, {"name": "a", "type": "int"}"#,
    ));
    assert_eq!(msg, "duplicate field `a` in record `a.b.R`");
    assert!(hint.is_some());
    assert_eq!(
        err1(&record(r#"{"name": "a b", "type": "int"}"#)).2,
        "invalid field name `a b`"
    );
    assert_eq!(
        err1(&record(r#"{"name": "a", "type": "int", "order": "up"}"#)).2,
        "invalid field `order`"
    );
}

#[test]
fn structural_errors_have_hints() {
    let (_, _, msg, hint) = err1(r#"{"name": "R", "fields": []}"#);
    assert_eq!(msg, "missing `type`");
    assert_eq!(hint.as_deref(), Some("add \"type\": \"record\""));
    let (_, _, msg, hint) = err1(r#"{"type": "record", "name": "R", "feilds": []}"#);
    assert_eq!(msg, "record is missing `fields`");
    assert_eq!(
        hint.as_deref(),
        Some("did you mean `fields` instead of `feilds`?")
    );
    let (_, _, msg, hint) = err1(&record(r#"{"name": "a", "type": "array"}"#));
    assert_eq!(msg, "`array` must be written as an object");
    assert!(hint.is_some_and(|h| h.contains("\"items\"")));
    let (_, _, msg, _) = err1(r#"{"type": "map", "items": "int"}"#);
    assert_eq!(msg, "map is missing `values`");
    let (_, _, msg, _) = err1(&record(r#"{"name": "a"}"#));
    assert_eq!(msg, "field `a` is missing `type`");
    let (_, _, msg, _) = err1(r#"{"type": {"type": "string"}}"#);
    assert!(
        msg.starts_with("`type` of a schema object must be a string"),
        "{msg}"
    );
    let (_, _, msg, _) = err1("42");
    assert_eq!(msg, "expected a type, found a number");
}

#[test]
fn json_errors_are_diagnostics() {
    let (line, col, msg, _) = err1("{\"type\": \"record\",\n \"name\": \"R\" \"fields\": []}");
    assert_eq!((line, col), (2, 14));
    assert_eq!(
        msg,
        "invalid JSON: expected `,` or `}` after object member, found `\"`"
    );
}

#[test]
fn all_errors_of_a_file_are_collected() {
    let d = errs(&record(
        r#"{"name": "a", "type": "int", "default": "x"},
        {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["1"]}},
        {"name": "c", "type": ["int", "int"]},
        {"name": "d", "type": "string", "order": 3}"#,
    ));
    assert_eq!(d.len(), 4, "{}", Error::Schema(d.clone()));
}

#[test]
fn defaults_are_checked() {
    let cases: &[(&str, &str)] = &[
        (r#""null""#, "1"),
        (r#""boolean""#, "0"),
        (r#""int""#, "1.5"),
        (r#""int""#, "2147483648"),
        (r#""long""#, "\"1\""),
        (r#""double""#, "\"NaN\""),
        (r#""bytes""#, "\"\\u0100\""),
        (r#""string""#, "null"),
        (r#"{"type": "array", "items": "int"}"#, "[1, \"x\"]"),
        (r#"{"type": "map", "values": "int"}"#, "{\"a\": true}"),
        (r#"{"type": "fixed", "name": "F", "size": 2}"#, "\"abc\""),
        (
            r#"{"type": "enum", "name": "E", "symbols": ["A"]}"#,
            "\"B\"",
        ),
        (
            r#"{"type": "record", "name": "S", "fields": [{"name": "x", "type": "int"}]}"#,
            "{}",
        ),
        (
            r#"{"type": "record", "name": "S", "fields": [{"name": "x", "type": "int"}]}"#,
            "{\"x\": 1, \"y\": 2}",
        ),
        (r#"["int", "null"]"#, "null"),
    ];
    for (ty, default) in cases {
        let d = errs(&record(&format!(
            r#"{{"name": "f", "type": {ty}, "default": {default}}}"#
        )));
        assert_eq!(
            d.len(),
            1,
            "{ty} with default {default}: {}",
            Error::Schema(d.clone())
        );
        assert!(
            d[0].message
                .starts_with("invalid default for field `f` of `a.b.R`"),
            "{}",
            d[0].message
        );
    }
    let good: &[(&str, &str)] = &[
        (r#""null""#, "null"),
        (r#""int""#, "-2147483648"),
        (r#""long""#, "9223372036854775807"),
        (r#""float""#, "1e10"),
        (r#""bytes""#, "\"\\u00ff\""),
        (r#"{"type": "array", "items": "int"}"#, "[1, 2]"),
        (r#"{"type": "map", "values": "string"}"#, "{\"a\": \"b\"}"),
        (
            r#"{"type": "fixed", "name": "F", "size": 2}"#,
            "\"\\u00ff\\u0000\"",
        ),
        (
            r#"{"type": "record", "name": "S", "fields": [{"name": "x", "type": "int", "default": 1}]}"#,
            "{}",
        ),
        (r#"["null", "int"]"#, "null"),
        (r#"["int", "null"]"#, "3"),
    ];
    for (ty, default) in good {
        ok(&record(&format!(
            r#"{{"name": "f", "type": {ty}, "default": {default}}}"#
        )));
    }
}

#[test]
fn default_errors_point_at_the_value() {
    let src = "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"f\", \"type\": {\"type\": \"array\", \"items\": \"int\"},\n   \"default\": [1, \"x\"]}]}";
    let (line, col, msg, _) = err1(src);
    assert_eq!((line, col), (3, 19));
    assert_eq!(
        msg,
        "invalid default for field `f` of `R`: default must be an integer (`int`), found \"x\""
    );
    let (_, _, msg, hint) = err1(&record(
        r#"{"name": "f", "type": ["string", "null"], "default": null}"#,
    ));
    assert!(
        msg.contains("a union's default must match its first branch (`string`)"),
        "{msg}"
    );
    assert_eq!(
        hint.as_deref(),
        Some("move \"null\" to the front of the union")
    );
}

#[test]
fn parse_file_reports_definitions_and_references() -> Result<(), Vec<Diagnostic>> {
    let src = r#"{"type": "record", "name": "R", "namespace": "n", "fields": [
        {"name": "a", "type": "Other"}, {"name": "b", "type": "x.Y", "default": {}}]}"#;
    let p = parse_file(2, Path::new("dir/r.avsc"), "r.avsc", src)?;
    assert_eq!(p.root, Schema::Ref(fname("n", "R")));
    assert_eq!(p.types.len(), 1);
    assert_eq!(p.references.len(), 2);
    assert_eq!(p.references[0].name, fname("n", "Other"));
    assert_eq!(p.references[0].fallback, Some(fname("", "Other")));
    assert_eq!(
        p.references[0].span,
        Span {
            file: 2,
            line: 2,
            col: 31
        }
    );
    assert_eq!(p.references[1].fallback, None);
    assert_eq!(p.defaults.len(), 1);
    assert_eq!(p.defaults[0].field, "b");
    Ok(())
}
