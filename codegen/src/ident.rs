//! Rust identifiers from Avro names: case conversion and keyword escaping.

use proc_macro2::{Ident, Span};

/// Words that cannot be raw identifiers (`r#self` is invalid): they get a
/// trailing underscore instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Reserved words of every Rust edition: these become raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Splits an Avro name into lower-case words at `_`, case changes and
/// letter/digit boundaries kept as in heck: `HTTPServer2xx` → `http server2xx`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() => {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case` form of an Avro name (fields, namespace segments).
pub fn to_snake(name: &str) -> String {
    let snake = words(name).join("_");
    if snake.is_empty() {
        "_".to_owned()
    } else {
        snake
    }
}

/// `UpperCamelCase` form of an Avro name (types, enum variants).
pub fn to_upper_camel(name: &str) -> String {
    let camel: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    if camel.is_empty() {
        "_".to_owned()
    } else {
        camel
    }
}

/// A Rust identifier for `name` (already cased): raw for keywords, with a
/// trailing `_` for words that cannot be raw, `_` prefix before a digit.
pub fn ident(name: &str) -> Ident {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_owned()
    };
    if NOT_RAW.contains(&name.as_str()) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name.as_str()) {
        Ident::new_raw(&name, Span::call_site())
    } else {
        Ident::new(&name, Span::call_site())
    }
}

/// The identifier of a record field.
pub fn field_ident(avro_name: &str) -> Ident {
    ident(&to_snake(avro_name))
}

/// The identifier of a type or enum variant.
pub fn type_ident(avro_name: &str) -> Ident {
    ident(&to_upper_camel(avro_name))
}

/// Makes identifiers unique: a repeated one gets the smallest numeric suffix
/// (from its position up) that no other identifier uses.
pub fn unique(idents: Vec<Ident>) -> Vec<Ident> {
    let all: std::collections::BTreeSet<String> = idents.iter().map(ToString::to_string).collect();
    let mut used = std::collections::BTreeSet::new();
    idents
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            if used.insert(id.to_string()) {
                return id;
            }
            let stem = unraw(&id).trim_end_matches('_').to_owned();
            let mut n = i;
            loop {
                let candidate = format!("{stem}{n}");
                if !all.contains(&candidate) && used.insert(candidate.clone()) {
                    return Ident::new(&candidate, Span::call_site());
                }
                n += 1;
            }
        })
        .collect()
}

/// The unescaped text of an identifier (`r#type` → `type`).
pub fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case() {
        assert_eq!(to_snake("debate_id"), "debate_id");
        assert_eq!(to_snake("debateId"), "debate_id");
        assert_eq!(to_snake("HTTPServer"), "http_server");
        assert_eq!(to_snake("MD5"), "md5");
        assert_eq!(to_snake("value2"), "value2");
    }

    #[test]
    fn upper_camel_case() {
        assert_eq!(to_upper_camel("CHANGES_REQUESTED"), "ChangesRequested");
        assert_eq!(to_upper_camel("DebateCompleted"), "DebateCompleted");
        assert_eq!(to_upper_camel("json_value"), "JsonValue");
        assert_eq!(to_upper_camel("AI"), "Ai");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(field_ident("type").to_string(), "r#type");
        assert_eq!(field_ident("self").to_string(), "self_");
        assert_eq!(type_ident("Self").to_string(), "Self_");
        assert_eq!(field_ident("1st").to_string(), "_1st");
        assert_eq!(unraw(&field_ident("match")), "match");
    }
}
