//! Borrowed views: `{Record}Ref<'a>`, decoded without allocating, for
//! routing and filtering on a few fields.
//!
//! Scalar fields, strings (`&'a str`), bytes (`&'a [u8]`), uuids, enums and
//! plain fixed values (and nullable forms of these) are read eagerly.
//! Everything else (arrays, maps, records, unions, decimals) is skipped and
//! kept as its raw bytes; a method of the field's name decodes it on demand.
//! Raw fields are checked for structure only when the view is read; their
//! contents (UTF-8, value ranges) are validated when the accessor decodes them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::record::doc_attrs;
use super::types::{union_shape, Pos, UnionShape};
use super::{rt, Ctx};
use crate::ident;
use crate::model::{Field, Logical, NamedKind, NamedType, Schema};

/// Names a view field may not take: its constructors and the methods of
/// `Clone`, `Copy`, `Debug`, `PartialEq` and common blanket traits, which an
/// accessor of the same name would shadow.
const RESERVED: &[&str] = &[
    "read_from",
    "from_avro_bytes",
    "clone",
    "clone_from",
    "eq",
    "ne",
    "fmt",
    "to_owned",
    "into",
    "try_into",
    "borrow",
    "borrow_mut",
    "type_id",
];

impl Ctx<'_> {
    /// The view's type for an eagerly read field, `None` for a lazy one.
    fn view_type(&self, schema: &Schema, from: &str) -> Option<TokenStream> {
        let rt = rt();
        match schema {
            Schema::Bytes(None) => Some(quote!(&'a [u8])),
            Schema::String(None) => Some(quote!(&'a str)),
            Schema::Bytes(Some(_)) => None,
            Schema::Null
            | Schema::Boolean
            | Schema::Int(_)
            | Schema::Long(_)
            | Schema::Float
            | Schema::Double
            | Schema::String(Some(_)) => super::types::leaf_type(schema),
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => self
                    .view_type(inner, from)
                    .map(|t| quote!(::std::option::Option<#t>)),
                UnionShape::Enum => None,
            },
            Schema::Ref(name) => match self.model.get(name).map(|t| &t.kind) {
                Some(NamedKind::Enum { .. } | NamedKind::Fixed { logical: None, .. }) => {
                    Some(self.type_path(&Self::module_of(from), name))
                }
                Some(NamedKind::Fixed {
                    logical: Some(Logical::Uuid),
                    ..
                }) => Some(quote!(#rt::Uuid)),
                Some(NamedKind::Fixed {
                    logical: Some(Logical::Duration),
                    ..
                }) => Some(quote!(#rt::Duration)),
                _ => None,
            },
            Schema::Array(_) | Schema::Map(_) => None,
        }
    }

    /// An expression reading an eagerly read field into its view type.
    fn view_decode(&self, schema: &Schema) -> TokenStream {
        match schema {
            Schema::Bytes(None) => quote!(r.read_bytes()?),
            Schema::String(None) => quote!(r.read_str()?),
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, null_index } => {
                    let inner = self.view_decode(inner);
                    quote!(match r.read_union_index(2)? {
                        #null_index => ::std::option::Option::None,
                        _ => ::std::option::Option::Some(#inner),
                    })
                }
                UnionShape::Enum => self.decode(schema),
            },
            _ => self.decode(schema),
        }
    }

    /// Statements reading past a value of `schema` without building it, in
    /// code emitted in the module of namespace `from`.
    pub fn skip(&self, schema: &Schema, from: &str) -> TokenStream {
        let rt = rt();
        match schema {
            Schema::Null => TokenStream::new(),
            Schema::Boolean => quote!(r.read_bool()?;),
            Schema::Int(_) | Schema::Long(_) => quote!(r.read_long()?;),
            Schema::Float => quote!(r.read_fixed_slice(4)?;),
            Schema::Double => quote!(r.read_fixed_slice(8)?;),
            Schema::Bytes(_) | Schema::String(_) => quote!(r.read_bytes()?;),
            Schema::Array(items) => {
                let min = self.min_len_of(items);
                let item = self.skip(items, from);
                quote! {
                    while let ::std::option::Option::Some(n) = r.read_block_len(#min)? {
                        for _ in 0..n { #item }
                    }
                }
            }
            Schema::Map(values) => {
                let min = self.min_len_of(values).saturating_add(1);
                let value = self.skip(values, from);
                quote! {
                    while let ::std::option::Option::Some(n) = r.read_block_len(#min)? {
                        for _ in 0..n { r.read_bytes()?; #value }
                    }
                }
            }
            Schema::Union(branches) => {
                let count = branches.len();
                if let [a, b] = branches.as_slice() {
                    // Two branches, one of them empty (`null`): an `if` reads better.
                    let (a, b) = (self.skip(a, from), self.skip(b, from));
                    match (a.is_empty(), b.is_empty()) {
                        (true, true) => return quote!(r.read_union_index(2)?;),
                        (true, false) => return quote!(if r.read_union_index(2)? == 1 { #b }),
                        (false, true) => return quote!(if r.read_union_index(2)? == 0 { #a }),
                        (false, false) => {}
                    }
                }
                let arms = branches.iter().enumerate().map(|(i, b)| {
                    let body = self.skip(b, from);
                    if i + 1 == count {
                        quote!(_ => { #body })
                    } else {
                        quote!(#i => { #body })
                    }
                });
                quote!(match r.read_union_index(#count)? { #(#arms)* })
            }
            Schema::Ref(name) => match self.model.get(name).map(|t| &t.kind) {
                Some(NamedKind::Enum { symbols, .. }) => {
                    let count = symbols.len();
                    quote!(r.read_enum_index(#count)?;)
                }
                Some(NamedKind::Fixed { size, .. }) => quote!(r.read_fixed_slice(#size)?;),
                _ => {
                    let path = self.type_path(&Self::module_of(from), name);
                    quote!(<#path as #rt::AvroCodec>::avro_skip(r)?;)
                }
            },
        }
    }

    /// `fn avro_skip` for a record's `AvroCodec` impl.
    pub fn record_skip(&self, record: &NamedType, fields: &[Field]) -> TokenStream {
        let rt = rt();
        let from = &record.name.namespace;
        let skips = fields.iter().map(|f| self.skip(&f.schema, from));
        let (enter, leave) = if self.is_recursive(&record.name) {
            (quote!(r.enter()?;), quote!(r.leave();))
        } else {
            (TokenStream::new(), TokenStream::new())
        };
        quote! {
            #[inline]
            fn avro_skip(r: &mut #rt::Reader<'_>) -> ::std::result::Result<(), #rt::DecodeError> {
                #enter
                #(#skips)*
                #leave
                ::std::result::Result::Ok(())
            }
        }
    }

    /// The borrowed view `{Record}Ref<'a>` of a record.
    pub fn emit_view(&self, record: &NamedType, fields: &[Field]) -> TokenStream {
        let rt = rt();
        let owner = ident::type_ident(&record.name.name);
        let name = format_ident!("{}Ref", owner);
        let doc = format!(
            " A borrowed view of [`{owner}`], decoded without allocating: strings and bytes borrow \
             from the input; arrays, maps, records and unions stay raw (checked for structure only) until their accessor decodes them."
        );
        let mut decls = Vec::new();
        let mut reads = Vec::new();
        let mut accessors = Vec::new();
        // Keep accessors clear of the view's constructors and of the methods
        // of the traits it derives, then make the renamed names unique.
        let ids = ident::unique(
            fields
                .iter()
                .map(|f| {
                    let id = ident::field_ident(&f.name);
                    if RESERVED.contains(&id.to_string().as_str()) {
                        format_ident!("{}_field", id)
                    } else {
                        id
                    }
                })
                .collect(),
        );
        for (field, id) in fields.iter().zip(ids) {
            let label = format!("{}.{}", record.name.name, field.name);
            let docs = doc_attrs(
                field.doc.as_deref(),
                &format!("The `{}` field.", field.name),
            );
            match self.view_type(&field.schema, &record.name.namespace) {
                Some(ty) if matches!(field.schema, Schema::Null) => {
                    decls.push(quote!(#docs pub #id: #ty));
                    reads.push(quote!(#id: ()));
                }
                Some(ty) => {
                    let read = self.view_decode(&field.schema);
                    decls.push(quote!(#docs pub #id: #ty));
                    reads.push(quote! {
                        #id: #rt::decode_field(r, #label, |r| {
                            let value = #read;
                            ::std::result::Result::Ok(value)
                        })?
                    });
                }
                None => {
                    let skip = self.skip(&field.schema, &record.name.namespace);
                    let owned =
                        self.rust_type(&field.schema, &Pos::field(&record.name, &field.name));
                    let decode = self.decode(&field.schema);
                    let raw_doc =
                        format!(" Raw Avro bytes of `{}`; see [`Self::{id}`].", field.name);
                    let method_doc = format!(
                        " Decodes `{}` from the raw bytes the view kept.",
                        field.name
                    );
                    decls.push(quote!(#[doc = #raw_doc] #id: &'a [u8]));
                    reads.push(quote! {
                        #id: #rt::decode_field(r, #label, |r| {
                            let start = r.position();
                            #skip
                            ::std::result::Result::Ok(r.read_since(start))
                        })?
                    });
                    accessors.push(quote! {
                        #[doc = #method_doc]
                        ///
                        /// # Errors
                        ///
                        /// When the bytes do not decode (the view only skipped them).
                        pub fn #id(&self) -> ::std::result::Result<#owned, #rt::DecodeError> {
                            let r = &mut #rt::Reader::new(self.#id);
                            let value = #decode;
                            r.finish()?;
                            ::std::result::Result::Ok(value)
                        }
                    });
                }
            }
        }
        let (enter, leave) = if self.is_recursive(&record.name) {
            (quote!(r.enter()?;), quote!(r.leave();))
        } else {
            (TokenStream::new(), TokenStream::new())
        };
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug, PartialEq)]
            pub struct #name<'a> {
                #(#decls,)*
                _input: ::std::marker::PhantomData<&'a [u8]>,
            }

            impl<'a> #name<'a> {
                /// Reads a view of one value from `r`.
                ///
                /// # Errors
                ///
                /// Malformed input, as for the owned decoder.
                #[inline]
                pub fn read_from(r: &mut #rt::Reader<'a>) -> ::std::result::Result<Self, #rt::DecodeError> {
                    #enter
                    let value = Self { #(#reads,)* _input: ::std::marker::PhantomData };
                    #leave
                    ::std::result::Result::Ok(value)
                }

                /// A view of the value that spans all of `bytes`.
                ///
                /// # Errors
                ///
                /// Malformed input, or bytes left over.
                #[inline]
                pub fn from_avro_bytes(bytes: &'a [u8]) -> ::std::result::Result<Self, #rt::DecodeError> {
                    let mut r = #rt::Reader::new(bytes);
                    let value = Self::read_from(&mut r)?;
                    r.finish()?;
                    ::std::result::Result::Ok(value)
                }

                #(#accessors)*
            }
        }
    }
}
