//! The form in which two schema texts are compared: the same schema,
//! written differently, has one id (as Confluent compares Avro's printed
//! form of a parsed schema).
//!
//! Compact JSON with the keys of every object sorted, and what Avro's
//! printer would also make equal: `{"type": "string"}` as `"string"`;
//! named types and references by their full names, so `"namespace"` is
//! gone; relative type aliases made full; a field's `"order": "ascending"`
//! (the default) dropped. Field order, docs, defaults and custom
//! properties all still count.

use std::fmt::Write as _;

use serde_json::{Map, Value};

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The normalized form of the schema `value`.
pub(super) fn normalize(value: &Value) -> String {
    let mut out = String::new();
    write(&schema(value, ""), &mut out);
    out
}

/// The text stable ids are derived from (see
/// [`super::EmbeddedRegistry::in_memory_with_stable_ids`]): the form schemas
/// were compared in before names were compared in full — keys sorted,
/// `{"type": "int"}` as `"int"` — frozen, so that a schema keeps the id
/// processes of every version gave it and records already written keep
/// their meaning.
pub(super) fn id_form(value: &Value) -> String {
    let mut out = String::new();
    write(&collapse_primitive_objects(value), &mut out);
    out
}

fn collapse_primitive_objects(value: &Value) -> Value {
    match value {
        Value::Object(map) => match map.get("type").and_then(Value::as_str) {
            Some(kind) if map.len() == 1 && PRIMITIVES.contains(&kind) => {
                Value::String(kind.to_owned())
            }
            _ => map
                .iter()
                .map(|(k, v)| (k.clone(), collapse_primitive_objects(v)))
                .collect::<Map<String, Value>>()
                .into(),
        },
        Value::Array(items) => items.iter().map(collapse_primitive_objects).collect(),
        other => other.clone(),
    }
}

/// `name` in namespace `ns`, made full.
fn full_name(name: &str, ns: &str) -> String {
    if name.contains('.') || ns.is_empty() {
        name.to_owned()
    } else {
        format!("{ns}.{name}")
    }
}

/// The schema at `value`, inside namespace `ns`, with names made full.
fn schema(value: &Value, ns: &str) -> Value {
    match value {
        Value::String(name) if !PRIMITIVES.contains(&name.as_str()) => {
            Value::String(full_name(name, ns))
        }
        Value::Array(branches) => Value::Array(branches.iter().map(|b| schema(b, ns)).collect()),
        Value::Object(map) => complex(map, ns),
        other => other.clone(),
    }
}

fn complex(map: &Map<String, Value>, ns: &str) -> Value {
    let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
    if map.len() == 1 && PRIMITIVES.contains(&kind) {
        return Value::String(kind.to_owned());
    }
    let mut out = map.clone();
    match kind {
        "record" | "error" | "enum" | "fixed" => {
            let Some(name) = map.get("name").and_then(Value::as_str) else {
                return out.into();
            };
            let own_ns = map.get("namespace").and_then(Value::as_str).unwrap_or(ns);
            let name = full_name(name, own_ns);
            // Names inside are relative to this type's namespace.
            let inner_ns = name.rsplit_once('.').map_or("", |(ns, _)| ns).to_owned();
            out.remove("namespace");
            if let Some(Value::Array(aliases)) = map.get("aliases") {
                let aliases = aliases.iter().map(|a| match a {
                    Value::String(a) => Value::String(full_name(a, &inner_ns)),
                    other => other.clone(),
                });
                out.insert("aliases".to_owned(), Value::Array(aliases.collect()));
            }
            out.insert("name".to_owned(), Value::String(name));
            if let Some(Value::Array(fields)) = map.get("fields") {
                let fields = fields.iter().map(|f| field(f, &inner_ns)).collect();
                out.insert("fields".to_owned(), Value::Array(fields));
            }
        }
        "array" => normalize_key(&mut out, "items", ns),
        "map" => normalize_key(&mut out, "values", ns),
        _ => {}
    }
    out.into()
}

fn normalize_key(out: &mut Map<String, Value>, key: &str, ns: &str) {
    if let Some(inner) = out.get(key) {
        let inner = schema(inner, ns);
        out.insert(key.to_owned(), inner);
    }
}

fn field(value: &Value, ns: &str) -> Value {
    let Value::Object(map) = value else {
        return value.clone();
    };
    let mut out = map.clone();
    normalize_key(&mut out, "type", ns);
    if out.get("order").and_then(Value::as_str) == Some("ascending") {
        out.remove("order");
    }
    out.into()
}

/// Compact JSON, object keys sorted.
fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{}:", Value::String(key.clone()));
                write(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    fn form(text: &str) -> String {
        normalize(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn key_order_and_whitespace_do_not_count() {
        let a = form(r#"{ "type": "record", "name": "R", "fields": [] }"#);
        assert_eq!(a, form(r#"{"fields":[],"name":"R","type":"record"}"#));
        assert_eq!(a, r#"{"fields":[],"name":"R","type":"record"}"#);
        assert_ne!(
            a,
            form(r#"{"type":"record","name":"R","doc":"x","fields":[]}"#)
        );
    }

    #[test]
    fn names_are_compared_in_full() {
        let split = form(
            r#"{"type":"record","name":"R","namespace":"a.b","aliases":["Old"],"fields":[
                {"name":"s","type":{"type":"fixed","name":"F","size":2}},
                {"name":"t","type":"F","order":"ascending"},
                {"name":"u","type":{"type":"array","items":{"type":"string"}}}]}"#,
        );
        let full = form(
            r#"{"type":"record","name":"a.b.R","aliases":["a.b.Old"],"fields":[
                {"name":"s","type":{"type":"fixed","name":"a.b.F","size":2}},
                {"name":"t","type":"a.b.F"},
                {"name":"u","type":{"type":"array","items":"string"}}]}"#,
        );
        assert_eq!(split, full);
        // A different namespace is a different schema.
        assert_ne!(
            form(r#"{"type":"record","name":"R","namespace":"a","fields":[]}"#),
            form(r#"{"type":"record","name":"R","namespace":"b","fields":[]}"#)
        );
        // So is a descending field.
        assert_ne!(
            form(
                r#"{"type":"record","name":"R","fields":[{"name":"x","type":"int","order":"descending"}]}"#
            ),
            form(r#"{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}"#)
        );
    }

    #[test]
    fn a_nested_type_takes_its_own_namespace_for_names_inside() {
        let nested = form(
            r#"{"type":"record","name":"a.R","fields":[{"name":"x","type":
                {"type":"record","name":"S","namespace":"b","fields":[{"name":"y","type":["null","T"]}]}}]}"#,
        );
        assert!(nested.contains(r#""name":"b.S""#), "{nested}");
        assert!(nested.contains(r#"["null","b.T"]"#), "{nested}");
    }

    #[test]
    fn the_id_form_keeps_namespaces_as_written() {
        let value = serde_json::from_str(
            r#"{"type":"record","namespace":"a","name":"R","fields":[{"name":"x","type":{"type":"int"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            super::id_form(&value),
            r#"{"fields":[{"name":"x","type":"int"}],"name":"R","namespace":"a","type":"record"}"#
        );
    }

    #[test]
    fn values_that_are_not_schemas_are_kept() {
        assert_eq!(
            form(
                r#"{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":"Other"}]}"#
            ),
            r#"{"fields":[{"default":"Other","name":"s","type":"string"}],"name":"R","type":"record"}"#
        );
    }
}
