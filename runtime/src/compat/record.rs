//! Records: every reader field is read from the writer's field of the same
//! name (or one of the reader field's aliases), or filled from its default.

use super::checker::{Checker, Detail, Incompatibility};
use super::rules::Rule;
use super::schema::{child, Field, Kind, NodeId};

impl Checker<'_> {
    pub(super) fn record(&mut self, r: NodeId, w: NodeId) -> Vec<Incompatibility> {
        let (reader, writer) = (self.reader, self.writer);
        let (
            Kind::Record {
                name,
                fields: reader_fields,
                ..
            },
            Kind::Record {
                fields: writer_fields,
                ..
            },
        ) = (&reader.node(r).kind, &writer.node(w).kind)
        else {
            return Vec::new();
        };
        let mut found: Vec<_> = self.names(r, w).into_iter().collect();
        for field in reader_fields {
            match writer_field(writer_fields, field) {
                Some(written) => found.extend(self.check(
                    field.schema,
                    written.schema,
                    &child(&field.pointer, "type"),
                    &child(&written.pointer, "type"),
                )),
                None if field.default.is_none() => found.push(Incompatibility {
                    rule: Rule::ReaderFieldMissingDefaultValue,
                    reader_path: field.pointer.clone(),
                    // The writer side has no such field: point at its field list.
                    writer_path: child(&writer.node(w).pointer, "fields"),
                    detail: Detail::Field {
                        record: name.full.clone(),
                        field: field.name.clone(),
                        schema: reader.describe(field.schema),
                    },
                }),
                None => {}
            }
        }
        found
    }
}

/// The writer field that feeds `reader_field`: same name first, then the
/// reader field's aliases.
fn writer_field<'w>(writer_fields: &'w [Field], reader_field: &Field) -> Option<&'w Field> {
    std::iter::once(&reader_field.name)
        .chain(&reader_field.aliases)
        .find_map(|name| writer_fields.iter().find(|f| &f.name == name))
}
