//! The schema model the compatibility engine walks.
//!
//! A schema document (JSON) is parsed into an arena of [`Node`]s. Named types
//! are stored once, where they are defined; every reference to them shares
//! that node, so recursive types are cycles in the arena and each node's
//! [`Node::pointer`] is the JSON pointer of its definition — the place a
//! finding should point at.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// A parsed Avro schema: the root node and the arena it points into.
#[derive(Clone, Debug)]
pub struct Schema {
    nodes: Vec<Node>,
    root: NodeId,
}

/// The index of a node in its [`Schema`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(usize);

/// One schema node and where it is defined.
#[derive(Clone, Debug)]
pub struct Node {
    /// The JSON pointer of the definition (`""` for the root).
    pub pointer: String,
    /// What kind of schema this is.
    pub kind: Kind,
    /// The `logicalType` annotation, if any (compatibility ignores it: a
    /// logical type resolves by its underlying type).
    pub logical: Option<String>,
}

/// The kind of a schema node.
#[derive(Clone, Debug)]
#[allow(missing_docs)] // the variants are Avro's type names
pub enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(NodeId),
    Map(NodeId),
    Union(Vec<NodeId>),
    Record {
        name: Name,
        doc: Option<String>,
        fields: Vec<Field>,
    },
    Enum {
        name: Name,
        doc: Option<String>,
        symbols: Vec<String>,
        default: Option<String>,
    },
    Fixed {
        name: Name,
        doc: Option<String>,
        size: u64,
    },
}

/// The name of a named type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The fully qualified name (`zamaz.debate.DebateCompleted`).
    pub full: String,
    /// The aliases, fully qualified.
    pub aliases: Vec<String>,
}

impl Name {
    /// The name without its namespace.
    pub fn simple(&self) -> &str {
        self.full.rsplit('.').next().unwrap_or(&self.full)
    }
}

/// A record field.
#[derive(Clone, Debug)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// Other names data written with this field may use.
    pub aliases: Vec<String>,
    /// The field's schema.
    pub schema: NodeId,
    /// The default value, if the field has one.
    pub default: Option<Value>,
    /// The field's documentation.
    pub doc: Option<String>,
    /// The JSON pointer of the field object.
    pub pointer: String,
}

/// A schema the engine cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid schema at `{pointer}`: {problem}")]
pub struct SchemaError {
    /// The JSON pointer of the offending node (`""` is the root).
    pub pointer: String,
    /// What is wrong.
    pub problem: String,
}

impl Schema {
    /// Parses schema JSON text.
    ///
    /// # Errors
    ///
    /// [`SchemaError`] when the text is not JSON or not a valid Avro schema.
    pub fn parse_str(text: &str) -> Result<Self, SchemaError> {
        let value: Value = serde_json::from_str(text).map_err(|e| SchemaError {
            pointer: String::new(),
            problem: format!("not JSON: {e}"),
        })?;
        Self::parse(&value)
    }

    /// Parses a schema given as a JSON value.
    ///
    /// # Errors
    ///
    /// [`SchemaError`] naming the JSON pointer of the first invalid node:
    /// unknown type names, missing or malformed attributes, duplicate names,
    /// fields or symbols, nested or duplicate union branches.
    pub fn parse(value: &Value) -> Result<Self, SchemaError> {
        let mut parser = Parser {
            nodes: Vec::new(),
            names: HashMap::new(),
        };
        let root = parser.parse(value, "", "")?;
        let schema = Self {
            nodes: parser.nodes,
            root,
        };
        schema.check_defaults()?;
        Ok(Self {
            nodes: schema.nodes,
            root,
        })
    }

    /// The root node.
    pub fn root(&self) -> NodeId {
        self.root
    }

    /// The node `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// Every node, definitions first-seen first.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes.iter().enumerate().map(|(i, n)| (NodeId(i), n))
    }

    /// A short description of node `id` for messages: the type name, or
    /// the full name of a named type, or `union[a, b]`.
    pub fn describe(&self, id: NodeId) -> String {
        match &self.node(id).kind {
            Kind::Array(items) => format!("array<{}>", self.describe(*items)),
            Kind::Map(values) => format!("map<{}>", self.describe(*values)),
            Kind::Union(branches) => {
                let names: Vec<String> = branches.iter().map(|b| self.describe(*b)).collect();
                format!("[{}]", names.join(", "))
            }
            Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
                name.full.clone()
            }
            kind => kind.type_name().to_owned(),
        }
    }
}

impl Schema {
    /// Every field default must be a value of the field's type (of the
    /// first branch, for a union), as the specification requires.
    fn check_defaults(&self) -> Result<(), SchemaError> {
        for (_, node) in self.nodes() {
            if let Kind::Record { fields, .. } = &node.kind {
                for field in fields {
                    if let Some(default) = &field.default {
                        if let Err(problem) = self.fits(field.schema, default) {
                            return Err(error(
                                &child(&field.pointer, "default"),
                                format!(
                                    "the default of field `{}` is not valid: {problem}",
                                    field.name
                                ),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether JSON `value` is a default of node `id`'s type.
    fn fits(&self, id: NodeId, value: &Value) -> Result<(), String> {
        let node = self.node(id);
        let ok = match (&node.kind, value) {
            (Kind::Null, Value::Null) | (Kind::Boolean, Value::Bool(_)) => true,
            (Kind::Int, Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            (Kind::Long, Value::Number(n)) => n.as_i64().is_some(),
            (Kind::Float | Kind::Double, Value::Number(_)) => true,
            (Kind::Bytes | Kind::String, Value::String(_)) => true,
            (Kind::Fixed { size, .. }, Value::String(s)) => s.chars().count() as u64 == *size,
            (Kind::Enum { symbols, .. }, Value::String(s)) => symbols.contains(s),
            (Kind::Array(items), Value::Array(values)) => {
                return values.iter().try_for_each(|v| self.fits(*items, v));
            }
            (Kind::Map(items), Value::Object(values)) => {
                return values.values().try_for_each(|v| self.fits(*items, v));
            }
            (Kind::Union(branches), value) => {
                // The first branch's type, as the specification says.
                return match branches.first() {
                    Some(first) => self.fits(*first, value).map_err(|e| {
                        format!("{e} (a union's default must be a value of its first branch)")
                    }),
                    None => Err("an empty union has no values".to_owned()),
                };
            }
            (Kind::Record { fields, .. }, Value::Object(values)) => {
                for field in fields {
                    match (values.get(&field.name), &field.default) {
                        (Some(v), _) => self.fits(field.schema, v)?,
                        (None, Some(_)) => {}
                        (None, None) => return Err(format!("field `{}` is missing", field.name)),
                    }
                }
                true
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{value} is not a `{}`", self.describe(id)))
        }
    }
}

impl Kind {
    /// Avro's name of this kind of schema (`record`, `long`, `union` …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Int => "int",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Bytes => "bytes",
            Kind::String => "string",
            Kind::Array(_) => "array",
            Kind::Map(_) => "map",
            Kind::Union(_) => "union",
            Kind::Record { .. } => "record",
            Kind::Enum { .. } => "enum",
            Kind::Fixed { .. } => "fixed",
        }
    }

    /// The name, for records, enums and fixed.
    pub fn name(&self) -> Option<&Name> {
        match self {
            Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
                Some(name)
            }
            _ => None,
        }
    }
}

struct Parser {
    nodes: Vec<Node>,
    names: HashMap<String, NodeId>,
}

fn error(pointer: &str, problem: impl Into<String>) -> SchemaError {
    SchemaError {
        pointer: pointer.to_owned(),
        problem: problem.into(),
    }
}

/// Escapes a JSON pointer reference token (RFC 6901).
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn primitive(name: &str) -> Option<Kind> {
    Some(match name {
        "null" => Kind::Null,
        "boolean" => Kind::Boolean,
        "int" => Kind::Int,
        "long" => Kind::Long,
        "float" => Kind::Float,
        "double" => Kind::Double,
        "bytes" => Kind::Bytes,
        "string" => Kind::String,
        _ => return None,
    })
}

/// Qualifies `name` with `namespace` unless it already has a dot.
fn qualify(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_full_name(full: &str) -> bool {
    full.split('.').all(valid_name)
}

impl Parser {
    fn push(&mut self, pointer: &str, kind: Kind, logical: Option<String>) -> NodeId {
        self.nodes.push(Node {
            pointer: pointer.to_owned(),
            kind,
            logical,
        });
        NodeId(self.nodes.len() - 1)
    }

    fn parse(
        &mut self,
        value: &Value,
        pointer: &str,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        match value {
            Value::String(name) => self.reference(name, pointer, namespace),
            Value::Array(branches) => self.union(branches, pointer, namespace),
            Value::Object(object) => self.object(object, pointer, namespace),
            _ => Err(error(
                pointer,
                "expected a type name, a union (array) or a schema object",
            )),
        }
    }

    fn reference(
        &mut self,
        name: &str,
        pointer: &str,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        if let Some(kind) = primitive(name) {
            return Ok(self.push(pointer, kind, None));
        }
        // A dotless name is looked up in the enclosing namespace first, then
        // in the null namespace (Avro 1.12 "Names").
        let found = self
            .names
            .get(&qualify(name, namespace))
            .or_else(|| self.names.get(name));
        found
            .copied()
            .ok_or_else(|| error(pointer, format!("unknown type `{name}`")))
    }

    fn union(
        &mut self,
        branches: &[Value],
        pointer: &str,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let mut ids = Vec::with_capacity(branches.len());
        let mut seen: Vec<String> = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            let id = self.parse(branch, &at, namespace)?;
            let node = self.node(id);
            if matches!(node.kind, Kind::Union(_)) {
                return Err(error(&at, "a union may not directly contain another union"));
            }
            let key = node
                .kind
                .name()
                .map_or_else(|| node.kind.type_name().to_owned(), |n| n.full.clone());
            if seen.contains(&key) {
                return Err(error(
                    &at,
                    format!("the union already has a `{key}` branch"),
                ));
            }
            seen.push(key);
            ids.push(id);
        }
        Ok(self.push(pointer, Kind::Union(ids), None))
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    fn object(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let logical = object
            .get("logicalType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let ty = match object.get("type") {
            Some(Value::String(ty)) => ty.as_str(),
            // `{"type": {...}}` or `{"type": [...]}` wraps another schema.
            Some(inner @ (Value::Object(_) | Value::Array(_))) => {
                return self.parse(inner, &format!("{pointer}/type"), namespace);
            }
            Some(_) => {
                return Err(error(
                    &format!("{pointer}/type"),
                    "`type` must be a string, object or array",
                ))
            }
            None => return Err(error(pointer, "a schema object needs a `type`")),
        };
        match ty {
            "record" | "error" => self.record(object, pointer, namespace),
            "enum" => self.enumeration(object, pointer, namespace),
            "fixed" => self.fixed(object, pointer, namespace, logical),
            "array" => {
                let items = object
                    .get("items")
                    .ok_or_else(|| error(pointer, "an array needs `items`"))?;
                let items = self.parse(items, &format!("{pointer}/items"), namespace)?;
                Ok(self.push(pointer, Kind::Array(items), logical))
            }
            "map" => {
                let values = object
                    .get("values")
                    .ok_or_else(|| error(pointer, "a map needs `values`"))?;
                let values = self.parse(values, &format!("{pointer}/values"), namespace)?;
                Ok(self.push(pointer, Kind::Map(values), logical))
            }
            other => match primitive(other) {
                Some(kind) => Ok(self.push(pointer, kind, logical)),
                // `{"type": "com.example.Named"}` refers to a named type.
                None => self.reference(other, pointer, namespace),
            },
        }
    }

    /// Reads `name`/`namespace`/`aliases` and reserves the name, so the
    /// type's own body can refer to it (recursion).
    fn name(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        namespace: &str,
    ) -> Result<(Name, String, NodeId), SchemaError> {
        let name = object
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| error(pointer, "a named type needs a string `name`"))?;
        let own_namespace = match object.get("namespace") {
            Some(Value::String(ns)) => ns.as_str(),
            Some(Value::Null) | None => namespace,
            Some(_) => {
                return Err(error(
                    &format!("{pointer}/namespace"),
                    "`namespace` must be a string",
                ))
            }
        };
        let full = qualify(name, own_namespace);
        if !valid_full_name(&full) {
            return Err(error(
                &format!("{pointer}/name"),
                format!("`{full}` is not a valid Avro name"),
            ));
        }
        // The namespace of a dotted name is the part before its last dot.
        let inner_namespace = full.rsplit_once('.').map_or("", |(ns, _)| ns).to_owned();
        let aliases = match object.get("aliases") {
            None => Vec::new(),
            Some(Value::Array(aliases)) => aliases
                .iter()
                .map(|a| a.as_str().map(|a| qualify(a, &inner_namespace)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| error(&format!("{pointer}/aliases"), "aliases must be strings"))?,
            Some(_) => {
                return Err(error(
                    &format!("{pointer}/aliases"),
                    "`aliases` must be an array",
                ))
            }
        };
        if self.names.contains_key(&full) || primitive(&full).is_some() {
            return Err(error(
                &format!("{pointer}/name"),
                format!("`{full}` is defined twice"),
            ));
        }
        // A placeholder that already has the name: the type's own body may
        // refer to it (recursion), e.g. as a union branch beside `null`.
        let placeholder = Kind::Record {
            name: Name {
                full: full.clone(),
                aliases: aliases.clone(),
            },
            doc: None,
            fields: Vec::new(),
        };
        let id = self.push(pointer, placeholder, None);
        self.names.insert(full.clone(), id);
        Ok((Name { full, aliases }, inner_namespace, id))
    }

    fn record(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let (name, inner, id) = self.name(object, pointer, namespace)?;
        let fields_value = object
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| error(pointer, "a record needs a `fields` array"))?;
        let mut fields: Vec<Field> = Vec::with_capacity(fields_value.len());
        for (i, field) in fields_value.iter().enumerate() {
            let at = format!("{pointer}/fields/{i}");
            let field = field
                .as_object()
                .ok_or_else(|| error(&at, "a field must be an object"))?;
            let field_name = field
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| error(&at, "a field needs a string `name`"))?;
            if !valid_name(field_name) {
                return Err(error(
                    &format!("{at}/name"),
                    format!("`{field_name}` is not a valid field name"),
                ));
            }
            if fields.iter().any(|f| f.name == field_name) {
                return Err(error(
                    &format!("{at}/name"),
                    format!("field `{field_name}` appears twice"),
                ));
            }
            let ty = field
                .get("type")
                .ok_or_else(|| error(&at, "a field needs a `type`"))?;
            let schema = self.parse(ty, &format!("{at}/type"), &inner)?;
            let aliases = field
                .get("aliases")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            fields.push(Field {
                name: field_name.to_owned(),
                aliases,
                schema,
                default: field.get("default").cloned(),
                doc: doc(field),
                pointer: at,
            });
        }
        self.nodes[id.0].kind = Kind::Record {
            name,
            doc: doc(object),
            fields,
        };
        Ok(id)
    }

    fn enumeration(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        namespace: &str,
    ) -> Result<NodeId, SchemaError> {
        let (name, _, id) = self.name(object, pointer, namespace)?;
        let symbols_at = format!("{pointer}/symbols");
        let values = object
            .get("symbols")
            .and_then(Value::as_array)
            .ok_or_else(|| error(pointer, "an enum needs a `symbols` array"))?;
        let mut symbols: Vec<String> = Vec::with_capacity(values.len());
        for (i, symbol) in values.iter().enumerate() {
            let at = format!("{symbols_at}/{i}");
            let symbol = symbol
                .as_str()
                .ok_or_else(|| error(&at, "a symbol must be a string"))?;
            if !valid_name(symbol) {
                return Err(error(&at, format!("`{symbol}` is not a valid enum symbol")));
            }
            if symbols.iter().any(|s| s == symbol) {
                return Err(error(&at, format!("symbol `{symbol}` appears twice")));
            }
            symbols.push(symbol.to_owned());
        }
        let default = match object.get("default") {
            None | Some(Value::Null) => None,
            Some(Value::String(d)) if symbols.contains(d) => Some(d.clone()),
            Some(_) => {
                return Err(error(
                    &format!("{pointer}/default"),
                    "the enum default must be one of its symbols",
                ));
            }
        };
        self.nodes[id.0].kind = Kind::Enum {
            name,
            doc: doc(object),
            symbols,
            default,
        };
        Ok(id)
    }

    fn fixed(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        namespace: &str,
        logical: Option<String>,
    ) -> Result<NodeId, SchemaError> {
        let (name, _, id) = self.name(object, pointer, namespace)?;
        let size = object
            .get("size")
            .and_then(Value::as_u64)
            .ok_or_else(|| error(pointer, "a fixed needs a non-negative integer `size`"))?;
        let node = &mut self.nodes[id.0];
        node.kind = Kind::Fixed {
            name,
            doc: doc(object),
            size,
        };
        node.logical = logical;
        Ok(id)
    }
}

fn doc(object: &Map<String, Value>) -> Option<String> {
    object.get("doc").and_then(Value::as_str).map(str::to_owned)
}

/// Appends a reference token to a JSON pointer.
pub(crate) fn child(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", token(segment))
}
