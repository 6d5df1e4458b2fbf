//! Emitters: turn a resolved [`Model`] into Rust tokens.
//!
//! One file per construct: [`types`] maps schemas to Rust types,
//! [`record`], [`enum_`], [`union`] and [`fixed`] emit the items,
//! [`codec`] the direct Avro encoders and decoders, [`default`] field
//! defaults, [`event`] the per-context enums and the event registry.
//! [`Ctx`] holds what they share: the model and facts derived from it once
//! (minimum encoded sizes, which references must be boxed).

pub mod codec;
pub mod default;
pub mod enum_;
pub mod event;
pub mod fixed;
pub mod record;
pub mod types;
pub mod union;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::ident;
use crate::model::{FullName, Model, NamedKind, Schema};

/// The path through which generated code reaches the runtime.
pub fn rt() -> TokenStream {
    quote!(::schemabus::__private)
}

/// Shared emission context: the model plus facts derived from it.
pub struct Ctx<'m> {
    /// The resolved schemas.
    pub model: &'m Model,
    /// Minimum encoded size of every named type (`usize::MAX` when no finite
    /// value exists, e.g. a record that requires itself).
    min_len: BTreeMap<FullName, usize>,
    /// For each record, the records it contains directly (not behind an
    /// array or map), transitively: a reference needs a `Box` when the
    /// referenced record contains the referring one.
    contains: BTreeMap<FullName, BTreeSet<FullName>>,
    /// Records that can contain themselves by any path (arrays and maps
    /// included): their decoders count nesting depth, so hostile input
    /// cannot overflow the stack.
    recursive: BTreeSet<FullName>,
}

impl<'m> Ctx<'m> {
    /// Derives the shared facts from `model`.
    pub fn new(model: &'m Model) -> Self {
        let mut ctx = Ctx {
            model,
            min_len: BTreeMap::new(),
            contains: BTreeMap::new(),
            recursive: BTreeSet::new(),
        };
        ctx.compute_min_len();
        ctx.compute_contains();
        ctx.compute_recursive();
        ctx
    }

    fn compute_min_len(&mut self) {
        for (name, ty) in &self.model.types {
            let len = match &ty.kind {
                NamedKind::Record { .. } => usize::MAX,
                NamedKind::Enum { .. } => 1,
                NamedKind::Fixed { size, .. } => *size,
            };
            self.min_len.insert(name.clone(), len);
        }
        // Greatest fixpoint from "infinitely large": each pass can only
        // shrink sizes, and stops once nothing changes.
        loop {
            let mut changed = false;
            for (name, ty) in &self.model.types {
                if let NamedKind::Record { fields } = &ty.kind {
                    let len = fields.iter().fold(0usize, |acc, f| {
                        acc.saturating_add(self.min_len_of(&f.schema))
                    });
                    if self.min_len.get(name) != Some(&len) {
                        self.min_len.insert(name.clone(), len);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn compute_contains(&mut self) {
        let mut direct: BTreeMap<FullName, BTreeSet<FullName>> = BTreeMap::new();
        for (name, ty) in &self.model.types {
            if let NamedKind::Record { fields } = &ty.kind {
                let mut refs = BTreeSet::new();
                for field in fields {
                    self.direct_records(&field.schema, &mut refs);
                }
                direct.insert(name.clone(), refs);
            }
        }
        for name in direct.keys() {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&FullName> = direct[name].iter().collect();
            while let Some(next) = stack.pop() {
                if seen.insert(next.clone()) {
                    if let Some(more) = direct.get(next) {
                        stack.extend(more.iter());
                    }
                }
            }
            self.contains.insert(name.clone(), seen);
        }
    }

    fn compute_recursive(&mut self) {
        let mut edges: BTreeMap<&FullName, BTreeSet<FullName>> = BTreeMap::new();
        for (name, ty) in &self.model.types {
            if let NamedKind::Record { fields } = &ty.kind {
                let mut refs = BTreeSet::new();
                for field in fields {
                    all_records(self.model, &field.schema, &mut refs);
                }
                edges.insert(name, refs);
            }
        }
        for &start in edges.keys() {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&FullName> = edges[start].iter().collect();
            while let Some(next) = stack.pop() {
                if next == start {
                    self.recursive.insert(start.clone());
                    break;
                }
                if seen.insert(next) {
                    if let Some(more) = edges.get(next) {
                        stack.extend(more.iter());
                    }
                }
            }
        }
    }

    /// Whether record `name` can contain itself.
    pub fn is_recursive(&self, name: &FullName) -> bool {
        self.recursive.contains(name)
    }

    /// Records reachable from `schema` without passing an array or map.
    fn direct_records(&self, schema: &Schema, out: &mut BTreeSet<FullName>) {
        match schema {
            Schema::Union(branches) => branches.iter().for_each(|b| self.direct_records(b, out)),
            Schema::Ref(name) => {
                if matches!(
                    self.model.get(name).map(|t| &t.kind),
                    Some(NamedKind::Record { .. })
                ) {
                    out.insert(name.clone());
                }
            }
            _ => {}
        }
    }

    /// Whether a direct reference from record `owner` to `target` needs a box.
    pub fn needs_box(&self, owner: &FullName, target: &FullName) -> bool {
        self.contains
            .get(target)
            .is_some_and(|inner| inner.contains(owner))
    }

    /// Minimum encoded size of a value of `schema`.
    pub fn min_len_of(&self, schema: &Schema) -> usize {
        match schema {
            Schema::Null => 0,
            Schema::Boolean | Schema::Int(_) | Schema::Long(_) => 1,
            Schema::Float => 4,
            Schema::Double => 8,
            Schema::Bytes(_) | Schema::Array(_) | Schema::Map(_) => 1,
            // Decoding accepts every textual uuid form, not only the
            // 36-character one, so only the length prefix is certain.
            Schema::String(_) => 1,
            Schema::Union(branches) => branches
                .iter()
                .map(|b| self.min_len_of(b))
                .min()
                .unwrap_or(usize::MAX)
                .saturating_add(1),
            Schema::Ref(name) => self.min_len.get(name).copied().unwrap_or(usize::MAX),
        }
    }

    /// The fingerprint that identifies a named type or union in
    /// `#[derive(DomainEvent)]`'s field checks (`Named<_, N>`).
    pub fn schema_fingerprint(&self, schema: &Schema) -> u64 {
        let pcf = crate::canonical::parsing_canonical_form(self.model, schema);
        crate::canonical::rabin_fingerprint(pcf.as_bytes())
    }

    /// `impl IsSchemaType<Named<_, N>> for #ty`: lets hand-written events use
    /// the generated type `ty` for `schema`.
    pub fn named_marker_impl(&self, schema: &Schema, ty: &TokenStream) -> TokenStream {
        let rt = rt();
        let fingerprint = self.schema_fingerprint(schema);
        quote!(impl<Avro: ?Sized> #rt::IsSchemaType<#rt::Named<Avro, #fingerprint>> for #ty {})
    }

    /// The module path (snake-case segments) of a namespace.
    pub fn module_of(namespace: &str) -> Vec<String> {
        if namespace.is_empty() {
            Vec::new()
        } else {
            namespace.split('.').map(ident::to_snake).collect()
        }
    }

    /// Path from module `from` to the generated type named `name`.
    pub fn type_path(&self, from: &[String], name: &FullName) -> TokenStream {
        let target = Self::module_of(&name.namespace);
        let ty = ident::type_ident(&name.name);
        if target == from {
            return quote!(#ty);
        }
        let supers = from.iter().map(|_| quote!(super::));
        let segments = target.iter().map(|s| ident::ident(s));
        quote!(#(#supers)* #(#segments::)* #ty)
    }
}

/// Records referenced anywhere inside `schema`.
fn all_records(model: &Model, schema: &Schema, out: &mut BTreeSet<FullName>) {
    match schema {
        Schema::Array(inner) | Schema::Map(inner) => all_records(model, inner, out),
        Schema::Union(branches) => branches.iter().for_each(|b| all_records(model, b, out)),
        Schema::Ref(name) => {
            if matches!(
                model.get(name).map(|t| &t.kind),
                Some(NamedKind::Record { .. })
            ) {
                out.insert(name.clone());
            }
        }
        _ => {}
    }
}
