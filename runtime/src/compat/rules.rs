//! The rules a schema change is checked against: the table of
//! incompatibility kinds, each with its ID, purpose and the usual fix.

use std::fmt;
use std::str::FromStr;

/// A kind of incompatibility between a reader and a writer schema.
///
/// The IDs are the names Confluent Schema Registry and Avro's Java
/// `SchemaCompatibility` use, so reports read the same as theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// A named type (record, enum, fixed) has another name and no alias.
    NameMismatch,
    /// A fixed type changed its size.
    FixedSizeMismatch,
    /// The writer's enum has symbols the reader lacks, and the reader's
    /// enum has no default symbol.
    MissingEnumSymbols,
    /// The reader has a field the writer lacks, without a default.
    ReaderFieldMissingDefaultValue,
    /// The types differ and no promotion turns one into the other.
    TypeMismatch,
    /// A union branch the writer may use has no matching reader branch.
    MissingUnionBranch,
}

/// Every rule, in report order.
pub const RULES: [Rule; 6] = [
    Rule::NameMismatch,
    Rule::FixedSizeMismatch,
    Rule::MissingEnumSymbols,
    Rule::ReaderFieldMissingDefaultValue,
    Rule::TypeMismatch,
    Rule::MissingUnionBranch,
];

impl Rule {
    /// The rule's ID, as Confluent spells it (`TYPE_MISMATCH`).
    pub fn id(self) -> &'static str {
        match self {
            Rule::NameMismatch => "NAME_MISMATCH",
            Rule::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            Rule::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            Rule::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            Rule::TypeMismatch => "TYPE_MISMATCH",
            Rule::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }

    /// One sentence: what the rule guards.
    pub fn purpose(self) -> &'static str {
        match self {
            Rule::NameMismatch => "named types keep their full name, or list the old one in `aliases`",
            Rule::FixedSizeMismatch => "a fixed type keeps its size",
            Rule::MissingEnumSymbols => {
                "a reader's enum has every symbol writers use, or a `default` symbol for the others"
            }
            Rule::ReaderFieldMissingDefaultValue => {
                "a field that readers expect but writers may not write has a default"
            }
            Rule::TypeMismatch => {
                "a value keeps its type, or changes along a promotion (int→long→float→double, string↔bytes)"
            }
            Rule::MissingUnionBranch => "every union branch a writer may use is readable by the reader",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The text was not one of the rule IDs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{0}`; the rules are NAME_MISMATCH, FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS, READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, MISSING_UNION_BRANCH")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RULES
            .into_iter()
            .find(|r| r.id() == s)
            .ok_or_else(|| UnknownRule(s.to_owned()))
    }
}
