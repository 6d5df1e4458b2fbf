//! Logical types (`logicalType`): which base types they annotate and their
//! parameters.
//!
//! The spec says an invalid logical type is ignored (the base type is used).
//! That silently changes generated types, so a *known* logical type on the
//! wrong base type or with bad parameters is an error here; unknown names are
//! still ignored, as the spec requires.

use super::{as_u64, Problem};
use crate::json::Node;
use crate::model::Logical;

/// Whether `name` is a logical type this generator knows.
pub(super) fn is_known(name: &str) -> bool {
    expects(name).is_some()
}

/// What a known logical type annotates, for messages.
pub(super) fn expects(name: &str) -> Option<&'static str> {
    Some(match name {
        "uuid" => "`string` or a `fixed` of size 16",
        "date" | "time-millis" => "`int`",
        "time-micros"
        | "timestamp-millis"
        | "timestamp-micros"
        | "timestamp-nanos"
        | "local-timestamp-millis"
        | "local-timestamp-micros"
        | "local-timestamp-nanos" => "`long`",
        "decimal" => "`bytes` or a `fixed`",
        "duration" => "a `fixed` of size 12",
        _ => return None,
    })
}

/// How to write a known logical type, for hints.
pub(super) fn example(name: &str) -> Option<String> {
    let base = match name {
        "uuid" => "string",
        "decimal" => return Some(
            "{\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 10, \"scale\": 2}"
                .into(),
        ),
        "duration" => return Some(
            "{\"type\": \"fixed\", \"name\": \"…\", \"size\": 12, \"logicalType\": \"duration\"}"
                .into(),
        ),
        "date" | "time-millis" => "int",
        other if is_known(other) => "long",
        _ => return None,
    };
    Some(format!(
        "{{\"type\": \"{base}\", \"logicalType\": \"{name}\"}}"
    ))
}

fn problem(node: &Node, message: String, hint: Option<String>) -> Problem {
    Problem {
        line: node.line,
        col: node.col,
        message,
        hint,
    }
}

/// The logical type declared on `node`, whose base type is `base` (`"fixed"`
/// with `size` for fixed types). Unknown or non-string names yield `None`.
pub(super) fn parse(
    node: &Node,
    base: &str,
    size: Option<usize>,
) -> Result<Option<Logical>, Problem> {
    let Some(lt) = node.get("logicalType") else {
        return Ok(None);
    };
    let Some(name) = lt.as_str() else {
        return Ok(None);
    };
    let Some(expected) = expects(name) else {
        return Ok(None);
    };
    let fixed_size = |want: usize, logical: Logical| match size {
        Some(n) if n == want => Ok(Some(logical)),
        Some(n) => Err(problem(
            node.get("size").unwrap_or(lt),
            format!("logical type `{name}` needs a fixed of size {want}, found size {n}"),
            Some(format!("set \"size\": {want}")),
        )),
        None => wrong_base(lt, name, base, expected),
    };
    let simple = |want: &str, logical: Logical| {
        if base == want {
            Ok(Some(logical))
        } else {
            wrong_base(lt, name, base, expected)
        }
    };
    match (name, base) {
        ("uuid", "string") => Ok(Some(Logical::Uuid)),
        ("uuid", "fixed") => fixed_size(16, Logical::Uuid),
        ("duration", "fixed") => fixed_size(12, Logical::Duration),
        ("date", _) => simple("int", Logical::Date),
        ("time-millis", _) => simple("int", Logical::TimeMillis),
        ("time-micros", _) => simple("long", Logical::TimeMicros),
        ("timestamp-millis", _) => simple("long", Logical::TimestampMillis),
        ("timestamp-micros", _) => simple("long", Logical::TimestampMicros),
        ("timestamp-nanos", _) => simple("long", Logical::TimestampNanos),
        ("local-timestamp-millis", _) => simple("long", Logical::LocalTimestampMillis),
        ("local-timestamp-micros", _) => simple("long", Logical::LocalTimestampMicros),
        ("local-timestamp-nanos", _) => simple("long", Logical::LocalTimestampNanos),
        ("decimal", "bytes" | "fixed") => decimal(node, lt, size).map(Some),
        _ => wrong_base(lt, name, base, expected),
    }
}

/// The error for a known logical type on a base type it cannot annotate.
fn wrong_base(
    lt: &Node,
    name: &str,
    base: &str,
    expected: &str,
) -> Result<Option<Logical>, Problem> {
    let hint = match example(name) {
        Some(ex) => format!("`{name}` annotates {expected}, e.g. {ex}"),
        None => format!("`{name}` annotates {expected}"),
    };
    Err(problem(
        lt,
        format!("logical type `{name}` cannot annotate `{base}`"),
        Some(hint),
    ))
}

/// The largest number of decimal digits a two's-complement `size`-byte value
/// always holds: floor(log10(2^(8·size − 1) − 1)).
pub(crate) fn max_decimal_digits(size: usize) -> u64 {
    if size == 0 {
        return 0;
    }
    // 2^k − 1 has as many digits as 2^k (a power of two is never a power of
    // ten), and floor(k·log10 2) is the digit count minus one.
    let k = (size as f64) * 8.0 - 1.0;
    (k * std::f64::consts::LOG10_2).floor() as u64
}

fn decimal(node: &Node, lt: &Node, size: Option<usize>) -> Result<Logical, Problem> {
    let Some(p_node) = node.get("precision") else {
        return Err(problem(
            lt,
            "decimal is missing `precision`".into(),
            Some("add \"precision\": <total number of digits>".into()),
        ));
    };
    let precision = match as_u64(p_node) {
        Some(p) if p >= 1 => p,
        _ => {
            return Err(problem(
                p_node,
                "decimal `precision` must be a positive integer".into(),
                None,
            ))
        }
    };
    let scale =
        match node.get("scale") {
            None => 0,
            Some(s_node) => match as_u64(s_node) {
                Some(s) if s <= precision => s,
                Some(s) => return Err(problem(
                    s_node,
                    format!("decimal `scale` {s} is greater than `precision` {precision}"),
                    Some(
                        "the scale counts digits after the point, so it is at most the precision"
                            .into(),
                    ),
                )),
                None => {
                    return Err(problem(
                        s_node,
                        "decimal `scale` must be a non-negative integer".into(),
                        None,
                    ))
                }
            },
        };
    if let Some(size) = size {
        let max = max_decimal_digits(size);
        if precision > max {
            return Err(problem(
                p_node,
                format!("decimal precision {precision} does not fit in a fixed of size {size} (at most {max} digits)"),
                Some("increase `size` or lower `precision`".into()),
            ));
        }
    }
    let (Ok(precision), Ok(scale)) = (u32::try_from(precision), u32::try_from(scale)) else {
        return Err(problem(
            p_node,
            "decimal `precision` is too large".into(),
            None,
        ));
    };
    Ok(Logical::Decimal { precision, scale })
}

#[cfg(test)]
mod tests {
    use super::max_decimal_digits;

    #[test]
    fn decimal_digits_per_fixed_size() {
        // Values from the spec's table (size → max precision).
        let table = [
            (1, 2),
            (2, 4),
            (3, 6),
            (4, 9),
            (5, 11),
            (8, 18),
            (12, 28),
            (16, 38),
            (32, 76),
        ];
        for (size, digits) in table {
            assert_eq!(max_decimal_digits(size), digits, "size {size}");
        }
        assert_eq!(max_decimal_digits(0), 0);
    }
}
