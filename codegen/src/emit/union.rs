//! Unions other than `["null", T]`: a generated Rust enum, one variant per
//! branch, encoded as the branch index followed by the value.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::types::{logical_name, union_shape, Pos, UnionShape};
use super::{rt, Ctx};
use crate::ident;
use crate::model::{Field, NamedType, Schema};

impl Ctx<'_> {
    /// The variant name of one union branch.
    pub fn variant_ident(&self, branch: &Schema) -> Ident {
        let name = match branch {
            Schema::Null => "Null",
            Schema::Boolean => "Boolean",
            Schema::Int(Some(l))
            | Schema::Long(Some(l))
            | Schema::Bytes(Some(l))
            | Schema::String(Some(l)) => logical_name(l),
            Schema::Int(None) => "Int",
            Schema::Long(None) => "Long",
            Schema::Float => "Float",
            Schema::Double => "Double",
            Schema::Bytes(None) => "Bytes",
            Schema::String(None) => "String",
            Schema::Array(_) => "Array",
            Schema::Map(_) => "Map",
            Schema::Union(_) => "Union",
            Schema::Ref(name) => return ident::type_ident(&name.name),
        };
        format_ident!("{}", name)
    }

    /// Variant names of every branch, made unique by a numeric suffix.
    pub fn variant_idents(&self, branches: &[Schema]) -> Vec<Ident> {
        ident::unique(branches.iter().map(|b| self.variant_ident(b)).collect())
    }

    /// The Avro name of a branch, as the JSON tag of its variant: branches
    /// with a value follow the Avro JSON encoding (`{"string": "…"}`); the
    /// `null` branch is untagged, so it is JSON `null` as in Avro's JSON
    /// encoding.
    fn branch_tag(branch: &Schema) -> String {
        match branch {
            Schema::Null => "null".into(),
            Schema::Boolean => "boolean".into(),
            Schema::Int(_) => "int".into(),
            Schema::Long(_) => "long".into(),
            Schema::Float => "float".into(),
            Schema::Double => "double".into(),
            Schema::Bytes(_) => "bytes".into(),
            Schema::String(_) => "string".into(),
            Schema::Array(_) => "array".into(),
            Schema::Map(_) => "map".into(),
            Schema::Union(_) => "union".into(),
            Schema::Ref(name) => name.full(),
        }
    }

    /// Every union enum a record's fields need, in field order.
    pub fn emit_record_unions(&self, record: &NamedType, fields: &[Field]) -> TokenStream {
        let mut out = TokenStream::new();
        for field in fields {
            self.unions_in(
                &field.schema,
                &Pos::field(&record.name, &field.name),
                &mut out,
            );
        }
        out
    }

    fn unions_in(&self, schema: &Schema, pos: &Pos, out: &mut TokenStream) {
        self.for_each_union(schema, pos, &mut |branches, pos| {
            out.extend(self.emit_union(branches, pos));
        });
    }

    /// Calls `f` with every union in `schema` that becomes a generated enum,
    /// and the position that names it.
    pub fn for_each_union(&self, schema: &Schema, pos: &Pos, f: &mut dyn FnMut(&[Schema], &Pos)) {
        match schema {
            Schema::Array(items) => self.for_each_union(items, &pos.item(), f),
            Schema::Map(values) => self.for_each_union(values, &pos.value(), f),
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => self.for_each_union(inner, pos, f),
                UnionShape::Enum => {
                    f(branches, pos);
                    for (branch, variant) in branches.iter().zip(self.variant_idents(branches)) {
                        self.for_each_union(branch, &pos.branch(&variant), f);
                    }
                }
            },
            _ => {}
        }
    }

    /// One union enum with its codec.
    fn emit_union(&self, branches: &[Schema], pos: &Pos) -> TokenStream {
        let rt = rt();
        let name = self.union_ident(pos);
        let serde_crate = format!("{rt}::serde").replace(' ', "");
        let variants = self.variant_idents(branches);
        let count = branches.len();
        let mut decls = Vec::new();
        // serde wants untagged variants last; the Avro index is explicit in
        // the codec, so the declaration order does not matter there.
        let mut null_decl = None;
        let mut lens = Vec::new();
        let mut encodes = Vec::new();
        let mut decodes = Vec::new();
        let label = format!("{}[union]", pos.base);
        for (i, (branch, variant)) in branches.iter().zip(&variants).enumerate() {
            let tag = Self::branch_tag(branch);
            let index = i as i64;
            let arm = if i + 1 == count {
                quote!(_)
            } else {
                quote!(#i)
            };
            if matches!(branch, Schema::Null) {
                null_decl =
                    Some(quote!(#[doc = " The `null` branch."] #[serde(untagged)] #variant));
                lens.push(quote!(Self::#variant => #rt::long_len(#index)));
                encodes.push(quote!(Self::#variant => #rt::put_long(buf, #index),));
                decodes.push(quote!(#arm => Self::#variant));
                continue;
            }
            let payload_pos = pos.branch(variant);
            let ty = self.rust_type(branch, &payload_pos);
            let json = self.json_attr(branch);
            let doc = format!(" The `{tag}` branch.");
            decls.push(quote!(#[doc = #doc] #[serde(rename = #tag)] #json #variant(#ty)));
            let len = self.encoded_len(branch, &quote!(value));
            let binding = if self.const_len(branch).is_some() {
                quote!(_)
            } else {
                quote!(value)
            };
            lens.push(quote!(Self::#variant(#binding) => #rt::long_len(#index) + #len));
            let enc = self.encode(branch, &quote!(value), &label);
            encodes.push(quote!(Self::#variant(value) => { #rt::put_long(buf, #index); #enc }));
            let dec = self.decode(branch);
            decodes.push(quote!(#arm => Self::#variant(#dec)));
        }
        decls.extend(null_decl);
        let docs = format!(" A value of the union `{}`.", pos.base);
        let union = Schema::Union(branches.to_vec());
        let min_len = self.min_len_of(&union);
        let marker = self.named_marker_impl(&union, &quote!(#name));
        quote! {
            #marker

            #[doc = #docs]
            #[derive(Clone, Debug, PartialEq, #rt::serde::Serialize, #rt::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            pub enum #name {
                #(#decls,)*
            }

            impl #rt::AvroCodec for #name {
                const MIN_LEN: usize = #min_len;

                #[inline]
                fn avro_len(&self) -> usize {
                    match self { #(#lens,)* }
                }

                #[inline]
                fn avro_encode(&self, buf: &mut ::std::vec::Vec<u8>) -> ::std::result::Result<(), #rt::EncodeError> {
                    match self { #(#encodes)* }
                    ::std::result::Result::Ok(())
                }

                #[inline]
                fn avro_decode(r: &mut #rt::Reader<'_>) -> ::std::result::Result<Self, #rt::DecodeError> {
                    ::std::result::Result::Ok(match r.read_union_index(#count)? {
                        #(#decodes,)*
                    })
                }
            }
        }
    }
}
