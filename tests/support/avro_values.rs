//! Random `apache_avro::types::Value`s that conform to an `apache_avro::Schema`.
//!
//! Shared by the codec property tests of the root crate and of
//! `codegen-tests`; included with
//! `#[path = "support/avro_values.rs"] mod avro_values;`.
//!
//! Values stay inside what the generated Rust types can represent — finite
//! floats, `time-*` within a day, timestamps and dates inside chrono's range,
//! decimals whose unscaled value fits the precision (and the `fixed` size) —
//! but otherwise cover each type's whole range, with a bias towards small and
//! realistic values.
//!
//! Recursion is bounded: every expansion of a named type through a
//! `Schema::Ref` adds one level; deeper than [`MAX_REF_DEPTH`] arrays and
//! maps are empty and unions take a branch that ends the recursion soonest.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};

use apache_avro::schema::{InnerDecimalSchema, Name, RecordSchema, Schema, UuidSchema};
use apache_avro::types::Value;
use apache_avro::{Days, Decimal, Duration, Millis, Months};
use proptest::collection::{hash_map, vec};
use proptest::prelude::*;
use proptest::strategy::Union;

/// Expansions of named types through references before values must end.
pub const MAX_REF_DEPTH: usize = 3;

/// Microseconds from 1970 to 10000-01-01: timestamps below this (and at or
/// above 0001-01-01) have four-digit years, the range of RFC 3339.
pub const YEAR_10000_MICROS: i64 = 253_402_300_800_000_000;
/// Microseconds from 0001-01-01 to 1970.
pub const YEAR_1_MICROS: i64 = -62_135_596_800_000_000;

/// A strategy for values of `schema`, a standalone schema as
/// `Schema::parse_str` returns it.
pub fn value_strategy(schema: &Schema) -> BoxedStrategy<Value> {
    let mut names = HashMap::new();
    collect_names(schema, &mut names);
    Gen {
        names: &names,
        rfc3339: false,
    }
    .strategy(schema, 0)
}

/// As [`value_strategy`], with UTC timestamps only in years 0001–9999,
/// the range RFC 3339 (and so the JSON form) can express.
pub fn value_strategy_rfc3339(schema: &Schema) -> BoxedStrategy<Value> {
    let mut names = HashMap::new();
    collect_names(schema, &mut names);
    Gen {
        names: &names,
        rfc3339: true,
    }
    .strategy(schema, 0)
}

/// Parses `json` and returns a strategy for its values.
///
/// # Panics
///
/// When `json` is not a valid schema.
pub fn schema_and_strategy(json: &str) -> (Schema, BoxedStrategy<Value>) {
    let schema = Schema::parse_str(json).unwrap_or_else(|e| panic!("schema {json}: {e}"));
    let strategy = value_strategy(&schema);
    (schema, strategy)
}

/// Whether `value` holds a map with two or more entries anywhere.
///
/// apache-avro writes maps in `HashMap` order while generated code writes
/// them sorted by key, so encodings are only byte-for-byte comparable when
/// no map has more than one entry.
pub fn has_multi_entry_map(value: &Value) -> bool {
    match value {
        Value::Map(m) => m.len() >= 2 || m.values().any(has_multi_entry_map),
        Value::Array(items) => items.iter().any(has_multi_entry_map),
        Value::Record(fields) => fields.iter().any(|(_, v)| has_multi_entry_map(v)),
        Value::Union(_, v) => has_multi_entry_map(v),
        _ => false,
    }
}

/// Whether every UTC timestamp in `value` has a four-digit year
/// (0001–9999), the range RFC 3339 — and so the JSON form — can express.
pub fn timestamps_within_rfc3339(value: &Value) -> bool {
    let micros_ok = |us: i64| (YEAR_1_MICROS..YEAR_10000_MICROS).contains(&us);
    match value {
        Value::TimestampMillis(v) => micros_ok(v.saturating_mul(1000)),
        Value::TimestampMicros(v) => micros_ok(*v),
        // Every i64 of nanoseconds is within 1677–2262.
        Value::TimestampNanos(_) => true,
        Value::Map(m) => m.values().all(timestamps_within_rfc3339),
        Value::Array(items) => items.iter().all(timestamps_within_rfc3339),
        Value::Record(fields) => fields.iter().all(|(_, v)| timestamps_within_rfc3339(v)),
        Value::Union(_, v) => timestamps_within_rfc3339(v),
        _ => true,
    }
}

/// Records every named type defined in `schema` by its full name.
pub fn collect_names(schema: &Schema, names: &mut HashMap<Name, Schema>) {
    match schema {
        Schema::Record(r) => {
            names.insert(r.name.clone(), schema.clone());
            for f in &r.fields {
                collect_names(&f.schema, names);
            }
        }
        Schema::Enum(e) => {
            names.insert(e.name.clone(), schema.clone());
        }
        Schema::Fixed(f) | Schema::Duration(f) | Schema::Uuid(UuidSchema::Fixed(f)) => {
            names.insert(f.name.clone(), schema.clone());
        }
        Schema::Decimal(d) => {
            if let InnerDecimalSchema::Fixed(f) = &d.inner {
                names.insert(f.name.clone(), schema.clone());
            }
        }
        Schema::Array(a) => collect_names(&a.items, names),
        Schema::Map(m) => collect_names(&m.types, names),
        Schema::Union(u) => {
            for v in u.variants() {
                collect_names(v, names);
            }
        }
        _ => {}
    }
}

struct Gen<'a> {
    names: &'a HashMap<Name, Schema>,
    /// UTC timestamps only in years 0001–9999.
    rfc3339: bool,
}

impl Gen<'_> {
    fn lookup(&self, name: &Name) -> &Schema {
        self.names
            .get(name)
            .unwrap_or_else(|| panic!("reference to undefined type {name}"))
    }

    /// The fewest record levels a value of `schema` needs (`None`: only
    /// infinitely deep values, through the types in `visiting`).
    fn min_depth(&self, schema: &Schema, visiting: &mut HashSet<Name>) -> Option<usize> {
        match schema {
            Schema::Ref { name } => {
                if visiting.contains(name) {
                    return None;
                }
                let target = self.lookup(name);
                self.min_depth(target, visiting)
            }
            Schema::Record(r) => {
                if !visiting.insert(r.name.clone()) {
                    return None;
                }
                let mut deepest = Some(0);
                for f in &r.fields {
                    deepest = match (deepest, self.min_depth(&f.schema, visiting)) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                visiting.remove(&r.name);
                deepest.map(|d| d + 1)
            }
            Schema::Union(u) => u
                .variants()
                .iter()
                .filter_map(|v| self.min_depth(v, visiting))
                .min(),
            // Empty arrays and maps, and every other type, end at once.
            _ => Some(0),
        }
    }

    fn strategy(&self, schema: &Schema, depth: usize) -> BoxedStrategy<Value> {
        let deep = depth > MAX_REF_DEPTH;
        match schema {
            Schema::Null => Just(Value::Null).boxed(),
            Schema::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
            Schema::Int => any::<i32>().prop_map(Value::Int).boxed(),
            Schema::Long => any::<i64>().prop_map(Value::Long).boxed(),
            Schema::Float => finite_f32().prop_map(Value::Float).boxed(),
            Schema::Double => finite_f64().prop_map(Value::Double).boxed(),
            Schema::Bytes => vec(any::<u8>(), 0..12).prop_map(Value::Bytes).boxed(),
            Schema::String => string().prop_map(Value::String).boxed(),
            Schema::Array(a) => {
                if deep {
                    Just(Value::Array(Vec::new())).boxed()
                } else {
                    vec(self.strategy(&a.items, depth), 0..4)
                        .prop_map(Value::Array)
                        .boxed()
                }
            }
            Schema::Map(m) => {
                if deep {
                    Just(Value::Map(HashMap::new())).boxed()
                } else {
                    hash_map(string(), self.strategy(&m.types, depth), 0..=3)
                        .prop_map(Value::Map)
                        .boxed()
                }
            }
            Schema::Union(u) => {
                let variants = u.variants();
                let allowed: Vec<usize> = if deep {
                    let depths: Vec<Option<usize>> = variants
                        .iter()
                        .map(|v| self.min_depth(v, &mut HashSet::new()))
                        .collect();
                    let best = depths.iter().flatten().min().copied();
                    (0..variants.len())
                        .filter(|&i| best.is_some() && depths[i] == best)
                        .collect()
                } else {
                    (0..variants.len()).collect()
                };
                assert!(!allowed.is_empty(), "union {u:?} has no finite branch");
                let branches = allowed.into_iter().map(|i| {
                    let index = u32::try_from(i).unwrap_or(u32::MAX);
                    self.strategy(&variants[i], depth)
                        .prop_map(move |v| Value::Union(index, Box::new(v)))
                        .boxed()
                });
                Union::new(branches).boxed()
            }
            Schema::Record(r) => self.record(r, depth),
            Schema::Enum(e) => {
                let symbols = e.symbols.clone();
                (0..symbols.len())
                    .prop_map(move |i| {
                        Value::Enum(u32::try_from(i).unwrap_or(u32::MAX), symbols[i].clone())
                    })
                    .boxed()
            }
            Schema::Fixed(f) => {
                let size = f.size;
                vec(any::<u8>(), size)
                    .prop_map(move |b| Value::Fixed(size, b))
                    .boxed()
            }
            Schema::Decimal(d) => {
                let digits = u32::try_from(d.precision.min(18)).unwrap_or(18);
                let mut max = 10i64.pow(digits) - 1;
                let fixed_size = match &d.inner {
                    InnerDecimalSchema::Fixed(f) => Some(f.size),
                    InnerDecimalSchema::Bytes => None,
                };
                if let Some(size) = fixed_size {
                    if size < 8 {
                        max = max.min((1i64 << (size * 8 - 1)) - 1);
                    }
                }
                prop_oneof![-1000i64..=1000, -max..=max]
                    .prop_map(move |unscaled| {
                        let minimal = minimal_be_bytes(unscaled);
                        match fixed_size {
                            Some(size) => {
                                Value::Decimal(Decimal::from(sign_extend(&minimal, size)))
                            }
                            None => Value::Decimal(Decimal::from(minimal)),
                        }
                    })
                    .boxed()
            }
            Schema::BigDecimal => (any::<i64>(), 0u32..10)
                .prop_map(|(unscaled, scale)| {
                    let text = if scale == 0 {
                        unscaled.to_string()
                    } else {
                        format!("{unscaled}e-{scale}")
                    };
                    Value::BigDecimal(
                        text.parse::<apache_avro::BigDecimal>()
                            .unwrap_or_else(|e| panic!("{text}: {e}")),
                    )
                })
                .boxed(),
            Schema::Uuid(_) => any::<[u8; 16]>()
                .prop_map(|b| Value::Uuid(apache_avro::Uuid::from_bytes(b)))
                .boxed(),
            // Days within chrono's range (±262 000 years), mostly recent ones.
            Schema::Date => prop_oneof![-25_000i32..=50_000, -(1 << 26)..=(1i32 << 26)]
                .prop_map(Value::Date)
                .boxed(),
            Schema::TimeMillis => (0i32..86_400_000).prop_map(Value::TimeMillis).boxed(),
            Schema::TimeMicros => (0i64..86_400_000_000).prop_map(Value::TimeMicros).boxed(),
            Schema::TimestampMillis if self.rfc3339 => (YEAR_1_MICROS / 1000
                ..YEAR_10000_MICROS / 1000)
                .prop_map(Value::TimestampMillis)
                .boxed(),
            Schema::TimestampMicros if self.rfc3339 => (YEAR_1_MICROS..YEAR_10000_MICROS)
                .prop_map(Value::TimestampMicros)
                .boxed(),
            Schema::TimestampMillis => millis().prop_map(Value::TimestampMillis).boxed(),
            Schema::TimestampMicros => micros().prop_map(Value::TimestampMicros).boxed(),
            Schema::TimestampNanos => any::<i64>().prop_map(Value::TimestampNanos).boxed(),
            Schema::LocalTimestampMillis => millis().prop_map(Value::LocalTimestampMillis).boxed(),
            Schema::LocalTimestampMicros => micros().prop_map(Value::LocalTimestampMicros).boxed(),
            Schema::LocalTimestampNanos => {
                any::<i64>().prop_map(Value::LocalTimestampNanos).boxed()
            }
            Schema::Duration(_) => any::<(u32, u32, u32)>()
                .prop_map(|(m, d, ms)| {
                    Value::Duration(Duration::new(Months::new(m), Days::new(d), Millis::new(ms)))
                })
                .boxed(),
            Schema::Ref { name } => {
                let target = self.lookup(name);
                self.strategy(target, depth + 1)
            }
        }
    }

    fn record(&self, r: &RecordSchema, depth: usize) -> BoxedStrategy<Value> {
        let names: Vec<String> = r.fields.iter().map(|f| f.name.clone()).collect();
        let fields: Vec<BoxedStrategy<Value>> = r
            .fields
            .iter()
            .map(|f| self.strategy(&f.schema, depth))
            .collect();
        fields
            .prop_map(move |values| Value::Record(names.iter().cloned().zip(values).collect()))
            .boxed()
    }
}

/// Short strings, mostly ASCII, sometimes any Unicode.
fn string() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-z0-9 _-]{0,10}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
    .boxed()
}

fn finite_f32() -> impl Strategy<Value = f32> {
    use proptest::num::f32::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
}

fn finite_f64() -> impl Strategy<Value = f64> {
    use proptest::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
}

/// Timestamps in microseconds: mostly 0001–9999, sometimes anywhere in
/// chrono's range (±2^62 µs is about ±146 000 years).
fn micros() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => YEAR_1_MICROS..YEAR_10000_MICROS,
        1 => -(1i64 << 62)..=(1i64 << 62),
    ]
    .boxed()
}

/// Timestamps in milliseconds, as [`micros`].
fn millis() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => (YEAR_1_MICROS / 1000)..(YEAR_10000_MICROS / 1000),
        1 => -(1i64 << 52)..=(1i64 << 52),
    ]
    .boxed()
}

/// Minimal big-endian two's complement (`[0]` for zero), as Avro writes a
/// `decimal` on `bytes`.
pub fn minimal_be_bytes(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (a, b) = (bytes[start], bytes[start + 1]);
        if (a == 0 && b & 0x80 == 0) || (a == 0xff && b & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// `minimal` sign-extended to `size` bytes.
pub fn sign_extend(minimal: &[u8], size: usize) -> Vec<u8> {
    let fill = if minimal.first().is_some_and(|b| b & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut out = vec![fill; size.saturating_sub(minimal.len())];
    out.extend_from_slice(minimal);
    out
}

/// A proptest failure saying what failed and why.
pub fn fail(what: &str, e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {e}"))
}

/// apache-avro's encoding of `value`.
pub fn apache_encode(schema: &Schema, value: &Value) -> Result<Vec<u8>, TestCaseError> {
    apache_avro::writer::datum::GenericDatumWriter::builder(schema)
        .build()
        .and_then(|w| w.write_value_to_vec(value.clone()))
        .map_err(|e| fail(&format!("apache-avro cannot encode {value:?}"), e))
}

/// apache-avro's decoding of `bytes`, which must all be consumed.
pub fn apache_decode(schema: &Schema, bytes: &[u8]) -> Result<Value, TestCaseError> {
    let mut rest = bytes;
    let value = apache_avro::reader::datum::GenericDatumReader::builder(schema)
        .build()
        .and_then(|r| r.read_value(&mut rest))
        .map_err(|e| fail(&format!("apache-avro cannot decode {bytes:?}"), e))?;
    prop_assert!(
        rest.is_empty(),
        "apache-avro left {} bytes unread",
        rest.len()
    );
    Ok(value)
}
