//! Records: the struct, its `AvroCodec` and `AvroSchema` impls.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::types::Pos;
use super::{rt, Ctx};
use crate::canonical;
use crate::ident;
use crate::model::{Field, NamedType, Schema};

/// How a schema field is bound to a struct field.
pub struct Binding<'a> {
    /// The schema field.
    pub field: &'a Field,
    /// The struct field's identifier.
    pub ident: Ident,
    /// Where errors about this field should point.
    pub span: Span,
}

impl<'a> Binding<'a> {
    /// The generated binding of each field of `fields`.
    pub fn generated(fields: &'a [Field]) -> Vec<Self> {
        fields
            .iter()
            .map(|field| Binding {
                field,
                ident: ident::field_ident(&field.name),
                span: Span::call_site(),
            })
            .collect()
    }
}

/// Doc attributes from an Avro `doc`, or `fallback` when there is none, so
/// generated items pass `missing_docs`.
pub fn doc_attrs(doc: Option<&str>, fallback: &str) -> TokenStream {
    let doc = doc.unwrap_or(fallback);
    let lines = doc.lines().map(|l| format!(" {}", l.trim_end()));
    quote!(#(#[doc = #lines])*)
}

impl Ctx<'_> {
    /// `impl AvroCodec` for a record whose struct fields are `bindings`
    /// (schema order); `extra` are struct fields outside the schema, set by
    /// decoding to the given expression. `generated` is false for
    /// `#[derive(DomainEvent)]` on a hand-written struct.
    pub fn record_codec(
        &self,
        record: &NamedType,
        self_ty: &TokenStream,
        bindings: &[Binding],
        extra: &[(Ident, TokenStream)],
        generated: bool,
    ) -> TokenStream {
        let rt = rt();
        let min_len = self.min_len_of(&Schema::Ref(record.name.clone()));
        let mut lens = Vec::new();
        let mut encodes = Vec::new();
        let mut decodes = Vec::new();
        let mut decode_intos = Vec::new();
        for b in bindings {
            let id = &b.ident;
            let label = format!("{}.{}", record.name.name, b.field.name);
            let schema = &b.field.schema;
            // Spanned on the user's field (derive), so a type mismatch that
            // slips past the field check is reported there, not at the derive.
            let at = |tokens: TokenStream| crate::__derive::respan(tokens, b.span);
            lens.push(at(self.encoded_len(schema, &quote!(&self.#id))));
            encodes.push(at(self.encode(schema, &quote!(&self.#id), &label)));
            if matches!(schema, Schema::Null) {
                // Nothing to read and nothing that can fail.
                decodes.push(quote!(#id: ()));
                continue;
            }
            let dec = self.decode(schema);
            decodes.push(at(quote! {
                #id: #rt::decode_field(r, #label, |r| {
                    let value = #dec;
                    ::std::result::Result::Ok(value)
                })?
            }));
            let into = self.decode_into(schema, &quote!(&mut self.#id));
            decode_intos.push(at(quote! {
                #rt::decode_field(r, #label, |r| { #into ::std::result::Result::Ok(()) })?;
            }));
        }
        // A running sum: a term may start with a block or `match`, which
        // cannot open an expression statement.
        let len_sum = if lens.is_empty() {
            quote!(0)
        } else {
            quote!(let mut len = 0usize; #(len += #lens;)* len)
        };
        let extra_inits = extra.iter().map(|(id, init)| quote!(#id: #init));
        // Decoding into a value replaces it whole, metadata included.
        let extra_resets = extra.iter().map(|(id, init)| quote!(self.#id = #init;));
        // Skipping nested records names their generated types, which only
        // code generated beside them can; derived impls keep the default.
        let skip = if generated {
            let schema_fields: Vec<Field> = bindings.iter().map(|b| b.field.clone()).collect();
            self.record_skip(record, &schema_fields)
        } else {
            TokenStream::new()
        };
        // Recursive types count nesting so hostile input cannot overflow the stack.
        let (enter, leave) = if self.is_recursive(&record.name) {
            (quote!(r.enter()?;), quote!(r.leave();))
        } else {
            (TokenStream::new(), TokenStream::new())
        };
        quote! {
            impl #rt::AvroCodec for #self_ty {
                const MIN_LEN: usize = #min_len;

                #[inline]
                fn avro_len(&self) -> usize {
                    #len_sum
                }

                #[inline]
                fn avro_encode(
                    &self,
                    buf: &mut ::std::vec::Vec<u8>,
                ) -> ::std::result::Result<(), #rt::EncodeError> {
                    #(#encodes)*
                    ::std::result::Result::Ok(())
                }

                #[inline]
                fn avro_decode(
                    r: &mut #rt::Reader<'_>,
                ) -> ::std::result::Result<Self, #rt::DecodeError> {
                    #enter
                    let value = Self {
                        #(#decodes,)*
                        #(#extra_inits,)*
                    };
                    #leave
                    ::std::result::Result::Ok(value)
                }

                #[inline]
                fn avro_decode_into(
                    &mut self,
                    r: &mut #rt::Reader<'_>,
                ) -> ::std::result::Result<(), #rt::DecodeError> {
                    #enter
                    #(#decode_intos)*
                    #(#extra_resets)*
                    #leave
                    ::std::result::Result::Ok(())
                }

                #skip
            }
        }
    }

    /// `impl AvroSchema` for a record: names, standalone schema, canonical
    /// form and fingerprint, all computed now.
    pub fn record_schema_impl(&self, record: &NamedType, self_ty: &TokenStream) -> TokenStream {
        let rt = rt();
        let full_name = record.name.full();
        let json = canonical::standalone_json(self.model, &record.name);
        let pcf = canonical::parsing_canonical_form(self.model, &Schema::Ref(record.name.clone()));
        let fingerprint = canonical::rabin_fingerprint(pcf.as_bytes());
        quote! {
            impl #rt::AvroSchema for #self_ty {
                const FULL_NAME: &'static str = #full_name;
                const SCHEMA_JSON: &'static str = #json;
                const CANONICAL_FORM: &'static str = #pcf;
                const FINGERPRINT: u64 = #fingerprint;
            }
        }
    }

    /// The struct fields of a record, with docs and serde attributes.
    pub fn record_fields(&self, record: &NamedType, fields: &[Field]) -> Vec<TokenStream> {
        let self_name = ident::type_ident(&record.name.name);
        fields
            .iter()
            .map(|field| {
                let id = ident::field_ident(&field.name);
                let ty = self.rust_type(&field.schema, &Pos::field(&record.name, &field.name));
                let docs = doc_attrs(
                    field.doc.as_deref(),
                    &format!("The `{}` field.", field.name),
                );
                let rename = if ident::unraw(&id) != field.name {
                    let name = &field.name;
                    quote!(#[serde(rename = #name)])
                } else {
                    TokenStream::new()
                };
                let aliases = field.aliases.iter().map(|a| quote!(#[serde(alias = #a)]));
                let default = if field.default.is_some() {
                    let path = format!("{}::{}", self_name, default_fn_name(&field.name));
                    quote!(#[serde(default = #path)])
                } else {
                    TokenStream::new()
                };
                let json = self.json_attr(&field.schema);
                quote! {
                    #docs
                    #rename
                    #(#aliases)*
                    #default
                    #json
                    pub #id: #ty
                }
            })
            .collect()
    }

    /// Functions returning each field default, an `impl Default` when every
    /// field has one (`extra` fields use their own `Default`).
    pub fn record_defaults(
        &self,
        record: &NamedType,
        fields: &[Field],
        extra: &[Ident],
    ) -> TokenStream {
        let name = ident::type_ident(&record.name.name);
        let mut fns = Vec::new();
        for field in fields {
            if let Some(default) = &field.default {
                let fn_name = default_fn_name(&field.name);
                let pos = Pos::field(&record.name, &field.name);
                let ty = self.rust_type(&field.schema, &pos);
                let value = self.default_value(&field.schema, default, &pos);
                let doc = format!(" The schema default of `{}`.", field.name);
                fns.push(if matches!(field.schema, Schema::Null) {
                    quote! {
                        #[doc = #doc]
                        pub fn #fn_name() {}
                    }
                } else {
                    quote! {
                        #[doc = #doc]
                        pub fn #fn_name() -> #ty { #value }
                    }
                });
            }
        }
        let all_defaulted = fields.iter().all(|f| f.default.is_some());
        let default_impl = if all_defaulted {
            let inits = fields.iter().map(|f| {
                let id = ident::field_ident(&f.name);
                let fn_name = default_fn_name(&f.name);
                quote!(#id: Self::#fn_name())
            });
            quote! {
                impl ::std::default::Default for #name {
                    fn default() -> Self {
                        Self {
                            #(#inits,)*
                            #(#extra: ::std::default::Default::default(),)*
                        }
                    }
                }
            }
        } else {
            TokenStream::new()
        };
        let fns_impl = if fns.is_empty() {
            TokenStream::new()
        } else {
            quote!(impl #name { #(#fns)* })
        };
        quote!(#fns_impl #default_impl)
    }

    /// A plain (non-event) record: struct, defaults, codec and schema impls.
    pub fn emit_record(&self, record: &NamedType, fields: &[Field]) -> TokenStream {
        let name = ident::type_ident(&record.name.name);
        let docs = doc_attrs(
            record.doc.as_deref(),
            &format!("The Avro record `{}`.", record.name.full()),
        );
        let rt = rt();
        let serde_crate = format!("{rt}::serde").replace(' ', "");
        let struct_fields = self.record_fields(record, fields);
        let defaults = self.record_defaults(record, fields, &[]);
        let self_ty = quote!(#name);
        let codec = self.record_codec(record, &self_ty, &Binding::generated(fields), &[], true);
        let schema = self.record_schema_impl(record, &self_ty);
        let marker = self.named_marker_impl(&Schema::Ref(record.name.clone()), &self_ty);
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq, #rt::serde::Serialize, #rt::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
            pub struct #name {
                #(#struct_fields,)*
            }
            #defaults
            #codec
            #schema
            #marker
        }
    }
}

/// Name of the function that returns a field's default.
pub fn default_fn_name(field: &str) -> Ident {
    quote::format_ident!("default_{}", ident::to_snake(field))
}
