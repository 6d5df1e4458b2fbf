//! Matching a struct's fields to its schema's fields, with every mismatch
//! reported at the field (or struct) at fault.

use proc_macro2::{Ident, Span};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Field, Token};

use super::attr::{is_metadata_field, Errors};
use crate::emit::record::Binding;
use crate::ident;
use crate::model::{Field as SchemaField, Logical, Schema};

/// The struct's fields, each matched to the schema or to the metadata.
pub struct Matched<'a> {
    /// Schema fields bound to struct fields, in schema order.
    pub bindings: Vec<Binding<'a>>,
    /// The struct field type of each binding, in the same order.
    pub types: Vec<&'a syn::Type>,
    /// The metadata field and its type.
    pub metadata: Option<(Ident, &'a syn::Type)>,
}

/// `#[serde(rename = "...")]` on a field, if any.
fn serde_rename(field: &Field) -> Option<String> {
    let mut rename = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // Other serde attributes are serde's business: ignore what we do not read.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                if let Ok(value) = meta.value().and_then(|v| v.parse::<syn::LitStr>()) {
                    rename = Some(value.value());
                }
            } else if let Ok(value) = meta.value() {
                // Skip `key = value` so the keys after it are still read.
                let _ = value.parse::<syn::Expr>();
            }
            Ok(())
        });
    }
    rename
}

/// A readable form of a schema type for messages: `long`, `uuid`,
/// `["null", "string"]`, `zamaz.common.Priority`.
pub fn avro_type_name(schema: &Schema) -> String {
    match schema {
        Schema::Null => "null".into(),
        Schema::Boolean => "boolean".into(),
        Schema::Int(None) => "int".into(),
        Schema::Long(None) => "long".into(),
        Schema::Float => "float".into(),
        Schema::Double => "double".into(),
        Schema::Bytes(None) => "bytes".into(),
        Schema::String(None) => "string".into(),
        Schema::Int(Some(l))
        | Schema::Long(Some(l))
        | Schema::Bytes(Some(l))
        | Schema::String(Some(l)) => match l {
            Logical::Decimal { precision, scale } => format!("decimal({precision}, {scale})"),
            other => crate::canonical::logical_name(other).to_owned(),
        },
        Schema::Array(items) => format!("array<{}>", avro_type_name(items)),
        Schema::Map(values) => format!("map<{}>", avro_type_name(values)),
        Schema::Union(branches) => {
            let names: Vec<_> = branches
                .iter()
                .map(|b| format!("\"{}\"", avro_type_name(b)))
                .collect();
            format!("[{}]", names.join(", "))
        }
        Schema::Ref(name) => name.full(),
    }
}

/// Matches struct fields to schema fields; `full` names the record in messages.
pub fn match_fields<'a>(
    fields: &'a Punctuated<Field, Token![,]>,
    schema_fields: &'a [SchemaField],
    full: &str,
    struct_span: Span,
    errors: &mut Errors,
) -> Matched<'a> {
    let mut metadata: Option<(Ident, &syn::Type)> = None;
    let mut marked = Vec::new();
    for f in fields {
        if is_metadata_field(&f.attrs, errors) {
            if let Some(id) = &f.ident {
                marked.push(id.clone());
                if metadata.is_some() {
                    errors.at(
                        id.span(),
                        "only one field can be `#[domain_event(metadata)]`",
                    );
                } else {
                    metadata = Some((id.clone(), &f.ty));
                }
            }
        }
    }
    if metadata.is_none() {
        metadata = fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "metadata"))
            .and_then(|f| f.ident.clone().map(|i| (i, &f.ty)));
    }
    if metadata.is_none() {
        errors.at(
            struct_span,
            "an event needs a metadata field: `#[domain_event(metadata)] pub metadata: EventMetadata`",
        );
    }

    let matches = |f: &Field, sf: &SchemaField| {
        f.ident.as_ref().is_some_and(|i| {
            let name = ident::unraw(i);
            name == sf.name || name == ident::to_snake(&sf.name)
        })
    };
    let mut bindings = Vec::new();
    let mut types = Vec::new();
    for sf in schema_fields {
        match fields
            .iter()
            .find(|f| matches(f, sf))
            .and_then(|f| f.ident.clone().map(|i| (f, i)))
        {
            Some((f, id)) => {
                let json_name = serde_rename(f).unwrap_or_else(|| ident::unraw(&id));
                if json_name != sf.name {
                    errors.at(
                        id.span(),
                        format!(
                            "field `{}` would appear in JSON as `{json_name}`, but the schema calls it `{}`: add `#[serde(rename = \"{}\")]`",
                            ident::unraw(&id),
                            sf.name,
                            sf.name
                        ),
                    );
                }
                types.push(&f.ty);
                bindings.push(Binding {
                    field: sf,
                    ident: id,
                    span: f.ty.span(),
                });
            }
            None => errors.at(
                struct_span,
                format!(
                    "missing field `{}`: `{full}` declares it as `{}`",
                    ident::to_snake(&sf.name),
                    avro_type_name(&sf.schema)
                ),
            ),
        }
    }
    let schema_names: Vec<&str> = schema_fields.iter().map(|f| f.name.as_str()).collect();
    for f in fields {
        let Some(id) = &f.ident else { continue };
        let is_metadata = marked.contains(id) || metadata.as_ref().is_some_and(|(m, _)| m == id);
        if !is_metadata && !schema_fields.iter().any(|sf| matches(f, sf)) {
            errors.at(
                id.span(),
                format!(
                    "field `{}` is not in the schema of `{full}` (its fields: {})",
                    ident::unraw(id),
                    schema_names.join(", ")
                ),
            );
        }
    }
    Matched {
        bindings,
        types,
        metadata,
    }
}
