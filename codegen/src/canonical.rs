//! Schema text for fingerprints and registries: the spec's Parsing Canonical
//! Form, the CRC-64-AVRO (Rabin) fingerprint, and a complete self-contained
//! schema JSON for a named type.
//!
//! Both writers inline a named type at its first occurrence and refer to it by
//! full name afterwards, which is what makes recursive types finite.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::model::{
    Field, FullName, JsonValue, Logical, Model, NamedKind, NamedType, Order, Schema,
};

/// The Parsing Canonical Form of `schema` (\[PRIMITIVES\], \[FULLNAMES\],
/// \[STRIP\], \[ORDER\], \[STRINGS\], \[INTEGERS\], \[WHITESPACE\]).
///
/// Named types are looked up in `model`; a name missing from it is written
/// as a reference.
pub fn parsing_canonical_form(model: &Model, schema: &Schema) -> String {
    let mut w = Writer::new(model);
    w.pcf(schema);
    w.out
}

/// The Parsing Canonical Form of the named type `name`.
pub fn parsing_canonical_form_of(model: &Model, name: &FullName) -> String {
    parsing_canonical_form(model, &Schema::Ref(name.clone()))
}

/// `EMPTY` of the CRC-64-AVRO fingerprint, from the spec's appendix.
pub const RABIN_EMPTY: u64 = 0xc15d_213a_a4d7_a795;

const RABIN_TABLE: [u64; 256] = rabin_table();

const fn rabin_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut fp = i as u64;
        let mut j = 0;
        while j < 8 {
            fp = (fp >> 1) ^ (RABIN_EMPTY & 0u64.wrapping_sub(fp & 1));
            j += 1;
        }
        table[i] = fp;
        i += 1;
    }
    table
}

/// The 64-bit Rabin fingerprint (CRC-64-AVRO) of `bytes`, as in the spec's
/// appendix. Apply it to the Parsing Canonical Form to fingerprint a schema.
pub fn rabin_fingerprint(bytes: &[u8]) -> u64 {
    let mut fp = RABIN_EMPTY;
    for &b in bytes {
        fp = (fp >> 8) ^ RABIN_TABLE[((fp ^ u64::from(b)) & 0xff) as usize];
    }
    fp
}

/// A fingerprint as 16 lower-case hex digits.
pub fn fingerprint_hex(fp: u64) -> String {
    format!("{fp:016x}")
}

/// The complete, self-contained schema JSON of the named type `name`: every
/// referenced named type is inlined at its first occurrence, names are fully
/// qualified, and keys come in a fixed order, so the text is deterministic.
/// Docs, aliases, defaults, logical types and custom properties are kept.
///
/// This is the text registered with a schema registry.
pub fn standalone_json(model: &Model, name: &FullName) -> String {
    let mut w = Writer::new(model);
    w.full(&Schema::Ref(name.clone()), "");
    w.out
}

struct Writer<'a> {
    model: &'a Model,
    seen: HashSet<FullName>,
    out: String,
}

/// Appends `s` as a JSON string literal (only `"`, `\` and control
/// characters escaped, so non-ASCII text stays as UTF-8, as \[STRINGS\] asks).
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_json(out: &mut String, v: &JsonValue) {
    match v {
        JsonValue::Null => out.push_str("null"),
        JsonValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsonValue::Number(n) => out.push_str(n),
        JsonValue::String(s) => push_str(out, s),
        JsonValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json(out, item);
            }
            out.push(']');
        }
        JsonValue::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_str(out, k);
                out.push(':');
                push_json(out, v);
            }
            out.push('}');
        }
    }
}

/// The spec's name of a logical type.
pub fn logical_name(l: &Logical) -> &'static str {
    match l {
        Logical::Uuid => "uuid",
        Logical::Date => "date",
        Logical::TimeMillis => "time-millis",
        Logical::TimeMicros => "time-micros",
        Logical::TimestampMillis => "timestamp-millis",
        Logical::TimestampMicros => "timestamp-micros",
        Logical::TimestampNanos => "timestamp-nanos",
        Logical::LocalTimestampMillis => "local-timestamp-millis",
        Logical::LocalTimestampMicros => "local-timestamp-micros",
        Logical::LocalTimestampNanos => "local-timestamp-nanos",
        Logical::Decimal { .. } => "decimal",
        Logical::Duration => "duration",
    }
}

/// A primitive's name and logical type, if `schema` is a primitive.
fn primitive(schema: &Schema) -> Option<(&'static str, Option<&Logical>)> {
    Some(match schema {
        Schema::Null => ("null", None),
        Schema::Boolean => ("boolean", None),
        Schema::Int(l) => ("int", l.as_ref()),
        Schema::Long(l) => ("long", l.as_ref()),
        Schema::Float => ("float", None),
        Schema::Double => ("double", None),
        Schema::Bytes(l) => ("bytes", l.as_ref()),
        Schema::String(l) => ("string", l.as_ref()),
        _ => return None,
    })
}

impl<'a> Writer<'a> {
    fn new(model: &'a Model) -> Self {
        Writer {
            model,
            seen: HashSet::new(),
            out: String::new(),
        }
    }

    fn key(&mut self, first: bool, key: &str) {
        if !first {
            self.out.push(',');
        }
        push_str(&mut self.out, key);
        self.out.push(':');
    }

    /// The named type to write in full, or `None` (after writing its name)
    /// when it was written before or is unknown.
    fn first_occurrence(&mut self, name: &FullName) -> Option<&'a NamedType> {
        let model = self.model;
        match model.get(name) {
            Some(t) if self.seen.insert(name.clone()) => Some(t),
            _ => {
                push_str(&mut self.out, &name.full());
                None
            }
        }
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            each(self, item);
        }
        self.out.push(']');
    }

    // ---- Parsing Canonical Form ----

    fn pcf(&mut self, schema: &Schema) {
        if let Some((name, _)) = primitive(schema) {
            push_str(&mut self.out, name);
            return;
        }
        match schema {
            Schema::Array(items) => {
                self.out.push_str("{\"type\":\"array\",\"items\":");
                self.pcf(items);
                self.out.push('}');
            }
            Schema::Map(values) => {
                self.out.push_str("{\"type\":\"map\",\"values\":");
                self.pcf(values);
                self.out.push('}');
            }
            Schema::Union(branches) => self.list(branches, |w, b| w.pcf(b)),
            Schema::Ref(name) => {
                let Some(t) = self.first_occurrence(name) else {
                    return;
                };
                self.out.push_str("{\"name\":");
                push_str(&mut self.out, &t.name.full());
                match &t.kind {
                    NamedKind::Record { fields } => {
                        self.out.push_str(",\"type\":\"record\",\"fields\":");
                        self.list(fields, |w, f| {
                            w.out.push_str("{\"name\":");
                            push_str(&mut w.out, &f.name);
                            w.out.push_str(",\"type\":");
                            w.pcf(&f.schema);
                            w.out.push('}');
                        });
                    }
                    NamedKind::Enum { symbols, .. } => {
                        self.out.push_str(",\"type\":\"enum\",\"symbols\":");
                        self.list(symbols, |w, s| push_str(&mut w.out, s));
                    }
                    NamedKind::Fixed { size, .. } => {
                        let _ = write!(self.out, ",\"type\":\"fixed\",\"size\":{size}");
                    }
                }
                self.out.push('}');
            }
            _ => {}
        }
    }

    // ---- Full schema JSON ----

    fn logical_attrs(&mut self, l: &Logical) {
        self.key(false, "logicalType");
        push_str(&mut self.out, logical_name(l));
        if let Logical::Decimal { precision, scale } = l {
            let _ = write!(self.out, ",\"precision\":{precision},\"scale\":{scale}");
        }
    }

    /// `schema` in full, inside a named type of namespace `ns`.
    fn full(&mut self, schema: &Schema, ns: &str) {
        if let Some((name, logical)) = primitive(schema) {
            match logical {
                None => push_str(&mut self.out, name),
                Some(l) => {
                    self.out.push_str("{\"type\":");
                    push_str(&mut self.out, name);
                    self.logical_attrs(l);
                    self.out.push('}');
                }
            }
            return;
        }
        match schema {
            Schema::Array(items) => {
                self.out.push_str("{\"type\":\"array\",\"items\":");
                self.full(items, ns);
                self.out.push('}');
            }
            Schema::Map(values) => {
                self.out.push_str("{\"type\":\"map\",\"values\":");
                self.full(values, ns);
                self.out.push('}');
            }
            Schema::Union(branches) => self.list(branches, |w, b| w.full(b, ns)),
            Schema::Ref(name) => {
                if let Some(t) = self.first_occurrence(name) {
                    self.named(t, ns);
                }
            }
            _ => {}
        }
    }

    fn props(&mut self, props: &BTreeMap<String, JsonValue>) {
        for (k, v) in props {
            self.key(false, k);
            push_json(&mut self.out, v);
        }
    }

    fn named(&mut self, t: &NamedType, ns: &str) {
        let kind = match t.kind {
            NamedKind::Record { .. } => "record",
            NamedKind::Enum { .. } => "enum",
            NamedKind::Fixed { .. } => "fixed",
        };
        let _ = write!(self.out, "{{\"type\":\"{kind}\"");
        self.key(false, "name");
        push_str(&mut self.out, &t.name.full());
        // An undotted name would inherit the enclosing namespace.
        if t.name.namespace.is_empty() && !ns.is_empty() {
            self.out.push_str(",\"namespace\":\"\"");
        }
        if let Some(doc) = &t.doc {
            self.key(false, "doc");
            push_str(&mut self.out, doc);
        }
        if !t.aliases.is_empty() {
            self.key(false, "aliases");
            self.list(&t.aliases, |w, a| push_str(&mut w.out, &a.full()));
        }
        self.props(&t.props);
        let own_ns = t.name.namespace.as_str();
        match &t.kind {
            NamedKind::Record { fields } => {
                self.key(false, "fields");
                self.list(fields, |w, f| w.field(f, own_ns));
            }
            NamedKind::Enum { symbols, default } => {
                self.key(false, "symbols");
                self.list(symbols, |w, s| push_str(&mut w.out, s));
                if let Some(d) = default {
                    self.key(false, "default");
                    push_str(&mut self.out, d);
                }
            }
            NamedKind::Fixed { size, logical } => {
                let _ = write!(self.out, ",\"size\":{size}");
                if let Some(l) = logical {
                    self.logical_attrs(l);
                }
            }
        }
        self.out.push('}');
    }

    fn field(&mut self, f: &Field, ns: &str) {
        self.out.push('{');
        self.key(true, "name");
        push_str(&mut self.out, &f.name);
        self.key(false, "type");
        self.full(&f.schema, ns);
        if let Some(doc) = &f.doc {
            self.key(false, "doc");
            push_str(&mut self.out, doc);
        }
        if let Some(d) = &f.default {
            self.key(false, "default");
            push_json(&mut self.out, d);
        }
        let order = match f.order {
            Order::Ascending => None,
            Order::Descending => Some("descending"),
            Order::Ignore => Some("ignore"),
        };
        if let Some(o) = order {
            self.key(false, "order");
            push_str(&mut self.out, o);
        }
        if !f.aliases.is_empty() {
            self.key(false, "aliases");
            self.list(&f.aliases, |w, a| push_str(&mut w.out, a));
        }
        self.props(&f.props);
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests;
