//! The compatibility engine: which schema changes break readers or writers.
//!
//! Avro resolves data written with one schema (the writer's) into another
//! (the reader's). This module decides, without any data, whether that
//! always works — the check a schema registry runs before accepting a new
//! version, and that `schemabus check` runs in CI.
//!
//! - [`Schema`] parses a schema document into a model whose nodes know
//!   their JSON pointer.
//! - [`check_pair`] compares a reader with a writer and returns *every*
//!   [`Incompatibility`], each with a [`Rule`] (Confluent's names:
//!   `TYPE_MISMATCH`, `READER_FIELD_MISSING_DEFAULT_VALUE` …) and the JSON
//!   pointers of the offending nodes on both sides.
//! - [`check_level`] applies a [`Level`] (`BACKWARD`, `FORWARD`, `FULL`,
//!   their `_TRANSITIVE` forms, `NONE`) to a new schema and its history.
//!
//! The rules follow the Avro 1.12 specification's schema resolution:
//! numeric promotions (int → long → float → double), string ↔ bytes, enum
//! symbols (unknown ones fall back to the reader's enum `default`), unions
//! on either side, named types matched by name or reader alias, fixed
//! sizes, reader fields absent from the writer filled from defaults,
//! logical types by their underlying type, recursive types.
//!
//! # Examples
//!
//! ```
//! use schemabus_runtime::compat::{check_level, Level, Rule, Schema};
//!
//! let v1 = Schema::parse_str(r#"{"type":"enum","name":"Color","symbols":["RED","GREEN"]}"#)?;
//! let v2 = Schema::parse_str(r#"{"type":"enum","name":"Color","symbols":["RED"]}"#)?;
//! let breaks = check_level(&v2, &[v1], Level::Backward);
//! assert_eq!(breaks[0].incompatibility.rule, Rule::MissingEnumSymbols);
//! assert_eq!(breaks[0].new_path(), "/symbols");
//! # Ok::<(), schemabus_runtime::compat::SchemaError>(())
//! ```

mod checker;
mod finding;
mod level;
mod lint;
mod locate;
mod named;
mod record;
mod report;
mod rules;
mod schema;
mod simulate;
mod union;

pub use checker::{check_pair, is_compatible, Detail, Incompatibility};
pub use finding::{Finding, Location, Severity};
pub use level::{check_level, Break, Direction, Level, UnknownLevel};
pub use lint::{lint, LintConfig, LintLevel};
pub use locate::{locate, LineCol};
pub use report::{Format, Report};
pub use rules::{Rule, UnknownRule, RULES};
pub use schema::{Field, Kind, Name, Node, NodeId, Schema, SchemaError};
pub use simulate::{simulate, SimulateError, Simulation, SimulationFailure, MAX_FAILURE_SAMPLES};
