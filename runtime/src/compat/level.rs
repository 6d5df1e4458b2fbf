//! Compatibility levels: which earlier versions a new schema is checked
//! against, and in which direction.

use std::fmt;
use std::str::FromStr;

use super::checker::{check_pair, Incompatibility};
use super::schema::Schema;

/// A compatibility level, as Confluent Schema Registry defines them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Level {
    /// No check.
    None,
    /// The new schema reads data written with the latest version.
    #[default]
    Backward,
    /// The new schema reads data written with every earlier version.
    BackwardTransitive,
    /// The latest version reads data written with the new schema.
    Forward,
    /// Every earlier version reads data written with the new schema.
    ForwardTransitive,
    /// Backward and forward against the latest version.
    Full,
    /// Backward and forward against every earlier version.
    FullTransitive,
}

/// Which way data flows in a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// The new schema reads old data (the new schema is the reader).
    Backward,
    /// Old schemas read new data (the new schema is the writer).
    Forward,
}

impl Level {
    /// Every level, in the order Confluent lists them.
    pub const ALL: [Level; 7] = [
        Level::None,
        Level::Backward,
        Level::BackwardTransitive,
        Level::Forward,
        Level::ForwardTransitive,
        Level::Full,
        Level::FullTransitive,
    ];

    /// The level's name as Confluent spells it (`BACKWARD_TRANSITIVE`).
    pub fn name(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Whether every earlier version is checked, not only the latest.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Level::BackwardTransitive | Level::ForwardTransitive | Level::FullTransitive
        )
    }

    /// The directions this level checks.
    pub fn directions(self) -> &'static [Direction] {
        match self {
            Level::None => &[],
            Level::Backward | Level::BackwardTransitive => &[Direction::Backward],
            Level::Forward | Level::ForwardTransitive => &[Direction::Forward],
            Level::Full | Level::FullTransitive => &[Direction::Backward, Direction::Forward],
        }
    }

    /// The indexes into `history` (oldest first) this level checks against.
    pub fn versions_checked(self, history_len: usize) -> std::ops::Range<usize> {
        match (self, history_len) {
            (Level::None, _) | (_, 0) => 0..0,
            (level, n) if level.is_transitive() => 0..n,
            (_, n) => n - 1..n,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text was not a compatibility level.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown compatibility level `{0}`; the levels are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE")]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    /// Parses a level name, ignoring case and accepting `-` for `_`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase().replace('-', "_");
        Level::ALL
            .into_iter()
            .find(|l| l.name() == wanted)
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// An incompatibility of a new schema with one earlier version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// The index of the earlier version in the history (0 = oldest).
    pub version: usize,
    /// Which way the data flows.
    pub direction: Direction,
    /// What is incompatible.
    pub incompatibility: Incompatibility,
}

impl Break {
    /// The JSON pointer in the new schema.
    pub fn new_path(&self) -> &str {
        match self.direction {
            Direction::Backward => &self.incompatibility.reader_path,
            Direction::Forward => &self.incompatibility.writer_path,
        }
    }

    /// The JSON pointer in the earlier version.
    pub fn old_path(&self) -> &str {
        match self.direction {
            Direction::Backward => &self.incompatibility.writer_path,
            Direction::Forward => &self.incompatibility.reader_path,
        }
    }
}

/// Checks `new` against `history` (oldest first) at `level`; returns every
/// incompatibility with the version it concerns, empty when compatible.
///
/// Non-transitive levels check the latest version only, as Confluent does.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::compat::{check_level, Level, Schema};
///
/// let v1 = Schema::parse_str(r#"{"type":"record","name":"R","fields":[]}"#)?;
/// let v2 = Schema::parse_str(r#"{"type":"record","name":"R","fields":[
///     {"name":"note","type":["null","string"],"default":null}]}"#)?;
/// assert!(check_level(&v2, &[v1], Level::FullTransitive).is_empty());
/// # Ok::<(), schemabus_runtime::compat::SchemaError>(())
/// ```
pub fn check_level(new: &Schema, history: &[Schema], level: Level) -> Vec<Break> {
    let mut breaks = Vec::new();
    for version in level.versions_checked(history.len()) {
        let old = &history[version];
        for &direction in level.directions() {
            let found = match direction {
                Direction::Backward => check_pair(new, old),
                Direction::Forward => check_pair(old, new),
            };
            breaks.extend(found.into_iter().map(|incompatibility| Break {
                version,
                direction,
                incompatibility,
            }));
        }
    }
    breaks
}
