//! Checks a hand-written struct against its schema.
//!
//! Field names are compared here; field types are compared by rustc, through
//! assertions spanned on each field's type so its error points there.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::emit::types::{union_shape, UnionShape};
use crate::emit::{rt, Ctx};
use crate::model::{Logical, Schema};

impl Ctx<'_> {
    /// The type standing for `schema` in [`IsSchemaType`] checks: the Rust
    /// type itself, `SchemaBytes` for bytes, `Named<fingerprint>` for named
    /// types and unions.
    ///
    /// [`IsSchemaType`]: https://docs.rs/schemabus-runtime
    pub fn expected_type(&self, schema: &Schema) -> TokenStream {
        let rt = rt();
        match schema {
            Schema::Null => quote!(()),
            Schema::Boolean => quote!(bool),
            Schema::Int(None) => quote!(i32),
            Schema::Long(None) => quote!(i64),
            Schema::Float => quote!(f32),
            Schema::Double => quote!(f64),
            Schema::Bytes(None) => quote!(#rt::SchemaBytes),
            Schema::String(None) => quote!(::std::string::String),
            Schema::String(Some(Logical::Uuid)) => quote!(#rt::Uuid),
            Schema::Int(Some(Logical::Date)) => quote!(#rt::NaiveDate),
            Schema::Int(Some(_)) | Schema::Long(Some(Logical::TimeMicros)) => {
                quote!(#rt::NaiveTime)
            }
            Schema::Long(Some(
                Logical::LocalTimestampMillis
                | Logical::LocalTimestampMicros
                | Logical::LocalTimestampNanos,
            )) => quote!(#rt::NaiveDateTime),
            Schema::Long(Some(_)) => quote!(#rt::DateTime<#rt::Utc>),
            Schema::Bytes(Some(_)) | Schema::String(Some(_)) => quote!(#rt::Decimal),
            Schema::Array(items) => {
                let item = self.expected_type(items);
                quote!(::std::vec::Vec<#item>)
            }
            Schema::Map(values) => {
                let value = self.expected_type(values);
                quote!(#rt::BTreeMap<::std::string::String, #value>)
            }
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => {
                    let inner = self.expected_type(inner);
                    quote!(::std::option::Option<#inner>)
                }
                UnionShape::Enum => {
                    let fingerprint = self.schema_fingerprint(schema);
                    quote!(#rt::Named<#fingerprint>)
                }
            },
            Schema::Ref(name) => match self.fixed_logical(name) {
                Some(Logical::Uuid) => quote!(#rt::Uuid),
                Some(Logical::Duration) => quote!(#rt::Duration),
                Some(_) => quote!(#rt::Decimal),
                None => {
                    let fingerprint = self.schema_fingerprint(schema);
                    quote!(#rt::Named<#fingerprint>)
                }
            },
        }
    }

    /// An assertion, spanned on `field_ty`, that it is the schema's type.
    pub fn type_assertion(&self, schema: &Schema, field_ty: &syn::Type) -> TokenStream {
        let rt = rt();
        let expected = self.expected_type(schema);
        quote_spanned! {field_ty.span()=>
            #rt::assert_field_type::<#field_ty, #expected>();
        }
    }
}
