//! Parses one `.avsc` file into [`model`](crate::model) types, following the
//! Avro 1.12 specification, and collects every problem of the file.
//!
//! Parsing is per file: references to named types are recorded (with the
//! place they were written) and checked by [`crate::resolve`] once every file
//! is known. Field defaults are recorded too, because a default can only be
//! checked once the types it mentions are known — see [`check_default`].

mod default;
mod logical;
mod named;

use std::collections::BTreeMap;
use std::path::Path;

pub use default::check_default;

use crate::error::{closest, Diagnostic};
use crate::json::{self, Key, Node, NodeValue};
use crate::model::{FullName, JsonValue, NamedType, Schema, Span};

/// The primitive type names; they can never name a defined type.
pub const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// A reference to a named type, as written in a schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The name as written.
    pub written: String,
    /// The full name per the spec: a dotted name as is, otherwise the name in
    /// the enclosing namespace.
    pub name: FullName,
    /// For an undotted name written inside a namespace: the same name in the
    /// null namespace, tried when `name` is not defined (as the Java
    /// implementation does).
    pub fallback: Option<FullName>,
    /// Where the name was written.
    pub span: Span,
}

/// A field default, checked by [`check_default`] once all types are known.
#[derive(Clone, Debug, PartialEq)]
pub struct DeferredDefault {
    /// The record the field belongs to.
    pub record: FullName,
    /// The field name.
    pub field: String,
    /// The field's type (its references are rewritten by resolve if they
    /// resolve through the null-namespace fallback).
    pub schema: Schema,
    /// The default as written, with positions.
    pub value: Node,
    /// Index of the file in [`crate::model::Model::files`].
    pub file: usize,
}

/// Everything one file defines and refers to.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedFile {
    /// The file's top-level schema (`Schema::Ref` when it defines a named type).
    pub root: Schema,
    /// Every named type defined in the file, at any depth, in definition order.
    pub types: Vec<NamedType>,
    /// Every reference to a named type, for resolution.
    pub references: Vec<Reference>,
    /// Every field default, for validation against the complete model.
    pub defaults: Vec<DeferredDefault>,
    /// Named types whose definition had errors (their contents may be
    /// incomplete, so later checks against them would only add noise).
    pub incomplete: Vec<FullName>,
}

/// Parses the schema file `path` (`rel_path` relative to the schema root),
/// which becomes file number `file` of the model.
///
/// # Errors
///
/// Every problem found in the file, each at the most specific position.
pub fn parse_file(
    file: usize,
    path: &Path,
    rel_path: &str,
    source: &str,
) -> Result<ParsedFile, Vec<Diagnostic>> {
    let (parsed, diags) = parse_file_partial(file, path, rel_path, source);
    if diags.is_empty() {
        Ok(parsed)
    } else {
        Err(diags)
    }
}

/// Like [`parse_file`], but also returns what could be parsed when there are
/// errors, so that other files' references to the good parts still resolve
/// and errors do not cascade.
pub fn parse_file_partial(
    file: usize,
    path: &Path,
    _rel_path: &str,
    source: &str,
) -> (ParsedFile, Vec<Diagnostic>) {
    let mut p = Parser {
        file,
        path,
        source,
        out: ParsedFile {
            root: Schema::Null,
            types: Vec::new(),
            references: Vec::new(),
            defaults: Vec::new(),
            incomplete: Vec::new(),
        },
        diags: Vec::new(),
    };
    match json::parse(source) {
        Err(e) => {
            let d = Diagnostic::new(
                path,
                Some(source),
                e.line,
                e.col,
                format!("invalid JSON: {}", e.message),
            );
            p.diags.push(d);
        }
        Ok(node) => {
            if let Some(root) = p.schema(&node, "") {
                p.out.root = root;
            }
        }
    }
    (p.out, p.diags)
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a name part, field name or enum symbol.
pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A dotted name (or namespace) whose every part is a valid name.
fn is_valid_dotted(s: &str) -> bool {
    s.split('.').all(is_valid_name)
}

/// Splits a dotted full name at its last dot.
fn split_full(s: &str) -> FullName {
    match s.rsplit_once('.') {
        Some((ns, name)) => FullName {
            namespace: ns.to_owned(),
            name: name.to_owned(),
        },
        None => FullName {
            namespace: String::new(),
            name: s.to_owned(),
        },
    }
}

/// The full name of `written` in namespace `ns`: dotted names are already full.
fn qualify(written: &str, ns: &str) -> FullName {
    if written.contains('.') {
        split_full(written)
    } else {
        FullName {
            namespace: ns.to_owned(),
            name: written.to_owned(),
        }
    }
}

/// A problem at a position of the file, before it becomes a [`Diagnostic`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// Keys the spec defines on every named type.
const NAMED_KEYS: [&str; 5] = ["type", "name", "namespace", "doc", "aliases"];
/// Keys the spec defines on a record field.
const FIELD_KEYS: [&str; 6] = ["name", "type", "doc", "default", "order", "aliases"];

struct Parser<'a> {
    file: usize,
    path: &'a Path,
    source: &'a str,
    out: ParsedFile,
    diags: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn span(&self, line: u32, col: u32) -> Span {
        Span {
            file: self.file,
            line,
            col,
        }
    }

    fn error(&mut self, line: u32, col: u32, message: impl Into<String>, hint: Option<String>) {
        let d =
            Diagnostic::new(self.path, Some(self.source), line, col, message).with_opt_hint(hint);
        self.diags.push(d);
    }

    fn error_at(&mut self, node: &Node, message: impl Into<String>) {
        self.error(node.line, node.col, message, None);
    }

    fn error_hint(&mut self, node: &Node, message: impl Into<String>, hint: impl Into<String>) {
        self.error(node.line, node.col, message, Some(hint.into()));
    }

    /// A schema in a type position.
    fn schema(&mut self, node: &Node, ns: &str) -> Option<Schema> {
        match &node.value {
            NodeValue::String(s) => primitive(s, None).or_else(|| self.reference(s, node, ns)),
            NodeValue::Array(branches) => self.union(branches, node, ns),
            NodeValue::Object(members) => self.complex(node, members, ns),
            _ => {
                self.error_hint(
                    node,
                    format!("expected a type, found {}", node.kind()),
                    "a type is a name (\"string\", \"com.example.Thing\"), an object ({\"type\": \"array\", …}) or a union ([\"null\", \"string\"])",
                );
                None
            }
        }
    }

    /// A type name in a type position that is not a primitive.
    fn reference(&mut self, s: &str, node: &Node, ns: &str) -> Option<Schema> {
        if let Some(example) = complex_example(s) {
            self.error_hint(
                node,
                format!("`{s}` must be written as an object"),
                format!("write {example}"),
            );
            return None;
        }
        if let Some(example) = logical::example(s) {
            self.error_hint(
                node,
                format!("`{s}` is a logical type, not a type"),
                format!("write {example}"),
            );
            return None;
        }
        if !is_valid_dotted(s) {
            let hint =
                closest(s, PRIMITIVES.iter().copied()).map(|p| format!("did you mean `{p}`?"));
            self.error(
                node.line,
                node.col,
                format!("invalid type name `{s}`"),
                hint.or_else(|| {
                    Some("each part of a name must match [A-Za-z_][A-Za-z0-9_]*".into())
                }),
            );
            return None;
        }
        let name = qualify(s, ns);
        let fallback = (!s.contains('.') && !ns.is_empty()).then(|| split_full(s));
        self.out.references.push(Reference {
            written: s.to_owned(),
            name: name.clone(),
            fallback,
            span: self.span(node.line, node.col),
        });
        Some(Schema::Ref(name))
    }

    fn union(&mut self, branches: &[Node], node: &Node, ns: &str) -> Option<Schema> {
        if branches.is_empty() {
            self.error_hint(
                node,
                "empty union",
                "a union needs at least one branch, e.g. [\"null\", \"string\"]",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut seen: Vec<(String, &Node)> = Vec::new();
        let mut ok = true;
        for b in branches {
            if let NodeValue::Array(_) = b.value {
                self.error_hint(
                    b,
                    "a union may not directly contain another union",
                    "list the inner union's branches in the outer union",
                );
                ok = false;
                continue;
            }
            let Some(schema) = self.schema(b, ns) else {
                ok = false;
                continue;
            };
            let key = match &schema {
                Schema::Ref(name) => name.full(),
                other => base_name(other).to_owned(),
            };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                let (line, col) = (first.line, first.col);
                self.error(
                    b.line,
                    b.col,
                    format!("union contains `{key}` more than once"),
                    Some(format!(
                        "first at line {line}, column {col}; a union may hold each unnamed type once and each named type once"
                    )),
                );
                ok = false;
            }
            seen.push((key, b));
            out.push(schema);
        }
        ok.then_some(Schema::Union(out))
    }

    /// An object in a type position: `{"type": …, …}`.
    fn complex(&mut self, node: &Node, members: &[(Key, Node)], ns: &str) -> Option<Schema> {
        let Some(ty) = node.get("type") else {
            let hint = if node.get("fields").is_some() {
                Some("add \"type\": \"record\"".to_owned())
            } else if node.get("symbols").is_some() {
                Some("add \"type\": \"enum\"".to_owned())
            } else if node.get("items").is_some() {
                Some("add \"type\": \"array\"".to_owned())
            } else if node.get("values").is_some() {
                Some("add \"type\": \"map\"".to_owned())
            } else if node.get("size").is_some() {
                Some("add \"type\": \"fixed\"".to_owned())
            } else {
                None
            };
            self.error(node.line, node.col, "missing `type`", hint);
            return None;
        };
        let Some(t) = ty.as_str() else {
            self.error_hint(
                ty,
                format!(
                    "`type` of a schema object must be a string, found {}",
                    ty.kind()
                ),
                "write the nested type directly instead of wrapping it in {\"type\": …}",
            );
            return None;
        };
        match t {
            "record" | "error" | "enum" | "fixed" => self.named(node, members, t, ns),
            "array" | "map" => {
                let key = if t == "array" { "items" } else { "values" };
                let inner = match node.get(key) {
                    Some(inner) => self.schema(inner, ns),
                    None => {
                        let hint = self.misspelled(members, key, &["type", "logicalType"]);
                        self.error(node.line, node.col, format!("{t} is missing `{key}`"), hint);
                        None
                    }
                };
                self.reject_logical(node, t);
                let inner = Box::new(inner?);
                Some(if t == "array" {
                    Schema::Array(inner)
                } else {
                    Schema::Map(inner)
                })
            }
            _ => match primitive(t, None) {
                // Custom properties of unnamed types have no place in the
                // model; they are accepted and dropped, as the spec allows.
                Some(_) => {
                    let logical = self.logical(node, t, None);
                    primitive(t, logical)
                }
                None => {
                    if let Some(lt) = node.get("logicalType") {
                        if lt.as_str().is_some_and(logical::is_known) {
                            self.error_hint(
                                lt,
                                format!("`logicalType` cannot annotate a reference to `{t}`"),
                                format!("put the logical type in the definition of `{t}`"),
                            );
                            return None;
                        }
                    }
                    self.reference(t, ty, ns)
                }
            },
        }
    }

    /// Reports a known logical type on a base type that never takes one.
    fn reject_logical(&mut self, node: &Node, base: &str) {
        if let Some(lt) = node.get("logicalType") {
            if let Some(name) = lt.as_str() {
                if let Some(want) = logical::expects(name) {
                    self.error_hint(
                        lt,
                        format!("logical type `{name}` cannot annotate `{base}`"),
                        format!("`{name}` annotates {want}"),
                    );
                }
            }
        }
    }

    /// For a missing required key: a present key that looks like a typo of it.
    fn misspelled(&self, members: &[(Key, Node)], wanted: &str, known: &[&str]) -> Option<String> {
        members
            .iter()
            .map(|(k, _)| k.name.as_str())
            .filter(|k| !known.contains(k) && *k != wanted)
            .find(|k| closest(k, [wanted]).is_some())
            .map(|k| format!("did you mean `{wanted}` instead of `{k}`?"))
    }

    /// An optional string attribute; a non-string is an error.
    fn opt_string(&mut self, node: &Node, key: &str) -> Option<String> {
        let v = node.get(key)?;
        match &v.value {
            NodeValue::String(s) => Some(s.clone()),
            _ => {
                self.error_at(v, format!("`{key}` must be a string, found {}", v.kind()));
                None
            }
        }
    }

    /// An `aliases` array of strings, each checked by `valid`.
    fn aliases(&mut self, node: &Node, dotted: bool) -> Vec<String> {
        let Some(v) = node.get("aliases") else {
            return Vec::new();
        };
        let NodeValue::Array(items) = &v.value else {
            self.error_at(
                v,
                format!("`aliases` must be an array of strings, found {}", v.kind()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_str() {
                Some(s) if (dotted && is_valid_dotted(s)) || is_valid_name(s) => {
                    out.push(s.to_owned())
                }
                Some(s) => self.error_hint(
                    item,
                    format!("invalid alias `{s}`"),
                    if dotted {
                        "each part of an alias must match [A-Za-z_][A-Za-z0-9_]*"
                    } else {
                        "a field alias must match [A-Za-z_][A-Za-z0-9_]*"
                    },
                ),
                None => self.error_at(
                    item,
                    format!("an alias must be a string, found {}", item.kind()),
                ),
            }
        }
        out
    }

    /// Custom properties: every member whose key is not in `known`.
    fn props(members: &[(Key, Node)], known: &[&str]) -> BTreeMap<String, JsonValue> {
        members
            .iter()
            .filter(|(k, _)| !known.contains(&k.name.as_str()))
            .map(|(k, v)| (k.name.clone(), v.to_json_value()))
            .collect()
    }
}

/// The schema for a primitive type name with an optional logical type.
fn primitive(s: &str, logical: Option<crate::model::Logical>) -> Option<Schema> {
    Some(match s {
        "null" => Schema::Null,
        "boolean" => Schema::Boolean,
        "int" => Schema::Int(logical),
        "long" => Schema::Long(logical),
        "float" => Schema::Float,
        "double" => Schema::Double,
        "bytes" => Schema::Bytes(logical),
        "string" => Schema::String(logical),
        _ => return None,
    })
}

/// The type name of an unnamed schema, for messages and union duplicates.
pub fn base_name(schema: &Schema) -> &str {
    match schema {
        Schema::Null => "null",
        Schema::Boolean => "boolean",
        Schema::Int(_) => "int",
        Schema::Long(_) => "long",
        Schema::Float => "float",
        Schema::Double => "double",
        Schema::Bytes(_) => "bytes",
        Schema::String(_) => "string",
        Schema::Array(_) => "array",
        Schema::Map(_) => "map",
        Schema::Union(_) => "union",
        Schema::Ref(n) => &n.name,
    }
}

/// How to write a complex type that was given as a bare string.
fn complex_example(s: &str) -> Option<&'static str> {
    Some(match s {
        "record" | "error" => "{\"type\": \"record\", \"name\": \"…\", \"fields\": […]}",
        "enum" => "{\"type\": \"enum\", \"name\": \"…\", \"symbols\": […]}",
        "fixed" => "{\"type\": \"fixed\", \"name\": \"…\", \"size\": …}",
        "array" => "{\"type\": \"array\", \"items\": …}",
        "map" => "{\"type\": \"map\", \"values\": …}",
        _ => return None,
    })
}

/// A JSON number written as a non-negative integer (no sign, fraction or exponent).
fn as_u64(node: &Node) -> Option<u64> {
    match &node.value {
        NodeValue::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
