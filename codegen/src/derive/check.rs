//! Checks a hand-written struct against its schema.
//!
//! Field names are compared here; field types whose written name already
//! settles it in [`super::shape`], the others by rustc, through assertions
//! spanned on each field's type so its error points there.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::emit::types::{leaf_type, logical_type, union_shape, UnionShape};
use crate::emit::{rt, Ctx};
use crate::model::{FullName, Schema};

impl Ctx<'_> {
    /// The type standing for `schema` in [`IsSchemaType`] checks: the Rust
    /// type itself, `SchemaBytes` for bytes, `Named<fingerprint>` for named
    /// types and unions.
    ///
    /// [`IsSchemaType`]: https://docs.rs/schemabus-runtime
    pub fn expected_type(&self, schema: &Schema) -> TokenStream {
        let rt = rt();
        if let Schema::Bytes(None) = schema {
            return quote!(#rt::SchemaBytes);
        }
        if let Some(leaf) = leaf_type(schema) {
            return leaf;
        }
        match schema {
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
                    quote!(#rt::Named<avro::union, #fingerprint>)
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
            Schema::Ref(name) => match self.fixed_logical(name) {
                Some(logical) => logical_type(logical),
                None => {
                    let fingerprint = self.schema_fingerprint(schema);
                    let marker = marker_ident(name);
                    quote!(#rt::Named<avro::#marker, #fingerprint>)
                }
            },
        }
    }

    /// An assertion, spanned on `field_ty`, that it is the schema's type.
    /// Named types appear in it as `Named<avro::a_b_C, fingerprint>`: the
    /// marker from `avro_markers` names the Avro type in rustc's message.
    pub fn type_assertion(&self, schema: &Schema, field_ty: &syn::Type) -> TokenStream {
        let rt = rt();
        let expected = self.expected_type(schema);
        quote_spanned! {field_ty.span()=>
            #rt::assert_field_type::<#field_ty, #expected>();
        }
    }
}

/// `mod avro`, with a marker type for every named type `schemas` refer to
/// (`a.b.C` → `avro::a_b_C`) and `avro::union` for unions.
pub fn avro_markers<'s>(schemas: impl IntoIterator<Item = &'s Schema>) -> TokenStream {
    let mut names = std::collections::BTreeSet::new();
    for schema in schemas {
        named_in(schema, &mut names);
    }
    let markers = names.iter().map(marker_ident);
    quote! {
        #[allow(non_camel_case_types, dead_code)]
        mod avro {
            #(pub struct #markers;)*
            pub struct union;
        }
    }
}

/// The marker type naming Avro type `name` in type errors: `a.b.C` → `a_b_C`.
fn marker_ident(name: &FullName) -> proc_macro2::Ident {
    let text: String = name
        .full()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    quote::format_ident!("{}", text)
}

/// Every named type `schema` refers to directly or through containers and
/// unions (not through other named types: their fields are checked there).
fn named_in(schema: &Schema, out: &mut std::collections::BTreeSet<FullName>) {
    match schema {
        Schema::Ref(name) => {
            out.insert(name.clone());
        }
        Schema::Array(inner) | Schema::Map(inner) => named_in(inner, out),
        Schema::Union(branches) => branches.iter().for_each(|b| named_in(b, out)),
        _ => {}
    }
}
