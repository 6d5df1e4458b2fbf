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
    let mut found = checker.check(reader.root(), writer.root());
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
    memo: HashMap<(NodeId, NodeId), Memo>,
}

impl Checker<'_> {
    /// Every incompatibility of the pair, memoized.
    pub(super) fn check(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        match self.memo.get(&(r, w)) {
            Some(Memo::InProgress) => return Vec::new(),
            Some(Memo::Done(found)) => return found.clone(),
            None => {}
        }
        self.memo.insert((r, w), Memo::InProgress);
        let found = self.calculate(r, w);
        self.memo.insert((r, w), Memo::Done(found.clone()));
        found
    }

    fn calculate(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let (reader, writer) = (self.reader, self.writer);
        match (&reader.node(r).kind, &writer.node(w).kind) {
            (Kind::Array(ri), Kind::Array(wi)) => self.check(*ri, *wi),
            (Kind::Map(rv), Kind::Map(wv)) => self.check(*rv, *wv),
            (Kind::Record { .. }, Kind::Record { .. }) => self.record(r, w),
            (Kind::Enum { .. }, Kind::Enum { .. }) => self.enumeration(r, w),
            (Kind::Fixed { .. }, Kind::Fixed { .. }) => self.fixed(r, w),
            (Kind::Union(_), Kind::Union(_)) => self.union_from_union(r, w),
            // Data of a writer union is readable when every branch is.
            (_, Kind::Union(branches)) => branches.iter().flat_map(|b| self.check(r, *b)).collect(),
            (Kind::Union(_), _) => self.union_from_single(r, w),
            (rk, wk) if promotes(wk, rk) => Vec::new(),
            _ => vec![self.type_mismatch(r, w)],
        }
    }

    pub(super) fn type_mismatch(&self, r: NodeId, w: NodeId) -> Incompatibility {
        Incompatibility {
            rule: Rule::TypeMismatch,
            reader_path: self.reader.node(r).pointer.clone(),
            writer_path: self.writer.node(w).pointer.clone(),
            detail: Detail::Types {
                reader: self.reader.describe(r),
                writer: self.writer.describe(w),
            },
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
