use apache_avro::rabin::Rabin;

use super::*;
use crate::error::Error;
use crate::resolve::load_sources;

fn model(files: &[&str]) -> Result<Model, Error> {
    load_sources(
        files
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("f{i}.avsc"), (*s).to_owned()))
            .collect(),
    )
}

/// PCF of the root of the single file `src`.
fn pcf(src: &str) -> Result<String, Error> {
    let m = model(&[src])?;
    Ok(parsing_canonical_form(&m, &m.files[0].root))
}

fn fname(full: &str) -> FullName {
    match full.rsplit_once('.') {
        Some((ns, n)) => FullName {
            namespace: ns.into(),
            name: n.into(),
        },
        None => FullName {
            namespace: String::new(),
            name: full.into(),
        },
    }
}

/// apache-avro 0.22's canonical form departs from the spec in three ways:
/// it keeps `precision`/`scale` of decimals and a field's `order` (which
/// [STRIP] removes), and writes a primitive with a logical type as
/// `{"type":"long"}` (which [PRIMITIVES] turns into `"long"`). Undo those so
/// the rest of the form can be compared.
fn normalize_apache(pcf: &str) -> String {
    let mut out = pcf.to_owned();
    for attr in [",\"precision\":", ",\"order\":"] {
        while let Some(start) = out.find(attr) {
            let end = out[start + 1..]
                .find(['}', ']'])
                .map_or(out.len(), |e| start + 1 + e);
            out.replace_range(start..end, "");
        }
    }
    for p in [
        "null", "boolean", "int", "long", "float", "double", "bytes", "string",
    ] {
        out = out.replace(&format!("{{\"type\":\"{p}\"}}"), &format!("\"{p}\""));
    }
    out
}

#[test]
fn spec_examples() -> Result<(), Error> {
    assert_eq!(pcf(r#""int""#)?, r#""int""#);
    assert_eq!(pcf(r#"{"type": "int"}"#)?, r#""int""#);
    assert_eq!(
        pcf(r#"{"type": "long", "logicalType": "timestamp-millis"}"#)?,
        r#""long""#
    );
    assert_eq!(
        pcf(
            r#"{"type": "record", "name": "R", "namespace": "x.y", "doc": "d", "aliases": ["Q"], "p": 1,
              "fields": [{"name": "a", "type": {"type": "array", "items": "R"}, "doc": "x", "default": [], "order": "ignore"},
                         {"name": "m", "type": {"type": "map", "values": ["null", {"type": "fixed", "name": "F", "size": 4}]}},
                         {"name": "e", "type": {"namespace": "z", "symbols": ["A", "B"], "name": "E", "type": "enum", "default": "A"}},
                         {"name": "f", "type": "F"}]}"#
        )?,
        concat!(
            r#"{"name":"x.y.R","type":"record","fields":["#,
            r#"{"name":"a","type":{"type":"array","items":"x.y.R"}},"#,
            r#"{"name":"m","type":{"type":"map","values":["null",{"name":"x.y.F","type":"fixed","size":4}]}},"#,
            r#"{"name":"e","type":{"name":"z.E","type":"enum","symbols":["A","B"]}},"#,
            r#"{"name":"f","type":"x.y.F"}]}"#
        )
    );
    Ok(())
}

#[test]
fn spec_fingerprints() {
    // From the Avro repository's schema-tests.txt (as signed 64-bit values).
    let cases: &[(&str, i64)] = &[
        (r#""null""#, 7195948357588979594),
        (r#""boolean""#, -6970731678124411036),
        (
            r#"{"name":"foo","type":"fixed","size":15}"#,
            1756455273707447556,
        ),
        (
            r#"{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}"#,
            -1759257747318642341,
        ),
    ];
    for (text, fp) in cases {
        assert_eq!(rabin_fingerprint(text.as_bytes()), *fp as u64, "{text}");
    }
    assert_eq!(rabin_fingerprint(b""), RABIN_EMPTY);
    assert_eq!(fingerprint_hex(7195948357588979594), "63dd24e7cc258f8a");
    assert_eq!(fingerprint_hex(1), "0000000000000001");
}

/// Schemas covering every construct, each file defining what the later ones use.
const CORPUS: &[&str] = &[
    r#"{"type": "enum", "name": "Severity", "namespace": "zamaz.common", "doc": "How bad.", "aliases": ["Level"],
        "symbols": ["LOW", "MEDIUM", "HIGH"], "default": "LOW", "owner": "ops"}"#,
    r#"{"type": "fixed", "name": "zamaz.common.Money", "size": 16, "logicalType": "decimal", "precision": 20, "scale": 4}"#,
    r#"{"type": "record", "name": "Node", "namespace": "zamaz.tree", "doc": "A recursive record.", "fields": [
        {"name": "value", "type": "long", "doc": "The value \"quoted\" é\n"},
        {"name": "children", "type": {"type": "array", "items": "Node"}, "default": []},
        {"name": "next", "type": ["null", "Node"], "default": null, "order": "descending"},
        {"name": "label", "type": {"type": "map", "values": "string"}, "default": {"a": "b"}, "aliases": ["tag"]}
    ]}"#,
    r#"{"type": "record", "name": "Everything", "namespace": "zamaz.debate", "aggregate": "id", "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "flag", "type": "boolean", "default": true},
        {"name": "i", "type": "int", "default": -1},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "tu", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "tsu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "lts", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "ltsu", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "f", "type": "float", "default": 1.5},
        {"name": "d", "type": "double", "default": 1e3},
        {"name": "raw", "type": "bytes", "default": "\u00ff\u0000"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "money", "type": "zamaz.common.Money"},
        {"name": "dur", "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"}},
        {"name": "uid", "type": {"type": "fixed", "name": "Uid", "size": 16, "logicalType": "uuid"}},
        {"name": "severity", "type": "zamaz.common.Severity", "default": "HIGH"},
        {"name": "again", "type": ["null", "zamaz.common.Severity", "Dur"], "default": null},
        {"name": "tree", "type": "zamaz.tree.Node"},
        {"name": "plain", "type": {"type": "record", "name": "Plain", "namespace": "", "fields": [
            {"name": "x", "type": "int"}]}, "default": {"x": 1}},
        {"name": "inner", "type": {"type": "error", "name": "Failure", "fields": [
            {"name": "why", "type": "string", "default": "unknown"}]}},
        {"name": "nested", "type": {"type": "map", "values": {"type": "array", "items": ["null", "string"]}}}
    ]}"#,
];

#[test]
fn standalone_json_parses_with_apache_avro() -> Result<(), Box<dyn std::error::Error>> {
    let m = model(CORPUS)?;
    for name in m.types.keys() {
        let json = standalone_json(&m, name);
        let parsed = apache_avro::Schema::parse_str(&json)
            .map_err(|e| format!("{}: {e}\n{json}", name.full()))?;
        // Our PCF and fingerprint agree with apache-avro's for the same schema.
        let ours = parsing_canonical_form_of(&m, name);
        let theirs = parsed.canonical_form();
        assert_eq!(ours, normalize_apache(&theirs), "{}", name.full());
        if ours == theirs {
            let fp = parsed.fingerprint::<Rabin>().bytes;
            assert_eq!(
                rabin_fingerprint(ours.as_bytes()).to_le_bytes().as_slice(),
                fp.as_slice()
            );
        }
        // Our own parser reads it back to the same schema.
        let again = model(&[&json])?;
        assert_eq!(standalone_json(&again, name), json);
    }
    Ok(())
}

#[test]
fn standalone_json_layout() -> Result<(), Error> {
    let m = model(CORPUS)?;
    assert_eq!(
        standalone_json(&m, &fname("zamaz.common.Severity")),
        r#"{"type":"enum","name":"zamaz.common.Severity","doc":"How bad.","aliases":["zamaz.common.Level"],"owner":"ops","symbols":["LOW","MEDIUM","HIGH"],"default":"LOW"}"#
    );
    assert_eq!(
        standalone_json(&m, &fname("zamaz.tree.Node")),
        concat!(
            r#"{"type":"record","name":"zamaz.tree.Node","doc":"A recursive record.","fields":["#,
            r#"{"name":"value","type":"long","doc":"The value \"quoted\" é\n"},"#,
            r#"{"name":"children","type":{"type":"array","items":"zamaz.tree.Node"},"default":[]},"#,
            r#"{"name":"next","type":["null","zamaz.tree.Node"],"default":null,"order":"descending"},"#,
            r#"{"name":"label","type":{"type":"map","values":"string"},"default":{"a":"b"},"aliases":["tag"]}]}"#
        )
    );
    let json = standalone_json(&m, &fname("zamaz.debate.Everything"));
    assert!(
        json.contains(r#""name":"Plain","namespace":"","fields""#),
        "{json}"
    );
    assert!(json.contains(
        r#"{"type":"fixed","name":"zamaz.common.Money","size":16,"logicalType":"decimal","precision":20,"scale":4}"#
    ));
    Ok(())
}

#[test]
fn pcf_matches_apache_avro_for_single_schemas() -> Result<(), Box<dyn std::error::Error>> {
    let schemas = [
        r#""string""#,
        r#"{"type": "bytes", "logicalType": "decimal", "precision": 4}"#,
        r#"["null", "int", {"type": "array", "items": {"type": "map", "values": "double"}}]"#,
        r#"{"type": "record", "name": "a.R", "doc": "x", "fields": [{"name": "r", "type": ["null", "R"]}]}"#,
        r#"{"type": "enum", "namespace": "n", "name": "E", "symbols": ["X"], "aliases": ["F"]}"#,
    ];
    for src in schemas {
        let ours = pcf(src)?;
        let theirs = apache_avro::Schema::parse_str(src)?.canonical_form();
        assert_eq!(ours, normalize_apache(&theirs), "{src}");
    }
    Ok(())
}
