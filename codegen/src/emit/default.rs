//! Field defaults: a schema's JSON default value as a Rust expression.
//!
//! Defaults were validated against their schemas when the model was
//! loaded; a value that still does not fit falls back to the type's
//! `Default` rather than failing here.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{union_shape, Pos, UnionShape};
use super::{rt, Ctx};
use crate::ident;
use crate::model::{JsonValue, Logical, NamedKind, Schema};

/// The bytes a default string stands for: one byte per code point 0–255.
fn default_bytes(value: &JsonValue) -> Vec<u8> {
    match value {
        JsonValue::String(s) => s.chars().map(|c| u32::from(c).min(255) as u8).collect(),
        _ => Vec::new(),
    }
}

fn number<T: std::str::FromStr + Default>(value: &JsonValue) -> T {
    match value {
        JsonValue::Number(n) => n
            .parse()
            .ok()
            .or_else(|| {
                n.parse::<f64>()
                    .ok()
                    .and_then(|f| f.to_string().parse().ok())
            })
            .unwrap_or_default(),
        _ => T::default(),
    }
}

/// Parses a UUID string into its 128-bit value.
fn uuid_u128(s: &str) -> Option<u128> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

impl Ctx<'_> {
    /// The expression for `value` as a default of `schema` at `pos`.
    pub fn default_value(&self, schema: &Schema, value: &JsonValue, pos: &Pos) -> TokenStream {
        let rt = rt();
        let fallback = quote!(::std::default::Default::default());
        match schema {
            Schema::Null => quote!(()),
            Schema::Boolean => {
                let b = matches!(value, JsonValue::Bool(true));
                quote!(#b)
            }
            Schema::Int(None) => {
                let n: i32 = number(value);
                quote!(#n)
            }
            Schema::Long(None) => {
                let n: i64 = number(value);
                quote!(#n)
            }
            Schema::Float => {
                let n: f32 = number(value);
                quote!(#n)
            }
            Schema::Double => {
                let n: f64 = number(value);
                quote!(#n)
            }
            Schema::Bytes(None) => {
                let bytes = default_bytes(value);
                quote!(::std::vec![#(#bytes),*])
            }
            Schema::String(None) => match value {
                JsonValue::String(s) => quote!(::std::string::String::from(#s)),
                _ => fallback,
            },
            Schema::String(Some(Logical::Uuid)) => match value {
                JsonValue::String(s) => match uuid_u128(s) {
                    Some(n) => quote!(#rt::Uuid::from_u128(#n)),
                    None => fallback,
                },
                _ => fallback,
            },
            Schema::Int(Some(logical)) | Schema::Long(Some(logical)) => {
                let n: i64 = number(value);
                let from =
                    quote::format_ident!("{}_from_avro", super::codec::logical_fn_base(logical));
                if matches!(schema, Schema::Int(_)) {
                    let n = i32::try_from(n).unwrap_or_default();
                    quote!(#rt::logical::#from(#n).unwrap_or_default())
                } else {
                    quote!(#rt::logical::#from(#n).unwrap_or_default())
                }
            }
            Schema::Bytes(Some(Logical::Decimal { scale, .. })) => {
                let bytes = default_bytes(value);
                quote!(#rt::Decimal::from_be_bytes(&[#(#bytes),*], #scale))
            }
            Schema::Bytes(Some(_)) | Schema::String(Some(_)) => fallback,
            Schema::Array(items) => match value {
                JsonValue::Array(values) => {
                    let item_pos = pos.item();
                    let values = values
                        .iter()
                        .map(|v| self.default_value(items, v, &item_pos));
                    quote!(::std::vec![#(#values),*])
                }
                _ => fallback,
            },
            Schema::Map(values) => match value {
                JsonValue::Object(entries) => {
                    let value_pos = pos.value();
                    let entries = entries.iter().map(|(k, v)| {
                        let v = self.default_value(values, v, &value_pos);
                        quote!((::std::string::String::from(#k), #v))
                    });
                    quote!(#rt::BTreeMap::from([#(#entries),*]))
                }
                _ => fallback,
            },
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => match value {
                    JsonValue::Null => quote!(::std::option::Option::None),
                    _ => {
                        let inner = self.default_value(inner, value, pos);
                        quote!(::std::option::Option::Some(#inner))
                    }
                },
                UnionShape::Enum => {
                    // An Avro union default always belongs to the first branch.
                    let Some(first) = branches.first() else {
                        return fallback;
                    };
                    let union_name = crate::model::FullName {
                        namespace: pos.namespace.to_owned(),
                        name: self.union_ident(pos).to_string(),
                    };
                    let enum_ty = self.type_path(&Self::module_of(pos.emit_ns), &union_name);
                    let variant = self.variant_ident(first);
                    let payload_pos = pos.branch(&variant);
                    if matches!(first, Schema::Null) {
                        quote!(#enum_ty::#variant)
                    } else {
                        let payload = self.default_value(first, value, &payload_pos);
                        quote!(#enum_ty::#variant(#payload))
                    }
                }
            },
            Schema::Ref(name) => self.named_default(name, value, pos),
        }
    }

    fn named_default(
        &self,
        name: &crate::model::FullName,
        value: &JsonValue,
        pos: &Pos,
    ) -> TokenStream {
        let rt = rt();
        let fallback = quote!(::std::default::Default::default());
        let Some(named) = self.model.get(name) else {
            return fallback;
        };
        let path = self.type_path(&Self::module_of(pos.emit_ns), name);
        let boxed = pos.direct && self.is_record(name) && self.needs_box(pos.owner, name);
        let expr = match &named.kind {
            NamedKind::Enum { symbols, .. } => match value {
                JsonValue::String(s) => match symbols.iter().position(|sym| sym == s) {
                    Some(i) => {
                        let variant = &super::enum_::variant_idents(symbols)[i];
                        quote!(#path::#variant)
                    }
                    None => fallback,
                },
                _ => fallback,
            },
            NamedKind::Fixed { logical, size } => {
                let mut bytes = default_bytes(value);
                bytes.resize(*size, 0);
                match logical {
                    Some(Logical::Decimal { scale, .. }) => {
                        quote!(#rt::Decimal::from_be_bytes(&[#(#bytes),*], #scale))
                    }
                    Some(Logical::Duration) => {
                        quote!(#rt::logical::duration_from_avro(&[#(#bytes),*]))
                    }
                    Some(Logical::Uuid) => quote!(#rt::Uuid::from_bytes([#(#bytes),*])),
                    _ => quote!(#path([#(#bytes),*])),
                }
            }
            NamedKind::Record { fields } => {
                let JsonValue::Object(given) = value else {
                    return fallback;
                };
                let inits = fields.iter().map(|f| {
                    let id = ident::field_ident(&f.name);
                    // The nested record's unions live in its own module.
                    let field_pos = Pos {
                        emit_ns: pos.emit_ns,
                        ..Pos::field(name, &f.name)
                    };
                    match given.get(&f.name).or(f.default.as_ref()) {
                        Some(v) => {
                            let v = self.default_value(&f.schema, v, &field_pos);
                            quote!(#id: #v)
                        }
                        None => quote!(#id: ::std::default::Default::default()),
                    }
                });
                quote!(#path { #(#inits),* })
            }
        };
        if boxed {
            quote!(::std::boxed::Box::new(#expr))
        } else {
            expr
        }
    }
}
