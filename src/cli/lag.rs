//! `schemabus lag`: a consumer group's committed offset and lag per
//! partition of every context topic.

use std::process::ExitCode;
use std::time::Duration;

use schemabus::events::CATALOG;
use schemabus::kafka::offsets;

use super::opt::LagArgs;

/// Prints committed offset, end offset and lag per partition, then the
/// total; partitions without a commit count everything stored as lag.
pub fn run(args: &LagArgs) -> anyhow::Result<ExitCode> {
    let config = super::kafka_config(&args.kafka)?;
    let mapper = config.topic_mapper(&CATALOG);
    let found = offsets(
        &config,
        &mapper.all_topics(),
        Some(&args.group),
        Duration::from_secs(10),
    )?;
    if found.is_empty() {
        println!(
            "no topics of this project on {} (prefix `{}`)",
            config.bootstrap_servers, config.topic_prefix
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("group {} on {}", args.group, config.bootstrap_servers);
    println!(
        "{:<48} {:>9} {:>10} {:>10} {:>8}",
        "topic", "partition", "committed", "end", "lag"
    );
    let mut total = 0;
    for p in &found {
        let committed = p
            .committed
            .map_or_else(|| "-".to_owned(), |c| c.to_string());
        println!(
            "{:<48} {:>9} {:>10} {:>10} {:>8}",
            p.topic,
            p.partition,
            committed,
            p.high,
            p.lag()
        );
        total += p.lag();
    }
    println!("total lag {total}");
    Ok(ExitCode::SUCCESS)
}
