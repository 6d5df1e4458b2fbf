//! Field types that certainly differ from their schema, told from the
//! written type alone: `i32` for a `long`, `String` for a nullable string,
//! `Vec` for a map. Such a field gets one error naming both types, and the
//! struct gets no codec, whose code would add several more errors at the
//! same place. Types whose name does not tell (aliases, generated types,
//! uuid and chrono types) are left to rustc's `IsSchemaType` check.

use syn::{GenericArgument, PathArguments, Type};

use crate::canonical::logical_name;
use crate::emit::types::{union_shape, UnionShape};
use crate::emit::Ctx;
use crate::model::{Logical, Schema};

/// What a written type is, as far as its name tells.
enum Written<'a> {
    /// `bool`, `i64`, `String`, `()` …
    Primitive(String),
    Option(&'a Type),
    Vec(&'a Type),
    /// Key and value.
    Map(&'a Type, &'a Type),
    /// Never a schema's type: maps are `BTreeMap`s.
    HashMap,
    Unknown,
}

/// The standard types a name can be trusted for (shadowing them is
/// possible, but nobody does).
const PRIMITIVES: [&str; 17] = [
    "bool", "char", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128",
    "usize", "f32", "f64", "String",
];

fn written(ty: &Type) -> Written<'_> {
    match ty {
        Type::Group(group) => written(&group.elem),
        Type::Paren(paren) => written(&paren.elem),
        Type::Tuple(tuple) if tuple.elems.is_empty() => Written::Primitive("()".to_owned()),
        Type::Path(path) if path.qself.is_none() => {
            let segments = &path.path.segments;
            let from_std = segments.len() == 1
                || segments.first().is_some_and(|s| {
                    ["std", "core", "alloc"].contains(&s.ident.to_string().as_str())
                });
            let Some(last) = segments.last().filter(|_| from_std) else {
                return Written::Unknown;
            };
            let name = last.ident.to_string();
            let args: Vec<&Type> = match &last.arguments {
                PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            match (name.as_str(), args.as_slice()) {
                ("Box", [inner]) => written(inner),
                ("Option", [inner]) => Written::Option(inner),
                ("Vec", [item]) => Written::Vec(item),
                ("BTreeMap", [key, value]) => Written::Map(key, value),
                ("HashMap", [_, _]) => Written::HashMap,
                (name, []) if PRIMITIVES.contains(&name) => Written::Primitive(name.to_owned()),
                _ => Written::Unknown,
            }
        }
        _ => Written::Unknown,
    }
}

/// The primitive Rust type of `schema`, when it is one.
fn primitive(schema: &Schema) -> Option<&'static str> {
    Some(match schema {
        Schema::Null => "()",
        Schema::Boolean => "bool",
        Schema::Int(None) => "i32",
        Schema::Long(None) => "i64",
        Schema::Float => "f32",
        Schema::Double => "f64",
        Schema::String(None) => "String",
        _ => return None,
    })
}

/// Whether `ty` certainly cannot carry `schema`.
pub fn differs(schema: &Schema, ty: &Type) -> bool {
    let written = written(ty);
    if let Written::Unknown = written {
        return false;
    }
    if let Some(expected) = primitive(schema) {
        return !matches!(written, Written::Primitive(p) if p == expected);
    }
    match (schema, written) {
        (Schema::Bytes(None), Written::Vec(item)) => {
            !matches!(self::written(item), Written::Unknown)
                && !matches!(self::written(item), Written::Primitive(p) if p == "u8")
        }
        (Schema::Array(items), Written::Vec(item)) => differs(items, item),
        (Schema::Map(values), Written::Map(key, value)) => {
            differs(&Schema::String(None), key) || differs(values, value)
        }
        (Schema::Union(branches), Written::Option(inner)) => match union_shape(branches) {
            UnionShape::Option { inner: schema, .. } => differs(schema, inner),
            UnionShape::Enum => true,
        },
        // A standard type where the schema needs another standard shape,
        // a generated type or a logical type.
        _ => true,
    }
}

/// `schema` as Avro writes it, for messages.
pub fn avro_text(schema: &Schema) -> String {
    let logical = |base: &str, l: &Logical| format!("{base} ({})", logical_name(l));
    match schema {
        Schema::Null => "null".to_owned(),
        Schema::Boolean => "boolean".to_owned(),
        Schema::Int(None) => "int".to_owned(),
        Schema::Long(None) => "long".to_owned(),
        Schema::Float => "float".to_owned(),
        Schema::Double => "double".to_owned(),
        Schema::Bytes(None) => "bytes".to_owned(),
        Schema::String(None) => "string".to_owned(),
        Schema::Int(Some(l)) => logical("int", l),
        Schema::Long(Some(l)) => logical("long", l),
        Schema::Bytes(Some(l)) => logical("bytes", l),
        Schema::String(Some(l)) => logical("string", l),
        Schema::Array(items) => format!("array<{}>", avro_text(items)),
        Schema::Map(values) => format!("map<{}>", avro_text(values)),
        Schema::Union(branches) => {
            let branches: Vec<String> = branches.iter().map(avro_text).collect();
            format!("[{}]", branches.join(", "))
        }
        Schema::Ref(name) => name.full(),
    }
}

/// The Rust type `schema` needs, for messages.
pub fn rust_text(ctx: &Ctx<'_>, schema: &Schema) -> String {
    if let Some(primitive) = primitive(schema) {
        return primitive.to_owned();
    }
    match schema {
        Schema::Bytes(None) => "Vec<u8>".to_owned(),
        Schema::Array(items) => format!("Vec<{}>", rust_text(ctx, items)),
        Schema::Map(values) => format!("BTreeMap<String, {}>", rust_text(ctx, values)),
        Schema::Union(branches) => match union_shape(branches) {
            UnionShape::Option { inner, .. } => format!("Option<{}>", rust_text(ctx, inner)),
            UnionShape::Enum => "_ (the union's generated enum)".to_owned(),
        },
        Schema::Ref(name) => match ctx.fixed_logical(name) {
            Some(logical) => logical_text(logical).to_owned(),
            None => crate::ident::type_ident(&name.name).to_string(),
        },
        Schema::Int(Some(l))
        | Schema::Long(Some(l))
        | Schema::Bytes(Some(l))
        | Schema::String(Some(l)) => logical_text(l).to_owned(),
        _ => "_".to_owned(),
    }
}

/// The Rust type of a logical type, as a user writes it.
fn logical_text(logical: &Logical) -> &'static str {
    match logical {
        Logical::Uuid => "Uuid",
        Logical::Date => "NaiveDate",
        Logical::TimeMillis | Logical::TimeMicros => "NaiveTime",
        Logical::TimestampMillis | Logical::TimestampMicros | Logical::TimestampNanos => {
            "DateTime<Utc>"
        }
        Logical::LocalTimestampMillis
        | Logical::LocalTimestampMicros
        | Logical::LocalTimestampNanos => "NaiveDateTime",
        Logical::Decimal { .. } => "Decimal",
        Logical::Duration => "Duration",
    }
}

/// `ty` as written, without the spaces token streams print.
pub fn type_text(ty: &Type) -> String {
    let text = quote::quote!(#ty).to_string();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let next = text[i + c.len_utf8()..].chars().next();
        let prev = out.chars().last();
        let joins = |c: Option<char>| matches!(c, Some('<' | '>' | ':' | '&' | '(' | ')' | '['));
        if c == ' ' && (joins(next) || joins(prev) || next == Some(',')) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        syn::parse_str(text).unwrap()
    }

    #[test]
    fn written_names_decide_only_standard_types() {
        let long = Schema::Long(None);
        assert!(differs(&long, &ty("i32")));
        assert!(differs(&long, &ty("Option<i64>")));
        assert!(!differs(&long, &ty("i64")));
        assert!(!differs(&long, &ty("std::boxed::Box<i64>")));
        assert!(!differs(&long, &ty("Quantity")), "an alias may be i64");
        assert!(!differs(&long, &ty("my::i32")), "not the standard i32");
        let uuid = Schema::String(Some(Logical::Uuid));
        assert!(differs(&uuid, &ty("String")));
        assert!(!differs(&uuid, &ty("uuid::Uuid")));
        let nullable = Schema::Union(vec![Schema::Null, Schema::String(None)]);
        assert!(differs(&nullable, &ty("String")));
        assert!(differs(&nullable, &ty("Option<i64>")));
        assert!(!differs(&nullable, &ty("::std::option::Option<String>")));
        let map = Schema::Map(Box::new(Schema::String(None)));
        assert!(differs(&map, &ty("BTreeMap<i64, String>")));
        assert!(differs(&map, &ty("Vec<String>")));
        assert!(differs(&map, &ty("HashMap<String, String>")));
        assert!(!differs(&map, &ty("BTreeMap<String, String>")));
        assert!(!differs(&Schema::Bytes(None), &ty("Vec<u8>")));
        assert!(differs(&Schema::Bytes(None), &ty("Vec<i32>")));
    }

    #[test]
    fn texts_for_messages() {
        let nullable = Schema::Union(vec![Schema::Null, Schema::Long(None)]);
        assert_eq!(avro_text(&nullable), "[null, long]");
        let model = crate::model::Model::default();
        assert_eq!(rust_text(&Ctx::new(&model), &nullable), "Option<i64>");
        assert_eq!(
            type_text(&ty("std::collections::BTreeMap<i64, Vec<u8>>")),
            "std::collections::BTreeMap<i64, Vec<u8>>"
        );
    }
}
