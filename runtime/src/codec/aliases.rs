//! Field aliases for apache-avro's resolving reader, which matches record
//! fields by name only: writer fields that a reader field names among its
//! aliases are renamed to the reader field's name before resolving (names
//! are not part of the binary encoding, so the data is unchanged).

use std::collections::{HashMap, HashSet};

use apache_avro::schema::{
    Name, NamesRef, NamespaceRef, RecordSchema, ResolvedSchema, Schema, UnionSchema,
};

/// `writer` with the fields that `reader`'s field aliases name renamed to
/// the reader's field names.
///
/// # Errors
///
/// Schemas whose named references do not resolve.
pub(crate) fn rename_aliased_fields(
    writer: &Schema,
    reader: &Schema,
) -> Result<Schema, apache_avro::Error> {
    let writer_names = ResolvedSchema::try_from(writer)?;
    let reader_names = ResolvedSchema::try_from(reader)?;
    let renames = field_renames(
        writer,
        writer_names.get_names(),
        reader,
        reader_names.get_names(),
    );
    Ok(if renames.is_empty() {
        writer.clone()
    } else {
        apply_renames(writer.clone(), None, &renames)
    })
}

/// Writer record full name → (writer field name, reader field name) pairs.
type Renames = HashMap<Name, Vec<(String, String)>>;

/// The writer fields to rename so that apache-avro, which matches fields by
/// name only, finds the ones reader fields name among their aliases.
fn field_renames(
    writer: &Schema,
    writer_names: &NamesRef<'_>,
    reader: &Schema,
    reader_names: &NamesRef<'_>,
) -> Renames {
    let mut walk = AliasWalk {
        writer_names,
        reader_names,
        seen: HashSet::new(),
        renames: HashMap::new(),
    };
    walk.walk(writer, None, reader, None);
    walk.renames
}

struct AliasWalk<'a, 's> {
    writer_names: &'a NamesRef<'s>,
    reader_names: &'a NamesRef<'s>,
    seen: HashSet<(Name, Name)>,
    renames: Renames,
}

/// `schema` with references followed, and its namespace.
fn deref<'a>(
    schema: &'a Schema,
    ns: NamespaceRef<'a>,
    names: &NamesRef<'a>,
) -> Option<(&'a Schema, NamespaceRef<'a>)> {
    match schema {
        Schema::Ref { name } => {
            let full = name.fully_qualified_name(ns).into_owned();
            let target: &'a Schema = names.get(&full).copied()?;
            let ns = match target {
                Schema::Record(r) => r.name.namespace().or(ns),
                _ => ns,
            };
            Some((target, ns))
        }
        _ => Some((schema, ns)),
    }
}

impl<'s> AliasWalk<'_, 's> {
    fn walk(
        &mut self,
        writer: &'s Schema,
        writer_ns: NamespaceRef<'s>,
        reader: &'s Schema,
        reader_ns: NamespaceRef<'s>,
    ) {
        let Some((w, wns)) = deref(writer, writer_ns, self.writer_names) else {
            return;
        };
        let Some((r, rns)) = deref(reader, reader_ns, self.reader_names) else {
            return;
        };
        match (w, r) {
            (Schema::Union(wu), _) => {
                for branch in wu.variants() {
                    self.walk(branch, wns, r, rns);
                }
            }
            (_, Schema::Union(ru)) => {
                // Records of the same simple name first, else any branch.
                let same_name: Vec<&Schema> = ru
                    .variants()
                    .iter()
                    .filter(|b| {
                        matches!(
                            (w, deref(b, rns, self.reader_names)),
                            (Schema::Record(wr), Some((Schema::Record(rr), _)))
                                if wr.name.name() == rr.name.name()
                        )
                    })
                    .collect();
                let branches: Vec<&Schema> = if same_name.is_empty() {
                    ru.variants().iter().collect()
                } else {
                    same_name
                };
                for branch in branches {
                    self.walk(w, wns, branch, rns);
                }
            }
            (Schema::Array(wa), Schema::Array(ra)) => self.walk(&wa.items, wns, &ra.items, rns),
            (Schema::Map(wm), Schema::Map(rm)) => self.walk(&wm.types, wns, &rm.types, rns),
            (Schema::Record(wr), Schema::Record(rr)) => self.record(wr, wns, rr, rns),
            _ => {}
        }
    }

    fn record(
        &mut self,
        wr: &'s RecordSchema,
        wns: NamespaceRef<'s>,
        rr: &'s RecordSchema,
        rns: NamespaceRef<'s>,
    ) {
        let wfull = wr.name.fully_qualified_name(wns).into_owned();
        let rfull = rr.name.fully_qualified_name(rns).into_owned();
        if !self.seen.insert((wfull.clone(), rfull)) {
            return;
        }
        let (wns, rns) = (wr.name.namespace().or(wns), rr.name.namespace().or(rns));
        let mut renames = Vec::new();
        for rf in &rr.fields {
            let by_name = wr.fields.iter().find(|wf| wf.name == rf.name);
            let written = by_name.or_else(|| {
                rf.aliases.iter().find_map(|alias| {
                    let taken = rr.fields.iter().any(|other| &other.name == alias);
                    let wf = wr.fields.iter().find(|wf| &wf.name == alias)?;
                    if taken {
                        return None;
                    }
                    renames.push((wf.name.clone(), rf.name.clone()));
                    Some(wf)
                })
            });
            if let Some(wf) = written {
                self.walk(&wf.schema, wns, &rf.schema, rns);
            }
        }
        if !renames.is_empty() {
            self.renames.entry(wfull).or_insert(renames);
        }
    }
}

/// `schema` with the writer fields of `renames` renamed.
fn apply_renames(schema: Schema, ns: NamespaceRef<'_>, renames: &Renames) -> Schema {
    match schema {
        Schema::Record(mut r) => {
            let full = r.name.fully_qualified_name(ns).into_owned();
            let inner_ns = full.namespace().map(str::to_owned);
            let pairs = renames.get(&full);
            let fields = std::mem::take(&mut r.fields);
            r.fields = fields
                .into_iter()
                .map(|mut f| {
                    if let Some((_, to)) =
                        pairs.and_then(|pairs| pairs.iter().find(|(from, _)| *from == f.name))
                    {
                        f.name = to.clone();
                    }
                    f.schema = apply_renames(f.schema, inner_ns.as_deref(), renames);
                    f
                })
                .collect();
            r.lookup = r
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.clone(), i))
                .collect();
            Schema::Record(r)
        }
        Schema::Array(mut a) => {
            let items = std::mem::replace(&mut *a.items, Schema::Null);
            *a.items = apply_renames(items, ns, renames);
            Schema::Array(a)
        }
        Schema::Map(mut m) => {
            let types = std::mem::replace(&mut *m.types, Schema::Null);
            *m.types = apply_renames(types, ns, renames);
            Schema::Map(m)
        }
        Schema::Union(u) => {
            let variants: Vec<Schema> = u
                .variants()
                .iter()
                .map(|v| apply_renames(v.clone(), ns, renames))
                .collect();
            match UnionSchema::new(variants) {
                Ok(renamed) => Schema::Union(renamed),
                Err(_) => Schema::Union(u),
            }
        }
        other => other,
    }
}
