//! Evolution simulation: random data written with one schema version, read
//! with another — the compatibility engine's verdicts checked against
//! apache-avro's resolving reader. See [`simulate`].

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::{
    InnerDecimalSchema, Name, NamesRef, NamespaceRef, RecordSchema, ResolvedSchema, Schema,
    UnionSchema,
};
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::{Days, Decimal, Duration, Millis, Months};

use crate::codec::aliases::rename_aliased_fields;

/// How many [`SimulationFailure`]s a [`Simulation`] keeps; it counts all.
pub const MAX_FAILURE_SAMPLES: usize = 10;

/// Records nested deeper than this get no more optional content: arrays and
/// maps are empty and unions take a branch that ends the recursion soonest.
const MAX_DEPTH: usize = 4;

/// Longest rendering of a value in a [`SimulationFailure`], in characters.
const MAX_RENDERED: usize = 200;

/// The outcome of [`simulate`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simulation {
    /// How many values were written and read.
    pub values: usize,
    /// How many of them failed to decode with the reader schema.
    pub failed: usize,
    /// The first failures, at most [`MAX_FAILURE_SAMPLES`].
    pub failures: Vec<SimulationFailure>,
}

impl Simulation {
    /// Whether every value decoded with the reader schema.
    pub fn passed(&self) -> bool {
        self.failed == 0
    }
}

/// A value written with the writer schema that the reader schema could not
/// read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationFailure {
    /// Which value it was (0-based), in generation order.
    pub index: usize,
    /// The written value, rendered JSON-like and truncated: bytes, fixed and
    /// decimals as hex strings, unions as their branch's value.
    pub value: String,
    /// Why it could not be read.
    pub error: String,
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// apache-avro cannot parse the writer schema.
    #[error("invalid writer schema: {0}")]
    WriterSchema(#[source] Box<apache_avro::Error>),
    /// apache-avro cannot parse the reader schema.
    #[error("invalid reader schema: {0}")]
    ReaderSchema(#[source] Box<apache_avro::Error>),
    /// The writer schema has no finite values: a record that always
    /// contains itself.
    #[error("the writer schema has no finite values (`{0}` always contains itself)")]
    Infinite(String),
    /// A named type the writer schema references but does not define.
    #[error("the writer schema references the undefined type `{0}`")]
    UndefinedName(String),
    /// A generated value does not encode with the writer schema: a bug of
    /// the generator or of apache-avro, not of the schemas.
    #[error("generated value {value} does not encode with the writer schema: {source}")]
    Encode {
        /// The value, rendered as in [`SimulationFailure::value`].
        value: String,
        /// apache-avro's error.
        #[source]
        source: Box<apache_avro::Error>,
    },
}

/// Writes `values` random values valid for `writer_schema` and reads each
/// with `reader_schema` (both Avro schema JSON texts): the compatibility
/// engine's verdict checked with data.
///
/// [`check_pair`](super::check_pair) and [`is_compatible`](super::is_compatible)
/// decide from the schemas alone. This encodes each random value with the
/// writer schema, decodes it with apache-avro's resolving reader (writer and
/// reader schema) — an independent implementation of Avro's schema
/// resolution — and re-encodes the resolved value with the reader schema, as
/// [`Resolver`](crate::codec::resolve::Resolver) does before the generated
/// decoder reads it. Every value that fails a step is counted, and the first
/// [`MAX_FAILURE_SAMPLES`] are kept as [`SimulationFailure`]s.
///
/// A compatible pair must never fail. An incompatible pair fails only for
/// the data that hits the incompatibility (a removed enum symbol, a `long`
/// too large for an `int`), so a clean run does not prove compatibility.
///
/// Values come from a PRNG seeded by `seed`: the same arguments give the
/// same [`Simulation`]. They cover every type and logical type (valid
/// version-4 UUIDs, dates and times within chrono's range, decimals within
/// their precision), pick random union branches, enum symbols and array and
/// map lengths (0 to 3), use short strings (mostly ASCII) and stop recursing
/// past a fixed depth of nested records by taking the union branches and
/// empty arrays and maps that end soonest.
///
/// # Where apache-avro differs from the specification
///
/// apache-avro 0.22 resolves by *value*, not by schema pair. The simulation
/// works around two of its limitations that would otherwise be reported as
/// failures of compatible pairs:
///
/// - It ignores field aliases. Before decoding, each writer field that a
///   reader field lists among its aliases is renamed to the reader field's
///   name (names are not part of the binary encoding): the resolution the
///   specification describes.
/// - It rejects a `decimal` on `bytes` whose length cannot hold the declared
///   precision (a precision-10 value in one byte), although the
///   specification allows any two's-complement length. Such decimals are
///   written sign-extended to the shortest length that holds `precision`
///   digits.
///
/// It is more lenient than the specification elsewhere: it demotes (`long`
/// → `int` when the value fits, `double` → `float`), ignores the names of
/// named types and reads a `string` into a `fixed` of any size, so pairs
/// the engine rejects for those reasons may pass. And it fails to read a
/// logical type as its plain underlying type (`uuid` as `string`,
/// `timestamp-millis` as `long`), which the engine accepts. `bytes` read as
/// `string` fails for bytes that are not UTF-8.
///
/// # Errors
///
/// [`SimulateError`] when a schema does not parse or the writer schema has
/// no finite values. Data that does not resolve is not an error but a
/// [`SimulationFailure`].
///
/// # Examples
///
/// ```
/// use schemabus_runtime::compat::simulate;
///
/// let v1 = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
/// let v2 = r#"{"type":"record","name":"R","fields":[
///     {"name":"a","type":"long"},
///     {"name":"b","type":"string","default":""}]}"#;
///
/// // BACKWARD: every datum written with v1 reads with v2.
/// let backward = simulate(v1, v2, 200, 7)?;
/// assert_eq!(backward.values, 200);
/// assert!(backward.passed());
///
/// // FORWARD: v1 cannot read the `long`s of v2 that do not fit an `int`.
/// let forward = simulate(v2, v1, 200, 7)?;
/// assert!(forward.failed > 0);
/// assert!(forward.failures[0].error.contains("int"));
/// # Ok::<(), schemabus_runtime::compat::SimulateError>(())
/// ```
pub fn simulate(
    writer_schema: &str,
    reader_schema: &str,
    values: usize,
    seed: u64,
) -> Result<Simulation, SimulateError> {
    let writer =
        Schema::parse_str(writer_schema).map_err(|e| SimulateError::WriterSchema(e.into()))?;
    let reader =
        Schema::parse_str(reader_schema).map_err(|e| SimulateError::ReaderSchema(e.into()))?;
    let writer_names =
        ResolvedSchema::try_from(&writer).map_err(|e| SimulateError::WriterSchema(e.into()))?;
    // Named references of the reader must resolve before it is used.
    ResolvedSchema::try_from(&reader).map_err(|e| SimulateError::ReaderSchema(e.into()))?;

    // apache-avro ignores field aliases: rename the writer's fields instead.
    let decode_writer = rename_aliased_fields(&writer, &reader)
        .map_err(|e| SimulateError::WriterSchema(e.into()))?;

    let encoder = GenericDatumWriter::builder(&writer)
        .build()
        .map_err(|e| SimulateError::WriterSchema(e.into()))?;
    let decoder = GenericDatumReader::builder(&decode_writer)
        .reader_schema(&reader)
        .build()
        .map_err(|e| SimulateError::ReaderSchema(e.into()))?;
    let reencoder = GenericDatumWriter::builder(&reader)
        .build()
        .map_err(|e| SimulateError::ReaderSchema(e.into()))?;

    let mut generator = Generator {
        names: writer_names.get_names(),
        rng: Rng::new(seed),
    };
    generator.check_finite(&writer)?;

    let mut simulation = Simulation {
        values,
        ..Simulation::default()
    };
    for index in 0..values {
        let value = generator.value(&writer, None, 0)?;
        let bytes =
            encoder
                .write_value_to_vec(value.clone())
                .map_err(|e| SimulateError::Encode {
                    value: render(&value),
                    source: e.into(),
                })?;
        let mut rest = &bytes[..];
        let outcome = match decoder.read_value(&mut rest) {
            Err(e) => Err(e.to_string()),
            Ok(_) if !rest.is_empty() => Err(format!(
                "{} of {} bytes left after the datum",
                rest.len(),
                bytes.len()
            )),
            Ok(resolved) => reencoder
                .write_value_to_vec(resolved)
                .map(drop)
                .map_err(|e| {
                    format!("the resolved value does not encode with the reader schema: {e}")
                }),
        };
        if let Err(error) = outcome {
            simulation.failed += 1;
            if simulation.failures.len() < MAX_FAILURE_SAMPLES {
                simulation.failures.push(SimulationFailure {
                    index,
                    value: render(&value),
                    error,
                });
            }
        }
    }
    Ok(simulation)
}

// ---------------------------------------------------------------------------
// Pseudo-random numbers

/// SplitMix64: small, fast, and good enough to pick test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        // Lemire's multiply-shift; the bias is negligible for test data.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `0..n` as an index.
    fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.wrapping_sub(lo) as u64;
        if span == u64::MAX {
            return self.next_u64() as i64;
        }
        lo.wrapping_add(self.below(span + 1) as i64)
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

// ---------------------------------------------------------------------------
// Value generation

struct Generator<'s> {
    names: &'s NamesRef<'s>,
    rng: Rng,
}

/// Microseconds from 0001-01-01 to 1970 and from 1970 to 10000-01-01.
const YEAR_1_MICROS: i64 = -62_135_596_800_000_000;
const YEAR_10000_MICROS: i64 = 253_402_300_800_000_000;

/// Characters mixed into strings now and then.
const NON_ASCII: [char; 8] = ['é', 'ß', 'Ω', 'ж', '中', '—', '😀', '\u{0}'];

impl<'s> Generator<'s> {
    fn lookup(&self, name: &Name, ns: NamespaceRef<'_>) -> Result<&'s Schema, SimulateError> {
        let full = name.fully_qualified_name(ns);
        self.names
            .get(full.as_ref())
            .copied()
            .ok_or_else(|| SimulateError::UndefinedName(full.fullname(None)))
    }

    /// Fails when `schema` has no finite values.
    fn check_finite(&self, schema: &Schema) -> Result<(), SimulateError> {
        match self.min_depth(schema, None, &mut HashSet::new()) {
            Some(_) => Ok(()),
            None => Err(SimulateError::Infinite(
                first_name(schema).unwrap_or_else(|| "?".into()),
            )),
        }
    }

    /// The fewest record levels a value of `schema` needs (`None`: only
    /// infinitely deep values, through the records in `visiting`). A
    /// shortest value never nests a record in itself, so cutting cycles
    /// loses nothing.
    fn min_depth(
        &self,
        schema: &Schema,
        ns: NamespaceRef<'_>,
        visiting: &mut HashSet<Name>,
    ) -> Option<usize> {
        match schema {
            Schema::Ref { name } => {
                let target = self.lookup(name, ns).ok()?;
                let full = name.fully_qualified_name(ns);
                self.min_depth(target, full.namespace(), visiting)
            }
            Schema::Record(r) => {
                let full = r.name.fully_qualified_name(ns).into_owned();
                if !visiting.insert(full.clone()) {
                    return None;
                }
                let mut deepest = Some(0);
                for f in &r.fields {
                    deepest = match (
                        deepest,
                        self.min_depth(&f.schema, full.namespace(), visiting),
                    ) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                visiting.remove(&full);
                deepest.map(|d| d + 1)
            }
            Schema::Union(u) => u
                .variants()
                .iter()
                .filter_map(|v| self.min_depth(v, ns, visiting))
                .min(),
            // Empty arrays and maps, and every other type, end at once.
            _ => Some(0),
        }
    }

    fn value(
        &mut self,
        schema: &Schema,
        ns: NamespaceRef<'_>,
        depth: usize,
    ) -> Result<Value, SimulateError> {
        let deep = depth > MAX_DEPTH;
        Ok(match schema {
            Schema::Null => Value::Null,
            Schema::Boolean => Value::Boolean(self.rng.chance(1, 2)),
            Schema::Int => Value::Int(self.int()),
            Schema::Long => Value::Long(self.long()),
            Schema::Float => Value::Float(self.float()),
            Schema::Double => Value::Double(self.double()),
            Schema::Bytes => {
                let len = self.rng.index(9);
                Value::Bytes(self.rng.bytes(len))
            }
            Schema::String => Value::String(self.string()),
            Schema::Array(a) => {
                let len = if deep { 0 } else { self.rng.index(4) };
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.value(&a.items, ns, depth)?);
                }
                Value::Array(items)
            }
            Schema::Map(m) => {
                let len = if deep { 0 } else { self.rng.index(4) };
                let mut entries = HashMap::with_capacity(len);
                for _ in 0..len {
                    let key = self.string();
                    let value = self.value(&m.types, ns, depth)?;
                    entries.insert(key, value);
                }
                Value::Map(entries)
            }
            Schema::Union(u) => self.union(u, ns, depth)?,
            Schema::Record(r) => self.record(r, ns, depth)?,
            Schema::Enum(e) => {
                let i = self.rng.index(e.symbols.len());
                match e.symbols.get(i) {
                    Some(symbol) => Value::Enum(u32::try_from(i).unwrap_or(0), symbol.clone()),
                    None => Value::Enum(0, String::new()),
                }
            }
            Schema::Fixed(f) => Value::Fixed(f.size, self.rng.bytes(f.size)),
            Schema::Decimal(d) => {
                let fixed = match &d.inner {
                    InnerDecimalSchema::Fixed(f) => Some(f.size),
                    InnerDecimalSchema::Bytes => None,
                };
                Value::Decimal(Decimal::from(self.decimal(d.precision, fixed)))
            }
            Schema::BigDecimal => {
                let unscaled = self.long();
                let scale = self.rng.index(10);
                let text = if scale == 0 {
                    unscaled.to_string()
                } else {
                    format!("{unscaled}e-{scale}")
                };
                match text.parse::<apache_avro::BigDecimal>() {
                    Ok(v) => Value::BigDecimal(v),
                    Err(_) => Value::BigDecimal(apache_avro::BigDecimal::from(unscaled)),
                }
            }
            Schema::Uuid(_) => Value::Uuid(self.uuid()),
            Schema::Date => Value::Date(if self.rng.chance(3, 4) {
                // 1901 to 2106, mostly.
                self.rng.range(-25_000, 50_000) as i32
            } else {
                // Within chrono's range (±262 000 years).
                self.rng.range(-(1 << 26), 1 << 26) as i32
            }),
            Schema::TimeMillis => Value::TimeMillis(self.rng.range(0, 86_399_999) as i32),
            Schema::TimeMicros => Value::TimeMicros(self.rng.range(0, 86_399_999_999)),
            Schema::TimestampMillis => Value::TimestampMillis(self.micros() / 1000),
            Schema::TimestampMicros => Value::TimestampMicros(self.micros()),
            Schema::TimestampNanos => Value::TimestampNanos(self.rng.next_u64() as i64),
            Schema::LocalTimestampMillis => Value::LocalTimestampMillis(self.micros() / 1000),
            Schema::LocalTimestampMicros => Value::LocalTimestampMicros(self.micros()),
            Schema::LocalTimestampNanos => Value::LocalTimestampNanos(self.rng.next_u64() as i64),
            Schema::Duration(_) => Value::Duration(Duration::new(
                Months::new(self.small_u32()),
                Days::new(self.small_u32()),
                Millis::new(self.small_u32()),
            )),
            Schema::Ref { name } => {
                let target = self.lookup(name, ns)?;
                let full = name.fully_qualified_name(ns);
                self.value(target, full.namespace(), depth)?
            }
        })
    }

    fn union(
        &mut self,
        u: &UnionSchema,
        ns: NamespaceRef<'_>,
        depth: usize,
    ) -> Result<Value, SimulateError> {
        let variants = u.variants();
        let allowed: Vec<usize> = if depth > MAX_DEPTH {
            let depths: Vec<Option<usize>> = variants
                .iter()
                .map(|v| self.min_depth(v, ns, &mut HashSet::new()))
                .collect();
            let best = depths.iter().flatten().min().copied();
            (0..variants.len())
                .filter(|&i| best.is_some() && depths[i] == best)
                .collect()
        } else {
            (0..variants.len()).collect()
        };
        let Some(&i) = allowed.get(self.rng.index(allowed.len())) else {
            return Err(SimulateError::Infinite(format!("{u:?}")));
        };
        let value = self.value(&variants[i], ns, depth)?;
        Ok(Value::Union(u32::try_from(i).unwrap_or(0), Box::new(value)))
    }

    fn record(
        &mut self,
        r: &RecordSchema,
        ns: NamespaceRef<'_>,
        depth: usize,
    ) -> Result<Value, SimulateError> {
        let full = r.name.fully_qualified_name(ns);
        let mut fields = Vec::with_capacity(r.fields.len());
        for f in &r.fields {
            let value = self.value(&f.schema, full.namespace(), depth + 1)?;
            fields.push((f.name.clone(), value));
        }
        Ok(Value::Record(fields))
    }

    /// Small, boundary or any `int`.
    fn int(&mut self) -> i32 {
        match self.rng.below(4) {
            0 => self.rng.range(-10, 10) as i32,
            1 => [0, 1, -1, i32::MAX, i32::MIN][self.rng.index(5)],
            _ => self.rng.next_u64() as i32,
        }
    }

    /// Small, boundary, `int`-sized or any `long`.
    fn long(&mut self) -> i64 {
        match self.rng.below(5) {
            0 => self.rng.range(-10, 10),
            1 => [0, 1, -1, i64::MAX, i64::MIN][self.rng.index(5)],
            2 => i64::from(self.rng.next_u64() as i32),
            _ => self.rng.next_u64() as i64,
        }
    }

    fn float(&mut self) -> f32 {
        match self.rng.below(8) {
            0 => [
                0.0,
                -0.0,
                1.5,
                f32::MAX,
                f32::MIN_POSITIVE,
                1e-45,
                f32::INFINITY,
                f32::NAN,
            ][self.rng.index(8)],
            1..=3 => self.rng.range(-1000, 1000) as f32 / 8.0,
            _ => {
                let f = f32::from_bits(self.rng.next_u64() as u32);
                if f.is_finite() {
                    f
                } else {
                    0.25
                }
            }
        }
    }

    fn double(&mut self) -> f64 {
        match self.rng.below(8) {
            0 => [
                0.0,
                -0.0,
                1.5,
                f64::MAX,
                f64::MIN_POSITIVE,
                5e-324,
                f64::NEG_INFINITY,
                f64::NAN,
            ][self.rng.index(8)],
            1..=3 => self.rng.range(-1000, 1000) as f64 / 8.0,
            _ => {
                let f = f64::from_bits(self.rng.next_u64());
                if f.is_finite() {
                    f
                } else {
                    0.25
                }
            }
        }
    }

    /// Mostly short ASCII, sometimes with non-ASCII characters.
    fn string(&mut self) -> String {
        const ASCII: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 _-";
        let len = self.rng.index(11);
        let unicode = self.rng.chance(1, 5);
        (0..len)
            .map(|_| {
                if unicode && self.rng.chance(1, 3) {
                    NON_ASCII[self.rng.index(NON_ASCII.len())]
                } else {
                    char::from(ASCII[self.rng.index(ASCII.len())])
                }
            })
            .collect()
    }

    /// Microseconds since 1970: mostly in years 0001–9999, sometimes
    /// anywhere in chrono's range (about ±146 000 years).
    fn micros(&mut self) -> i64 {
        if self.rng.chance(3, 4) {
            self.rng.range(YEAR_1_MICROS, YEAR_10000_MICROS - 1)
        } else {
            self.rng.range(-(1 << 62), 1 << 62)
        }
    }

    fn small_u32(&mut self) -> u32 {
        if self.rng.chance(1, 2) {
            self.rng.below(1000) as u32
        } else {
            self.rng.next_u64() as u32
        }
    }

    /// A random version-4 UUID.
    fn uuid(&mut self) -> apache_avro::Uuid {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.rng.next_u64().to_be_bytes());
        b[8..].copy_from_slice(&self.rng.next_u64().to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        apache_avro::Uuid::from_bytes(b)
    }

    /// The two's-complement bytes of a random unscaled value with at most
    /// `precision` digits: `fixed` bytes long for a decimal on `fixed`, else
    /// the fewest bytes that hold `precision` digits.
    fn decimal(&mut self, precision: usize, fixed: Option<usize>) -> Vec<u8> {
        let digits = u32::try_from(precision.clamp(1, 18)).unwrap_or(18);
        let mut max = 10i64.pow(digits) - 1;
        if let Some(size) = fixed.filter(|&s| s < 8) {
            max = max.min((1i64 << (size * 8).saturating_sub(1)) - 1);
        }
        let unscaled = if self.rng.chance(1, 2) {
            self.rng.range(-max.min(1000), max.min(1000))
        } else {
            self.rng.range(-max, max)
        };
        let len = fixed.unwrap_or_else(|| bytes_for_precision(precision));
        sign_extend(unscaled, len)
    }
}

/// The fewest bytes whose two's complement holds every `precision`-digit
/// number, as apache-avro requires of a decimal on `bytes`.
fn bytes_for_precision(precision: usize) -> usize {
    // 2^(8n-1) > 10^p  ⇔  n > (p·log2(10) + 1) / 8.
    let bits = (precision as f64 * std::f64::consts::LOG2_10).ceil() as usize + 1;
    bits.div_ceil(8).max(1)
}

/// `v` in big-endian two's complement, `len` bytes (at least 8 → padded,
/// fewer → the low bytes).
fn sign_extend(v: i64, len: usize) -> Vec<u8> {
    let fill = if v < 0 { 0xff } else { 0 };
    let bytes = v.to_be_bytes();
    let mut out = vec![fill; len.saturating_sub(8)];
    out.extend_from_slice(&bytes[8usize.saturating_sub(len)..]);
    out
}

/// The name of the first named type in `schema`, for messages.
fn first_name(schema: &Schema) -> Option<String> {
    match schema {
        Schema::Record(r) => Some(r.name.fullname(None)),
        Schema::Ref { name } => Some(name.fullname(None)),
        Schema::Array(a) => first_name(&a.items),
        Schema::Map(m) => first_name(&m.types),
        Schema::Union(u) => u.variants().iter().find_map(first_name),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Rendering

/// `value`, JSON-like, cut at [`MAX_RENDERED`] characters.
fn render(value: &Value) -> String {
    let mut out = String::new();
    render_into(value, &mut out);
    if out.chars().count() > MAX_RENDERED {
        out = out.chars().take(MAX_RENDERED).collect();
        out.push('…');
    }
    out
}

fn render_into(value: &Value, out: &mut String) {
    // Stop early on huge values; `render` cuts the rest.
    if out.len() > MAX_RENDERED * 4 {
        return;
    }
    let hex = |bytes: &[u8], out: &mut String| {
        out.push_str("\"0x");
        for b in bytes {
            let _ = write!(out, "{b:02x}");
        }
        out.push('"');
    };
    let quoted = |s: &str, out: &mut String| {
        out.push_str(&serde_json::Value::String(s.to_owned()).to_string());
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(v) | Value::Date(v) | Value::TimeMillis(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Long(v)
        | Value::TimeMicros(v)
        | Value::TimestampMillis(v)
        | Value::TimestampMicros(v)
        | Value::TimestampNanos(v)
        | Value::LocalTimestampMillis(v)
        | Value::LocalTimestampMicros(v)
        | Value::LocalTimestampNanos(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Float(v) => {
            let _ = write!(out, "{v:?}");
        }
        Value::Double(v) => {
            let _ = write!(out, "{v:?}");
        }
        Value::Bytes(b) | Value::Fixed(_, b) => hex(b, out),
        Value::String(s) | Value::Enum(_, s) => quoted(s, out),
        Value::Uuid(u) => quoted(&u.to_string(), out),
        Value::Decimal(d) => match Vec::<u8>::try_from(d) {
            Ok(b) => hex(&b, out),
            Err(_) => out.push_str("\"decimal\""),
        },
        Value::BigDecimal(d) => quoted(&d.to_string(), out),
        Value::Duration(d) => {
            let bytes: [u8; 12] = (*d).into();
            hex(&bytes, out);
        }
        Value::Union(_, inner) => render_into(inner, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_into(item, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quoted(key, out);
                out.push(':');
                if let Some(v) = entries.get(key) {
                    render_into(v, out);
                }
            }
            out.push('}');
        }
        Value::Record(fields) => {
            out.push('{');
            for (i, (name, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quoted(name, out);
                out.push(':');
                render_into(v, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &str) -> String {
        format!(r#"{{"type":"record","name":"R","namespace":"t","fields":[{fields}]}}"#)
    }

    #[test]
    fn compatible_pair_never_fails() {
        let v1 = record(r#"{"name":"a","type":"int"},{"name":"s","type":"string"}"#);
        let v2 = record(
            r#"{"name":"a","type":"long"},{"name":"s","type":"string"},
               {"name":"b","type":["null","string"],"default":null},
               {"name":"c","type":"int","default":3}"#,
        );
        let run = simulate(&v1, &v2, 200, 1).unwrap();
        assert_eq!(run.values, 200);
        assert!(run.passed(), "{run:#?}");
        assert!(run.failures.is_empty());
    }

    #[test]
    fn field_added_without_default_fails_every_value() {
        let v1 = record(r#"{"name":"a","type":"int"}"#);
        let v2 = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
        let run = simulate(&v1, &v2, 50, 2).unwrap();
        assert_eq!(run.failed, 50);
        assert_eq!(run.failures.len(), MAX_FAILURE_SAMPLES);
        assert!(run.failures[0].error.contains('b'), "{run:#?}");
        assert!(run.failures[0].value.starts_with("{\"a\":"), "{run:#?}");
        // The other way round the field is skipped.
        assert!(simulate(&v2, &v1, 50, 2).unwrap().passed());
    }

    #[test]
    fn removed_enum_symbol_fails_the_values_that_use_it() {
        let color = |symbols: &str, default: &str| {
            record(&format!(
                r#"{{"name":"c","type":{{"type":"enum","name":"Color","symbols":[{symbols}]{default}}}}}"#
            ))
        };
        let v1 = color(r#""RED","GREEN","BLUE","BLACK""#, "");
        let v2 = color(r#""RED","GREEN","BLUE""#, "");
        let run = simulate(&v1, &v2, 400, 3).unwrap();
        // About a quarter of the values are BLACK.
        assert!(run.failed > 40 && run.failed < 200, "{run:#?}");
        assert!(run.failures.iter().all(|f| f.value.contains("BLACK")));
        // With an enum default, BLACK reads as the default.
        let v3 = color(r#""RED","GREEN","BLUE""#, r#","default":"RED""#);
        assert!(simulate(&v1, &v3, 400, 3).unwrap().passed());
    }

    #[test]
    fn long_to_int_fails_only_out_of_range_values() {
        let run = simulate(
            &record(r#"{"name":"a","type":"long"}"#),
            &record(r#"{"name":"a","type":"int"}"#),
            300,
            4,
        )
        .unwrap();
        assert!(run.failed > 0 && run.failed < 300, "{run:#?}");
    }

    const EVERY_TYPE: &str = r#"{"type":"record","name":"Every","namespace":"t","fields":[
        {"name":"n","type":"null"},
        {"name":"b","type":"boolean"},
        {"name":"i","type":"int"},
        {"name":"l","type":"long"},
        {"name":"f","type":"float"},
        {"name":"d","type":"double"},
        {"name":"by","type":"bytes"},
        {"name":"s","type":"string"},
        {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
        {"name":"fx","type":{"type":"fixed","name":"F4","size":4}},
        {"name":"arr","type":{"type":"array","items":"E"}},
        {"name":"map","type":{"type":"map","values":["null","F4","string"]}},
        {"name":"u","type":["null","int","string","E",
            {"type":"record","name":"Inner","fields":[{"name":"x","type":"double"}]}]},
        {"name":"id","type":{"type":"string","logicalType":"uuid"}},
        {"name":"id_fixed","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
        {"name":"day","type":{"type":"int","logicalType":"date"}},
        {"name":"time_ms","type":{"type":"int","logicalType":"time-millis"}},
        {"name":"time_us","type":{"type":"long","logicalType":"time-micros"}},
        {"name":"at_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"at_us","type":{"type":"long","logicalType":"timestamp-micros"}},
        {"name":"at_ns","type":{"type":"long","logicalType":"timestamp-nanos"}},
        {"name":"local_ms","type":{"type":"long","logicalType":"local-timestamp-millis"}},
        {"name":"local_us","type":{"type":"long","logicalType":"local-timestamp-micros"}},
        {"name":"local_ns","type":{"type":"long","logicalType":"local-timestamp-nanos"}},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
        {"name":"wide","type":{"type":"bytes","logicalType":"decimal","precision":30,"scale":5}},
        {"name":"amount","type":{"type":"fixed","name":"Amount","size":8,
            "logicalType":"decimal","precision":18,"scale":4}},
        {"name":"small","type":{"type":"fixed","name":"Small","size":2,
            "logicalType":"decimal","precision":4,"scale":1}},
        {"name":"period","type":{"type":"fixed","name":"Period","size":12,"logicalType":"duration"}},
        {"name":"big","type":{"type":"bytes","logicalType":"big-decimal"}},
        {"name":"maybe_at","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
        {"name":"history","type":{"type":"array","items":{"type":"long","logicalType":"timestamp-millis"}}}
    ]}"#;

    #[test]
    fn every_type_and_logical_type_round_trips() {
        let run = simulate(EVERY_TYPE, EVERY_TYPE, 300, 5).unwrap();
        assert!(run.passed(), "{run:#?}");
    }

    #[test]
    fn generated_values_decode_back_to_themselves() {
        let schema = Schema::parse_str(EVERY_TYPE).unwrap();
        let names = ResolvedSchema::try_from(&schema).unwrap();
        let mut generator = Generator {
            names: names.get_names(),
            rng: Rng::new(9),
        };
        let writer = GenericDatumWriter::builder(&schema).build().unwrap();
        let reader = GenericDatumReader::builder(&schema).build().unwrap();
        for _ in 0..100 {
            let value = generator.value(&schema, None, 0).unwrap();
            let bytes = writer.write_value_to_vec(value.clone()).unwrap();
            let back = reader.read_value(&mut &bytes[..]).unwrap();
            // Rendering compares NaN and decimals by their bytes.
            assert_eq!(render(&back), render(&value));
            let Value::Record(fields) = &value else {
                panic!("not a record")
            };
            let Some((_, Value::Uuid(id))) = fields.iter().find(|(n, _)| n == "id") else {
                panic!("no uuid")
            };
            assert_eq!(id.get_version_num(), 4);
        }
    }

    #[test]
    fn recursive_schemas_terminate() {
        let list = r#"{"type":"record","name":"Node","fields":[
            {"name":"value","type":"int"},
            {"name":"next","type":["null","Node"]}]}"#;
        let tree = r#"{"type":"record","name":"zamaz.common.JsonValue","fields":[
            {"name":"value","type":["null","boolean","long","double","string",
                {"type":"array","items":"zamaz.common.JsonValue"},
                {"type":"map","values":"zamaz.common.JsonValue"}]}]}"#;
        // A union whose recursive branch comes first.
        let first = r#"{"type":"record","name":"Node","fields":[
            {"name":"next","type":["Node","null"]},
            {"name":"children","type":{"type":"array","items":"Node"}}]}"#;
        for schema in [list, tree, first] {
            assert!(simulate(schema, schema, 300, 6).unwrap().passed());
        }
        let endless = r#"{"type":"record","name":"Node","fields":[{"name":"next","type":"Node"}]}"#;
        assert!(matches!(
            simulate(endless, endless, 1, 6),
            Err(SimulateError::Infinite(name)) if name == "Node"
        ));
    }

    #[test]
    fn renamed_field_reads_through_its_alias() {
        let v1 = record(r#"{"name":"old","type":"int"},{"name":"keep","type":"string"}"#);
        let aliased = record(
            r#"{"name":"keep","type":"string"},{"name":"new","type":"long","aliases":["old"]}"#,
        );
        assert!(simulate(&v1, &aliased, 100, 7).unwrap().passed());
        let renamed = record(r#"{"name":"keep","type":"string"},{"name":"new","type":"long"}"#);
        assert_eq!(simulate(&v1, &renamed, 100, 7).unwrap().failed, 100);

        // Inside a nested record reached through a union and a reference.
        let nested = |field: &str| {
            format!(
                r#"{{"type":"record","name":"Outer","fields":[
                    {{"name":"first","type":["null",{{"type":"record","name":"In","fields":[{field}]}}]}},
                    {{"name":"second","type":{{"type":"array","items":"In"}}}}]}}"#
            )
        };
        let run = simulate(
            &nested(r#"{"name":"old","type":"int"}"#),
            &nested(r#"{"name":"new","type":"int","aliases":["old"]}"#),
            100,
            8,
        )
        .unwrap();
        assert!(run.passed(), "{run:#?}");
    }

    #[test]
    fn same_seed_same_simulation() {
        let v1 = record(
            r#"{"name":"a","type":"long"},{"name":"m","type":{"type":"map","values":"string"}}"#,
        );
        let v2 = record(
            r#"{"name":"a","type":"int"},{"name":"m","type":{"type":"map","values":"string"}}"#,
        );
        assert_eq!(
            simulate(&v1, &v2, 100, 11).unwrap(),
            simulate(&v1, &v2, 100, 11).unwrap()
        );
        assert_ne!(
            simulate(&v1, &v2, 100, 11).unwrap(),
            simulate(&v1, &v2, 100, 12).unwrap()
        );
    }

    #[test]
    fn invalid_schemas_are_errors() {
        let ok = record(r#"{"name":"a","type":"int"}"#);
        assert!(matches!(
            simulate("{", &ok, 1, 0),
            Err(SimulateError::WriterSchema(_))
        ));
        assert!(matches!(
            simulate(&ok, r#"{"type":"nope"}"#, 1, 0),
            Err(SimulateError::ReaderSchema(_))
        ));
    }

    #[test]
    fn renders_are_truncated() {
        let long = Value::Array(vec![Value::String("x".repeat(50)); 20]);
        let text = render(&long);
        assert_eq!(text.chars().count(), MAX_RENDERED + 1);
        assert!(text.ends_with('…'));
        assert_eq!(render(&Value::Bytes(vec![0xab, 1])), "\"0xab01\"");
    }

    #[test]
    fn decimal_lengths() {
        assert_eq!(bytes_for_precision(2), 1);
        assert_eq!(bytes_for_precision(3), 2);
        assert_eq!(bytes_for_precision(10), 5);
        assert_eq!(sign_extend(-2, 3), vec![0xff, 0xff, 0xfe]);
        assert_eq!(sign_extend(5, 10), vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    }
}
