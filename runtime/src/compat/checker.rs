//! The reader/writer walk: can data written with one schema be read with
//! another? Avro 1.12 schema resolution, reported the way Avro's Java
//! `SchemaCompatibility` does, but with every incompatibility found.

use std::collections::HashMap;

use super::rules::Rule;
use super::schema::{Kind, NodeId, Schema};

/// One reason data written with the writer schema cannot be read with the
/// reader schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Incompatibility {
    /// The rule that failed.
    pub rule: Rule,
    /// JSON pointer of the offending node in the reader schema.
    pub reader_path: String,
    /// JSON pointer of the corresponding node in the writer schema.
    pub writer_path: String,
    /// What exactly differs.
    pub detail: Detail,
}

/// The specifics of an [`Incompatibility`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Detail {
    /// Two types that do not resolve (`reader` and `writer` described as
    /// in [`Schema::describe`]).
    Types {
        /// The reader's type.
        reader: String,
        /// The writer's type.
        writer: String,
    },
    /// Named types with different names.
    Names {
        /// The reader's full name.
        reader: String,
        /// The writer's full name.
        writer: String,
    },
    /// Fixed types of different sizes.
    Sizes {
        /// The reader's size.
        reader: u64,
        /// The writer's size.
        writer: u64,
    },
    /// Writer enum symbols the reader does not have.
    Symbols {
        /// The enum's full name (the reader's).
        name: String,
        /// The missing symbols, sorted.
        missing: Vec<String>,
    },
    /// A reader field absent from the writer, without a default.
    Field {
        /// The record's full name (the reader's).
        record: String,
        /// The field name.
        field: String,
        /// The field's type.
        schema: String,
    },
    /// A writer union branch (or non-union writer type) the reader's union
    /// cannot read.
    Branch {
        /// The writer branch's type.
        writer: String,
    },
}

/// Checks whether data written with `writer` can be read with `reader`;
/// returns every incompatibility, empty when compatible.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::compat::{check_pair, Rule, Schema};
///
/// let old = Schema::parse_str(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#)?;
/// let new = Schema::parse_str(r#"{"type":"record","name":"R","fields":[
///     {"name":"a","type":"long"},
///     {"name":"b","type":"string"}]}"#)?;
/// // New readers can read `a` (int promotes to long) but not `b`:
/// let found = check_pair(&new, &old);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].rule, Rule::ReaderFieldMissingDefaultValue);
/// assert_eq!(found[0].reader_path, "/fields/1");
/// # Ok::<(), schemabus_runtime::compat::SchemaError>(())
/// ```
pub fn check_pair(reader: &Schema, writer: &Schema) -> Vec<Incompatibility> {
    let mut checker = Checker {
        reader,
        writer,
        memo: HashMap::new(),
    };
    let mut found = checker.check(reader.root(), writer.root(), "", "");
    found.sort();
    found.dedup();
    found
}

/// Whether data written with `writer` can be read with `reader`.
pub fn is_compatible(reader: &Schema, writer: &Schema) -> bool {
    check_pair(reader, writer).is_empty()
}

enum Memo {
    /// The pair is being checked further up the stack: a recursive type.
    /// It counts as compatible unless proven otherwise (as in Avro's Java).
    InProgress,
    Done(Vec<Incompatibility>),
}

pub(super) struct Checker<'a> {
    pub(super) reader: &'a Schema,
    pub(super) writer: &'a Schema,
    /// Record pairs: where recursion happens. Their findings point into
    /// the records' definitions, so they hold wherever the pair recurs.
    memo: HashMap<(NodeId, NodeId), Memo>,
}

/// Where a node is used: its own pointer, or for a named type (one node
/// shared by all its uses) the pointer of the slot that refers to it.
fn site(schema: &Schema, id: NodeId, slot: &str) -> String {
    let node = schema.node(id);
    if node.kind.name().is_some() {
        slot.to_owned()
    } else {
        node.pointer.clone()
    }
}

impl Checker<'_> {
    /// Every incompatibility of reader node `r` used at `r_slot` with
    /// writer node `w` used at `w_slot`.
    pub(super) fn check(
        &mut self,
        r: NodeId,
        w: NodeId,
        r_slot: &str,
        w_slot: &str,
    ) -> Vec<Incompatibility> {
        let records = matches!(
            (&self.reader.node(r).kind, &self.writer.node(w).kind),
            (Kind::Record { .. }, Kind::Record { .. })
        );
        if !records {
            return self.calculate(r, w, r_slot, w_slot);
        }
        match self.memo.get(&(r, w)) {
            Some(Memo::InProgress) => return Vec::new(),
            Some(Memo::Done(found)) => return found.clone(),
            None => {}
        }
        self.memo.insert((r, w), Memo::InProgress);
        let found = self.record(r, w);
        self.memo.insert((r, w), Memo::Done(found.clone()));
        found
    }

    fn calculate(
        &mut self,
        r: NodeId,
        w: NodeId,
        r_slot: &str,
        w_slot: &str,
    ) -> Vec<Incompatibility> {
        let (reader, writer) = (self.reader, self.writer);
        let (r_at, w_at) = (site(reader, r, r_slot), site(writer, w, w_slot));
        match (&reader.node(r).kind, &writer.node(w).kind) {
            (Kind::Array(ri), Kind::Array(wi)) => {
                self.check(*ri, *wi, &format!("{r_at}/items"), &format!("{w_at}/items"))
            }
            (Kind::Map(rv), Kind::Map(wv)) => self.check(
                *rv,
                *wv,
                &format!("{r_at}/values"),
                &format!("{w_at}/values"),
            ),
            (Kind::Enum { .. }, Kind::Enum { .. }) => self.enumeration(r, w),
            (Kind::Fixed { .. }, Kind::Fixed { .. }) => self.fixed(r, w),
            (Kind::Union(_), Kind::Union(_)) => self.union_from_union(r, w, &r_at, &w_at),
            // Data of a writer union is readable when every branch is.
            (_, Kind::Union(branches)) => branches
                .iter()
                .enumerate()
                .flat_map(|(i, b)| self.check(r, *b, r_slot, &format!("{w_at}/{i}")))
                .collect(),
            (Kind::Union(_), _) => self.union_from_single(r, w, &r_at, &w_at),
            (rk, wk) if promotes(wk, rk) => Vec::new(),
            _ => vec![Incompatibility {
                rule: Rule::TypeMismatch,
                reader_path: r_at,
                writer_path: w_at,
                detail: Detail::Types {
                    reader: reader.describe(r),
                    writer: writer.describe(w),
                },
            }],
        }
    }
}

/// Whether a value of primitive kind `writer` resolves to `reader`: the
/// same type, or one of Avro's promotions.
fn promotes(writer: &Kind, reader: &Kind) -> bool {
    use Kind::{Boolean, Bytes, Double, Float, Int, Long, Null, String};
    matches!(
        (writer, reader),
        (Null, Null)
            | (Boolean, Boolean)
            | (Int, Int | Long | Float | Double)
            | (Long, Long | Float | Double)
            | (Float, Float | Double)
            | (Double, Double)
            | (Bytes | String, Bytes | String)
    )
}
