//! Unions: each branch the writer may use must match some reader branch.

use super::checker::{Checker, Detail, Incompatibility};
use super::rules::Rule;
use super::schema::{Kind, NodeId};

impl Checker<'_> {
    /// Reader union, writer union: every writer branch must be readable by
    /// some reader branch.
    pub(super) fn union_from_union(
        &mut self,
        r: NodeId,
        w: NodeId,
        r_at: &str,
        w_at: &str,
    ) -> Vec<Incompatibility> {
        let Kind::Union(writer_branches) = &self.writer.node(w).kind else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for (i, branch) in writer_branches.iter().enumerate() {
            found.extend(self.union_from_single(r, *branch, r_at, &format!("{w_at}/{i}")));
        }
        found
    }

    /// Reader union, writer not a union (or one writer branch): what keeps
    /// `r` from reading writer type `w` (at `w_at`). Nothing if a branch
    /// reads it; the findings inside the branch of the same name or kind if
    /// there is one (an optional record that changed is a change of the
    /// record, not a lost branch); else a missing branch.
    pub(super) fn union_from_single(
        &mut self,
        r: NodeId,
        w: NodeId,
        r_at: &str,
        w_at: &str,
    ) -> Vec<Incompatibility> {
        let Kind::Union(reader_branches) = &self.reader.node(r).kind else {
            return Vec::new();
        };
        let mut closest = None;
        for (i, b) in reader_branches.iter().enumerate() {
            let slot = format!("{r_at}/{i}");
            let found = self.check(*b, w, &slot, w_at);
            if found.is_empty() {
                return Vec::new();
            }
            if closest.is_none() && self.corresponds(*b, w) {
                closest = Some(found);
            }
        }
        closest.unwrap_or_else(|| {
            vec![Incompatibility {
                rule: Rule::MissingUnionBranch,
                reader_path: r_at.to_owned(),
                writer_path: w_at.to_owned(),
                detail: Detail::Branch {
                    writer: self.writer.describe(w),
                },
            }]
        })
    }

    /// Whether reader branch `r` is the counterpart of writer type `w`:
    /// named types of the same name, or arrays or maps.
    fn corresponds(&self, r: NodeId, w: NodeId) -> bool {
        match (&self.reader.node(r).kind, &self.writer.node(w).kind) {
            (Kind::Array(_), Kind::Array(_)) | (Kind::Map(_), Kind::Map(_)) => true,
            (rk, wk) if rk.name().is_some() && rk.type_name() == wk.type_name() => {
                self.names_match(r, w)
            }
            _ => false,
        }
    }
}
