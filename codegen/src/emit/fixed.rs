//! Fixed: a newtype over `[u8; N]`, or an alias of the logical type's Rust type.

use proc_macro2::TokenStream;
use quote::quote;

use super::record::doc_attrs;
use super::{rt, Ctx};
use crate::ident;
use crate::model::{Logical, NamedType};

impl Ctx<'_> {
    /// The fixed type: `pub struct Name(pub [u8; N])` with its codec, or for
    /// a fixed with a logical type (decimal, duration, uuid) a type alias —
    /// its encoding then depends on the schema and is inlined where used.
    pub fn emit_fixed(
        &self,
        ty: &NamedType,
        size: usize,
        logical: Option<&Logical>,
    ) -> TokenStream {
        let rt = rt();
        let name = ident::type_ident(&ty.name.name);
        let docs = doc_attrs(
            ty.doc.as_deref(),
            &format!("The Avro fixed `{}`.", ty.name.full()),
        );
        if let Some(logical) = logical {
            let target = self.rust_type(
                &crate::model::Schema::Ref(ty.name.clone()),
                &super::types::Pos::field(&ty.name, ""),
            );
            let what = super::types::logical_name(logical);
            let doc = format!(" Avro `fixed({size})` with logical type `{what}`.");
            return quote! {
                #docs
                #[doc = #doc]
                pub type #name = #target;
            };
        }
        let serde_crate = format!("{rt}::serde").replace(' ', "");
        let ser =
            format!("{rt}::json_as::serialize::<{rt}::json_as::FixedBase64,_,_>").replace(' ', "");
        let de = format!("{rt}::json_as::deserialize::<{rt}::json_as::FixedBase64,_,_>")
            .replace(' ', "");
        // `Default` derives for arrays up to 32 bytes only.
        let (default_derive, default_impl) = if size <= 32 {
            (quote!(Default,), TokenStream::new())
        } else {
            (
                TokenStream::new(),
                quote! {
                    impl ::std::default::Default for #name {
                        fn default() -> Self {
                            Self([0u8; #size])
                        }
                    }
                },
            )
        };
        let marker =
            self.named_marker_impl(&crate::model::Schema::Ref(ty.name.clone()), &quote!(#name));
        quote! {
            #marker
            #docs
            #[derive(Clone, Copy, Debug, #default_derive PartialEq, Eq, Hash, PartialOrd, Ord, #rt::serde::Serialize, #rt::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            pub struct #name(
                #[serde(serialize_with = #ser, deserialize_with = #de)]
                pub [u8; #size],
            );

            #default_impl

            impl #rt::AvroCodec for #name {
                const MIN_LEN: usize = #size;

                #[inline]
                fn avro_len(&self) -> usize {
                    #size
                }

                #[inline]
                fn avro_encode(&self, buf: &mut ::std::vec::Vec<u8>) -> ::std::result::Result<(), #rt::EncodeError> {
                    #rt::put_fixed(buf, &self.0);
                    ::std::result::Result::Ok(())
                }

                #[inline]
                fn avro_decode(r: &mut #rt::Reader<'_>) -> ::std::result::Result<Self, #rt::DecodeError> {
                    ::std::result::Result::Ok(Self(r.read_fixed::<#size>()?))
                }
            }
        }
    }
}
