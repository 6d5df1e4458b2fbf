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
