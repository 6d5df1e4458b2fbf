//! The expansion behind `#[derive(DomainEvent)]` (used by `schemabus-derive`).
//!
//! It loads the schema the attributes name, checks the struct against it and
//! emits the same codec code the build script emits for generated types.

mod attr;
mod check;
mod fields;
mod load;
mod shape;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use self::attr::{parse_event_attrs, Errors, AGGREGATE, CONTEXT, SCHEMA};
use self::load::{compile_message, default_root, load_model, manifest_dir};
use crate::emit::event::{is_key_type, AGGREGATE_PROP};
use crate::emit::record::Binding;
use crate::emit::{rt, Ctx};
use crate::ident;
use crate::model::{FullName, JsonValue, Model, NamedKind, Schema};

/// Expands `#[derive(DomainEvent)]`.
///
/// # Errors
///
/// Every problem found, each spanned on the attribute or field at fault.
pub fn expand_domain_event(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let attrs = parse_event_attrs(&input.attrs, &mut errors);
    // Missing keys are only worth reporting once the attribute itself parsed.
    errors.finish()?;
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(&named.named),
            _ => None,
        },
        _ => None,
    };
    let Some(fields) = fields else {
        return Err(syn::Error::new(
            input.ident.span(),
            "`DomainEvent` can only be derived for structs with named fields",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "an event cannot be generic: its fields must match one Avro schema",
        ));
    }
    for (key, value) in [(CONTEXT, &attrs.context), (SCHEMA, &attrs.schema)] {
        if value.is_none() {
            errors.at(
                input.ident.span(),
                format!("missing `#[domain_event({key} = \"...\")]`"),
            );
        }
    }
    errors.finish()?;
    let (Some(context), Some(schema_lit)) = (&attrs.context, &attrs.schema) else {
        return Ok(TokenStream::new());
    };

    let base = manifest_dir();
    let schema_path = base.join(schema_lit.value());
    let root = match &attrs.root {
        Some(root) => base.join(root.value()),
        // Judged on the path as written: the joined one is always deep.
        None => base.join(default_root(Path::new(&schema_lit.value()))),
    };
    let span = schema_lit.span();
    if !root.is_dir() {
        return Err(syn::Error::new(
            attrs.root.as_ref().map_or(span, syn::LitStr::span),
            format!(
                "schema root `{}` is not a directory (named types are resolved in it; set it with `root = \"...\"`)",
                root.display()
            ),
        ));
    }
    let model = load_model(&root).map_err(|e| syn::Error::new(span, compile_message(&e)))?;
    let rel = schema_path
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let Some(file) = model.files.iter().find(|f| f.rel_path == rel) else {
        return Err(syn::Error::new(
            span,
            format!(
                "schema file `{}` not found under the schema root `{}`",
                schema_path.display(),
                root.display()
            ),
        ));
    };
    let record = match &file.root {
        Schema::Ref(name) => model.get(name),
        _ => None,
    };
    let Some((record, schema_fields)) = record.and_then(|r| match &r.kind {
        NamedKind::Record { fields } => Some((r, fields)),
        _ => None,
    }) else {
        return Err(syn::Error::new(
            span,
            format!("`{rel}` does not define a record"),
        ));
    };
    let full = record.name.full();
    let ctx = Ctx::new(&model);

    let matched = fields::match_fields(
        fields,
        schema_fields,
        &full,
        input.ident.span(),
        &mut errors,
    );
    let aggregate = aggregate_binding(
        &attrs,
        record,
        &matched.bindings,
        input.ident.span(),
        &mut errors,
    );
    errors.finish()?;
    let (Some(aggregate), Some((metadata, metadata_ty))) = (aggregate, &matched.metadata) else {
        return Ok(TokenStream::new());
    };

    let rt = rt();
    let name = &input.ident;
    let self_ty = quote!(#name);
    // Types that certainly differ get one message each and no codec (its
    // code would only repeat the error); the others are checked by rustc.
    let mut assertions = Vec::new();
    for (b, ty) in matched.bindings.iter().zip(&matched.types) {
        if shape::differs(&b.field.schema, ty) {
            let (field, schema) = (&b.ident, &b.field.schema);
            // Spanned on the whole type, not only its first token.
            errors.push(syn::Error::new_spanned(
                ty,
                format!(
                    "field `{field}` is `{}`, but `{full}` declares it `{}` (in Rust: `{}`)",
                    shape::type_text(ty),
                    shape::avro_text(schema),
                    shape::rust_text(&ctx, schema),
                ),
            ));
        } else {
            assertions.push(ctx.type_assertion(&b.field.schema, ty));
        }
    }
    let mismatches = errors.finish().err();
    assertions.push(quote_spanned! {metadata_ty.span()=>
        #rt::assert_field_type::<#metadata_ty, #rt::EventMetadata>();
    });
    // With a field reported above the struct keeps its impls, so code using
    // it has no errors of its own, but they are never run: it does not build.
    let codec = match &mismatches {
        Some(_) => quote! {
            impl #rt::AvroCodec for #name {
                const MIN_LEN: usize = 0;
                fn avro_len(&self) -> usize {
                    ::std::unreachable!()
                }
                fn avro_encode(
                    &self,
                    _: &mut ::std::vec::Vec<u8>,
                ) -> ::std::result::Result<(), #rt::EncodeError> {
                    ::std::unreachable!()
                }
                fn avro_decode(
                    _: &mut #rt::Reader<'_>,
                ) -> ::std::result::Result<Self, #rt::DecodeError> {
                    ::std::unreachable!()
                }
            }
        },
        None => ctx.record_codec(
            record,
            &self_ty,
            &matched.bindings,
            &[(metadata.clone(), quote!(#rt::EventMetadata::empty()))],
            false,
        ),
    };
    let schema_impl = ctx.record_schema_impl(record, &self_ty);
    let marker = ctx.named_marker_impl(&Schema::Ref(record.name.clone()), &self_ty);
    let aggregate_expr = match &mismatches {
        Some(_) => quote!(::std::unreachable!()),
        None => respan(
            aggregate_expr(&aggregate.field.schema, &aggregate.ident),
            aggregate.span,
        ),
    };
    let mismatches = mismatches.map(|e| e.to_compile_error());
    let event_type = full.clone();
    let context_value = context.value();
    let tracked = tracked_files(&model, &record.name).into_iter().map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote!(
            const _: &[u8] = include_bytes!(#p);
        )
    });
    let check_fn = format_ident!("__schemabus_check_{}", ident::to_snake(&name.to_string()));
    let markers = check::avro_markers(matched.bindings.iter().map(|b| &b.field.schema));
    Ok(quote! {
        #mismatches
        const _: () = {
            #(#tracked)*

            #markers

            #[allow(dead_code, non_snake_case)]
            fn #check_fn() {
                #(#assertions)*
            }

            #codec
            #schema_impl
            #marker

            impl #rt::DomainEvent for #name {
                const CONTEXT: &'static str = #context_value;
                const EVENT_TYPE: &'static str = #event_type;

                fn aggregate_id(&self) -> ::std::string::String {
                    #aggregate_expr
                }

                fn metadata(&self) -> &#rt::EventMetadata {
                    &self.#metadata
                }

                fn metadata_mut(&mut self) -> &mut #rt::EventMetadata {
                    &mut self.#metadata
                }
            }
        };
    })
}

/// The binding of the aggregate field: named by the attribute or else by the
/// schema's `aggregate` property, and of a type that can be a Kafka key.
fn aggregate_binding<'b, 'a>(
    attrs: &attr::EventAttrs,
    record: &crate::model::NamedType,
    bindings: &'b [Binding<'a>],
    struct_span: Span,
    errors: &mut Errors,
) -> Option<&'b Binding<'a>> {
    let full = record.name.full();
    let declared = match record.props.get(AGGREGATE_PROP) {
        Some(JsonValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let (name, span) = match (&attrs.aggregate, declared) {
        (Some(lit), Some(declared)) if lit.value() != declared => {
            errors.at(
                lit.span(),
                format!(
                    "`{full}` declares aggregate `{declared}`, not `{}`",
                    lit.value()
                ),
            );
            return None;
        }
        (Some(lit), _) => (lit.value(), lit.span()),
        (None, Some(declared)) => (declared, struct_span),
        (None, None) => {
            errors.at(
                struct_span,
                format!(
                    "missing `#[domain_event({AGGREGATE} = \"...\")]`: `{full}` names no aggregate"
                ),
            );
            return None;
        }
    };
    let Some(binding) = bindings.iter().find(|b| b.field.name == name) else {
        if !bindings.is_empty() {
            errors.at(
                span,
                format!("aggregate field `{name}` is not a field of `{full}`"),
            );
        }
        return None;
    };
    if !is_key_type(&binding.field.schema) {
        errors.at(
            span,
            format!(
                "aggregate field `{name}` is `{}`, but an aggregate id must be a string, uuid, int or long (it becomes the Kafka key)",
                fields::avro_type_name(&binding.field.schema)
            ),
        );
        return None;
    }
    Some(binding)
}

/// The aggregate id as a `String`, from a string, uuid, int or long field
/// (possibly nullable: `None` becomes the empty string).
fn aggregate_expr(schema: &Schema, field: &syn::Ident) -> TokenStream {
    match schema {
        Schema::Union(_) => quote! {
            self.#field.as_ref().map(::std::string::ToString::to_string).unwrap_or_default()
        },
        _ => quote!(::std::string::ToString::to_string(&self.#field)),
    }
}

/// Gives every token `span`, so rustc reports errors in generated code at
/// the user's field rather than at the derive.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// Files defining `name` and every type it references: the derive's output
/// depends on them, so rustc must rebuild when they change.
fn tracked_files(model: &Model, name: &FullName) -> BTreeSet<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![name.clone()];
    let mut files = BTreeSet::new();
    while let Some(next) = stack.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        let Some(ty) = model.get(&next) else { continue };
        if let Some(file) = model.files.get(ty.span.file) {
            let path = if file.path.is_absolute() {
                file.path.clone()
            } else {
                manifest_dir().join(&file.path)
            };
            files.insert(path);
        }
        if let NamedKind::Record { fields } = &ty.kind {
            for f in fields {
                refs(&f.schema, &mut stack);
            }
        }
    }
    files
}

fn refs(schema: &Schema, out: &mut Vec<FullName>) {
    match schema {
        Schema::Array(inner) | Schema::Map(inner) => refs(inner, out),
        Schema::Union(branches) => branches.iter().for_each(|b| refs(b, out)),
        Schema::Ref(name) => out.push(name.clone()),
        _ => {}
    }
}
