//! `schemabus topics`: the topics of every bounded context, their
//! partitions and end offsets — Kafka's console tools, for this project.

use std::process::ExitCode;
use std::time::Duration;

use schemabus::events::CATALOG;
use schemabus::kafka::{offsets, PartitionOffsets};
use schemabus::topic::TopicMapper;

use super::opt::TopicsArgs;

/// Prints one line per topic (dead-letter topics included): its context,
/// partitions and end offset per partition; missing topics say so.
pub fn run(args: &TopicsArgs) -> anyhow::Result<ExitCode> {
    let config = super::kafka_config(&args.kafka)?;
    let mapper = config.topic_mapper(&CATALOG);
    let mut wanted = Vec::new();
    for context in mapper.contexts() {
        for topic in mapper.topics_of(context) {
            wanted.push((context, TopicMapper::dlq(&topic)));
            wanted.push((context, topic));
        }
    }
    let names: Vec<String> = wanted.iter().map(|(_, t)| t.clone()).collect();
    let found = offsets(&config, &names, None, Duration::from_secs(10))?;
    println!("broker {}", config.bootstrap_servers);
    println!(
        "{:<16} {:<48} {:>10} {:>12}  end offset per partition",
        "context", "topic", "partitions", "end offsets"
    );
    for (context, topic) in wanted.iter().rev() {
        let parts: Vec<&PartitionOffsets> = found.iter().filter(|p| &p.topic == topic).collect();
        if parts.is_empty() {
            println!("{context:<16} {topic:<48} {:>10}", "(missing)");
            continue;
        }
        let total: i64 = parts.iter().map(|p| p.high).sum();
        let each: Vec<String> = parts
            .iter()
            .map(|p| format!("{}:{}", p.partition, p.high))
            .collect();
        println!(
            "{context:<16} {topic:<48} {:>10} {total:>12}  {}",
            parts.len(),
            each.join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
