//! Lints: checks of one schema version that no reader/writer pair catches —
//! missing docs, defaults that a later change will need, naming.
//!
//! Each lint has a rule ID (subject-then-constraint, like buf's) and a
//! [`LintLevel`] in [`LintConfig`]:
//!
//! - `DOC_MISSING` ([`docs`](LintConfig::docs)): a record, enum or record
//!   field has no non-empty `doc`.
//! - `FIELD_DEFAULT_MISSING` ([`field_defaults`](LintConfig::field_defaults)):
//!   a field added since the previous version has no default.
//! - `ENUM_DEFAULT_MISSING` ([`enum_default`](LintConfig::enum_default)): an
//!   enum has no `default` symbol.
//! - `NULLABLE_DEFAULT_NOT_NULL`
//!   ([`nullable_default_null`](LintConfig::nullable_default_null)): a field
//!   whose union has `null` is not `["null", …]` with `"default": null`.
//! - `NAMING` ([`naming`](LintConfig::naming)): type names UpperCamelCase,
//!   field names snake_case, enum symbols UPPER_SNAKE_CASE.

use serde::Deserialize;
use serde_json::Value;

use super::finding::{Finding, Severity};
use super::schema::{Field, Kind, Name, NodeId, Schema};

const DOC_MISSING: &str = "DOC_MISSING";
const FIELD_DEFAULT_MISSING: &str = "FIELD_DEFAULT_MISSING";
const ENUM_DEFAULT_MISSING: &str = "ENUM_DEFAULT_MISSING";
const NULLABLE_DEFAULT_NOT_NULL: &str = "NULLABLE_DEFAULT_NOT_NULL";
const NAMING: &str = "NAMING";

/// How a lint reports: not at all, as a warning, or as an error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    /// The lint does not run.
    Off,
    /// Findings are [`Severity::Warning`]s.
    #[default]
    Warn,
    /// Findings are [`Severity::Error`]s and fail the check.
    Error,
}

impl LintLevel {
    fn severity(self) -> Option<Severity> {
        match self {
            LintLevel::Off => None,
            LintLevel::Warn => Some(Severity::Warning),
            LintLevel::Error => Some(Severity::Error),
        }
    }
}

/// The level of each lint; every lint warns unless configured otherwise.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::compat::{LintConfig, LintLevel};
///
/// let config: LintConfig = serde_json::from_str(r#"{"docs": "off", "naming": "error"}"#)?;
/// assert_eq!(config.docs, LintLevel::Off);
/// assert_eq!(config.field_defaults, LintLevel::Warn);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LintConfig {
    /// `DOC_MISSING`: records, enums and fields have a non-empty `doc`.
    pub docs: LintLevel,
    /// `FIELD_DEFAULT_MISSING`: fields added since the previous version
    /// have a default.
    pub field_defaults: LintLevel,
    /// `ENUM_DEFAULT_MISSING`: enums have a `default` symbol.
    pub enum_default: LintLevel,
    /// `NULLABLE_DEFAULT_NOT_NULL`: nullable fields are `["null", …]` with
    /// `"default": null`.
    pub nullable_default_null: LintLevel,
    /// `NAMING`: type names UpperCamelCase, field names snake_case, enum
    /// symbols UPPER_SNAKE_CASE.
    pub naming: LintLevel,
}

/// Lints `schema`, the new version of `subject`, given the version before
/// it (`None` for a first version, which needs no field defaults).
///
/// Findings come in node order, then field order; their `location` and
/// `accepted` are `None` for the caller to fill in.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::compat::{lint, LintConfig, Schema};
///
/// let schema = Schema::parse_str(
///     r#"{"type":"record","name":"Paid","doc":"An order was paid.",
///         "fields":[{"name":"orderId","type":"string","doc":"The order."}]}"#,
/// )?;
/// let findings = lint("Paid", &schema, None, &LintConfig::default());
/// assert_eq!(findings[0].rule, "NAMING");
/// assert_eq!(findings[0].path, "/fields/0/name");
/// assert_eq!(findings[0].hint, "rename it to `order_id`");
/// # Ok::<(), schemabus_runtime::compat::SchemaError>(())
/// ```
pub fn lint(
    subject: &str,
    schema: &Schema,
    previous: Option<&Schema>,
    config: &LintConfig,
) -> Vec<Finding> {
    let mut lints = Lints {
        subject,
        config,
        findings: Vec::new(),
    };
    for (_, node) in schema.nodes() {
        let at = node.pointer.as_str();
        match &node.kind {
            Kind::Record { name, doc, fields } => {
                lints.doc(at, doc.as_deref(), &format!("record `{}`", name.full));
                lints.type_name(at, "record", name);
                let old = previous.and_then(|p| previous_fields(p, name));
                for field in fields {
                    lints.field(schema, name, field, old);
                }
            }
            Kind::Enum {
                name,
                doc,
                symbols,
                default,
            } => {
                lints.doc(at, doc.as_deref(), &format!("enum `{}`", name.full));
                lints.type_name(at, "enum", name);
                if default.is_none() {
                    lints.push(
                        config.enum_default,
                        ENUM_DEFAULT_MISSING,
                        at,
                        format!("enum `{}` has no default symbol", name.full),
                        format!(
                            "{}: once symbols are added, readers still on an older version fall back to it; \
                             without one they cannot read the added symbols",
                            enum_default_example(symbols)
                        ),
                    );
                }
                for (i, symbol) in symbols.iter().enumerate() {
                    if !is_upper_snake(symbol) {
                        lints.naming(
                            &format!("{at}/symbols/{i}"),
                            format!("symbol `{symbol}` of `{}`", name.full),
                            "UPPER_SNAKE_CASE",
                            &upper_snake(symbol),
                        );
                    }
                }
            }
            Kind::Fixed { name, doc, .. } => {
                lints.doc(at, doc.as_deref(), &format!("fixed `{}`", name.full));
                lints.type_name(at, "fixed", name);
            }
            _ => {}
        }
    }
    lints.findings
}

/// The fields of the record that `name` (or one of its aliases) names in
/// `previous`; `None` when `previous` has no such record — a new type,
/// whose fields are all first versions.
fn previous_fields<'a>(previous: &'a Schema, name: &Name) -> Option<&'a [Field]> {
    previous.nodes().find_map(|(_, node)| match &node.kind {
        Kind::Record {
            name: old, fields, ..
        } if old.full == name.full || name.aliases.contains(&old.full) => Some(fields.as_slice()),
        _ => None,
    })
}

struct Lints<'a> {
    subject: &'a str,
    config: &'a LintConfig,
    findings: Vec<Finding>,
}

impl Lints<'_> {
    fn push(&mut self, level: LintLevel, rule: &str, path: &str, message: String, hint: String) {
        if let Some(severity) = level.severity() {
            self.findings
                .push(Finding::new(rule, severity, self.subject, message, hint).at(path));
        }
    }

    /// `DOC_MISSING` for `what` (e.g. "record `a.B`") defined at `path`.
    fn doc(&mut self, path: &str, doc: Option<&str>, what: &str) {
        let message = match doc {
            None => format!("{what} has no doc"),
            Some(doc) if doc.trim().is_empty() => format!("{what} has an empty doc"),
            Some(_) => return,
        };
        let hint = "add a `\"doc\"` saying what it means".to_owned();
        self.push(self.config.docs, DOC_MISSING, path, message, hint);
    }

    fn naming(&mut self, path: &str, what: String, case: &str, converted: &str) {
        let hint = if converted.is_empty() {
            format!("rename it in {case}")
        } else {
            format!("rename it to `{converted}`")
        };
        let message = format!("{what} is not {case}");
        self.push(self.config.naming, NAMING, path, message, hint);
    }

    fn type_name(&mut self, at: &str, kind: &str, name: &Name) {
        let simple = name.simple();
        if !is_upper_camel(simple) {
            let what = format!("{kind} name `{simple}`");
            self.naming(
                &format!("{at}/name"),
                what,
                "UpperCamelCase",
                &upper_camel(simple),
            );
        }
    }

    fn field(&mut self, schema: &Schema, record: &Name, field: &Field, old: Option<&[Field]>) {
        let at = field.pointer.as_str();
        let what = format!("field `{}` of `{}`", field.name, record.full);
        self.doc(at, field.doc.as_deref(), &what);
        if !is_snake(&field.name) {
            let path = format!("{at}/name");
            self.naming(
                &path,
                format!("field name `{}`", field.name),
                "snake_case",
                &snake(&field.name),
            );
        }
        let is_new = old.is_some_and(|old| {
            !old.iter()
                .any(|o| o.name == field.name || field.aliases.contains(&o.name))
        });
        if is_new && field.default.is_none() {
            self.push(
                self.config.field_defaults,
                FIELD_DEFAULT_MISSING,
                at,
                format!("{what} is new since the previous version and has no default"),
                format!(
                    "add a default so data written before it existed can be read, e.g. {}",
                    default_example(schema, field.schema)
                ),
            );
        }
        if let Kind::Union(branches) = &schema.node(field.schema).kind {
            self.nullable(schema, field, branches, &what);
        }
    }

    /// `NULLABLE_DEFAULT_NOT_NULL` for a field of union type.
    fn nullable(&mut self, schema: &Schema, field: &Field, branches: &[NodeId], what: &str) {
        let is_null = |id: &NodeId| matches!(schema.node(*id).kind, Kind::Null);
        if !branches.iter().any(is_null) {
            return;
        }
        let at = &field.pointer;
        // A null default needs `null` first, which the parser already enforces.
        let (path, message) = match &field.default {
            None => (at.clone(), format!("nullable {what} has no default")),
            Some(Value::Null) => return,
            Some(value) => (
                format!("{at}/default"),
                format!("nullable {what} defaults to `{value}`, not null"),
            ),
        };
        let others: Option<Vec<String>> = branches
            .iter()
            .filter(|b| !is_null(b))
            .map(|b| type_json(schema, *b))
            .collect();
        let ty = match others {
            Some(others) => format!("[\"null\", {}]", others.join(", ")),
            None => "[\"null\", …]".to_owned(),
        };
        let hint = format!(
            "make it `\"type\": {ty}, \"default\": null` (a union's default must match its first branch, so `\"null\"` goes first)"
        );
        self.push(
            self.config.nullable_default_null,
            NULLABLE_DEFAULT_NOT_NULL,
            &path,
            message,
            hint,
        );
    }
}

/// The JSON of a type reference, for primitive and named types.
fn type_json(schema: &Schema, id: NodeId) -> Option<String> {
    match &schema.node(id).kind {
        Kind::Array(_) | Kind::Map(_) | Kind::Union(_) => None,
        kind => Some(format!(
            "\"{}\"",
            kind.name().map_or(kind.type_name(), |n| &n.full)
        )),
    }
}

/// A `"default": …` that fits a field of type `id`.
fn default_example(schema: &Schema, id: NodeId) -> String {
    let value = match &schema.node(id).kind {
        Kind::Union(branches)
            if branches
                .first()
                .is_some_and(|b| matches!(schema.node(*b).kind, Kind::Null)) =>
        {
            "null".to_owned()
        }
        Kind::Null => "null".to_owned(),
        Kind::Boolean => "false".to_owned(),
        Kind::Int | Kind::Long | Kind::Float | Kind::Double => "0".to_owned(),
        Kind::String | Kind::Bytes => "\"\"".to_owned(),
        Kind::Array(_) => "[]".to_owned(),
        Kind::Map(_) => "{}".to_owned(),
        Kind::Enum { symbols, .. } if !symbols.is_empty() => format!("\"{}\"", symbols[0]),
        _ => {
            return "a value of the field's type (or make it `[\"null\", …]` with `\"default\": null`)"
                .to_owned()
        }
    };
    format!("`\"default\": {value}`")
}

/// A suggested enum default: a catch-all symbol it has, else a new one.
fn enum_default_example(symbols: &[String]) -> String {
    match symbols
        .iter()
        .find(|s| matches!(s.as_str(), "UNKNOWN" | "UNSPECIFIED" | "OTHER"))
    {
        Some(s) => format!("add `\"default\": \"{s}\"`"),
        None => "add a symbol such as `UNKNOWN` and `\"default\": \"UNKNOWN\"`".to_owned(),
    }
}

fn is_upper_camel(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_snake(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_upper_snake(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Splits a name into words at underscores and case changes
/// (`HTTPRequest_id` → `HTTP`, `Request`, `id`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    !p.is_ascii_uppercase() || next.is_some_and(|n| n.is_ascii_lowercase())
                });
            if boundary && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        }
        words.push(word);
    }
    words
}

fn upper_camel(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn snake(name: &str) -> String {
    words(name).join("_").to_ascii_lowercase()
}

fn upper_snake(name: &str) -> String {
    words(name).join("_").to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(json: &str) -> Schema {
        Schema::parse_str(json).unwrap()
    }

    /// Every lint off except `only`, at `level`.
    fn only(set: impl FnOnce(&mut LintConfig)) -> LintConfig {
        let mut config = LintConfig {
            docs: LintLevel::Off,
            field_defaults: LintLevel::Off,
            enum_default: LintLevel::Off,
            nullable_default_null: LintLevel::Off,
            naming: LintLevel::Off,
        };
        set(&mut config);
        config
    }

    fn rules(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .map(|f| (f.rule.as_str(), f.path.as_str()))
            .collect()
    }

    const CLEAN: &str = r#"{"type": "record", "name": "OrderPaid", "namespace": "shop",
        "doc": "An order was paid.",
        "fields": [
            {"name": "order_id", "type": "string", "doc": "The order."},
            {"name": "note", "type": ["null", "string"], "default": null, "doc": "A note."},
            {"name": "method", "doc": "How.", "type": {"type": "enum", "name": "Method",
                "doc": "Payment methods.", "symbols": ["CARD", "UNKNOWN"], "default": "UNKNOWN"}},
            {"name": "hash", "doc": "Digest.", "type": {"type": "fixed", "name": "Sha256", "doc": "A SHA-256 digest.", "size": 32}}
        ]}"#;

    #[test]
    fn a_clean_schema_has_no_findings() {
        let s = schema(CLEAN);
        assert_eq!(
            lint("shop.OrderPaid", &s, Some(&s), &LintConfig::default()),
            []
        );
    }

    #[test]
    fn docs_missing_or_empty() {
        let s = schema(
            r#"{"type": "record", "name": "R", "fields": [
                {"name": "a", "type": "int", "doc": " "},
                {"name": "b", "type": "int", "doc": "B."},
                {"name": "e", "doc": "E.", "type": {"type": "enum", "name": "E", "symbols": ["X"], "default": "X"}}
            ]}"#,
        );
        let findings = lint("R", &s, None, &only(|c| c.docs = LintLevel::Warn));
        assert_eq!(
            rules(&findings),
            [
                ("DOC_MISSING", ""),
                ("DOC_MISSING", "/fields/0"),
                ("DOC_MISSING", "/fields/2/type")
            ]
        );
        assert_eq!(findings[0].message, "record `R` has no doc");
        assert_eq!(findings[1].message, "field `a` of `R` has an empty doc");
        assert_eq!(findings[2].message, "enum `E` has no doc");
        assert!(findings.iter().all(|f| f.severity == Severity::Warning
            && f.subject == "R"
            && f.location.is_none()
            && f.accepted.is_none()));
    }

    #[test]
    fn levels_map_to_severities() {
        let s = schema(r#"{"type": "record", "name": "R", "fields": []}"#);
        let at = |level| lint("R", &s, None, &only(|c| c.docs = level));
        assert_eq!(at(LintLevel::Off), []);
        assert_eq!(at(LintLevel::Warn)[0].severity, Severity::Warning);
        assert_eq!(at(LintLevel::Error)[0].severity, Severity::Error);
        assert!(at(LintLevel::Error)[0].fails());
    }

    const V1: &str = r#"{"type": "record", "name": "R", "namespace": "a", "fields": [
        {"name": "id", "type": "string"},
        {"name": "old_name", "type": "int"}
    ]}"#;

    #[test]
    fn field_defaults_only_for_fields_new_since_previous() {
        let v2 = schema(
            r#"{"type": "record", "name": "R", "namespace": "a", "fields": [
                {"name": "id", "type": "string"},
                {"name": "renamed", "aliases": ["old_name"], "type": "int"},
                {"name": "count", "type": "long"},
                {"name": "note", "type": ["null", "string"]},
                {"name": "tag", "type": "string", "default": ""},
                {"name": "inner", "default": {"x": 1}, "type": {"type": "record", "name": "Inner",
                    "fields": [{"name": "x", "type": "int"}]}}
            ]}"#,
        );
        let config = only(|c| c.field_defaults = LintLevel::Error);
        let findings = lint("a.R", &v2, Some(&schema(V1)), &config);
        assert_eq!(
            rules(&findings),
            [
                ("FIELD_DEFAULT_MISSING", "/fields/2"),
                ("FIELD_DEFAULT_MISSING", "/fields/3")
            ]
        );
        assert_eq!(
            findings[0].message,
            "field `count` of `a.R` is new since the previous version and has no default"
        );
        assert!(
            findings[0].hint.ends_with("e.g. `\"default\": 0`"),
            "{}",
            findings[0].hint
        );
        assert!(
            findings[1].hint.ends_with("e.g. `\"default\": null`"),
            "{}",
            findings[1].hint
        );
        assert_eq!(findings[0].severity, Severity::Error);
        // A first version, and a type new in this one, need no defaults.
        assert_eq!(lint("a.R", &v2, None, &config), []);
    }

    #[test]
    fn field_defaults_follow_a_renamed_record_by_alias() {
        let v2 = schema(
            r#"{"type": "record", "name": "S", "namespace": "a", "aliases": ["R"], "fields": [
                {"name": "id", "type": "string"},
                {"name": "added", "type": "boolean"}
            ]}"#,
        );
        let findings = lint(
            "a.S",
            &v2,
            Some(&schema(V1)),
            &only(|c| c.field_defaults = LintLevel::Warn),
        );
        assert_eq!(rules(&findings), [("FIELD_DEFAULT_MISSING", "/fields/1")]);
    }

    #[test]
    fn enum_default() {
        let s = schema(r#"{"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}"#);
        let findings = lint(
            "Color",
            &s,
            None,
            &only(|c| c.enum_default = LintLevel::Warn),
        );
        assert_eq!(rules(&findings), [("ENUM_DEFAULT_MISSING", "")]);
        assert_eq!(findings[0].message, "enum `Color` has no default symbol");
        assert!(findings[0]
            .hint
            .starts_with("add a symbol such as `UNKNOWN`"));
        let s = schema(r#"{"type": "enum", "name": "Color", "symbols": ["RED", "OTHER"]}"#);
        let findings = lint(
            "Color",
            &s,
            None,
            &only(|c| c.enum_default = LintLevel::Warn),
        );
        assert!(findings[0].hint.starts_with("add `\"default\": \"OTHER\"`"));
        let s = schema(
            r#"{"type": "enum", "name": "Color", "symbols": ["RED", "OTHER"], "default": "OTHER"}"#,
        );
        assert_eq!(
            lint(
                "Color",
                &s,
                None,
                &only(|c| c.enum_default = LintLevel::Warn)
            ),
            []
        );
    }

    #[test]
    fn nullable_default_null() {
        let s = schema(
            r#"{"type": "record", "name": "R", "fields": [
                {"name": "ok", "type": ["null", "string"], "default": null},
                {"name": "none", "type": ["null", "string"]},
                {"name": "value", "type": ["string", "null"], "default": "x"},
                {"name": "plain", "type": ["int", "string"]}
            ]}"#,
        );
        let findings = lint(
            "R",
            &s,
            None,
            &only(|c| c.nullable_default_null = LintLevel::Warn),
        );
        assert_eq!(
            rules(&findings),
            [
                ("NULLABLE_DEFAULT_NOT_NULL", "/fields/1"),
                ("NULLABLE_DEFAULT_NOT_NULL", "/fields/2/default"),
            ]
        );
        assert_eq!(
            findings[0].message,
            "nullable field `none` of `R` has no default"
        );
        assert_eq!(
            findings[1].message,
            "nullable field `value` of `R` defaults to `\"x\"`, not null"
        );
        assert_eq!(
            findings[1].hint,
            "make it `\"type\": [\"null\", \"string\"], \"default\": null` \
             (a union's default must match its first branch, so `\"null\"` goes first)"
        );
        // A null default behind another first branch is no valid schema:
        // the parser rejects it before any lint runs.
        let invalid = r#"{"type": "record", "name": "R", "fields": [
            {"name": "order", "type": ["string", "null"], "default": null}]}"#;
        assert!(Schema::parse_str(invalid).is_err());
    }

    #[test]
    fn naming() {
        let s = schema(
            r#"{"type": "record", "name": "order_paid", "namespace": "shop.v1", "fields": [
                {"name": "orderID", "type": "string"},
                {"name": "line_2", "type": "int"},
                {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["OK", "inProgress", "HTTP_ERROR"]}},
                {"name": "hash", "type": {"type": "fixed", "name": "HTTPDigest", "size": 4}}
            ]}"#,
        );
        let findings = lint(
            "shop.v1.order_paid",
            &s,
            None,
            &only(|c| c.naming = LintLevel::Error),
        );
        assert_eq!(
            rules(&findings),
            [
                ("NAMING", "/name"),
                ("NAMING", "/fields/0/name"),
                ("NAMING", "/fields/2/type/symbols/1")
            ]
        );
        assert_eq!(
            findings[0].message,
            "record name `order_paid` is not UpperCamelCase"
        );
        assert_eq!(findings[0].hint, "rename it to `OrderPaid`");
        assert_eq!(
            findings[1].message,
            "field name `orderID` is not snake_case"
        );
        assert_eq!(findings[1].hint, "rename it to `order_id`");
        assert_eq!(
            findings[2].message,
            "symbol `inProgress` of `shop.v1.Status` is not UPPER_SNAKE_CASE"
        );
        assert_eq!(findings[2].hint, "rename it to `IN_PROGRESS`");
    }

    #[test]
    fn case_conversions() {
        assert_eq!(snake("HTTPRequestId"), "http_request_id");
        assert_eq!(snake("v2Value"), "v2_value");
        assert_eq!(upper_camel("debate_completed"), "DebateCompleted");
        assert_eq!(upper_camel("_x"), "X");
        assert_eq!(upper_camel("_"), "");
        assert_eq!(upper_snake("Debate_Completed"), "DEBATE_COMPLETED");
    }

    #[test]
    fn output_is_in_node_then_field_order() {
        let s = schema(
            r#"{"type": "record", "name": "R", "fields": [
                {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["X"]}},
                {"name": "b", "type": "int"}
            ]}"#,
        );
        let findings = lint("R", &s, None, &LintConfig::default());
        assert_eq!(
            rules(&findings),
            [
                ("DOC_MISSING", ""),
                ("DOC_MISSING", "/fields/0"),
                ("DOC_MISSING", "/fields/1"),
                ("DOC_MISSING", "/fields/0/type"),
                ("ENUM_DEFAULT_MISSING", "/fields/0/type"),
            ]
        );
    }

    #[test]
    fn config_from_json() {
        let config: LintConfig =
            serde_json::from_str(r#"{"docs": "off", "nullable_default_null": "error"}"#).unwrap();
        assert_eq!(
            config,
            LintConfig {
                docs: LintLevel::Off,
                nullable_default_null: LintLevel::Error,
                ..LintConfig::default()
            }
        );
        assert_eq!(
            serde_json::from_str::<LintConfig>("{}").unwrap(),
            LintConfig::default()
        );
        assert_eq!(LintConfig::default().naming, LintLevel::Warn);
        let unknown = serde_json::from_str::<LintConfig>(r#"{"doc": "off"}"#).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown field `doc`"),
            "{unknown}"
        );
        assert!(serde_json::from_str::<LintConfig>(r#"{"docs": "Warn"}"#).is_err());
    }
}
