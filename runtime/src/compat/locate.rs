//! Where a JSON pointer lands in schema text: line and column, for reports.

/// A 1-based line and column (in characters) in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// The line, from 1.
    pub line: u32,
    /// The column in characters, from 1.
    pub column: u32,
}

/// The position of the JSON value `pointer` addresses in `source`.
///
/// When the pointer goes deeper than the text (a node the text does not
/// have), the position of the deepest node that exists is returned, so a
/// finding still points near its cause. `None` only when `source` is not
/// JSON at all.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::compat::{locate, LineCol};
///
/// let text = "{\"type\": \"record\", \"name\": \"R\",\n \"fields\": [\n  {\"name\": \"a\", \"type\": \"int\"}]}";
/// assert_eq!(locate(text, "/fields/0/type"), Some(LineCol { line: 3, column: 25 }));
/// assert_eq!(locate(text, ""), Some(LineCol { line: 1, column: 1 }));
/// // Malformed text ends the search instead of hanging it:
/// assert_eq!(locate("{\"a\": [1, 2}, \"b\": 1}", "/b"), None);
/// ```
pub fn locate(source: &str, pointer: &str) -> Option<LineCol> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut scanner = Scanner {
        text: source.as_bytes(),
        pos: 0,
    };
    scanner.whitespace();
    let offset = scanner.find(&tokens)?;
    Some(line_col(source, offset))
}

fn line_col(source: &str, offset: usize) -> LineCol {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    LineCol {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.whitespace();
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    /// The offset of the value at `tokens` below the value starting here;
    /// the deepest existing one when the path runs out.
    fn find(&mut self, tokens: &[String]) -> Option<usize> {
        self.whitespace();
        let start = self.pos;
        let Some((wanted, rest)) = tokens.split_first() else {
            return Some(start);
        };
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.whitespace();
                    if self.peek()? == b'}' {
                        return Some(start);
                    }
                    let key = self.string()?;
                    self.eat(b':')?;
                    if &key == wanted {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    if self.eat(b',').is_none() {
                        return Some(start);
                    }
                }
            }
            b'[' => {
                let Ok(index) = wanted.parse::<usize>() else {
                    return Some(start);
                };
                self.pos += 1;
                for i in 0.. {
                    self.whitespace();
                    if self.peek()? == b']' {
                        return Some(start);
                    }
                    if i == index {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    if self.eat(b',').is_none() {
                        return Some(start);
                    }
                }
                Some(start)
            }
            _ => Some(start),
        }
    }

    /// Reads a string literal (the scanner is at its opening quote).
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        let literal = std::str::from_utf8(self.text.get(start..self.pos)?).ok()?;
        serde_json::from_str(literal).ok()
    }

    fn skip_value(&mut self) -> Option<()> {
        self.whitespace();
        match self.peek()? {
            b'"' => self.string().map(drop),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.whitespace();
                    match self.peek()? {
                        b if b == close => {
                            self.pos += 1;
                            return Some(());
                        }
                        b',' | b':' => self.pos += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                let start = self.pos;
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.pos += 1;
                }
                // A stray closer (malformed JSON) is not a value: give up
                // rather than loop on it.
                (self.pos > start).then_some(())
            }
        }
    }
}
