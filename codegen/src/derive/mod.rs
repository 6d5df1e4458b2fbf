//! The expansion behind `#[derive(DomainEvent)]` (used by `schemabus-derive`).
//!
//! It loads the schema the attributes name, checks the struct against it and
//! emits the same codec code the build script emits for generated types.

mod attr;
mod check;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use self::attr::{is_metadata_field, parse_event_attrs, Errors, AGGREGATE, CONTEXT, SCHEMA};
use crate::emit::record::Binding;
use crate::emit::{rt, Ctx};
use crate::ident;
use crate::model::{FullName, Model, NamedKind, Schema};
use crate::resolve;

type Stamp = Vec<(PathBuf, Option<SystemTime>, u64)>;
type ModelCache = HashMap<PathBuf, (Stamp, Arc<Model>)>;

/// Models already loaded by this compiler process, with the file stamps they
/// were loaded from: every event of a crate shares one schema root.
static MODELS: Mutex<Option<ModelCache>> = Mutex::new(None);

fn stamp(root: &Path) -> Stamp {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "avsc") {
                out.push((path, meta.modified().ok(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

fn load_model(root: &Path) -> Result<Arc<Model>, crate::error::Error> {
    let current = stamp(root);
    let mut cache = MODELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some((seen, model)) = cache.get(root) {
        if *seen == current {
            return Ok(Arc::clone(model));
        }
    }
    let model = Arc::new(resolve::load_dir(root)?);
    cache.insert(root.to_path_buf(), (current, Arc::clone(&model)));
    Ok(model)
}

/// The default schema root of a schema file: `schemas` for
/// `schemas/<context>/<Event>.avsc`, else the file's own directory.
fn default_root(schema: &Path) -> PathBuf {
    let dir = schema.parent().unwrap_or(Path::new(""));
    match dir.parent() {
        Some(grand) if schema.components().count() >= 3 => grand.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// Relative schema paths are resolved against `SCHEMABUS_MANIFEST_DIR` when
/// set (for code compiled away from its crate, as in trybuild's UI tests),
/// else against the compiling crate's `CARGO_MANIFEST_DIR`.
fn manifest_dir() -> PathBuf {
    std::env::var_os("SCHEMABUS_MANIFEST_DIR")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Expands `#[derive(DomainEvent)]`.
///
/// # Errors
///
/// Every problem found, each spanned on the attribute or field at fault.
pub fn expand_domain_event(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let attrs = parse_event_attrs(&input.attrs, &mut errors);
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(&named.named),
            _ => None,
        },
        _ => None,
    };
    let Some(fields) = fields else {
        errors.at(
            input.ident.span(),
            "`DomainEvent` can only be derived for structs with named fields",
        );
        errors.finish()?;
        return Ok(TokenStream::new());
    };
    let (Some(context), Some(schema_lit)) = (&attrs.context, &attrs.schema) else {
        for (key, value) in [(CONTEXT, &attrs.context), (SCHEMA, &attrs.schema)] {
            if value.is_none() {
                errors.at(
                    input.ident.span(),
                    format!("missing `#[domain_event({key} = \"...\")]`"),
                );
            }
        }
        errors.finish()?;
        return Ok(TokenStream::new());
    };
    errors.finish()?;

    let base = manifest_dir();
    let schema_path = base.join(schema_lit.value());
    let root = match &attrs.root {
        Some(root) => base.join(root.value()),
        None => default_root(&schema_path),
    };
    let model = load_model(&root).map_err(|e| syn::Error::new(schema_lit.span(), e))?;
    let rel = schema_path
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let Some(file) = model.files.iter().find(|f| f.rel_path == rel) else {
        return Err(syn::Error::new(
            schema_lit.span(),
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
            schema_lit.span(),
            format!("`{rel}` does not define a record"),
        ));
    };
    let full = record.name.full();
    let ctx = Ctx::new(&model);

    // The metadata field: marked, or else named `metadata`.
    let mut metadata = None;
    for f in fields {
        if is_metadata_field(&f.attrs, &mut errors) {
            metadata = f.ident.clone();
        }
    }
    if metadata.is_none() {
        metadata = fields
            .iter()
            .filter_map(|f| f.ident.clone())
            .find(|i| i == "metadata");
    }
    let Some(metadata) = metadata else {
        errors.at(
            input.ident.span(),
            "an event needs a metadata field: `#[domain_event(metadata)] pub metadata: EventMetadata`",
        );
        errors.finish()?;
        return Ok(TokenStream::new());
    };

    // Names: every schema field present, nothing else besides metadata.
    let schema_names: Vec<&str> = schema_fields.iter().map(|f| f.name.as_str()).collect();
    let mut bindings = Vec::new();
    let mut assertions = Vec::new();
    for sf in schema_fields {
        let found = fields.iter().find(|f| {
            f.ident.as_ref().is_some_and(|i| {
                let name = ident::unraw(i);
                name == sf.name || name == ident::to_snake(&sf.name)
            })
        });
        match found.and_then(|f| f.ident.clone().map(|i| (f, i))) {
            Some((f, id)) => {
                assertions.push(ctx.type_assertion(&sf.schema, &f.ty));
                bindings.push(Binding {
                    field: sf,
                    ident: id,
                    span: f.ty.span(),
                });
            }
            None => errors.at(
                input.ident.span(),
                format!(
                    "missing field `{}`: `{full}` declares it as `{}`",
                    ident::to_snake(&sf.name),
                    ctx.expected_type(&sf.schema).to_string().replace(' ', "")
                ),
            ),
        }
    }
    for f in fields {
        let Some(id) = &f.ident else { continue };
        let name = ident::unraw(id);
        let in_schema = schema_fields
            .iter()
            .any(|sf| sf.name == name || ident::to_snake(&sf.name) == name);
        if !in_schema && *id != metadata {
            errors.at(
                id.span(),
                format!(
                    "field `{name}` is not in the schema of `{full}` (its fields: {})",
                    schema_names.join(", ")
                ),
            );
        }
    }

    // The aggregate: from the attribute, else from the schema's property.
    let schema_aggregate = match record.props.get(crate::emit::event::AGGREGATE_PROP) {
        Some(crate::model::JsonValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let aggregate = match (&attrs.aggregate, &schema_aggregate) {
        (Some(lit), Some(declared)) if lit.value() != *declared => {
            errors.at(
                lit.span(),
                format!(
                    "`{full}` declares aggregate `{declared}`, not `{}`",
                    lit.value()
                ),
            );
            None
        }
        (Some(lit), _) => Some((lit.value(), lit.span())),
        (None, Some(declared)) => Some((declared.clone(), input.ident.span())),
        (None, None) => {
            errors.at(
                input.ident.span(),
                format!(
                    "missing `#[domain_event({AGGREGATE} = \"...\")]`: `{full}` names no aggregate"
                ),
            );
            None
        }
    };
    let aggregate_binding = aggregate.as_ref().and_then(|(name, span)| {
        let found = bindings.iter().find(|b| &b.field.name == name);
        if found.is_none() {
            errors.at(
                *span,
                format!("aggregate field `{name}` is not a field of `{full}`"),
            );
        }
        found
    });
    errors.finish()?;
    let Some(aggregate_binding) = aggregate_binding else {
        return Ok(TokenStream::new());
    };

    let rt = rt();
    let name = &input.ident;
    let self_ty = quote!(#name);
    let codec = ctx.record_codec(
        record,
        &self_ty,
        &bindings,
        &[(metadata.clone(), quote!(#rt::EventMetadata::empty()))],
    );
    let schema_impl = ctx.record_schema_impl(record, &self_ty);
    let aggregate_expr = aggregate_expr(&aggregate_binding.field.schema, &aggregate_binding.ident);
    let event_type = full.clone();
    let context_value = context.value();
    let tracked = tracked_files(&model, &record.name).into_iter().map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote!(
            const _: &[u8] = include_bytes!(#p);
        )
    });
    let check_fn = format_ident!("__schemabus_check_{}", ident::to_snake(&name.to_string()));
    Ok(quote! {
        const _: () = {
            #(#tracked)*

            #[allow(dead_code, non_snake_case)]
            fn #check_fn(value: &#name) {
                #(#assertions)*
                let _ = value;
            }

            #codec
            #schema_impl

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
