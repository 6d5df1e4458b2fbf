//! Unions: each branch the writer may use must match some reader branch.

use super::checker::{Checker, Detail, Incompatibility};
use super::rules::Rule;
use super::schema::{Kind, NodeId};

impl Checker<'_> {
    /// Reader union, writer union: one MISSING_UNION_BRANCH per writer
    /// branch that no reader branch reads.
    pub(super) fn union_from_union(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let Kind::Union(writer_branches) = &self.writer.node(w).kind else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for (i, branch) in writer_branches.iter().enumerate() {
            if !self.any_branch_reads(r, *branch) {
                found.push(Incompatibility {
                    rule: Rule::MissingUnionBranch,
                    reader_path: self.reader.node(r).pointer.clone(),
                    writer_path: format!("{}/{i}", self.writer.node(w).pointer),
                    detail: Detail::Branch {
                        writer: self.writer.describe(*branch),
                    },
                });
            }
        }
        found
    }

    /// Reader union, writer not a union: some reader branch must read it.
    pub(super) fn union_from_single(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        if self.any_branch_reads(r, w) {
            return Vec::new();
        }
        vec![Incompatibility {
            rule: Rule::MissingUnionBranch,
            reader_path: self.reader.node(r).pointer.clone(),
            writer_path: self.writer.node(w).pointer.clone(),
            detail: Detail::Branch {
                writer: self.writer.describe(w),
            },
        }]
    }

    fn any_branch_reads(&mut self, r: NodeId, w: NodeId) -> bool {
        let Kind::Union(reader_branches) = &self.reader.node(r).kind else {
            return false;
        };
        reader_branches.iter().any(|b| self.check(*b, w).is_empty())
    }
}
