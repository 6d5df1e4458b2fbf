//! The compatibility engine against data: random schema evolutions of the
//! reference domain's events, checked with `compat::simulate` (apache-avro's
//! resolving reader as an independent oracle) and with the generated types
//! through `Resolver`.
//!
//! - Soundness: whenever `is_compatible(reader, writer)` holds, every random
//!   datum of the writer schema reads with the reader schema — both ways
//!   round (BACKWARD: the new version reads old data; FORWARD: the old
//!   version reads new data). Excused are failures the data decides and the
//!   engine cannot see: `bytes` that are not UTF-8 read as `string`, and a
//!   logical type read as its plain underlying type or back, which
//!   apache-avro does not do (see `explained`).
//! - Breaking changes the engine must catch: a reader field without default
//!   that the writer lacks fails `is_compatible` (with
//!   `READER_FIELD_MISSING_DEFAULT_VALUE`) and every datum.
//! - BACKWARD with the real types: data of an older, compatible version of
//!   an event decodes into the current generated type through `Resolver`.
//!
//! Run longer with `PROPTEST_CASES=10000`.

#![allow(clippy::unwrap_used)]

#[path = "support/avro_values.rs"]
mod avro_values;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use schemabus::codec::resolve::Resolver;
use schemabus::compat::{check_pair, is_compatible, simulate, Rule, Schema};
use schemabus::events::EVENT_TYPES;
use schemabus::{AvroCodec, AvroSchema};
use serde_json::{json, Value};

/// 64 cases, or `PROPTEST_CASES` for a longer soak.
fn config() -> Config {
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        Config::default().cases
    } else {
        64
    };
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Values per simulation.
const VALUES: usize = 64;

const NUMERIC: [&str; 4] = ["int", "long", "float", "double"];
const TEXT: [&str; 2] = ["string", "bytes"];
const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "string", "bytes",
];

/// How many types [`added_type`] has.
const ADDED_TYPES: usize = 11;

/// The `i`-th type of added fields (modulo [`ADDED_TYPES`]), with a
/// default; `k` makes names unique.
fn added_type(i: usize, k: usize) -> (Value, Value) {
    let types = [
        (json!("int"), json!(0)),
        (json!("long"), json!(7)),
        (json!("double"), json!(0.5)),
        (json!("string"), json!("x")),
        (json!("boolean"), json!(false)),
        (json!(["null", "string"]), json!(null)),
        (json!({"type": "array", "items": "int"}), json!([])),
        (json!({"type": "map", "values": "string"}), json!({})),
        (
            json!({"type": "string", "logicalType": "uuid"}),
            json!("00000000-0000-4000-8000-000000000000"),
        ),
        (
            json!({"type": "long", "logicalType": "timestamp-millis"}),
            json!(0),
        ),
        (
            json!({"type": "enum", "name": format!("sim.Added{k}"), "symbols": ["A", "B"]}),
            json!("A"),
        ),
    ];
    types[i % types.len()].clone()
}

// ---------------------------------------------------------------------------
// Finding places in a schema

/// JSON pointers of every definition of `kind` (`record`, `enum`) in
/// `schema`, in document order (the root first).
fn definitions(schema: &Value, kind: &str) -> Vec<String> {
    fn walk(v: &Value, kind: &str, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if o.get("type").and_then(Value::as_str) == Some(kind) {
                    out.push(at.to_owned());
                }
                for (k, child) in o {
                    walk(child, kind, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, kind, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(schema, kind, "", &mut out);
    out
}

/// Pointers of the type expressions under the type expression `t` at `at`,
/// `t` included: union branches, array items, map values and the field
/// types of records defined inline.
fn type_slots(t: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match t {
        Value::Array(branches) => {
            for (i, b) in branches.iter().enumerate() {
                type_slots(b, &format!("{at}/{i}"), out);
            }
        }
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("array") => type_slots(&o["items"], &format!("{at}/items"), out),
            Some("map") => type_slots(&o["values"], &format!("{at}/values"), out),
            Some("record") => {
                for (i, f) in o["fields"].as_array().unwrap().iter().enumerate() {
                    type_slots(&f["type"], &format!("{at}/fields/{i}/type"), out);
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// Every type expression in `schema` (a record), as pointers.
fn all_slots(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    type_slots(schema, "", &mut out);
    out
}

/// The record `record` picks: the event itself or a record nested in it
/// (`JsonValue`, …), as a pointer.
fn pick_record(schema: &Value, record: &Index) -> String {
    let records = definitions(schema, "record");
    records[record.index(records.len())].clone()
}

fn fields_at<'a>(schema: &'a mut Value, record: &str) -> &'a mut Vec<Value> {
    schema.pointer_mut(record).unwrap()["fields"]
        .as_array_mut()
        .unwrap()
}

/// Whether both apache-avro and the engine accept `schema`.
fn valid(schema: &Value) -> bool {
    let text = schema.to_string();
    apache_avro::Schema::parse_str(&text).is_ok() && Schema::parse_str(&text).is_ok()
}

/// Gives the enum `e` its first symbol as default, or no default.
fn set_enum_default(e: &mut Value, default: bool) {
    let obj = e.as_object_mut().unwrap();
    if default {
        let first = obj["symbols"][0].clone();
        obj.insert("default".into(), first);
    } else {
        obj.remove("default");
    }
}

// ---------------------------------------------------------------------------
// Random evolutions, checked both ways round

/// One schema change, from the old version to the new. Field changes apply
/// to a record picked separately: the event or one nested in it.
#[derive(Clone, Debug)]
enum Mutation {
    AddField {
        ty: Index,
        default: bool,
    },
    RemoveField {
        field: Index,
    },
    /// int ↔ long ↔ float ↔ double, string ↔ bytes anywhere in the record
    /// (field types, union branches, array items, map values): a
    /// promotion one way, a demotion the other.
    ChangeType {
        slot: Index,
        to: Index,
    },
    AddSymbol {
        enumeration: Index,
        default: bool,
    },
    RemoveSymbol {
        enumeration: Index,
        symbol: Index,
        default: bool,
    },
    WrapNullable {
        field: Index,
    },
    RenameField {
        field: Index,
        alias: bool,
    },
    AddBranch {
        union: Index,
        ty: Index,
    },
    RemoveBranch {
        union: Index,
        branch: Index,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<Index>;
    let b = any::<bool>;
    prop_oneof![
        (i(), b()).prop_map(|(ty, default)| Mutation::AddField { ty, default }),
        i().prop_map(|field| Mutation::RemoveField { field }),
        (i(), i()).prop_map(|(slot, to)| Mutation::ChangeType { slot, to }),
        (i(), b()).prop_map(|(enumeration, default)| Mutation::AddSymbol {
            enumeration,
            default
        }),
        (i(), i(), b()).prop_map(|(enumeration, symbol, default)| {
            Mutation::RemoveSymbol {
                enumeration,
                symbol,
                default,
            }
        }),
        i().prop_map(|field| Mutation::WrapNullable { field }),
        (i(), b()).prop_map(|(field, alias)| Mutation::RenameField { field, alias }),
        (i(), i()).prop_map(|(union, ty)| Mutation::AddBranch { union, ty }),
        (i(), i()).prop_map(|(union, branch)| Mutation::RemoveBranch { union, branch }),
    ]
}

/// What the mutations did beyond what the engine judges.
#[derive(Debug, Default)]
struct Hazards {
    /// A union lost a logical-type branch (`uuid`, `timestamp-micros`), so
    /// its underlying type may now be read as, or written for, the logical
    /// type: compatible (resolution ignores logical types), but apache-avro
    /// reads neither a `Uuid` as a plain `string` nor a string that is no
    /// UUID as a `uuid`.
    logical_dropped: bool,
}

/// Applies `m` (the `k`-th mutation) to `schema`; false when it does not
/// apply or would make the schema invalid, leaving `schema` as it was.
fn apply(
    schema: &mut Value,
    record: &Index,
    m: &Mutation,
    k: usize,
    hazards: &mut Hazards,
) -> bool {
    let before = schema.clone();
    let applied = try_apply(schema, &pick_record(schema, record), m, k, hazards).is_some();
    if applied && valid(schema) {
        true
    } else {
        *schema = before;
        false
    }
}

fn try_apply(
    schema: &mut Value,
    record: &str,
    m: &Mutation,
    k: usize,
    hazards: &mut Hazards,
) -> Option<()> {
    let pick = |items: usize, i: &Index| (items > 0).then(|| i.index(items));
    match m {
        Mutation::AddField { ty, default } => {
            let (ty, value) = added_type(ty.index(ADDED_TYPES), k);
            let mut field = json!({"name": format!("sim_added_{k}"), "type": ty});
            if *default {
                field["default"] = value;
            }
            fields_at(schema, record).push(field);
        }
        Mutation::RemoveField { field } => {
            let fields = fields_at(schema, record);
            let i = pick(fields.len(), field)?;
            fields.remove(i);
        }
        Mutation::ChangeType { slot, to } => {
            let slots: Vec<String> = all_slots(schema.pointer(record)?)
                .into_iter()
                .filter(|s| {
                    let t = schema
                        .pointer(&format!("{record}{s}"))
                        .and_then(Value::as_str);
                    t.is_some_and(|t| NUMERIC.contains(&t) || TEXT.contains(&t))
                })
                .collect();
            let at = format!("{record}{}", slots[pick(slots.len(), slot)?]);
            let t = schema.pointer_mut(&at)?;
            let current = t.as_str()?.to_owned();
            let group: &[&str] = if NUMERIC.contains(&current.as_str()) {
                &NUMERIC
            } else {
                &TEXT
            };
            let others: Vec<&str> = group.iter().copied().filter(|t| *t != current).collect();
            *t = json!(others[to.index(others.len())]);
        }
        Mutation::AddSymbol {
            enumeration,
            default,
        } => {
            let found = definitions(schema, "enum");
            let e = schema.pointer_mut(&found[pick(found.len(), enumeration)?])?;
            e["symbols"].as_array_mut()?.push(json!(format!("SIM_{k}")));
            set_enum_default(e, *default);
        }
        Mutation::RemoveSymbol {
            enumeration,
            symbol,
            default,
        } => {
            let found = definitions(schema, "enum");
            let e = schema.pointer_mut(&found[pick(found.len(), enumeration)?])?;
            let symbols = e["symbols"].as_array_mut()?;
            if symbols.len() < 2 {
                return None;
            }
            symbols.remove(symbol.index(symbols.len()));
            set_enum_default(e, *default);
        }
        Mutation::WrapNullable { field } => {
            let fields = fields_at(schema, record);
            let i = pick(fields.len(), field)?;
            let f = &mut fields[i];
            if f["type"].is_array() {
                return None;
            }
            let ty = f["type"].take();
            // The default, if any, must match the first branch.
            f["type"] = match f.get("default") {
                Some(d) if !d.is_null() => json!([ty, "null"]),
                _ => json!(["null", ty]),
            };
        }
        Mutation::RenameField { field, alias } => {
            let fields = fields_at(schema, record);
            let i = pick(fields.len(), field)?;
            let f = &mut fields[i];
            let old = f["name"].as_str()?.to_owned();
            f["name"] = json!(format!("{old}_v{k}"));
            if *alias {
                match f.get_mut("aliases").and_then(Value::as_array_mut) {
                    Some(aliases) => aliases.push(json!(old)),
                    None => f["aliases"] = json!([old]),
                }
            }
        }
        Mutation::AddBranch { union, ty } => {
            let unions = unions_in(schema, record);
            let branches = schema
                .pointer_mut(&unions[pick(unions.len(), union)?])?
                .as_array_mut()?;
            let missing: Vec<&str> = PRIMITIVES
                .iter()
                .copied()
                .filter(|p| !branches.contains(&json!(p)))
                .collect();
            branches.push(json!(missing[pick(missing.len(), ty)?]));
        }
        Mutation::RemoveBranch { union, branch } => {
            let unions = unions_in(schema, record);
            let branches = schema
                .pointer_mut(&unions[pick(unions.len(), union)?])?
                .as_array_mut()?;
            if branches.len() < 2 {
                return None;
            }
            let removed = branches.remove(branch.index(branches.len()));
            hazards.logical_dropped |= removed.get("logicalType").is_some();
        }
    }
    Some(())
}

/// Pointers of the unions in the record at `record`.
fn unions_in(schema: &Value, record: &str) -> Vec<String> {
    let Some(r) = schema.pointer(record) else {
        return Vec::new();
    };
    all_slots(r)
        .into_iter()
        .map(|s| format!("{record}{s}"))
        .filter(|s| schema.pointer(s).is_some_and(Value::is_array))
        .collect()
}

/// The top-level reader field without default that `writer` does not have
/// (by the reader field's name or aliases), if any: no datum of `writer`
/// can then be read.
fn reader_field_missing(reader: &Value, writer: &Value) -> Option<String> {
    let written: Vec<&str> = writer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    reader["fields"].as_array().unwrap().iter().find_map(|f| {
        let aliases = f.get("aliases").and_then(Value::as_array);
        let names = std::iter::once(&f["name"]).chain(aliases.into_iter().flatten());
        let present = names
            .filter_map(Value::as_str)
            .any(|n| written.contains(&n));
        (f.get("default").is_none() && !present).then(|| f["name"].to_string())
    })
}

/// apache-avro's names of the values of logical types.
const LOGICAL_VALUES: [&str; 13] = [
    "Uuid(",
    "Date(",
    "TimeMillis(",
    "TimeMicros(",
    "TimestampMillis(",
    "TimestampMicros(",
    "TimestampNanos(",
    "LocalTimestampMillis(",
    "LocalTimestampMicros(",
    "LocalTimestampNanos(",
    "Decimal(",
    "BigDecimal(",
    "Duration(",
];

/// Whether the data, not the schemas, explains a failure's `error`:
/// - `bytes` that are not UTF-8 read as a `string`, a promotion the
///   specification allows (the reference domain has no `bytes`: only
///   mutations add them);
/// - see [`Hazards::logical_dropped`].
fn explained(error: &str, writer_has_bytes: bool, hazards: &Hazards) -> bool {
    let no_branch = error.contains("Could not find matching type");
    let utf8 = writer_has_bytes
        && (error.contains("Invalid utf-8") || (no_branch && error.contains("Bytes(")));
    let logical = hazards.logical_dropped
        && (error.contains("to UUID")
            || no_branch
            || LOGICAL_VALUES.iter().any(|v| error.contains(v)));
    utf8 || logical
}

/// Checks data of `writer` read with `reader`.
fn check_direction(
    reader: &Value,
    writer: &Value,
    hazards: &Hazards,
    seed: u64,
) -> Result<(), TestCaseError> {
    let (reader_json, writer_json) = (reader.to_string(), writer.to_string());
    let reader_model = Schema::parse_str(&reader_json).unwrap();
    let writer_model = Schema::parse_str(&writer_json).unwrap();
    let compatible = is_compatible(&reader_model, &writer_model);
    let sim = simulate(&writer_json, &reader_json, VALUES, seed)
        .map_err(|e| TestCaseError::fail(format!("simulation did not run: {e}")))?;
    if compatible {
        // Unexplained failures among the samples, or any failure when
        // nothing could explain one.
        let writer_has_bytes = writer_json.contains(r#""bytes""#);
        let unexplained = sim
            .failures
            .iter()
            .any(|f| !explained(&f.error, writer_has_bytes, hazards));
        let explainable = writer_has_bytes || hazards.logical_dropped;
        prop_assert!(
            !unexplained && (sim.passed() || explainable),
            "compatible, yet {} of {} values failed: {:#?}\nreader: {}\nwriter: {}",
            sim.failed,
            sim.values,
            sim.failures,
            reader_json,
            writer_json
        );
    }
    if let Some(field) = reader_field_missing(reader, writer) {
        let found = check_pair(&reader_model, &writer_model);
        prop_assert!(
            found
                .iter()
                .any(|i| i.rule == Rule::ReaderFieldMissingDefaultValue),
            "reader field {field} is missing from the writer: {found:#?}"
        );
        prop_assert_eq!(
            sim.failed,
            sim.values,
            "reader field {} is missing from the writer: {:#?}",
            field,
            sim.failures
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Random evolutions of every event type, both ways round: what the
    /// engine calls compatible never fails on data, and a reader field
    /// without default missing from the writer is caught.
    #[test]
    fn engine_verdicts_hold_on_data(
        event in any::<Index>(),
        mutations in proptest::collection::vec((any::<Index>(), mutation()), 1..=3),
        seed in any::<u64>(),
    ) {
        let info = &EVENT_TYPES[event.index(EVENT_TYPES.len())];
        let old: Value = serde_json::from_str(info.schema_json).unwrap();
        let mut new = old.clone();
        let mut hazards = Hazards::default();
        for (k, (record, m)) in mutations.iter().enumerate() {
            apply(&mut new, record, m, k, &mut hazards);
        }
        // BACKWARD (the new version reads old data), then FORWARD.
        check_direction(&new, &old, &hazards, seed)?;
        check_direction(&old, &new, &hazards, seed)?;
    }
}

// ---------------------------------------------------------------------------
// Older versions into the generated types

/// How an older version of an event differed from the current one, each
/// compatible by construction (the current schema reads the older data).
#[derive(Clone, Debug)]
enum Older {
    /// Without a field that now has a default.
    WithoutDefaulted { field: Index },
    /// With a field since removed.
    ExtraField { ty: Index },
    /// Fewer enum symbols.
    FewerSymbols { enumeration: Index, symbol: Index },
    /// A narrower number (`int` where now `long`, …), anywhere.
    Narrower { slot: Index, to: Index },
    /// Not nullable where now `["null", T]`.
    NotNullable { field: Index },
    /// Fewer union branches, anywhere.
    FewerBranches { union: Index, branch: Index },
}

fn older() -> impl Strategy<Value = Older> {
    let i = any::<Index>;
    prop_oneof![
        i().prop_map(|field| Older::WithoutDefaulted { field }),
        i().prop_map(|ty| Older::ExtraField { ty }),
        (i(), i()).prop_map(|(enumeration, symbol)| Older::FewerSymbols {
            enumeration,
            symbol
        }),
        (i(), i()).prop_map(|(slot, to)| Older::Narrower { slot, to }),
        i().prop_map(|field| Older::NotNullable { field }),
        (i(), i()).prop_map(|(union, branch)| Older::FewerBranches { union, branch }),
    ]
}

fn try_older(schema: &mut Value, change: &Older) -> Option<()> {
    let pick = |items: usize, i: &Index| (items > 0).then(|| i.index(items));
    match change {
        Older::WithoutDefaulted { field } => {
            let fields = fields_at(schema, "");
            let defaulted: Vec<usize> = (0..fields.len())
                .filter(|&i| fields[i].get("default").is_some())
                .collect();
            fields.remove(defaulted[pick(defaulted.len(), field)?]);
        }
        Older::ExtraField { .. } => return None,
        Older::FewerSymbols {
            enumeration,
            symbol,
        } => {
            let found = definitions(schema, "enum");
            let e = schema.pointer_mut(&found[pick(found.len(), enumeration)?])?;
            let symbols = e["symbols"].as_array_mut()?;
            if symbols.len() < 2 {
                return None;
            }
            let removed = symbols.remove(symbol.index(symbols.len()));
            if e.get("default") == Some(&removed) {
                set_enum_default(e, true);
            }
        }
        Older::Narrower { slot, to } => {
            let wide: Vec<String> = all_slots(schema)
                .into_iter()
                .filter(|s| {
                    let t = schema.pointer(s).and_then(Value::as_str);
                    t.is_some_and(|t| ["long", "float", "double"].contains(&t))
                })
                .collect();
            let t = schema.pointer_mut(&wide[pick(wide.len(), slot)?])?;
            let narrower: &[&str] = match t.as_str()? {
                "long" => &["int"],
                "float" => &["int", "long"],
                _ => &["int", "long", "float"],
            };
            *t = json!(narrower[to.index(narrower.len())]);
        }
        Older::NotNullable { field } => {
            let fields = fields_at(schema, "");
            let nullable: Vec<usize> = (0..fields.len())
                .filter(|&i| {
                    let t = &fields[i]["type"];
                    t.as_array()
                        .is_some_and(|b| b.len() == 2 && b.contains(&json!("null")))
                })
                .collect();
            let f = &mut fields[nullable[pick(nullable.len(), field)?]];
            let other = f["type"]
                .as_array()?
                .iter()
                .find(|b| **b != json!("null"))?
                .clone();
            f["type"] = other;
            f.as_object_mut()?.remove("default");
        }
        Older::FewerBranches { union, branch } => {
            let unions = unions_in(schema, "");
            let branches = schema
                .pointer_mut(&unions[pick(unions.len(), union)?])?
                .as_array_mut()?;
            if branches.len() < 2 {
                return None;
            }
            branches.remove(branch.index(branches.len()));
        }
    }
    Some(())
}

/// The older version of `current` per `change`, and how it differs; an
/// extra field when `change` does not apply to this event.
fn older_version(current: &Value, change: &Older, seed: u64) -> (Value, String) {
    let mut schema = current.clone();
    if try_older(&mut schema, change).is_some() && valid(&schema) {
        return (schema, format!("{change:?}"));
    }
    let mut schema = current.clone();
    let ty = match change {
        Older::ExtraField { ty } => ty.index(ADDED_TYPES),
        _ => (seed % ADDED_TYPES as u64) as usize,
    };
    let (ty, _) = added_type(ty, 0);
    fields_at(&mut schema, "").insert(1, json!({"name": "sim_removed_later", "type": ty}));
    assert!(valid(&schema), "{schema}");
    (schema, "extra field".into())
}

/// Data of the `change`d older version decodes into `T`.
fn older_decodes<T: AvroCodec + AvroSchema>(
    change: &Older,
    seed: u64,
) -> Result<(), TestCaseError> {
    let current: Value = serde_json::from_str(T::SCHEMA_JSON).unwrap();
    let (older, how) = older_version(&current, change, seed);
    let older_json = older.to_string();
    let found = check_pair(
        &Schema::parse_str(T::SCHEMA_JSON).unwrap(),
        &Schema::parse_str(&older_json).unwrap(),
    );
    prop_assert!(found.is_empty(), "{how}: {found:#?}\nolder: {older_json}");
    let sim = simulate(&older_json, T::SCHEMA_JSON, VALUES, seed).unwrap();
    prop_assert!(sim.passed(), "{how}: {sim:#?}\nolder: {older_json}");

    // Datums the generated types can represent (timestamps within chrono's
    // range, …), from the shared generator.
    let schema = apache_avro::Schema::parse_str(&older_json).unwrap();
    let strategy = avro_values::value_strategy(&schema);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let resolver = Resolver::new();
    for _ in 0..16 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        let bytes = avro_values::apache_encode(&schema, &value)?;
        if let Err(e) = resolver.decode::<T>(&older_json, &bytes) {
            return Err(TestCaseError::fail(format!(
                "{how}: {value:?} did not decode into {}: {e}\nolder: {older_json}",
                T::FULL_NAME
            )));
        }
    }
    Ok(())
}

/// Calls [`older_decodes`] for the listed event type `index` picks.
macro_rules! older_decodes_for {
    ($index:expr, $change:expr, $seed:expr; $($ty:ty),+ $(,)?) => {{
        let checks: &[fn(&Older, u64) -> Result<(), TestCaseError>] =
            &[$(older_decodes::<$ty>),+];
        checks[$index.index(checks.len())]($change, $seed)
    }};
}

proptest! {
    #![proptest_config(config())]

    /// BACKWARD with the real types: data written with an older compatible
    /// version decodes into the current generated type.
    #[test]
    fn older_versions_decode_into_generated_types(
        event in any::<Index>(),
        change in older(),
        seed in any::<u64>(),
    ) {
        use schemabus::events::{debate, evolution, implementation, performance, testing};
        older_decodes_for!(event, &change, seed;
            debate::DebateInitiated,
            debate::RoundCompleted,
            debate::DebateRequested,
            debate::DebateCompleted,
            debate::DecisionMade,
            debate::DebateMetricsCalculated,
            evolution::EvolutionTriggered,
            evolution::ArchitectureAssessed,
            implementation::TaskCreated,
            performance::BenchmarkCompleted,
            performance::LoadTestCompleted,
            performance::MetricCollected,
            performance::PerformanceThresholdExceeded,
            testing::TestFailed,
            testing::TestSuiteCompleted,
        )?;
    }
}
