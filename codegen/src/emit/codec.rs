//! Direct Avro binary codecs: per-schema encode, size and decode code.
//!
//! Values are written and read straight from bytes, with no intermediate
//! value tree. Named types (records, enums, plain fixed, generated union
//! enums) go through their own `AvroCodec` impl; everything else is inlined
//! with the schema's knowledge (int vs long, logical types, null position).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{union_shape, UnionShape};
use super::{rt, Ctx};
use crate::model::{Logical, NamedKind, Schema};

/// The value behind a reference expression: `&self.x` becomes `self.x`,
/// any other `v` becomes `*v` (copy types only).
fn by_value(v: &TokenStream) -> TokenStream {
    let mut tokens = v.clone().into_iter();
    match tokens.next() {
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '&' => tokens.collect(),
        _ => quote!(*#v),
    }
}

/// Byte a zig-zag varint union index takes (indexes below 64 fit one byte).
fn index_byte(index: usize) -> u8 {
    (index as u8) << 1
}

impl Ctx<'_> {
    /// The size in bytes every value of `schema` encodes to, when constant.
    pub fn const_len(&self, schema: &Schema) -> Option<usize> {
        match schema {
            Schema::Null => Some(0),
            Schema::Boolean => Some(1),
            Schema::Float => Some(4),
            Schema::Double => Some(8),
            Schema::String(Some(Logical::Uuid)) => Some(37),
            Schema::Ref(name) => match self.model.get(name).map(|t| &t.kind) {
                Some(NamedKind::Fixed { size, .. }) => Some(*size),
                _ => None,
            },
            _ => None,
        }
    }

    /// Statements appending the encoding of `v` (an expression of type `&T`)
    /// to `buf`. `label` names the field in errors.
    pub fn encode(&self, schema: &Schema, v: &TokenStream, label: &str) -> TokenStream {
        let rt = rt();
        let in_field = quote!(.map_err(|e| e.in_field(#label))?);
        let val = by_value(v);
        match schema {
            Schema::Null => quote!(let _ = #v;),
            Schema::Boolean => quote!(#rt::put_bool(buf, #val);),
            Schema::Int(None) => quote!(#rt::put_int(buf, #val);),
            Schema::Long(None) => quote!(#rt::put_long(buf, #val);),
            Schema::Float => quote!(#rt::put_float(buf, #val);),
            Schema::Double => quote!(#rt::put_double(buf, #val);),
            Schema::Bytes(None) => quote!(#rt::put_bytes(buf, #v);),
            Schema::String(None) => quote!(#rt::put_str(buf, #v);),
            Schema::String(Some(Logical::Uuid)) => quote!(#rt::put_uuid_str(buf, #v);),
            Schema::Int(Some(logical)) | Schema::Long(Some(logical)) => {
                let put = format_ident!("put_{}", logical_fn_base(logical));
                quote!(#rt::logical::#put(buf, #v) #in_field;)
            }
            Schema::Bytes(Some(Logical::Decimal { scale, .. })) => {
                quote!(#rt::logical::put_decimal_bytes(buf, #v, #scale) #in_field;)
            }
            Schema::Bytes(Some(_)) | Schema::String(Some(_)) => {
                // The parser only attaches the logical types handled above.
                quote!(compile_error!("unsupported logical type");)
            }
            Schema::Array(items) => {
                let item = self.encode(items, &quote!(item), label);
                quote! {
                    let items = #v;
                    if !items.is_empty() {
                        #rt::put_long(buf, items.len() as i64);
                        for item in items.iter() { #item }
                    }
                    buf.push(0);
                }
            }
            Schema::Map(values) => {
                let value = self.encode(values, &quote!(value), label);
                quote! {
                    let entries = #v;
                    if !entries.is_empty() {
                        #rt::put_long(buf, entries.len() as i64);
                        for (key, value) in entries.iter() {
                            #rt::put_str(buf, key);
                            #value
                        }
                    }
                    buf.push(0);
                }
            }
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, null_index } => {
                    let null_byte = index_byte(null_index);
                    let some_byte = index_byte(1 - null_index);
                    let inner = self.encode(inner, &quote!(inner), label);
                    quote! {
                        match #v {
                            ::std::option::Option::None => buf.push(#null_byte),
                            ::std::option::Option::Some(inner) => { buf.push(#some_byte); #inner }
                        }
                    }
                }
                UnionShape::Enum => quote!(#rt::AvroCodec::avro_encode(#v, buf)?;),
            },
            Schema::Ref(name) => match self.fixed_logical(name) {
                Some(Logical::Uuid) => quote!(#rt::put_uuid_fixed(buf, #v);),
                Some(Logical::Duration) => quote!(#rt::logical::put_duration(buf, #v);),
                Some(Logical::Decimal { scale, .. }) => {
                    let size = self.const_len(schema).unwrap_or(0);
                    quote!(#rt::logical::put_decimal_fixed(buf, #v, #scale, #size) #in_field;)
                }
                _ => quote!(#rt::AvroCodec::avro_encode(#v, buf)?;),
            },
        }
    }

    /// An expression: the encoded size of `v` (an expression of type `&T`).
    pub fn encoded_len(&self, schema: &Schema, v: &TokenStream) -> TokenStream {
        let rt = rt();
        let val = by_value(v);
        if let Some(len) = self.const_len(schema) {
            let _ = v;
            return quote!(#len);
        }
        match schema {
            Schema::Int(None) => quote!(#rt::int_len(#val)),
            Schema::Long(None) => quote!(#rt::long_len(#val)),
            Schema::Bytes(None) => quote!(#rt::bytes_len(<[u8]>::len(#v))),
            Schema::String(None) => quote!(#rt::str_len(#v)),
            Schema::Int(Some(logical)) | Schema::Long(Some(logical)) => {
                let len = format_ident!("{}_len", logical_fn_base(logical));
                quote!(#rt::logical::#len(#v))
            }
            Schema::Bytes(Some(Logical::Decimal { scale, .. })) => {
                quote!(#rt::logical::decimal_bytes_len(#v, #scale))
            }
            Schema::Bytes(Some(_)) | Schema::String(Some(_)) => quote!(0),
            Schema::Array(items) => {
                let body = match self.const_len(items) {
                    Some(each) => quote!(n += items.len() * #each;),
                    None => {
                        let item = self.encoded_len(items, &quote!(item));
                        quote!(for item in items.iter() { n += #item; })
                    }
                };
                quote!({
                    let items = #v;
                    let mut n = 1usize;
                    if !items.is_empty() {
                        n += #rt::long_len(items.len() as i64);
                        #body
                    }
                    n
                })
            }
            Schema::Map(values) => {
                let value = self.encoded_len(values, &quote!(value));
                let value_pat = if self.const_len(values).is_some() {
                    quote!(_)
                } else {
                    quote!(value)
                };
                quote!({
                    let entries = #v;
                    let mut n = 1usize;
                    if !entries.is_empty() {
                        n += #rt::long_len(entries.len() as i64);
                        for (key, #value_pat) in entries.iter() {
                            n += #rt::bytes_len(key.len()) + #value;
                        }
                    }
                    n
                })
            }
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, .. } => {
                    let pat = if self.const_len(inner).is_some() {
                        quote!(_)
                    } else {
                        quote!(inner)
                    };
                    let inner = self.encoded_len(inner, &quote!(inner));
                    quote!(match #v {
                        ::std::option::Option::None => 1usize,
                        ::std::option::Option::Some(#pat) => 1usize + #inner,
                    })
                }
                UnionShape::Enum => quote!(#rt::AvroCodec::avro_len(#v)),
            },
            _ => quote!(#rt::AvroCodec::avro_len(#v)),
        }
    }

    /// An expression reading one value of `schema` from `r`, using `?`.
    pub fn decode(&self, schema: &Schema) -> TokenStream {
        let rt = rt();
        match schema {
            Schema::Null => quote!(()),
            Schema::Boolean => quote!(r.read_bool()?),
            Schema::Int(None) => quote!(r.read_int()?),
            Schema::Long(None) => quote!(r.read_long()?),
            Schema::Float => quote!(r.read_float()?),
            Schema::Double => quote!(r.read_double()?),
            Schema::Bytes(None) => quote!(r.read_bytes_vec()?),
            Schema::String(None) => quote!(r.read_string()?),
            Schema::String(Some(Logical::Uuid)) => quote!(r.read_uuid_str()?),
            Schema::Int(Some(logical)) | Schema::Long(Some(logical)) => {
                let read = format_ident!("read_{}", logical_fn_base(logical));
                quote!(#rt::logical::#read(r)?)
            }
            Schema::Bytes(Some(Logical::Decimal { scale, .. })) => {
                quote!(#rt::logical::read_decimal_bytes(r, #scale)?)
            }
            Schema::Bytes(Some(_)) | Schema::String(Some(_)) => {
                quote!(compile_error!("unsupported logical type"))
            }
            Schema::Array(items) => {
                let min = self.min_len_of(items);
                let item = self.decode(items);
                quote!({
                    let mut items = ::std::vec::Vec::new();
                    while let ::std::option::Option::Some(n) = r.read_block_len(#min)? {
                        items.reserve(n.min(#rt::MAX_RESERVE));
                        for _ in 0..n { items.push(#item); }
                    }
                    items
                })
            }
            Schema::Map(values) => {
                let min = self.min_len_of(values).saturating_add(1);
                let value = self.decode(values);
                quote!({
                    let mut entries = #rt::BTreeMap::new();
                    while let ::std::option::Option::Some(n) = r.read_block_len(#min)? {
                        for _ in 0..n {
                            let key = r.read_string()?;
                            entries.insert(key, #value);
                        }
                    }
                    entries
                })
            }
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, null_index } => {
                    let inner = self.decode(inner);
                    quote!(match r.read_union_index(2)? {
                        #null_index => ::std::option::Option::None,
                        _ => ::std::option::Option::Some(#inner),
                    })
                }
                UnionShape::Enum => quote!(#rt::AvroCodec::avro_decode(r)?),
            },
            Schema::Ref(name) => match self.fixed_logical(name) {
                Some(Logical::Uuid) => quote!(r.read_uuid_fixed()?),
                Some(Logical::Duration) => quote!(#rt::logical::read_duration(r)?),
                Some(Logical::Decimal { scale, .. }) => {
                    let size = self.const_len(schema).unwrap_or(0);
                    quote!(#rt::logical::read_decimal_fixed(r, #scale, #size)?)
                }
                _ => quote!(#rt::AvroCodec::avro_decode(r)?),
            },
        }
    }

    /// Statements decoding into the place `place` (an expression of type
    /// `&mut T`), reusing its allocations where the type allows.
    pub fn decode_into(&self, schema: &Schema, place: &TokenStream) -> TokenStream {
        let rt = rt();
        match schema {
            Schema::String(None) => quote!(r.read_string_into(#place)?;),
            Schema::Ref(name) if self.is_record(name) => {
                quote!(#rt::AvroCodec::avro_decode_into(#place, r)?;)
            }
            Schema::Array(items) if self.reuses_allocation(items) => {
                let min = self.min_len_of(items);
                let reuse = self.decode_into(items, &quote!(&mut items[len]));
                let item = self.decode(items);
                quote! {
                    let items = #place;
                    let mut len = 0usize;
                    while let ::std::option::Option::Some(n) = r.read_block_len(#min)? {
                        for _ in 0..n {
                            if len < items.len() { #reuse } else { items.push(#item); }
                            len += 1;
                        }
                    }
                    items.truncate(len);
                }
            }
            Schema::Union(branches) => match union_shape(branches) {
                UnionShape::Option { inner, null_index } if self.reuses_allocation(inner) => {
                    let reuse = self.decode_into(inner, &quote!(inner));
                    let fresh = self.decode(inner);
                    quote! {
                        let place = #place;
                        if r.read_union_index(2)? == #null_index {
                            *place = ::std::option::Option::None;
                        } else if let ::std::option::Option::Some(inner) = place.as_mut() {
                            #reuse
                        } else {
                            *place = ::std::option::Option::Some(#fresh);
                        }
                    }
                }
                _ => self.decode_replace(schema, place),
            },
            _ => self.decode_replace(schema, place),
        }
    }

    /// Statements replacing the value behind `place` with a fresh decode.
    fn decode_replace(&self, schema: &Schema, place: &TokenStream) -> TokenStream {
        let fresh = self.decode(schema);
        quote! {
            let place = #place;
            *place = #fresh;
        }
    }

    /// Whether decoding into an existing value of this type saves allocations.
    fn reuses_allocation(&self, schema: &Schema) -> bool {
        match schema {
            Schema::String(None) => true,
            Schema::Ref(name) => self.is_record(name),
            Schema::Array(items) => self.reuses_allocation(items),
            _ => false,
        }
    }
}

/// The stem of the runtime's helpers for an int or long logical type:
/// `put_{stem}`, `read_{stem}`, `{stem}_len`, `{stem}_from_avro`.
pub fn logical_fn_base(logical: &Logical) -> &'static str {
    match logical {
        Logical::Date => "date",
        Logical::TimeMillis => "time_millis",
        Logical::TimeMicros => "time_micros",
        Logical::TimestampMillis => "timestamp_millis",
        Logical::TimestampMicros => "timestamp_micros",
        Logical::TimestampNanos => "timestamp_nanos",
        Logical::LocalTimestampMillis => "local_timestamp_millis",
        Logical::LocalTimestampMicros => "local_timestamp_micros",
        Logical::LocalTimestampNanos => "local_timestamp_nanos",
        // The parser attaches no other logical type to int or long.
        Logical::Uuid | Logical::Decimal { .. } | Logical::Duration => "unsupported",
    }
}
