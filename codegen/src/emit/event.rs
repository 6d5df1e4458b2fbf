//! Events: records that name an aggregate. Each becomes a struct deriving
//! `DomainEvent`; together they form one enum per bounded context, an
//! `AnyEvent` over all of them and the catalog of event types.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::record::doc_attrs;
use super::{rt, Ctx};
use crate::error::Diagnostic;
use crate::ident;
use crate::model::{Field, JsonValue, Logical, Model, NamedKind, NamedType, Schema, SchemaFile};

/// The custom property naming an event's aggregate-id field.
pub const AGGREGATE_PROP: &str = "aggregate";
/// The custom property overriding an event's bounded context.
pub const CONTEXT_PROP: &str = "context";

/// A record that is a domain event.
pub struct Event<'m> {
    /// The record.
    pub ty: &'m NamedType,
    /// Its fields.
    pub fields: &'m [Field],
    /// Its bounded context.
    pub context: String,
    /// The aggregate-id field.
    pub aggregate: &'m Field,
    /// The file that defines it.
    pub file: &'m SchemaFile,
}

/// The name of an event's metadata field: `metadata`, or `event_metadata`
/// when the schema has a field called `metadata`.
pub fn metadata_ident(fields: &[Field]) -> Ident {
    let taken = |name: &str| {
        fields
            .iter()
            .any(|f| crate::ident::to_snake(&f.name) == name)
    };
    let mut name = "metadata".to_owned();
    if taken(&name) {
        name = "event_metadata".to_owned();
        while taken(&name) {
            name.push('_');
        }
    }
    format_ident!("{}", name)
}

/// The string value of custom property `key`.
fn prop<'a>(ty: &'a NamedType, key: &str) -> Option<&'a JsonValue> {
    ty.props.get(key)
}

/// Whether a field of this type can serve as an aggregate id (a Kafka key).
pub fn is_key_type(schema: &Schema) -> bool {
    match schema {
        Schema::String(None | Some(Logical::Uuid)) | Schema::Int(None) | Schema::Long(None) => true,
        Schema::Union(branches) => match super::types::union_shape(branches) {
            super::types::UnionShape::Option { inner, .. } => is_key_type(inner),
            super::types::UnionShape::Enum => false,
        },
        _ => false,
    }
}

/// Finds every event: the top-level record of a file that has an
/// `aggregate` property. Its context is the `context` property, or else the
/// first directory of its path under the schema root.
pub fn find_events(model: &Model) -> Result<Vec<Event<'_>>, Vec<Diagnostic>> {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for file in &model.files {
        let Schema::Ref(name) = &file.root else {
            continue;
        };
        let Some(ty) = model.get(name) else { continue };
        let NamedKind::Record { fields } = &ty.kind else {
            continue;
        };
        let Some(aggregate) = prop(ty, AGGREGATE_PROP) else {
            continue;
        };
        // At the property's value when the schema has it, else at the record.
        let error_at = |prop: &str, message: String, hint: &str| {
            let span = ty.prop_spans.get(prop).unwrap_or(&ty.span);
            Diagnostic::at(span, &model.files, message).with_hint(hint)
        };
        let error = |message: String, hint: &str| error_at(AGGREGATE_PROP, message, hint);
        let JsonValue::String(aggregate) = aggregate else {
            errors.push(error(
                format!("`{AGGREGATE_PROP}` of `{}` must be a string", name.full()),
                "name the aggregate-id field, e.g. \"aggregate\": \"debate_id\"",
            ));
            continue;
        };
        let Some(aggregate_field) = fields.iter().find(|f| &f.name == aggregate) else {
            let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
            let hint = match crate::error::closest(aggregate, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the record's fields are: {}", names.join(", ")),
            };
            errors.push(error(
                format!(
                    "aggregate field `{aggregate}` is not a field of `{}`",
                    name.full()
                ),
                &hint,
            ));
            continue;
        };
        if !is_key_type(&aggregate_field.schema) {
            errors.push(
                Diagnostic::at(
                    &aggregate_field.span,
                    &model.files,
                    format!("aggregate field `{aggregate}` must be a string, uuid, int or long"),
                )
                .with_hint("the aggregate id becomes the Kafka message key".to_owned()),
            );
            continue;
        }
        let context = match prop(ty, CONTEXT_PROP) {
            Some(JsonValue::String(c)) => c.clone(),
            _ => match file.rel_path.split_once('/') {
                Some((dir, _)) => dir.to_owned(),
                None => {
                    errors.push(error(
                        format!("event `{}` has no bounded context", name.full()),
                        "put the file under <schemas>/<context>/ or add \"context\": \"<name>\"",
                    ));
                    continue;
                }
            },
        };
        if !is_context_name(&context) {
            errors.push(error_at(
                CONTEXT_PROP,
                format!("bounded context `{context}` of `{}` is not a valid name", name.full()),
                "a context names a Rust enum and a Kafka topic: use letters, digits and `_`, starting with a letter",
            ));
            continue;
        }
        events.push(Event {
            ty,
            fields,
            context,
            aggregate: aggregate_field,
            file,
        });
    }
    errors.extend(catalog_collisions(model, &events));
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors)
    }
}

/// Whether `context` can name a context enum, a variant and a topic.
fn is_context_name(context: &str) -> bool {
    let mut chars = context.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names in the generated catalog that would be defined twice: contexts
/// that case alike (or `any`, whose enum would be `AnyEvent`), two events of
/// a context with one simple name, and root types named like the catalog.
fn catalog_collisions(model: &Model, events: &[Event]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut contexts: BTreeMap<String, &str> = BTreeMap::new();
    let mut variants: BTreeMap<(String, String), &Event> = BTreeMap::new();
    for event in events {
        let enum_name = context_enum_name(&event.context);
        let at = |message: String, hint: &str| {
            Diagnostic::at(&event.ty.span, &model.files, message).with_hint(hint)
        };
        if enum_name == "AnyEvent" {
            errors.push(at(
                format!("bounded context `{}` is reserved", event.context),
                "its enum would be `AnyEvent`, the enum over all contexts: rename the context",
            ));
        }
        match contexts.get(&enum_name) {
            Some(other) if *other != event.context => errors.push(at(
                format!(
                    "contexts `{other}` and `{}` both become `{enum_name}`",
                    event.context
                ),
                "rename one of them",
            )),
            _ => {
                contexts.insert(enum_name.clone(), &event.context);
            }
        }
        let variant = ident::type_ident(&event.ty.name.name).to_string();
        if let Some(other) = variants.insert((enum_name.clone(), variant.clone()), event) {
            errors.push(at(
                format!(
                    "events `{}` and `{}` both become `{enum_name}::{variant}`",
                    other.ty.name.full(),
                    event.ty.name.full()
                ),
                "give the events of one context distinct names",
            ));
        }
    }
    for (name, ty) in &model.types {
        let root_name = ident::type_ident(&name.name).to_string();
        if name.namespace.is_empty()
            && (root_name == "AnyEvent" || contexts.contains_key(&root_name))
        {
            errors.push(
                Diagnostic::at(
                    &ty.span,
                    &model.files,
                    format!(
                        "type `{}` collides with the generated `{root_name}`",
                        name.full()
                    ),
                )
                .with_hint("give it a namespace or another name"),
            );
        }
    }
    errors
}

/// The enum of a context's events: `debate` → `DebateEvent`.
pub fn context_enum_name(context: &str) -> String {
    format!("{}Event", ident::to_upper_camel(context))
}

impl Ctx<'_> {
    /// The struct of an event; its codec and trait impls come from
    /// `#[derive(DomainEvent)]`, the same code path as hand-written events.
    pub fn emit_event(&self, event: &Event, schema_root: &str) -> TokenStream {
        let rt = rt();
        let name = ident::type_ident(&event.ty.name.name);
        let docs = doc_attrs(
            event.ty.doc.as_deref(),
            &format!("The Avro record `{}`.", event.ty.name.full()),
        );
        let serde_crate = format!("{rt}::serde").replace(' ', "");
        let fields = self.record_fields(event.ty, event.fields);
        let metadata = metadata_ident(event.fields);
        let defaults =
            self.record_defaults(event.ty, event.fields, std::slice::from_ref(&metadata));
        let context = &event.context;
        let schema_path = format!(
            "{}/{}",
            schema_root.trim_end_matches('/'),
            event.file.rel_path
        );
        let aggregate = &event.aggregate.name;
        let empty = format!("{rt}::EventMetadata::empty").replace(' ', "");
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq, #rt::serde::Serialize, #rt::serde::Deserialize, #rt::DomainEvent)]
            #[serde(crate = #serde_crate)]
            #[domain_event(context = #context, schema = #schema_path, aggregate = #aggregate, root = #schema_root)]
            pub struct #name {
                #(#fields,)*
                /// Event metadata (id, time, source, correlation and causation):
                /// carried beside the payload as CloudEvents attributes, not in the schema.
                #[serde(skip, default = #empty)]
                #[domain_event(metadata)]
                pub #metadata: #rt::EventMetadata,
            }
            #defaults
        }
    }

    /// The per-context enums, `AnyEvent` and `EVENT_TYPES`, emitted at the
    /// root of the generated module tree.
    pub fn emit_event_catalog(&self, events: &[Event]) -> TokenStream {
        let rt = rt();
        let mut by_context: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
        for e in events {
            by_context.entry(e.context.as_str()).or_default().push(e);
        }
        let mut out = TokenStream::new();
        let mut ctx_variants = Vec::new();
        let mut ctx_enums = Vec::new();
        for (context, events) in &by_context {
            let enum_name = format_ident!("{}", context_enum_name(context));
            let variant = ident::type_ident(context);
            out.extend(self.emit_context_enum(context, &enum_name, events));
            for e in events {
                let ty = self.type_path(&[], &e.ty.name);
                out.extend(quote! {
                    impl ::std::convert::From<#ty> for AnyEvent {
                        fn from(event: #ty) -> Self {
                            Self::#variant(#enum_name::from(event))
                        }
                    }
                });
            }
            ctx_variants.push(variant);
            ctx_enums.push(enum_name);
        }
        let mut all: Vec<&Event> = events.iter().collect();
        all.sort_by_key(|e| e.ty.name.full());
        let infos = all.iter().map(|e| {
            let ty = self.type_path(&[], &e.ty.name);
            let context = &e.context;
            quote!(#rt::EventType {
                name: <#ty as #rt::DomainEvent>::EVENT_TYPE,
                context: #context,
                schema_json: <#ty as #rt::AvroSchema>::SCHEMA_JSON,
                canonical_form: <#ty as #rt::AvroSchema>::CANONICAL_FORM,
                fingerprint: <#ty as #rt::AvroSchema>::FINGERPRINT,
            })
        });
        let decode_avro_arms = all.iter().map(|e| {
            let ty = self.type_path(&[], &e.ty.name);
            let full = e.ty.name.full();
            quote!(#full => <#ty as #rt::AvroCodec>::from_avro_bytes(bytes).map(Self::from).map_err(::std::convert::From::from))
        });
        let decode_json_arms = all.iter().map(|e| {
            let ty = self.type_path(&[], &e.ty.name);
            let full = e.ty.name.full();
            quote!(#full => #rt::cloudevents::decode_data::<#ty>(&envelope).map(Self::from).map_err(::std::convert::From::from))
        });
        let from_bus_arms = all.iter().map(|e| {
            let ty = self.type_path(&[], &e.ty.name);
            let full = e.ty.name.full();
            quote!(#full => event.as_any().downcast_ref::<#ty>().cloned().map(Self::from))
        });
        let publish_arms = by_context.iter().map(|(context, events)| {
            let variant = ident::type_ident(context);
            let enum_name = format_ident!("{}", context_enum_name(context));
            let inner = events.iter().map(|e| {
                let v = ident::type_ident(&e.ty.name.name);
                quote!(#enum_name::#v(event) => bus.publish(event).await)
            });
            quote!(Self::#variant(event) => match event { #(#inner,)* })
        });
        let methods = dispatch_methods(&ctx_variants);
        out.extend(quote! {
            /// Any event of any bounded context.
            #[derive(Clone, Debug, PartialEq)]
            #[allow(clippy::large_enum_variant)]
            pub enum AnyEvent {
                #(
                    #[doc = concat!(" An event of the `", stringify!(#ctx_variants), "` context.")]
                    #ctx_variants(#ctx_enums),
                )*
            }

            impl AnyEvent {
                #methods

                /// The bounded context of this event.
                pub fn context(&self) -> &'static str {
                    match self { #(Self::#ctx_variants(_) => #ctx_enums::CONTEXT,)* }
                }

                /// Decodes Avro binary `bytes` (no framing) written with the
                /// current schema of `event_type`.
                ///
                /// # Errors
                ///
                /// Unknown event types and malformed bytes.
                pub fn decode_avro(event_type: &str, bytes: &[u8]) -> ::std::result::Result<Self, #rt::EventDecodeError> {
                    match event_type {
                        #(#decode_avro_arms,)*
                        other => ::std::result::Result::Err(#rt::EventDecodeError::UnknownEventType(other.to_owned())),
                    }
                }

                /// Decodes a CloudEvents JSON (structured mode) message,
                /// choosing the type from its `type` attribute.
                ///
                /// # Errors
                ///
                /// Malformed envelopes, unknown event types and bad data.
                pub fn decode_json(bytes: &[u8]) -> ::std::result::Result<Self, #rt::EventDecodeError> {
                    let envelope = #rt::cloudevents::parse_envelope(bytes)?;
                    match envelope.event_type.as_str() {
                        #(#decode_json_arms,)*
                        other => ::std::result::Result::Err(#rt::EventDecodeError::UnknownEventType(other.to_owned())),
                    }
                }

                /// The event behind a bus event, cloned, if its type is in the catalog.
                pub fn from_bus_event(event: &dyn #rt::BusEvent) -> ::std::option::Option<Self> {
                    match event.event_type() {
                        #(#from_bus_arms,)*
                        _ => ::std::option::Option::None,
                    }
                }

                /// Publishes the event on `bus` as its concrete type.
                pub async fn publish_on(self, bus: &#rt::EventBus) -> #rt::PublishReport {
                    match self {
                        #(#publish_arms,)*
                    }
                }

                /// The event, shared and type-erased as the bus carries it.
                pub fn into_shared(self) -> #rt::SharedEvent {
                    match self { #(Self::#ctx_variants(e) => e.into_shared(),)* }
                }

                /// The catalog entry of `event_type`.
                pub fn event_type_info(event_type: &str) -> ::std::option::Option<&'static #rt::EventType> {
                    EVENT_TYPES
                        .binary_search_by(|info| info.name.cmp(event_type))
                        .ok()
                        .and_then(|i| EVENT_TYPES.get(i))
                }
            }

            /// Every event type compiled from the schemas, sorted by name.
            pub static EVENT_TYPES: &[#rt::EventType] = &[#(#infos,)*];

            /// The catalog with type-erased decoders, for Kafka consumers.
            pub static CATALOG: #rt::Catalog = #rt::Catalog {
                types: EVENT_TYPES,
                decode_avro: |event_type, bytes, metadata| {
                    let mut event = AnyEvent::decode_avro(event_type, bytes)?;
                    *event.metadata_mut() = metadata;
                    ::std::result::Result::Ok(event.into_shared())
                },
                decode_json: |bytes| AnyEvent::decode_json(bytes).map(AnyEvent::into_shared),
            };
        });
        out
    }

    fn emit_context_enum(
        &self,
        context: &str,
        enum_name: &Ident,
        events: &[&Event],
    ) -> TokenStream {
        let rt = rt();
        let variants: Vec<_> = events
            .iter()
            .map(|e| ident::type_ident(&e.ty.name.name))
            .collect();
        let types: Vec<_> = events
            .iter()
            .map(|e| self.type_path(&[], &e.ty.name))
            .collect();
        let names: Vec<_> = events.iter().map(|e| e.ty.name.full()).collect();
        let doc = format!(" Every event of the `{context}` bounded context.");
        let methods = dispatch_methods(&variants);
        quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq)]
            #[allow(clippy::large_enum_variant)]
            pub enum #enum_name {
                #(
                    #[doc = concat!(" `", #names, "`")]
                    #variants(#types),
                )*
            }

            impl #enum_name {
                /// The bounded context's name.
                pub const CONTEXT: &'static str = #context;
                /// The event types of this context.
                pub const EVENT_TYPES: &'static [&'static str] = &[#(#names),*];
                #methods

                /// The event, shared and type-erased as the bus carries it.
                pub fn into_shared(self) -> #rt::SharedEvent {
                    match self { #(Self::#variants(e) => ::std::sync::Arc::new(e),)* }
                }
            }

            #(
                impl ::std::convert::From<#types> for #enum_name {
                    fn from(event: #types) -> Self {
                        Self::#variants(event)
                    }
                }
            )*

            const _: () = {
                // Every variant really is a domain event of this context.
                fn assert_event<E: #rt::DomainEvent>() {}
                #[allow(dead_code)]
                fn all() { #(assert_event::<#types>();)* }
            };
        }
    }
}

/// Methods that delegate to the variant's payload, for an enum whose every
/// variant holds something with the same methods (an event or a context enum).
fn dispatch_methods(variants: &[Ident]) -> TokenStream {
    let rt = rt();
    quote! {
        /// The event type: the record's full Avro name.
        pub fn event_type(&self) -> &'static str {
            match self { #(Self::#variants(e) => e.event_type(),)* }
        }

        /// The aggregate id (the Kafka key).
        pub fn aggregate_id(&self) -> ::std::string::String {
            match self { #(Self::#variants(e) => e.aggregate_id(),)* }
        }

        /// The event's metadata.
        pub fn metadata(&self) -> &#rt::EventMetadata {
            match self { #(Self::#variants(e) => e.metadata(),)* }
        }

        /// The event's metadata, mutably.
        pub fn metadata_mut(&mut self) -> &mut #rt::EventMetadata {
            match self { #(Self::#variants(e) => e.metadata_mut(),)* }
        }

        /// The Avro binary encoding of the payload.
        ///
        /// # Errors
        ///
        /// Values the schema cannot represent.
        pub fn to_avro_bytes(&self) -> ::std::result::Result<::std::vec::Vec<u8>, #rt::EncodeError> {
            match self { #(Self::#variants(e) => e.to_avro_bytes(),)* }
        }

        /// The CloudEvents attributes as Kafka headers (binary mode, Avro value).
        pub fn to_headers(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
            match self { #(Self::#variants(e) => e.to_headers(),)* }
        }

        /// The event as a CloudEvents JSON (structured mode) message.
        ///
        /// # Errors
        ///
        /// Payloads that cannot be serialized.
        pub fn to_json(&self) -> ::std::result::Result<::std::vec::Vec<u8>, #rt::CloudEventError> {
            match self { #(Self::#variants(e) => e.to_json(),)* }
        }
    }
}
