//! Decoding data written with a different (usually older) writer schema.
//!
//! The generated decoders read only their own schema's layout. When a
//! message's writer schema differs, [`Resolver`] lets apache-avro apply the
//! Avro resolution rules (defaults for added fields, skipping removed ones,
//! promotions, union and enum matching) and re-encode the result in the
//! reader's layout, which the fast decoder then reads. Parsed schemas, their
//! resolved names, apache-avro's reader and writer and the compatibility
//! verdict are built once per writer schema and reader type.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::ResolvedSchema;
use apache_avro::schema_compatibility::SchemaCompatibility;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;

use crate::codec::avro::reader::Reader;
use crate::codec::avro::{AvroCodec, AvroSchema, DecodeError};

/// Why data could not be resolved to the reader type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The writer schema does not parse.
    #[error("invalid writer schema: {0}")]
    WriterSchema(#[source] Box<apache_avro::Error>),
    /// The reader type's own schema does not parse (a code generation bug).
    #[error("invalid reader schema of {name}: {source}")]
    ReaderSchema {
        /// Full name of the reader type.
        name: &'static str,
        /// The parse error.
        #[source]
        source: Box<apache_avro::Error>,
    },
    /// The reader schema cannot read data of the writer schema.
    #[error("{reader} cannot read data written with the writer schema: {source}")]
    Incompatible {
        /// Full name of the reader type.
        reader: &'static str,
        /// The first rule that failed.
        #[source]
        source: apache_avro::error::CompatibilityError,
    },
    /// The data did not decode with the writer schema, or did not resolve.
    #[error("could not resolve datum: {0}")]
    Resolve(#[source] Box<apache_avro::Error>),
    /// The data was not fully consumed by the writer schema.
    #[error("{0} trailing bytes after the datum")]
    TrailingBytes(usize),
    /// The fast decoder rejected the (resolved) data.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

enum Plan {
    /// Same canonical form: decode the bytes as they are.
    Direct,
    /// Resolve with apache-avro, then re-encode for the fast decoder.
    Resolve(Box<Resolution>),
}

/// The two schemas and what apache-avro builds from them, kept together
/// because the latter borrow the former.
#[ouroboros::self_referencing]
struct Resolution {
    writer: Schema,
    reader: Schema,
    /// The writer's named types, for the allocation-free pre-check.
    #[borrows(writer)]
    #[covariant]
    writer_names: ResolvedSchema<'this>,
    #[borrows(writer, reader)]
    #[covariant]
    datum_reader: GenericDatumReader<'this>,
    #[borrows(reader)]
    #[covariant]
    datum_writer: GenericDatumWriter<'this>,
}

// The cache is shared across threads: keep what it holds `Send + Sync`.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Resolver>();
};

/// The reader side of a resolution: a compiled type's name and schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderType {
    /// The full name.
    pub name: &'static str,
    /// The schema JSON the type was generated from.
    pub schema_json: &'static str,
    /// Its Parsing Canonical Form.
    pub canonical_form: &'static str,
}

impl ReaderType {
    /// The reader type of a generated type.
    pub fn of<T: AvroSchema>() -> Self {
        Self {
            name: T::FULL_NAME,
            schema_json: T::SCHEMA_JSON,
            canonical_form: T::CANONICAL_FORM,
        }
    }
}

impl From<&crate::catalog::EventType> for ReaderType {
    fn from(event: &crate::catalog::EventType) -> Self {
        Self {
            name: event.name,
            schema_json: event.schema_json,
            canonical_form: event.canonical_form,
        }
    }
}

/// Reader full name → writer schema JSON → plan.
type Cache = HashMap<&'static str, HashMap<Box<str>, Arc<Plan>>>;

/// Decodes data written with any compatible writer schema into a generated type.
///
/// Cheap to share: wrap it in an `Arc` or keep one per consumer; it is
/// `Send + Sync` and its cache is behind a read-mostly lock.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::codec::resolve::Resolver;
///
/// let resolver = Resolver::new();
/// assert_eq!(resolver.cached(), 0);
/// ```
#[derive(Default)]
pub struct Resolver {
    cache: RwLock<Cache>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("cached", &self.cached())
            .finish()
    }
}

impl Resolver {
    /// Creates a resolver with an empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of (writer schema, reader type) pairs cached.
    pub fn cached(&self) -> usize {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        cache.values().map(HashMap::len).sum()
    }

    /// Decodes `bytes`, written with `writer_schema_json`, as a `T`.
    ///
    /// # Errors
    ///
    /// [`ResolveError`] naming the step that failed.
    pub fn decode<T: AvroCodec + AvroSchema>(
        &self,
        writer_schema_json: &str,
        bytes: &[u8],
    ) -> Result<T, ResolveError> {
        let resolved = self.resolve(ReaderType::of::<T>(), writer_schema_json, bytes)?;
        Ok(T::from_avro_bytes(&resolved)?)
    }

    /// Turns `bytes`, written with `writer_schema_json`, into the bytes the
    /// reader type's own schema would have written — what its generated
    /// decoder reads. Borrows `bytes` when the schemas agree.
    ///
    /// # Errors
    ///
    /// [`ResolveError`] naming the step that failed.
    pub fn resolve<'b>(
        &self,
        reader: ReaderType,
        writer_schema_json: &str,
        bytes: &'b [u8],
    ) -> Result<Cow<'b, [u8]>, ResolveError> {
        if writer_schema_json == reader.schema_json {
            return Ok(Cow::Borrowed(bytes));
        }
        match &*self.plan(reader, writer_schema_json)? {
            Plan::Direct => Ok(Cow::Borrowed(bytes)),
            Plan::Resolve(resolution) => {
                // Check every length against the input before apache-avro
                // allocates by it.
                let mut check = Reader::new(bytes);
                super::skip::skip(
                    resolution.borrow_writer(),
                    resolution.borrow_writer_names().get_names(),
                    &mut check,
                )?;
                if !check.is_empty() {
                    return Err(ResolveError::TrailingBytes(check.remaining()));
                }
                let mut rest = bytes;
                let value = resolution
                    .borrow_datum_reader()
                    .read_value(&mut rest)
                    .map_err(|e| ResolveError::Resolve(Box::new(e)))?;
                if !rest.is_empty() {
                    return Err(ResolveError::TrailingBytes(rest.len()));
                }
                // Re-encoded in the reader's layout for the generated decoder.
                let resolved = resolution
                    .borrow_datum_writer()
                    .write_value_to_vec(value)
                    .map_err(|e| ResolveError::Resolve(Box::new(e)))?;
                Ok(Cow::Owned(resolved))
            }
        }
    }

    fn plan(&self, reader: ReaderType, writer_json: &str) -> Result<Arc<Plan>, ResolveError> {
        {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            if let Some(plan) = cache.get(reader.name).and_then(|m| m.get(writer_json)) {
                return Ok(Arc::clone(plan));
            }
        }
        // Built outside the lock: parsing is slow and a duplicate build is harmless.
        let plan = Arc::new(Self::build(reader, writer_json)?);
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(reader.name)
            .or_default()
            .insert(writer_json.into(), Arc::clone(&plan));
        Ok(plan)
    }

    fn build(reader_type: ReaderType, writer_json: &str) -> Result<Plan, ResolveError> {
        let writer =
            Schema::parse_str(writer_json).map_err(|e| ResolveError::WriterSchema(Box::new(e)))?;
        if writer.canonical_form() == reader_type.canonical_form {
            return Ok(Plan::Direct);
        }
        let reader =
            Schema::parse_str(reader_type.schema_json).map_err(|e| ResolveError::ReaderSchema {
                name: reader_type.name,
                source: Box::new(e),
            })?;
        if writer.canonical_form() == reader.canonical_form() {
            return Ok(Plan::Direct);
        }
        SchemaCompatibility::can_read(&writer, &reader).map_err(|source| {
            ResolveError::Incompatible {
                reader: reader_type.name,
                source,
            }
        })?;
        // apache-avro matches fields by name only: writer fields a reader
        // field names as an alias get the reader field's name.
        let writer = super::aliases::rename_aliased_fields(&writer, &reader)
            .map_err(|e| ResolveError::WriterSchema(Box::new(e)))?;
        let resolution = ResolutionTryBuilder {
            writer,
            reader,
            writer_names_builder: |writer: &Schema| ResolvedSchema::try_from(writer),
            datum_reader_builder: |writer: &Schema, reader: &Schema| {
                GenericDatumReader::builder(writer)
                    .reader_schema(reader)
                    .build()
            },
            datum_writer_builder: |reader: &Schema| GenericDatumWriter::builder(reader).build(),
        }
        .try_build()
        .map_err(|e| ResolveError::WriterSchema(Box::new(e)))?;
        Ok(Plan::Resolve(Box::new(resolution)))
    }
}
