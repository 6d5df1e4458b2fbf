//! Checks a field `default` against the field's type, per the spec's table of
//! default values.
//!
//! This runs against the complete [`Model`] (after resolve), because a
//! default of a named type can only be checked once that type is known, and
//! the type may live in another file.

use super::{base_name, Problem};
use crate::json::{Node, NodeValue};
use crate::model::{Model, NamedKind, Schema};

/// Checks `value` as a default of type `schema`. Returns the first problem, at
/// the most specific position (the offending element or member).
///
/// References to types missing from `model` are accepted: resolve already
/// reports them, and a second error would only add noise.
pub fn check_default(model: &Model, schema: &Schema, value: &Node) -> Option<Problem> {
    check(model, schema, value)
}

fn problem(node: &Node, message: String, hint: Option<String>) -> Option<Problem> {
    Some(Problem {
        line: node.line,
        col: node.col,
        message,
        hint,
    })
}

fn mismatch(node: &Node, want: &str) -> Option<Problem> {
    problem(
        node,
        format!("default must be {want}, found {}", describe(node)),
        None,
    )
}

/// A short description of a JSON value for messages.
fn describe(node: &Node) -> String {
    match &node.value {
        NodeValue::Number(n) => format!("`{n}`"),
        NodeValue::Bool(b) => format!("`{b}`"),
        NodeValue::String(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        _ => node.kind().to_owned(),
    }
}

/// Whether the JSON number `n` is written as an integer (no fraction or exponent).
fn is_integer(n: &str) -> bool {
    n.strip_prefix('-')
        .unwrap_or(n)
        .bytes()
        .all(|b| b.is_ascii_digit())
}

/// Bytes and fixed defaults are strings whose code points are 0–255, one per byte.
fn byte_string(node: &Node, what: &str) -> Result<usize, Option<Problem>> {
    let Some(s) = node.as_str() else {
        return Err(mismatch(
            node,
            &format!("a string (one code point 0–255 per byte) for `{what}`"),
        ));
    };
    if let Some(c) = s.chars().find(|c| u32::from(*c) > 0xFF) {
        return Err(problem(
            node,
            format!(
                "default for `{what}` contains `{c}` (U+{:04X}), above U+00FF",
                u32::from(c)
            ),
            Some("each character stands for one byte: use \\u0000–\\u00ff".into()),
        ));
    }
    Ok(s.chars().count())
}

// Recursion is bounded by the JSON depth limit: every step descends into the
// value (a record's absent fields are not re-checked).
fn check(model: &Model, schema: &Schema, value: &Node) -> Option<Problem> {
    match schema {
        Schema::Null => match value.value {
            NodeValue::Null => None,
            _ => mismatch(value, "null"),
        },
        Schema::Boolean => match value.value {
            NodeValue::Bool(_) => None,
            _ => mismatch(value, "`true` or `false`"),
        },
        Schema::Int(_) => match &value.value {
            NodeValue::Number(n) if n.parse::<i32>().is_ok() => None,
            NodeValue::Number(n) if is_integer(n) => problem(
                value,
                format!("default `{n}` is out of range for `int` (32-bit)"),
                Some("use `long`".into()),
            ),
            _ => mismatch(value, "an integer (`int`)"),
        },
        Schema::Long(_) => match &value.value {
            NodeValue::Number(n) if n.parse::<i64>().is_ok() => None,
            NodeValue::Number(n) if is_integer(n) => problem(
                value,
                format!("default `{n}` is out of range for `long` (64-bit)"),
                None,
            ),
            _ => mismatch(value, "an integer (`long`)"),
        },
        Schema::Float | Schema::Double => match value.value {
            NodeValue::Number(_) => None,
            _ => mismatch(value, &format!("a number (`{}`)", base_name(schema))),
        },
        Schema::Bytes(_) => byte_string(value, "bytes").err().flatten(),
        Schema::String(_) => match value.value {
            NodeValue::String(_) => None,
            _ => mismatch(value, "a string"),
        },
        Schema::Array(items) => match &value.value {
            NodeValue::Array(elems) => elems.iter().find_map(|e| check(model, items, e)),
            _ => mismatch(value, "an array"),
        },
        Schema::Map(values) => match &value.value {
            NodeValue::Object(members) => members.iter().find_map(|(_, v)| check(model, values, v)),
            _ => mismatch(value, "an object (`map`)"),
        },
        Schema::Union(branches) => union(model, branches, value),
        Schema::Ref(name) => {
            let named = model.get(name)?;
            let full = name.full();
            match &named.kind {
                NamedKind::Enum { symbols, .. } => match value.as_str() {
                    Some(s) if symbols.iter().any(|x| x == s) => None,
                    Some(s) => problem(
                        value,
                        format!("default \"{s}\" is not a symbol of enum `{full}`"),
                        crate::error::closest(s, symbols.iter().map(String::as_str))
                            .map(|c| format!("did you mean \"{c}\"?"))
                            .or_else(|| Some(format!("symbols: {}", symbols.join(", ")))),
                    ),
                    None => mismatch(value, &format!("a symbol of enum `{full}`")),
                },
                NamedKind::Fixed { size, .. } => match byte_string(value, &full) {
                    Err(p) => p,
                    Ok(n) if n == *size => None,
                    Ok(n) => problem(
                        value,
                        format!("default for fixed `{full}` has {n} bytes, expected {size}"),
                        None,
                    ),
                },
                NamedKind::Record { fields } => {
                    let NodeValue::Object(members) = &value.value else {
                        return mismatch(value, &format!("an object (record `{full}`)"));
                    };
                    for (key, _) in members {
                        if !fields.iter().any(|f| f.name == key.name) {
                            return Some(Problem {
                                line: key.line,
                                col: key.col,
                                message: format!("record `{full}` has no field `{}`", key.name),
                                hint: crate::error::closest(
                                    &key.name,
                                    fields.iter().map(|f| f.name.as_str()),
                                )
                                .map(|c| format!("did you mean `{c}`?")),
                            });
                        }
                    }
                    for f in fields {
                        match value.get(&f.name) {
                            Some(v) => {
                                if let Some(p) = check(model, &f.schema, v) {
                                    return Some(p);
                                }
                            }
                            None if f.default.is_none() => {
                                return problem(
                                    value,
                                    format!(
                                        "default for record `{full}` is missing field `{}`",
                                        f.name
                                    ),
                                    Some("give every field without its own default a value".into()),
                                )
                            }
                            None => {}
                        }
                    }
                    None
                }
            }
        }
    }
}

/// A union's default must match its first branch.
fn union(model: &Model, branches: &[Schema], value: &Node) -> Option<Problem> {
    let first = branches.first()?;
    let mut p = check(model, first, value)?;
    let first_name = type_name(first);
    let better = branches[1..]
        .iter()
        .find(|b| check(model, b, value).is_none());
    match better {
        Some(b) => {
            p.message = format!(
                "a union's default must match its first branch (`{first_name}`), found {}",
                describe(value)
            );
            p.hint = Some(match b {
                Schema::Null => "move \"null\" to the front of the union".to_owned(),
                other => format!("move `{}` to the front of the union", type_name(other)),
            });
            p.line = value.line;
            p.col = value.col;
        }
        None => {
            if p.hint.is_none() {
                p.hint = Some(format!(
                    "a union's default must match its first branch (`{first_name}`)"
                ));
            }
        }
    }
    Some(p)
}

fn type_name(schema: &Schema) -> String {
    match schema {
        Schema::Ref(n) => n.full(),
        other => base_name(other).to_owned(),
    }
}
