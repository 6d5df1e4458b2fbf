//! Avro schema → Rust type, and the JSON adapter a type needs.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{rt, Ctx};
use crate::ident;
use crate::model::{FullName, Logical, NamedKind, Schema};

/// Where a type appears: decides relative paths, boxing and the names of
/// generated union enums.
#[derive(Clone, Debug)]
pub struct Pos<'a> {
    /// Namespace of the record that owns the field: where the enums of its
    /// unions are emitted.
    pub namespace: &'a str,
    /// Namespace of the module the code is being emitted in (differs from
    /// `namespace` inside the default value of a record from elsewhere).
    pub emit_ns: &'a str,
    /// The record whose field this is.
    pub owner: &'a FullName,
    /// Name a union at this position gets (`{Record}{Field}`, plus `Item`
    /// inside arrays and `Value` inside maps).
    pub base: String,
    /// Not behind an array or map (a recursive reference here needs a box).
    pub direct: bool,
}

impl<'a> Pos<'a> {
    /// The position of field `field` of record `owner`.
    pub fn field(owner: &'a FullName, field: &str) -> Self {
        Pos {
            namespace: &owner.namespace,
            emit_ns: &owner.namespace,
            owner,
            base: format!(
                "{}{}",
                ident::to_upper_camel(&owner.name),
                ident::to_upper_camel(field)
            ),
            direct: true,
        }
    }

    /// The position of array items.
    pub fn item(&self) -> Self {
        Pos {
            base: format!("{}Item", self.base),
            direct: false,
            ..self.clone()
        }
    }

    /// The position of map values.
    pub fn value(&self) -> Self {
        Pos {
            base: format!("{}Value", self.base),
            direct: false,
            ..self.clone()
        }
    }

    /// The position of a union branch's payload.
    pub fn branch(&self, variant: &Ident) -> Self {
        Pos {
            base: format!("{}{}", self.base, variant),
            ..self.clone()
        }
    }
}

/// How a union maps to Rust.
pub enum UnionShape<'s> {
    /// `["null", T]` or `[T, "null"]`: `Option<T>`; `null_index` is where null is.
    Option {
        /// The non-null branch.
        inner: &'s Schema,
        /// Index of the `null` branch (0 or 1).
        null_index: usize,
    },
    /// Any other union: a generated enum.
    Enum,
}

/// Classifies a union's branches.
pub fn union_shape(branches: &[Schema]) -> UnionShape<'_> {
    match branches {
        [Schema::Null, inner] if !matches!(inner, Schema::Null) => UnionShape::Option {
            inner,
            null_index: 0,
        },
        [inner, Schema::Null] if !matches!(inner, Schema::Null) => UnionShape::Option {
            inner,
            null_index: 1,
        },
        _ => UnionShape::Enum,
    }
}

/// The name of a logical type, as a variant-friendly word.
pub fn logical_name(logical: &Logical) -> &'static str {
    match logical {
        Logical::Uuid => "Uuid",
        Logical::Date => "Date",
        Logical::TimeMillis => "TimeMillis",
        Logical::TimeMicros => "TimeMicros",
        Logical::TimestampMillis => "TimestampMillis",
        Logical::TimestampMicros => "TimestampMicros",
        Logical::TimestampNanos => "TimestampNanos",
        Logical::LocalTimestampMillis => "LocalTimestampMillis",
        Logical::LocalTimestampMicros => "LocalTimestampMicros",
        Logical::LocalTimestampNanos => "LocalTimestampNanos",
        Logical::Decimal { .. } => "Decimal",
        Logical::Duration => "Duration",
    }
}

/// The Rust type of a primitive or logical type, `None` for the rest.
pub fn leaf_type(schema: &Schema) -> Option<TokenStream> {
    Some(match schema {
        Schema::Null => quote!(()),
        Schema::Boolean => quote!(bool),
        Schema::Int(None) => quote!(i32),
        Schema::Long(None) => quote!(i64),
        Schema::Float => quote!(f32),
        Schema::Double => quote!(f64),
        Schema::Bytes(None) => quote!(::std::vec::Vec<u8>),
        Schema::String(None) => quote!(::std::string::String),
        Schema::Int(Some(l))
        | Schema::Long(Some(l))
        | Schema::Bytes(Some(l))
        | Schema::String(Some(l)) => logical_type(l),
        _ => return None,
    })
}

/// The Rust type of a logical type.
pub fn logical_type(logical: &Logical) -> TokenStream {
    let rt = rt();
    match logical {
        Logical::Uuid => quote!(#rt::Uuid),
        Logical::Date => quote!(#rt::NaiveDate),
        Logical::TimeMillis | Logical::TimeMicros => quote!(#rt::NaiveTime),
        Logical::TimestampMillis | Logical::TimestampMicros | Logical::TimestampNanos => {
            quote!(#rt::DateTime<#rt::Utc>)
        }
        Logical::LocalTimestampMillis
        | Logical::LocalTimestampMicros
        | Logical::LocalTimestampNanos => quote!(#rt::NaiveDateTime),
        Logical::Decimal { .. } => quote!(#rt::Decimal),
        Logical::Duration => quote!(#rt::Duration),
    }
}

impl Ctx<'_> {
    /// The identifier of the enum generated for a union at `pos`.
    pub fn union_ident(&self, pos: &Pos) -> Ident {
        let candidate = FullName {
            namespace: pos.namespace.to_owned(),
            name: pos.base.clone(),
        };
        if self.model.types.contains_key(&candidate) {
            format_ident!("{}Union", ident::type_ident(&pos.base))
        } else {
            ident::type_ident(&pos.base)
        }
    }

    /// The logical type a fixed type carries, if any.
    pub fn fixed_logical(&self, name: &FullName) -> Option<&Logical> {
        match self.model.get(name).map(|t| &t.kind) {
            Some(NamedKind::Fixed { logical, .. }) => logical.as_ref(),
            _ => None,
        }
    }

    /// Whether `name` is a record.
    pub fn is_record(&self, name: &FullName) -> bool {
        matches!(
            self.model.get(name).map(|t| &t.kind),
            Some(NamedKind::Record { .. })
        )
    }

    /// The Rust type for `schema` at `pos`.
    pub fn rust_type(&self, schema: &Schema, pos: &Pos) -> TokenStream {
        if let Some(leaf) = leaf_type(schema) {
            return leaf;
        }
        match schema {
            Schema::Array(items) => {
                let item = self.rust_type(items, &pos.item());
                quote!(::std::vec::Vec<#item>)
            }
            Schema::Map(values) => {
                let value = self.rust_type(values, &pos.value());
                let rt = rt();
                quote!(#rt::BTreeMap<::std::string::String, #value>)
            }
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => {
                    let inner = self.rust_type(inner, pos);
                    quote!(::std::option::Option<#inner>)
                }
                UnionShape::Enum => {
                    let name = self.union_ident(pos);
                    quote!(#name)
                }
            },
            // Primitives and logical types returned above.
            Schema::Null
            | Schema::Boolean
            | Schema::Int(_)
            | Schema::Long(_)
            | Schema::Float
            | Schema::Double
            | Schema::Bytes(_)
            | Schema::String(_) => TokenStream::new(),
            Schema::Ref(name) => {
                if let Some(logical) = self.fixed_logical(name) {
                    return logical_type(logical);
                }
                let from = Self::module_of(pos.namespace);
                let path = self.type_path(&from, name);
                if pos.direct && self.is_record(name) && self.needs_box(pos.owner, name) {
                    quote!(::std::boxed::Box<#path>)
                } else {
                    path
                }
            }
        }
    }

    /// The `json_as` adapter a field of this type needs for its JSON form,
    /// or `None` when the type's own serde implementation is right.
    pub fn json_adapter(&self, schema: &Schema) -> Option<TokenStream> {
        let rt = rt();
        let ja = quote!(#rt::json_as);
        let leaf = |name: &str| {
            let name = format_ident!("{}", name);
            Some(quote!(#ja::#name))
        };
        match schema {
            Schema::Long(Some(Logical::TimestampMillis)) => leaf("TsMillis"),
            Schema::Long(Some(Logical::TimestampMicros)) => leaf("TsMicros"),
            Schema::Long(Some(Logical::TimestampNanos)) => leaf("TsNanos"),
            Schema::Long(Some(Logical::LocalTimestampMillis)) => leaf("LocalTsMillis"),
            Schema::Long(Some(Logical::LocalTimestampMicros)) => leaf("LocalTsMicros"),
            Schema::Long(Some(Logical::LocalTimestampNanos)) => leaf("LocalTsNanos"),
            Schema::Bytes(None) => leaf("Base64"),
            Schema::Int(Some(Logical::TimeMillis)) => leaf("TimeMillis"),
            Schema::Long(Some(Logical::TimeMicros)) => leaf("TimeMicros"),
            Schema::Bytes(Some(Logical::Decimal { scale, .. })) => {
                Some(quote!(#ja::DecimalScale<#scale>))
            }
            Schema::Ref(name) => match self.fixed_logical(name) {
                Some(Logical::Decimal { scale, .. }) => Some(quote!(#ja::DecimalScale<#scale>)),
                _ => None,
            },
            Schema::Array(items) => self.json_adapter(items).map(|a| quote!(#ja::Seq<#a>)),
            Schema::Map(values) => self.json_adapter(values).map(|a| quote!(#ja::MapOf<#a>)),
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => {
                    self.json_adapter(inner).map(|a| quote!(#ja::Opt<#a>))
                }
                UnionShape::Enum => None,
            },
            _ => None,
        }
    }

    /// `#[serde(serialize_with, deserialize_with)]` for a field or variant of
    /// this type, if it needs an adapter.
    pub fn json_attr(&self, schema: &Schema) -> TokenStream {
        match self.json_adapter(schema) {
            Some(adapter) => {
                let rt = rt();
                let ser = quote!(#rt::json_as::serialize::<#adapter, _, _>)
                    .to_string()
                    .replace(' ', "");
                let de = quote!(#rt::json_as::deserialize::<#adapter, _, _>)
                    .to_string()
                    .replace(' ', "");
                quote!(#[serde(serialize_with = #ser, deserialize_with = #de)])
            }
            None => TokenStream::new(),
        }
    }
}
