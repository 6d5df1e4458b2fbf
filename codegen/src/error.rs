//! Errors of the code generator, with rustc-like diagnostics for schema problems.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::{SchemaFile, Span};

/// One problem in one schema file, at a line and column.
///
/// Displays like rustc:
///
/// ```text
/// error: unknown type `zamaz.common.Sevrity`
///   --> schemas/performance/MetricThresholdBreached.avsc:31:15
///    |
/// 31 |       "type": "zamaz.common.Sevrity",
///    |               ^
///    = help: did you mean `zamaz.common.Severity`?
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The schema file.
    pub path: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column in characters; 0 when unknown.
    pub col: u32,
    /// What is wrong, lowercase, names in backticks.
    pub message: String,
    /// How to fix it, if there is something to say.
    pub hint: Option<String>,
    /// The text of line `line`, for the excerpt.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `line:col` of `path`; the excerpt is taken from `source`.
    pub fn new(
        path: impl Into<PathBuf>,
        source: Option<&str>,
        line: u32,
        col: u32,
        message: impl Into<String>,
    ) -> Self {
        let source_line = match (source, line) {
            (Some(src), 1..) => src
                .lines()
                .nth(line as usize - 1)
                .map(|l| l.trim_end_matches('\r').to_owned()),
            _ => None,
        };
        Diagnostic {
            path: path.into(),
            line,
            col,
            message: message.into(),
            hint: None,
            source_line,
        }
    }

    /// A diagnostic at `span`, which indexes into `files`.
    ///
    /// A span whose file index is out of range still yields a diagnostic
    /// (with an empty path) rather than panicking.
    pub fn at(span: &Span, files: &[SchemaFile], message: impl Into<String>) -> Self {
        match files.get(span.file) {
            Some(f) => Self::new(&f.path, Some(&f.source), span.line, span.col, message),
            None => Self::new(PathBuf::new(), None, span.line, span.col, message),
        }
    }

    /// A diagnostic about a whole file (no line or column).
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self::new(path, None, 0, 0, message)
    }

    /// Adds a hint (`= help: …`).
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint if there is one.
    #[must_use]
    pub fn with_opt_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        let gutter = if self.line > 0 {
            self.line.to_string().len()
        } else {
            1
        };
        let pad = " ".repeat(gutter);
        write!(f, "{pad}--> {}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        if let Some(text) = &self.source_line {
            write!(f, "\n{pad} |\n{} | {text}", self.line)?;
            if self.col > 0 {
                // Keep tabs so the caret lines up under tab-indented text.
                let lead: String = text
                    .chars()
                    .take(self.col as usize - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {lead}^")?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n{pad} = help: {hint}")?;
        }
        Ok(())
    }
}

/// Displays a list of diagnostics, blank lines between them, then a count.
struct Diagnostics<'a>(&'a [Diagnostic]);

impl fmt::Display for Diagnostics<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}\n\n")?;
        }
        let n = self.0.len();
        write!(f, "{n} error{} in schemas", if n == 1 { "" } else { "s" })
    }
}

/// Everything that can go wrong while generating code from schemas.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A schema file or directory could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// One or more schemas are invalid.
    #[error("{}", Diagnostics(.0))]
    Schema(Vec<Diagnostic>),
    /// The generator produced code that does not parse: a bug in schemabus.
    #[error("internal error in schemabus-codegen (please report it): {0}")]
    Internal(String),
}

impl Error {
    /// The diagnostics, if this is a schema error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Schema(d) => d,
            _ => &[],
        }
    }
}

/// Levenshtein distance between `a` and `b`, in characters, ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    // Optimal string alignment: Levenshtein plus adjacent transpositions,
    // so `flaot` is one edit from `float`.
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// The candidate closest to `word`, if one is close enough to be a likely
/// typo (at most a third of the word's length in edits, at least one).
/// Ties go to the first candidate.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = edit_distance(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let src = (1..31).map(|_| "\n").collect::<String>()
            + "      \"type\": \"zamaz.common.Sevrity\",\n";
        let d = Diagnostic::new(
            "schemas/performance/MetricThresholdBreached.avsc",
            Some(&src),
            31,
            15,
            "unknown type `zamaz.common.Sevrity`",
        )
        .with_hint("did you mean `zamaz.common.Severity`?");
        let expected = "\
error: unknown type `zamaz.common.Sevrity`
  --> schemas/performance/MetricThresholdBreached.avsc:31:15
   |
31 |       \"type\": \"zamaz.common.Sevrity\",
   |               ^
   = help: did you mean `zamaz.common.Severity`?";
        assert_eq!(d.to_string(), expected);
    }

    #[test]
    fn whole_file_and_tab_alignment() {
        let d = Diagnostic::file(Path::new("a.avsc"), "empty file");
        assert_eq!(d.to_string(), "error: empty file\n --> a.avsc");
        let d = Diagnostic::new("b.avsc", Some("\t\"x\""), 1, 2, "bad");
        assert_eq!(
            d.to_string(),
            "error: bad\n --> b.avsc:1:2\n  |\n1 | \t\"x\"\n  | \t^"
        );
    }

    #[test]
    fn schema_error_lists_all_and_counts() {
        let a = Diagnostic::file(Path::new("a.avsc"), "one");
        let b = Diagnostic::file(Path::new("b.avsc"), "two");
        let e = Error::Schema(vec![a, b]);
        assert_eq!(
            e.to_string(),
            "error: one\n --> a.avsc\n\nerror: two\n --> b.avsc\n\n2 errors in schemas"
        );
        assert_eq!(e.diagnostics().len(), 2);
        let e = Error::Schema(vec![Diagnostic::file(Path::new("a.avsc"), "one")]);
        assert!(e.to_string().ends_with("\n1 error in schemas"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("String", "string"), 0);
        let names = ["zamaz.common.Severity", "zamaz.common.Priority"];
        assert_eq!(
            closest("zamaz.common.Sevrity", names),
            Some("zamaz.common.Severity")
        );
        assert_eq!(closest("com.other.Thing", names), None);
        assert_eq!(closest("feilds", ["fields"]), Some("fields"));
    }

    #[test]
    fn span_out_of_range_does_not_panic() {
        let span = Span {
            file: 3,
            line: 1,
            col: 1,
        };
        let d = Diagnostic::at(&span, &[], "x");
        assert_eq!(d.source_line, None);
    }
}
