//! Names, enums and fixed types.

use super::checker::{Checker, Detail, Incompatibility};
use super::rules::Rule;
use super::schema::{child, Kind, NodeId};

impl Checker<'_> {
    /// NAME_MISMATCH unless the names agree. As in Avro's Java
    /// implementation, names match when the unqualified names are equal or
    /// the reader lists the writer's full name among its aliases.
    pub(super) fn names(&self, r: NodeId, w: NodeId) -> Option<Incompatibility> {
        if self.names_match(r, w) {
            return None;
        }
        let reader_name = self.reader.node(r).kind.name()?;
        let writer_name = self.writer.node(w).kind.name()?;
        Some(Incompatibility {
            rule: Rule::NameMismatch,
            reader_path: child(&self.reader.node(r).pointer, "name"),
            writer_path: child(&self.writer.node(w).pointer, "name"),
            detail: Detail::Names {
                reader: reader_name.full.clone(),
                writer: writer_name.full.clone(),
            },
        })
    }

    /// Whether the two named types resolve by name (see [`Self::names`]).
    pub(super) fn names_match(&self, r: NodeId, w: NodeId) -> bool {
        let (Some(reader), Some(writer)) = (
            self.reader.node(r).kind.name(),
            self.writer.node(w).kind.name(),
        ) else {
            return false;
        };
        reader.simple() == writer.simple() || reader.aliases.contains(&writer.full)
    }

    pub(super) fn enumeration(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let mut found: Vec<_> = self.names(r, w).into_iter().collect();
        let (
            Kind::Enum {
                name,
                symbols: reader_symbols,
                default,
                ..
            },
            Kind::Enum {
                symbols: writer_symbols,
                ..
            },
        ) = (&self.reader.node(r).kind, &self.writer.node(w).kind)
        else {
            return found;
        };
        let mut missing: Vec<String> = writer_symbols
            .iter()
            .filter(|s| !reader_symbols.contains(s))
            .cloned()
            .collect();
        // Unknown symbols resolve to the reader's default symbol, if it has one.
        if !missing.is_empty() && default.is_none() {
            missing.sort();
            found.push(Incompatibility {
                rule: Rule::MissingEnumSymbols,
                reader_path: child(&self.reader.node(r).pointer, "symbols"),
                writer_path: child(&self.writer.node(w).pointer, "symbols"),
                detail: Detail::Symbols {
                    name: name.full.clone(),
                    missing,
                },
            });
        }
        found
    }

    pub(super) fn fixed(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let mut found: Vec<_> = self.names(r, w).into_iter().collect();
        if let (Kind::Fixed { size: reader, .. }, Kind::Fixed { size: writer, .. }) =
            (&self.reader.node(r).kind, &self.writer.node(w).kind)
        {
            if reader != writer {
                found.push(Incompatibility {
                    rule: Rule::FixedSizeMismatch,
                    reader_path: child(&self.reader.node(r).pointer, "size"),
                    writer_path: child(&self.writer.node(w).pointer, "size"),
                    detail: Detail::Sizes {
                        reader: *reader,
                        writer: *writer,
                    },
                });
            }
        }
        found
    }
}
