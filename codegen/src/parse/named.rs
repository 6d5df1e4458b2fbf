//! Named types: records (and errors), enums and fixed.

use super::{as_u64, closest, is_valid_dotted, is_valid_name, logical, qualify, split_full};
use super::{DeferredDefault, Parser, FIELD_KEYS, NAMED_KEYS, PRIMITIVES};
use crate::json::{Key, Node, NodeValue};
use crate::model::{Field, FullName, NamedKind, NamedType, Order, Schema};

impl Parser<'_> {
    /// A record, error, enum or fixed definition.
    pub(super) fn named(
        &mut self,
        node: &Node,
        members: &[(Key, Node)],
        t: &str,
        ns: &str,
    ) -> Option<Schema> {
        let errors_before = self.diags.len();
        let name_node = match node.get("name") {
            Some(n) => n,
            None => {
                let hint = self.misspelled(members, "name", &["type", "namespace"]);
                self.error(node.line, node.col, format!("{t} is missing `name`"), hint);
                return None;
            }
        };
        let Some(written) = name_node.as_str() else {
            self.error_at(
                name_node,
                format!("`name` must be a string, found {}", name_node.kind()),
            );
            return None;
        };
        if !is_valid_dotted(written) {
            self.error_hint(
                name_node,
                format!("invalid name `{written}`"),
                "each part of a name must match [A-Za-z_][A-Za-z0-9_]*",
            );
            return None;
        }
        let namespace = match node.get("namespace") {
            None => None,
            Some(v) => match &v.value {
                NodeValue::Null => None,
                NodeValue::String(s) if s.is_empty() || is_valid_dotted(s) => Some(s.clone()),
                NodeValue::String(s) => {
                    self.error_hint(
                        v,
                        format!("invalid namespace `{s}`"),
                        "a namespace is dot-separated names matching [A-Za-z_][A-Za-z0-9_]*, or \"\" for the null namespace",
                    );
                    None
                }
                _ => {
                    self.error_at(
                        v,
                        format!("`namespace` must be a string, found {}", v.kind()),
                    );
                    None
                }
            },
        };
        // A dotted name is already a full name and its namespace wins.
        let full = if written.contains('.') {
            split_full(written)
        } else {
            qualify(written, namespace.as_deref().unwrap_or(ns))
        };
        if PRIMITIVES.contains(&full.name.as_str()) {
            self.error_hint(
                name_node,
                format!("`{}` is a primitive type and cannot name a {t}", full.name),
                "choose another name",
            );
        }
        let own_ns = full.namespace.clone();
        let doc = self.opt_string(node, "doc");
        let aliases = self
            .aliases(node, true)
            .iter()
            .map(|a| qualify(a, &own_ns))
            .collect();

        let (kind, extra_keys): (Option<NamedKind>, &[&str]) = match t {
            "enum" => (self.enum_kind(node), &["symbols", "default"]),
            "fixed" => {
                let (kind, logical_known) = self.fixed_kind(node);
                let keys: &[&str] = if logical_known {
                    &["size", "logicalType", "precision", "scale"]
                } else {
                    &["size"]
                };
                (kind, keys)
            }
            _ => {
                self.reject_logical(node, t);
                (self.record_kind(node, members, &full), &["fields"])
            }
        };
        let known: Vec<&str> = NAMED_KEYS.iter().chain(extra_keys).copied().collect();
        let props = Self::props(members, &known);
        let prop_spans = members
            .iter()
            .filter(|(k, _)| props.contains_key(&k.name))
            .map(|(k, v)| (k.name.clone(), self.span(v.line, v.col)))
            .collect();
        if self.diags.len() > errors_before {
            self.out.incomplete.push(full.clone());
        }
        if let Some(kind) = kind {
            self.out.types.push(NamedType {
                name: full.clone(),
                aliases,
                doc,
                span: self.span(node.line, node.col),
                props,
                prop_spans,
                kind,
            });
        }
        Some(Schema::Ref(full))
    }

    fn record_kind(
        &mut self,
        node: &Node,
        members: &[(Key, Node)],
        record: &FullName,
    ) -> Option<NamedKind> {
        let Some(fields_node) = node.get("fields") else {
            let hint = self.misspelled(members, "fields", &NAMED_KEYS);
            self.error(node.line, node.col, "record is missing `fields`", hint);
            return None;
        };
        let NodeValue::Array(items) = &fields_node.value else {
            self.error_at(
                fields_node,
                format!("`fields` must be an array, found {}", fields_node.kind()),
            );
            return None;
        };
        let mut fields: Vec<Field> = Vec::new();
        let mut names: Vec<(&str, &Node)> = Vec::new();
        for item in items {
            let NodeValue::Object(fmembers) = &item.value else {
                self.error_hint(
                    item,
                    format!("a field must be an object, found {}", item.kind()),
                    "write {\"name\": \"…\", \"type\": …}",
                );
                continue;
            };
            let name = match item.get("name") {
                Some(n) => match n.as_str() {
                    Some(s) if is_valid_name(s) => {
                        if let Some((_, first)) = names.iter().find(|(k, _)| *k == s) {
                            let (line, col) = (first.line, first.col);
                            self.error(
                                n.line,
                                n.col,
                                format!("duplicate field `{s}` in record `{}`", record.full()),
                                Some(format!("first defined at line {line}, column {col}")),
                            );
                        }
                        names.push((s, n));
                        Some(s.to_owned())
                    }
                    Some(s) => {
                        self.error_hint(
                            n,
                            format!("invalid field name `{s}`"),
                            "a field name must match [A-Za-z_][A-Za-z0-9_]*",
                        );
                        None
                    }
                    None => {
                        self.error_at(n, format!("`name` must be a string, found {}", n.kind()));
                        None
                    }
                },
                None => {
                    let hint = self.misspelled(fmembers, "name", &FIELD_KEYS);
                    self.error(item.line, item.col, "field is missing `name`", hint);
                    None
                }
            };
            let schema = match item.get("type") {
                Some(t) => self.schema(t, &record.namespace),
                None => {
                    let hint = self
                        .misspelled(fmembers, "type", &FIELD_KEYS)
                        .or_else(|| Some("add a type, e.g. \"type\": \"string\"".into()));
                    let what = name
                        .as_deref()
                        .map(|n| format!("field `{n}`"))
                        .unwrap_or("field".into());
                    self.error(
                        item.line,
                        item.col,
                        format!("{what} is missing `type`"),
                        hint,
                    );
                    None
                }
            };
            let doc = self.opt_string(item, "doc");
            let order = match item.get("order") {
                None => Order::Ascending,
                Some(o) => match o.as_str() {
                    Some("ascending") => Order::Ascending,
                    Some("descending") => Order::Descending,
                    Some("ignore") => Order::Ignore,
                    _ => {
                        self.error_hint(
                            o,
                            "invalid field `order`",
                            "`order` is \"ascending\", \"descending\" or \"ignore\"",
                        );
                        Order::Ascending
                    }
                },
            };
            let aliases = self.aliases(item, false);
            // Avro treats a field-level `logicalType` as a plain property, so
            // the field silently keeps its base type: almost always a mistake.
            if let Some(lt) = item.get("logicalType") {
                if let Some(example) = lt.as_str().and_then(logical::example) {
                    self.error_hint(
                        lt,
                        "`logicalType` on a field is ignored by Avro",
                        format!("put it on the field's type: \"type\": {example}"),
                    );
                }
            }
            let (Some(name), Some(schema)) = (name, schema) else {
                continue;
            };
            let default = item.get("default").map(|d| {
                self.out.defaults.push(DeferredDefault {
                    record: record.clone(),
                    field: name.clone(),
                    schema: schema.clone(),
                    value: d.clone(),
                    file: self.file,
                });
                d.to_json_value()
            });
            fields.push(Field {
                name,
                aliases,
                doc,
                schema,
                default,
                order,
                span: self.span(item.line, item.col),
                props: Self::props(fmembers, &FIELD_KEYS),
            });
        }
        Some(NamedKind::Record { fields })
    }

    fn enum_kind(&mut self, node: &Node) -> Option<NamedKind> {
        let Some(sym_node) = node.get("symbols") else {
            self.error_hint(
                node,
                "enum is missing `symbols`",
                "add \"symbols\": [\"A\", \"B\"]",
            );
            return None;
        };
        let NodeValue::Array(items) = &sym_node.value else {
            self.error_at(
                sym_node,
                format!(
                    "`symbols` must be an array of strings, found {}",
                    sym_node.kind()
                ),
            );
            return None;
        };
        if items.is_empty() {
            self.error_hint(
                sym_node,
                "enum has no symbols",
                "an enum needs at least one symbol",
            );
        }
        let mut symbols: Vec<String> = Vec::new();
        let mut seen: Vec<&Node> = Vec::new();
        for item in items {
            match item.as_str() {
                Some(s) if is_valid_name(s) => {
                    if let Some(first) = seen.iter().find(|n| n.as_str() == Some(s)) {
                        let (line, col) = (first.line, first.col);
                        self.error(
                            item.line,
                            item.col,
                            format!("duplicate enum symbol `{s}`"),
                            Some(format!("first at line {line}, column {col}")),
                        );
                        continue;
                    }
                    seen.push(item);
                    symbols.push(s.to_owned());
                }
                Some(s) => self.error_hint(
                    item,
                    format!("invalid enum symbol `{s}`"),
                    "a symbol must match [A-Za-z_][A-Za-z0-9_]*",
                ),
                None => self.error_at(
                    item,
                    format!("an enum symbol must be a string, found {}", item.kind()),
                ),
            }
        }
        let default = match node.get("default") {
            None => None,
            Some(d) => match d.as_str() {
                Some(s) if symbols.iter().any(|x| x == s) => Some(s.to_owned()),
                Some(s) => {
                    let hint = closest(s, symbols.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"))
                        .unwrap_or_else(|| {
                            format!(
                                "the default must be one of the symbols: {}",
                                symbols.join(", ")
                            )
                        });
                    self.error(
                        d.line,
                        d.col,
                        format!("enum default `{s}` is not a symbol of the enum"),
                        Some(hint),
                    );
                    None
                }
                None => {
                    self.error_at(
                        d,
                        format!("an enum default must be a string, found {}", d.kind()),
                    );
                    None
                }
            },
        };
        Some(NamedKind::Enum { symbols, default })
    }

    /// The fixed kind, and whether its `logicalType` is a known one.
    fn fixed_kind(&mut self, node: &Node) -> (Option<NamedKind>, bool) {
        let size = match node.get("size") {
            None => {
                self.error_hint(
                    node,
                    "fixed is missing `size`",
                    "add \"size\": <number of bytes>",
                );
                None
            }
            Some(s) => match as_u64(s).and_then(|n| usize::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    self.error_at(s, "`size` must be a non-negative integer");
                    None
                }
            },
        };
        let known = node
            .get("logicalType")
            .and_then(Node::as_str)
            .is_some_and(logical::is_known);
        let Some(size) = size else {
            return (None, known);
        };
        let logical = self.logical(node, "fixed", Some(size));
        (Some(NamedKind::Fixed { size, logical }), known)
    }

    /// The logical type of a primitive (`size` = None) or fixed (`Some(size)`).
    pub(super) fn logical(
        &mut self,
        node: &Node,
        base: &str,
        size: Option<usize>,
    ) -> Option<crate::model::Logical> {
        match logical::parse(node, base, size) {
            Ok(l) => l,
            Err(problem) => {
                self.error(problem.line, problem.col, problem.message, problem.hint);
                None
            }
        }
    }
}
