//! `schemabus decode`: one message value as JSON.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use apache_avro::reader::datum::GenericDatumReader;
use schemabus::codec::resolve::{ReaderType, Resolver};
use schemabus::codec::wire::{self, Format};
use schemabus::events::CATALOG;
use schemabus::registry::SchemaRegistry;
use schemabus::EventMetadata;

use super::check::InputError;
use super::opt::DecodeArgs;

/// Prints the value in `args.file` (or standard input) as JSON.
pub fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let value = read_value(args)?;
    let json = match wire::detect(&value) {
        Some(Format::Json) => {
            let event = (CATALOG.decode_json)(&value)
                .map_err(|e| InputError::Message(format!("not a CloudEvents JSON event: {e}")))?;
            serde_json::from_slice(&event.encode_json()?)?
        }
        Some(Format::Avro) => decode_avro(args, &value)?,
        _ => {
            return Err(InputError::Message(
                "the value is neither CloudEvents JSON nor Avro in the Confluent wire format \
                 (magic byte 0); pass --hex for hexadecimal input"
                    .to_owned(),
            )
            .into())
        }
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &json)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// `{"schema_id", "type", "data"}`: the datum resolved into the compiled
/// type when the catalog has it, else decoded with the writer schema alone.
fn decode_avro(args: &DecodeArgs, value: &[u8]) -> anyhow::Result<serde_json::Value> {
    let (id, datum) = wire::unframe(value).map_err(|e| InputError::Message(e.to_string()))?;
    let registry = super::http_registry(args.registry.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a runtime")?;
    let writer = runtime
        .block_on(registry.schema_by_id(id))
        .map_err(|e| InputError::Message(format!("schema id {id}: {e}")))?;
    let parsed = apache_avro::Schema::parse_str(&writer)
        .map_err(|e| InputError::Message(format!("schema id {id} does not parse: {e}")))?;
    let name = parsed.name().map(|n| n.fullname(None));
    let data = match name.as_deref().and_then(|n| CATALOG.event_type(n)) {
        Some(info) => {
            let bytes = Resolver::new()
                .resolve(ReaderType::from(info), &writer, datum)
                .map_err(|e| InputError::Message(format!("schema id {id}: {e}")))?;
            let event = (CATALOG.decode_avro)(info.name, &bytes, EventMetadata::empty())
                .map_err(|e| InputError::Message(format!("schema id {id}: {e}")))?;
            let envelope: serde_json::Value = serde_json::from_slice(&event.encode_json()?)?;
            envelope["data"].clone()
        }
        None => {
            let reader = GenericDatumReader::builder(&parsed)
                .build()
                .map_err(|e| InputError::Message(format!("schema id {id}: {e}")))?;
            let value = reader
                .read_value(&mut &datum[..])
                .map_err(|e| InputError::Message(format!("schema id {id}: {e}")))?;
            serde_json::Value::try_from(value)
                .map_err(|e| InputError::Message(format!("schema id {id}: {e}")))?
        }
    };
    Ok(serde_json::json!({ "schema_id": id, "type": name, "data": data }))
}

fn read_value(args: &DecodeArgs) -> anyhow::Result<Vec<u8>> {
    let mut input = Vec::new();
    match args.file.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            input = std::fs::read(path)
                .map_err(|e| InputError::Message(format!("reading {}: {e}", path.display())))?;
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut input)
                .context("reading standard input")?;
        }
    }
    if !args.hex {
        return Ok(input);
    }
    let digits: Vec<u8> = input
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let hex = |d: u8| char::from(d).to_digit(16);
    digits
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => hex(*hi).zip(hex(*lo)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| {
            InputError::Message("--hex: the input is not pairs of hexadecimal digits".to_owned())
                .into()
        })
}
