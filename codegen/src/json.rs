//! A small JSON parser that keeps the line and column of every value and key.
//!
//! `serde_json` forgets positions, and schema errors must point at
//! `file:line:col`, so schemas are read with this parser instead. Keys keep
//! their order (the order of fields matters in Avro) and duplicate keys are an
//! error rather than "last one wins".

use std::collections::BTreeMap;
use std::fmt;

use crate::model::JsonValue;

/// Nesting deeper than this is rejected, so hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 512;

/// A JSON value with the 1-based line and column (in characters) where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// 1-based line of the value's first character.
    pub line: u32,
    /// 1-based column (in characters) of the value's first character.
    pub col: u32,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, exactly as written.
    Number(String),
    /// A string, escapes decoded.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in source order.
    Object(Vec<(Key, Node)>),
}

/// An object key with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key, escapes decoded.
    pub name: String,
    /// 1-based line of the key's opening quote.
    pub line: u32,
    /// 1-based column of the key's opening quote.
    pub col: u32,
}

/// A JSON syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
    /// What is wrong, lowercase.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for JsonError {}

impl Node {
    /// The member `key` of an object, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            NodeValue::Object(members) => {
                members.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of JSON value this is, for messages ("a string", "an object"…).
    pub fn kind(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String(_) => "a string",
            NodeValue::Array(_) => "an array",
            NodeValue::Object(_) => "an object",
        }
    }

    /// The value without positions, as stored in the model.
    pub fn to_json_value(&self) -> JsonValue {
        JsonValue::from(self)
    }
}

impl From<&Node> for JsonValue {
    fn from(node: &Node) -> Self {
        match &node.value {
            NodeValue::Null => JsonValue::Null,
            NodeValue::Bool(b) => JsonValue::Bool(*b),
            NodeValue::Number(n) => JsonValue::Number(n.clone()),
            NodeValue::String(s) => JsonValue::String(s.clone()),
            NodeValue::Array(items) => {
                JsonValue::Array(items.iter().map(JsonValue::from).collect())
            }
            NodeValue::Object(members) => JsonValue::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.name.clone(), JsonValue::from(v)))
                    .collect::<BTreeMap<_, _>>(),
            ),
        }
    }
}

impl From<Node> for JsonValue {
    fn from(node: Node) -> Self {
        JsonValue::from(&node)
    }
}

/// Parses one JSON document (surrounding whitespace allowed, a leading BOM skipped).
///
/// # Errors
///
/// A [`JsonError`] at the first syntax error, duplicate key, or nesting deeper
/// than [`MAX_DEPTH`].
pub fn parse(src: &str) -> Result<Node, JsonError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        line: 1,
        col: 1,
    };
    p.skip_ws();
    if p.peek().is_none() {
        return Err(p.err("expected a JSON value, found end of file"));
    }
    let node = p.value(0)?;
    p.skip_ws();
    match p.peek() {
        None => Ok(node),
        Some(c) => Err(p.err(format!(
            "unexpected {} after the end of the JSON value",
            describe(c)
        ))),
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line: u32,
    col: u32,
}

/// Names a character for messages; invisible characters get their code point.
fn describe(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("character U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn err(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            line: self.line,
            col: self.col,
            message: message.into(),
        }
    }

    fn err_at(line: u32, col: u32, message: impl Into<String>) -> JsonError {
        JsonError {
            line,
            col,
            message: message.into(),
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of file".to_owned(),
            Some(c) => describe(c),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(' ' | '\t' | '\n' | '\r') = self.peek() {
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        let (line, col) = (self.line, self.col);
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => NodeValue::String(self.string()?),
            Some('-' | '0'..='9') => NodeValue::Number(self.number()?),
            Some('t') => self.literal("true", NodeValue::Bool(true))?,
            Some('f') => self.literal("false", NodeValue::Bool(false))?,
            Some('n') => self.literal("null", NodeValue::Null)?,
            Some('\'') => return Err(self.err("strings must use double quotes (`\"`), not `'`")),
            _ => return Err(self.err(format!("expected a JSON value, found {}", self.found()))),
        };
        Ok(Node { value, line, col })
    }

    fn literal(&mut self, word: &str, value: NodeValue) -> Result<NodeValue, JsonError> {
        let (line, col) = (self.line, self.col);
        for expected in word.chars() {
            if self.peek() != Some(expected) {
                return Err(Self::err_at(
                    line,
                    col,
                    format!("invalid literal, expected `{word}`"),
                ));
            }
            self.bump();
        }
        if matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '_') {
            return Err(Self::err_at(
                line,
                col,
                format!("invalid literal, expected `{word}`"),
            ));
        }
        Ok(value)
    }

    fn enter(&self, depth: usize) -> Result<usize, JsonError> {
        if depth >= MAX_DEPTH {
            Err(self.err(format!("JSON nested deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(depth + 1)
        }
    }

    fn array(&mut self, depth: usize) -> Result<NodeValue, JsonError> {
        let depth = self.enter(depth)?;
        self.bump(); // `[`
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(NodeValue::Array(items));
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(']') && !items.is_empty() {
                return Err(self.err("trailing comma before `]` is not allowed in JSON"));
            }
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(NodeValue::Array(items));
                }
                _ => {
                    return Err(self.err(format!(
                        "expected `,` or `]` after array element, found {}",
                        self.found()
                    )))
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<NodeValue, JsonError> {
        let depth = self.enter(depth)?;
        self.bump(); // `{`
        let mut members: Vec<(Key, Node)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(NodeValue::Object(members));
        }
        loop {
            self.skip_ws();
            let (line, col) = (self.line, self.col);
            match self.peek() {
                Some('"') => {}
                Some('}') if !members.is_empty() => {
                    return Err(self.err("trailing comma before `}` is not allowed in JSON"))
                }
                _ => {
                    return Err(self.err(format!(
                        "expected a string key (in double quotes), found {}",
                        self.found()
                    )))
                }
            }
            let name = self.string()?;
            if let Some((first, _)) = members.iter().find(|(k, _)| k.name == name) {
                return Err(Self::err_at(
                    line,
                    col,
                    format!(
                        "duplicate key `{name}` (first at {}:{})",
                        first.line, first.col
                    ),
                ));
            }
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(self.err(format!(
                    "expected `:` after object key, found {}",
                    self.found()
                )));
            }
            self.bump();
            self.skip_ws();
            let value = self.value(depth)?;
            members.push((Key { name, line, col }, value));
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(NodeValue::Object(members));
                }
                _ => {
                    return Err(self.err(format!(
                        "expected `,` or `}}` after object member, found {}",
                        self.found()
                    )))
                }
            }
        }
    }

    fn digits(&mut self, out: &mut String) -> usize {
        let mut n = 0;
        while let Some(c @ '0'..='9') = self.peek() {
            out.push(c);
            self.bump();
            n += 1;
        }
        n
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let (line, col) = (self.line, self.col);
        let mut out = String::new();
        if self.peek() == Some('-') {
            out.push('-');
            self.bump();
        }
        let int_start = (self.line, self.col);
        let n = self.digits(&mut out);
        if n == 0 {
            return Err(self.err(format!("expected a digit, found {}", self.found())));
        }
        if n > 1 && out.trim_start_matches('-').starts_with('0') {
            return Err(Self::err_at(
                int_start.0,
                int_start.1,
                "numbers may not have leading zeros",
            ));
        }
        if self.peek() == Some('.') {
            out.push('.');
            self.bump();
            if self.digits(&mut out) == 0 {
                return Err(self.err(format!(
                    "expected a digit after `.`, found {}",
                    self.found()
                )));
            }
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            out.push(e);
            self.bump();
            if let Some(s @ ('+' | '-')) = self.peek() {
                out.push(s);
                self.bump();
            }
            if self.digits(&mut out) == 0 {
                return Err(self.err(format!(
                    "expected a digit in the exponent, found {}",
                    self.found()
                )));
            }
        }
        if matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '_' || c == '.') {
            return Err(Self::err_at(line, col, "invalid number"));
        }
        Ok(out)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self.peek().and_then(|c| c.to_digit(16));
            match d {
                Some(d) => {
                    v = v * 16 + d;
                    self.bump();
                }
                None => {
                    return Err(self.err(format!(
                        "expected a hex digit in `\\u` escape, found {}",
                        self.found()
                    )))
                }
            }
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let (line, col) = (self.line, self.col);
        self.bump(); // `"`
        let mut out = String::new();
        loop {
            let (cl, cc) = (self.line, self.col);
            match self.bump() {
                None => return Err(Self::err_at(line, col, "unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => out.push(self.escape(cl, cc)?),
                Some(c) if u32::from(c) < 0x20 => {
                    return Err(Self::err_at(
                        cl,
                        cc,
                        format!("{} must be escaped inside a string", describe(c)),
                    ))
                }
                Some(c) => out.push(c),
            }
        }
    }

    /// Decodes the escape after a `\` at `line:col`.
    fn escape(&mut self, line: u32, col: u32) -> Result<char, JsonError> {
        let c = match self.bump() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if self.peek() != Some('\\') {
                        return Err(Self::err_at(
                            line,
                            col,
                            "unpaired surrogate in `\\u` escape",
                        ));
                    }
                    self.bump();
                    if self.bump() != Some('u') {
                        return Err(Self::err_at(
                            line,
                            col,
                            "unpaired surrogate in `\\u` escape",
                        ));
                    }
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Self::err_at(
                            line,
                            col,
                            "unpaired surrogate in `\\u` escape",
                        ));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                return char::from_u32(code)
                    .ok_or_else(|| Self::err_at(line, col, "unpaired surrogate in `\\u` escape"));
            }
            Some(c) => return Err(Self::err_at(line, col, format!("invalid escape `\\{c}`"))),
            None => return Err(Self::err_at(line, col, "unterminated string")),
        };
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> JsonError {
        match parse(src) {
            Ok(n) => panic!("expected an error for {src:?}, got {n:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn positions_of_values_and_keys() -> Result<(), JsonError> {
        let n = parse("{\n  \"a\": [1, \"é\", true],\n  \"b\": null\n}")?;
        assert_eq!((n.line, n.col), (1, 1));
        let NodeValue::Object(members) = &n.value else {
            panic!("object")
        };
        assert_eq!((members[0].0.line, members[0].0.col), (2, 3));
        assert_eq!((members[0].1.line, members[0].1.col), (2, 8));
        let NodeValue::Array(items) = &members[0].1.value else {
            panic!("array")
        };
        assert_eq!((items[2].line, items[2].col), (2, 17));
        assert_eq!(members[1].0.name, "b");
        assert_eq!(members[1].1.value, NodeValue::Null);
        Ok(())
    }

    #[test]
    fn keeps_numbers_as_written_and_key_order() -> Result<(), JsonError> {
        let n = parse(r#"{"z": 1.50, "a": -0, "m": 1e+3}"#)?;
        let NodeValue::Object(members) = &n.value else {
            panic!("object")
        };
        let keys: Vec<_> = members.iter().map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(members[0].1.value, NodeValue::Number("1.50".into()));
        assert_eq!(members[2].1.value, NodeValue::Number("1e+3".into()));
        Ok(())
    }

    #[test]
    fn escapes_and_surrogate_pairs() -> Result<(), JsonError> {
        let n = parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#)?;
        assert_eq!(n.as_str(), Some("a\"\\/\u{8}\u{c}\n\r\té😀"));
        assert!(err(r#""\ud83d""#).message.contains("surrogate"));
        assert!(err(r#""\ude00""#).message.contains("surrogate"));
        assert!(err(r#""\x""#).message.contains("invalid escape"));
        Ok(())
    }

    #[test]
    fn errors_have_positions_and_clear_messages() {
        let e = err("{\n  \"a\": 1\n  \"b\": 2\n}");
        assert_eq!((e.line, e.col), (3, 3));
        assert_eq!(
            e.message,
            "expected `,` or `}` after object member, found `\"`"
        );
        let e = err(r#"{"a": 1, "a": 2}"#);
        assert_eq!((e.line, e.col), (1, 10));
        assert!(e.message.starts_with("duplicate key `a`"));
        assert!(err("[1,]").message.contains("trailing comma"));
        assert!(err("{\"a\":1,}").message.contains("trailing comma"));
        assert!(err("01").message.contains("leading zeros"));
        assert!(err("1.").message.contains("digit"));
        assert!(err("tru").message.contains("`true`"));
        assert!(err("\"abc").message.contains("unterminated"));
        assert!(err("\"a\nb\"").message.contains("escaped"));
        assert!(err("").message.contains("end of file"));
        assert!(err("1 2").message.contains("after the end"));
        assert!(err("{'a': 1}").message.contains("string key"));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.contains("nested deeper"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn converts_to_model_json() -> Result<(), JsonError> {
        let n = parse(r#"{"b": [1, "x"], "a": {"c": false}}"#)?;
        let JsonValue::Object(map) = n.to_json_value() else {
            panic!("object")
        };
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            map.get("b"),
            Some(&JsonValue::Array(vec![
                JsonValue::Number("1".into()),
                JsonValue::String("x".into())
            ]))
        );
        Ok(())
    }
}
