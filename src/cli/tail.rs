//! `schemabus tail <context>`: the events of a context's topic as JSON
//! lines, whatever format each was written in.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use schemabus::bus::EventBus;
use schemabus::events::CATALOG;
use schemabus::kafka::{EventConsumer, StartFrom};

use super::opt::TailArgs;

/// Prints each event as one line of CloudEvents JSON until Ctrl-C or
/// `--max` events.
pub fn run(args: &TailArgs) -> anyhow::Result<ExitCode> {
    let mut config = super::kafka_config(&args.kafka)?;
    if let Some(url) = &args.registry {
        config = config.schema_registry_url(url.clone());
    }
    if config.schema_registry_url.is_none() {
        eprintln!(
            "note: no schema registry (--registry or KAFKA_SCHEMA_REGISTRY_URL): \
             Avro records from other processes cannot be decoded and are skipped"
        );
    }
    // A group of its own: tailing never takes partitions from a service.
    config = config.consumer_group(format!("schemabus-tail-{}", uuid::Uuid::new_v4()));
    let start = if args.from_beginning {
        StartFrom::Beginning
    } else {
        StartFrom::Timestamp(chrono::Utc::now())
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting a runtime")?;
    runtime.block_on(async {
        let bus = EventBus::new();
        let (lines, mut received) = tokio::sync::mpsc::unbounded_channel();
        let _printer = bus.handler("tail").on_all_sync(move |event| {
            let json = event.encode_json().map_err(|e| e.to_string())?;
            let _ = lines.send(json);
            Ok(())
        });
        let consumer = EventConsumer::new(config, &CATALOG, &bus)
            .add_context(&args.context)
            .start_from(start)
            .start()
            .await
            .with_context(|| format!("consuming the `{}` context", args.context))?;
        let mut printed = 0;
        while args.max.is_none_or(|max| printed < max) {
            let line = tokio::select! {
                line = received.recv() => line,
                _ = tokio::signal::ctrl_c() => None,
            };
            let Some(line) = line else { break };
            let mut out = std::io::stdout().lock();
            out.write_all(&line)?;
            out.write_all(b"\n")?;
            out.flush()?;
            printed += 1;
        }
        consumer.shutdown().await?;
        Ok(ExitCode::SUCCESS)
    })
}
