//! The resolved schema model: what the emitters generate code from.
//!
//! [`crate::parse`] turns `.avsc` files into this model and
//! [`crate::resolve`] links named references across files. Every node keeps
//! the [`Span`] it came from so errors can point at `file:line:col`.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a schema node came from: file, 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Index into [`Model::files`].
    pub file: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
}

/// A JSON value as written in a schema (field defaults, custom properties).
///
/// Objects keep their keys sorted, so the model is deterministic.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept as written (so `1` and `1.0` stay distinguishable).
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object.
    Object(BTreeMap<String, JsonValue>),
}

/// A fully qualified Avro name, e.g. `zamaz.debate.DebateCompleted`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FullName {
    /// Namespace, empty for the null namespace.
    pub namespace: String,
    /// Simple name.
    pub name: String,
}

impl FullName {
    /// `namespace.name`, or `name` in the null namespace.
    pub fn full(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.namespace, self.name)
        }
    }
}

/// An Avro logical type, attached to its underlying schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logical {
    /// `uuid` on `string` or `fixed(16)`.
    Uuid,
    /// `date` on `int`: days since the Unix epoch.
    Date,
    /// `time-millis` on `int`.
    TimeMillis,
    /// `time-micros` on `long`.
    TimeMicros,
    /// `timestamp-millis` on `long`.
    TimestampMillis,
    /// `timestamp-micros` on `long`.
    TimestampMicros,
    /// `timestamp-nanos` on `long`.
    TimestampNanos,
    /// `local-timestamp-millis` on `long`.
    LocalTimestampMillis,
    /// `local-timestamp-micros` on `long`.
    LocalTimestampMicros,
    /// `local-timestamp-nanos` on `long`.
    LocalTimestampNanos,
    /// `decimal` on `bytes` or `fixed`.
    Decimal {
        /// Total number of digits.
        precision: u32,
        /// Digits after the decimal point.
        scale: u32,
    },
    /// `duration` on `fixed(12)`.
    Duration,
}

/// A schema in a position where a type is expected (field type, array items…).
#[derive(Clone, Debug, PartialEq)]
pub enum Schema {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `int`, possibly with a logical type (`date`, `time-millis`).
    Int(Option<Logical>),
    /// `long`, possibly with a logical type (time, timestamps).
    Long(Option<Logical>),
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bytes`, possibly `decimal`.
    Bytes(Option<Logical>),
    /// `string`, possibly `uuid`.
    String(Option<Logical>),
    /// `{"type": "array", "items": …}`
    Array(Box<Schema>),
    /// `{"type": "map", "values": …}`
    Map(Box<Schema>),
    /// `[…]` — branches in declaration order.
    Union(Vec<Schema>),
    /// A reference to (or the inline definition of) a named type.
    Ref(FullName),
}

/// A named type: record, enum or fixed.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedType {
    /// Fully qualified name.
    pub name: FullName,
    /// Aliases, fully qualified.
    pub aliases: Vec<FullName>,
    /// `doc`, if any.
    pub doc: Option<String>,
    /// Where the definition starts.
    pub span: Span,
    /// Custom properties (any key not defined by the Avro spec), e.g. `aggregate`.
    pub props: BTreeMap<String, JsonValue>,
    /// Where each custom property's value is, for errors about it.
    pub prop_spans: BTreeMap<String, Span>,
    /// What kind of named type this is.
    pub kind: NamedKind,
}

/// The three kinds of named type.
#[derive(Clone, Debug, PartialEq)]
pub enum NamedKind {
    /// A record.
    Record {
        /// Fields in declaration order.
        fields: Vec<Field>,
    },
    /// An enum.
    Enum {
        /// Symbols in declaration order.
        symbols: Vec<String>,
        /// The enum's `default` symbol (used by readers for unknown symbols).
        default: Option<String>,
    },
    /// A fixed-size byte array.
    Fixed {
        /// Size in bytes.
        size: usize,
        /// `decimal`, `duration` or `uuid`, if declared.
        logical: Option<Logical>,
    },
}

/// Sort order of a record field (`order` attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Order {
    /// `ascending` (the default).
    #[default]
    Ascending,
    /// `descending`
    Descending,
    /// `ignore`
    Ignore,
}

/// A record field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Field name as written in the schema.
    pub name: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// `doc`, if any.
    pub doc: Option<String>,
    /// The field's type.
    pub schema: Schema,
    /// The `default` value, validated against `schema`.
    pub default: Option<JsonValue>,
    /// `order`.
    pub order: Order,
    /// Where the field object starts.
    pub span: Span,
    /// Custom properties.
    pub props: BTreeMap<String, JsonValue>,
}

/// One parsed `.avsc` file.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaFile {
    /// Path as given to the loader (relative paths stay relative).
    pub path: PathBuf,
    /// Path relative to the schemas root, with `/` separators, for display
    /// and for deterministic ordering.
    pub rel_path: String,
    /// The file's top-level schema.
    pub root: Schema,
    /// Full text, for error excerpts.
    pub source: String,
}

/// All schema files of a schema root, resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Files sorted by `rel_path`.
    pub files: Vec<SchemaFile>,
    /// Every named type defined in any file, by full name.
    pub types: BTreeMap<FullName, NamedType>,
}

impl Model {
    /// The named type with this full name.
    pub fn get(&self, name: &FullName) -> Option<&NamedType> {
        self.types.get(name)
    }
}
