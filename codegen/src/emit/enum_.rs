//! Enums: a Rust enum per Avro enum, encoded as the symbol's index.

use proc_macro2::TokenStream;
use quote::quote;

use super::record::doc_attrs;
use super::{rt, Ctx};
use crate::ident;
use crate::model::NamedType;

impl Ctx<'_> {
    /// The enum, its codec, `as_str`, `Display` and, when the schema names a
    /// default symbol, `Default`.
    pub fn emit_enum(
        &self,
        ty: &NamedType,
        symbols: &[String],
        default: Option<&str>,
    ) -> TokenStream {
        let rt = rt();
        let name = ident::type_ident(&ty.name.name);
        let docs = doc_attrs(
            ty.doc.as_deref(),
            &format!("The Avro enum `{}`.", ty.name.full()),
        );
        let serde_crate = format!("{rt}::serde").replace(' ', "");
        let variants = variant_idents(symbols);
        let count = symbols.len();
        let decls = symbols.iter().zip(&variants).map(|(symbol, variant)| {
            let default_attr = if Some(symbol.as_str()) == default {
                quote!(#[default])
            } else {
                TokenStream::new()
            };
            let doc = format!(" `{symbol}`");
            quote! {
                #[doc = #doc]
                #[serde(rename = #symbol)]
                #default_attr
                #variant
            }
        });
        let default_derive = if default.is_some() {
            quote!(Default,)
        } else {
            TokenStream::new()
        };
        let indexes = 0..count;
        let indexes_i32 = (0..count).map(|i| i as i32);
        let last = variants.last().cloned();
        let decode_arms = variants.iter().enumerate().map(|(i, v)| {
            if Some(v) == last.as_ref() {
                quote!(_ => Self::#v)
            } else {
                quote!(#i => Self::#v)
            }
        });
        let full_name = ty.name.full();
        let marker =
            self.named_marker_impl(&crate::model::Schema::Ref(ty.name.clone()), &quote!(#name));
        quote! {
            #marker

            #docs
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, #default_derive #rt::serde::Serialize, #rt::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            pub enum #name {
                #(#decls,)*
            }

            impl #name {
                /// The Avro full name of this enum.
                pub const FULL_NAME: &'static str = #full_name;
                /// Every symbol, in schema order.
                pub const SYMBOLS: &'static [&'static str] = &[#(#symbols),*];

                /// The Avro symbol of this value.
                pub fn as_str(&self) -> &'static str {
                    Self::SYMBOLS[self.index()]
                }

                /// The position of this symbol in the schema.
                pub fn index(&self) -> usize {
                    match self { #(Self::#variants => #indexes,)* }
                }
            }

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl #rt::AvroCodec for #name {
                const MIN_LEN: usize = 1;

                #[inline]
                fn avro_len(&self) -> usize {
                    #rt::int_len(self.index() as i32)
                }

                #[inline]
                fn avro_encode(&self, buf: &mut ::std::vec::Vec<u8>) -> ::std::result::Result<(), #rt::EncodeError> {
                    #rt::put_int(buf, match self { #(Self::#variants => #indexes_i32,)* });
                    ::std::result::Result::Ok(())
                }

                #[inline]
                fn avro_decode(r: &mut #rt::Reader<'_>) -> ::std::result::Result<Self, #rt::DecodeError> {
                    ::std::result::Result::Ok(match r.read_enum_index(#count)? {
                        #(#decode_arms,)*
                    })
                }
            }
        }
    }
}

/// The variant of each symbol; symbols that case into the same identifier
/// (`self` and `Self`) get a numeric suffix.
pub fn variant_idents(symbols: &[String]) -> Vec<proc_macro2::Ident> {
    ident::unique(symbols.iter().map(|s| ident::type_ident(s)).collect())
}
