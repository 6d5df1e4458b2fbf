//! One test per compatibility rule: `tests/compat/previous/<rule>/` holds
//! the old schema, `tests/compat/current/<rule>/` the new one; each test
//! asserts every finding — rule, JSON pointer, line:column and message.

#![allow(clippy::unwrap_used)]

use schemabus::compat::{check_level, locate, Finding, Level, Schema};

/// `RULE path @line:col message` for each finding of `current` against
/// `previous` at `level`.
fn findings(rule: &str, level: Level) -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat");
    let read =
        |side: &str| std::fs::read_to_string(format!("{dir}/{side}/{rule}/Order.avsc")).unwrap();
    let (old_text, new_text) = (read("previous"), read("current"));
    let (old, new) = (
        Schema::parse_str(&old_text).unwrap(),
        Schema::parse_str(&new_text).unwrap(),
    );
    check_level(&new, &[old], level)
        .iter()
        .map(|brk| {
            let f = Finding::from_break("shop.Order", brk, "version 1");
            let at = locate(&new_text, &f.path).unwrap();
            format!(
                "{} {} @{}:{} {}",
                f.rule, f.path, at.line, at.column, f.message
            )
        })
        .collect()
}

#[test]
fn type_mismatch() {
    assert_eq!(
        findings("type_mismatch", Level::Full),
        [
            "TYPE_MISMATCH /fields/1/type @7:32 type changed from `int` to `string`; `int` data written by version 1 cannot be read as `string`",
            "TYPE_MISMATCH /fields/2/type/items @8:57 type changed from `string` to `long`; `string` data written by version 1 cannot be read as `long`",
            "TYPE_MISMATCH /fields/1/type @7:32 type changed from `int` to `string`; version 1 reads `int` and cannot read the new `string` data",
            "TYPE_MISMATCH /fields/2/type/items @8:57 type changed from `string` to `long`; version 1 reads `string` and cannot read the new `long` data",
            "TYPE_MISMATCH /fields/3/type @9:32 type changed from `float` to `double`; version 1 reads `float` and cannot read the new `double` data",
        ]
    );
    // float → double is a promotion: only old readers of `weight` break.
    assert_eq!(findings("type_mismatch", Level::Backward).len(), 2);
}

#[test]
fn reader_field_missing_default_value() {
    assert_eq!(
        findings("reader_field_missing_default_value", Level::Backward),
        [
            "READER_FIELD_MISSING_DEFAULT_VALUE /fields/1 @7:5 field `currency` was added to `shop.Order` without a default",
            "READER_FIELD_MISSING_DEFAULT_VALUE /fields/2 @8:5 field `note` was added to `shop.Order` without a default",
        ]
    );
    // Old readers ignore the new fields.
    assert!(findings("reader_field_missing_default_value", Level::Forward).is_empty());
}

#[test]
fn missing_enum_symbols() {
    assert_eq!(
        findings("missing_enum_symbols", Level::Backward),
        ["MISSING_ENUM_SYMBOLS /fields/0/type/symbols @6:78 enum `shop.Status` removed symbol(s) `PAID` that version 1 can write"]
    );
}

#[test]
fn name_mismatch() {
    assert_eq!(
        findings("name_mismatch", Level::Backward),
        [
            "NAME_MISMATCH /fields/0/type/name @6:57 named type renamed from `shop.Status` to `shop.State`",
            "NAME_MISMATCH /name @3:11 named type renamed from `shop.Order` to `shop.Purchase`",
        ]
    );
}

#[test]
fn fixed_size_mismatch() {
    assert_eq!(
        findings("fixed_size_mismatch", Level::Backward),
        ["FIXED_SIZE_MISMATCH /fields/0/type/size @6:72 fixed size changed from 16 to 32 bytes"]
    );
}

#[test]
fn missing_union_branch() {
    assert_eq!(
        findings("missing_union_branch", Level::Backward),
        [
            "MISSING_UNION_BRANCH /fields/0/type @6:29 union no longer has a branch for `long`, which version 1 can write",
            "MISSING_UNION_BRANCH /fields/1/type @7:30 union no longer has a branch for `int`, which version 1 can write",
        ]
    );
}

/// `rule reader_path writer_path` of each incompatibility, new reading old.
fn pairs(new: &str, old: &str) -> Vec<String> {
    let (new, old) = (
        Schema::parse_str(new).unwrap(),
        Schema::parse_str(old).unwrap(),
    );
    schemabus::compat::check_pair(&new, &old)
        .iter()
        .map(|i| format!("{} {} {}", i.rule, i.reader_path, i.writer_path))
        .collect()
}

#[test]
fn a_type_may_refer_to_itself_through_a_nullable_union() {
    let old = r#"{"type":"record","name":"LongList","fields":[
        {"name":"value","type":"long"},
        {"name":"next","type":["null","LongList"]}]}"#;
    let new = r#"{"type":"record","name":"LongList","fields":[
        {"name":"value","type":"long"},
        {"name":"next","type":["null","LongList"]},
        {"name":"label","type":"string"}]}"#;
    assert!(pairs(old, old).is_empty());
    assert_eq!(
        pairs(new, old),
        ["READER_FIELD_MISSING_DEFAULT_VALUE /fields/2 /fields"]
    );
}

#[test]
fn findings_about_a_named_type_point_at_the_use_that_changed() {
    let old = r#"{"type":"record","name":"Order","fields":[
        {"name":"billing","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}},
        {"name":"shipping","type":["null","Address"]},
        {"name":"note","type":"string"}]}"#;
    let new = r#"{"type":"record","name":"Order","fields":[
        {"name":"billing","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}},
        {"name":"shipping","type":"Address"},
        {"name":"note","type":"Address"}]}"#;
    assert_eq!(
        pairs(new, old),
        [
            "TYPE_MISMATCH /fields/1/type /fields/1/type/0",
            "TYPE_MISMATCH /fields/2/type /fields/2/type",
        ]
    );
}

#[test]
fn a_change_inside_an_optional_record_is_reported_inside_it() {
    let old = r#"{"type":"record","name":"Order","fields":[
        {"name":"address","type":["null",{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}]}]}"#;
    let new = r#"{"type":"record","name":"Order","fields":[
        {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
            {"name":"street","type":"string"},
            {"name":"zip","type":"string"}]}]}]}"#;
    assert_eq!(
        pairs(new, old),
        ["READER_FIELD_MISSING_DEFAULT_VALUE /fields/0/type/1/fields/1 /fields/0/type/1/fields"]
    );
}

#[test]
fn aliases_name_the_old_type_by_its_full_name() {
    let old = r#"{"type":"record","name":"Old","namespace":"b","fields":[]}"#;
    // `Old` qualifies to `a.Old`, which is not `b.Old`.
    let wrong_namespace =
        r#"{"type":"record","name":"New","namespace":"a","aliases":["Old"],"fields":[]}"#;
    let right = r#"{"type":"record","name":"New","namespace":"a","aliases":["b.Old"],"fields":[]}"#;
    assert_eq!(pairs(wrong_namespace, old), ["NAME_MISMATCH /name /name"]);
    assert!(pairs(right, old).is_empty());
}

#[test]
fn forward_findings_point_into_the_new_schema() {
    let old = r#"{"type":"record","name":"R","fields":[
        {"name":"color","type":{"type":"enum","name":"Color","symbols":["RED"]}},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":16}}]}"#;
    let new = r#"{"type":"record","name":"R","fields":[
        {"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","BLUE"]}},
        {"name":"hash","type":{"type":"fixed","name":"Digest","size":32}}]}"#;
    let (new, old) = (
        Schema::parse_str(new).unwrap(),
        Schema::parse_str(old).unwrap(),
    );
    let found: Vec<String> = check_level(&new, &[old], Level::Forward)
        .iter()
        .map(|b| format!("{} {}", b.incompatibility.rule, b.new_path()))
        .collect();
    assert_eq!(
        found,
        [
            "NAME_MISMATCH /fields/1/type/name",
            "FIXED_SIZE_MISMATCH /fields/1/type/size",
            "MISSING_ENUM_SYMBOLS /fields/0/type/symbols",
        ]
    );
}
