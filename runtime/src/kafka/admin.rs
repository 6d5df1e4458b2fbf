//! Topic administration and offsets: creating the topics of a catalog,
//! end offsets per partition and a group's lag — what `schemabus topics` and
//! `schemabus lag` print.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

use crate::topic::TopicMapper;

use super::config::KafkaConfig;
use super::error::KafkaError;

/// Creates those of `topics` that do not exist yet, with the configured
/// partitions and replication factor; returns the names it created.
///
/// # Errors
///
/// [`KafkaError::Client`] when the broker cannot be reached or refuses.
pub async fn ensure_topics(
    config: &KafkaConfig,
    topics: &[String],
) -> Result<Vec<String>, KafkaError> {
    let admin: AdminClient<DefaultClientContext> = config.admin_config().create()?;
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| {
            NewTopic::new(
                t,
                config.num_partitions,
                TopicReplication::Fixed(config.replication_factor),
            )
        })
        .collect();
    let timeout = Duration::from_millis(u64::from(config.admin_timeout_ms));
    let opts = AdminOptions::new()
        .operation_timeout(Some(timeout))
        .request_timeout(Some(timeout));
    let mut created = Vec::new();
    for result in admin.create_topics(&new, &opts).await? {
        match result {
            Ok(topic) => created.push(topic),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(KafkaError::CreateTopic { topic, code }),
        }
    }
    Ok(created)
}

/// The topics a producer has made sure of, so each is created with the
/// configured partitions (and its dead-letter topic) before its first
/// record, rather than auto-created by the broker with its own defaults.
pub(crate) struct EnsuredTopics {
    config: KafkaConfig,
    done: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl EnsuredTopics {
    pub(crate) fn new(config: &KafkaConfig) -> Self {
        EnsuredTopics {
            config: config.clone(),
            done: std::sync::Mutex::default(),
        }
    }

    fn is_done(&self, topic: &str) -> bool {
        self.done
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(topic)
    }

    /// Creates `topic` and its dead-letter topic unless done before.
    pub(crate) async fn ensure(&self, topic: &str) -> Result<(), KafkaError> {
        if self.is_done(topic) {
            return Ok(());
        }
        ensure_topics(&self.config, &[topic.to_owned(), TopicMapper::dlq(topic)]).await?;
        self.done
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(topic.to_owned());
        Ok(())
    }

    /// [`ensure`](Self::ensure) for synchronous callers: blocks the first
    /// time a topic is seen.
    pub(crate) fn ensure_blocking(&self, topic: &str) -> Result<(), KafkaError> {
        if self.is_done(topic) {
            return Ok(());
        }
        futures_executor::block_on(self.ensure(topic))
    }
}

/// One partition's offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionOffsets {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The earliest offset still stored.
    pub low: i64,
    /// The end offset (the next offset to be written).
    pub high: i64,
    /// The group's committed offset, when asked for a group and it has one.
    pub committed: Option<i64>,
}

impl PartitionOffsets {
    /// Messages after the committed offset (all stored messages when the
    /// group has committed nothing).
    pub fn lag(&self) -> i64 {
        self.high - self.committed.unwrap_or(self.low)
    }
}

/// The partitions of `topics` (those that exist) with their low and high
/// offsets, and `group`'s committed offsets when given.
///
/// # Errors
///
/// [`KafkaError::Client`] when the broker cannot be reached.
pub fn offsets(
    config: &KafkaConfig,
    topics: &[String],
    group: Option<&str>,
    timeout: Duration,
) -> Result<Vec<PartitionOffsets>, KafkaError> {
    let consumer: BaseConsumer = config
        .consumer_config(group.unwrap_or("schemabus-inspect"))
        .create()?;
    let metadata = consumer.fetch_metadata(None, timeout)?;
    let mut out = Vec::new();
    let mut tpl = TopicPartitionList::new();
    for topic in metadata.topics() {
        if !topics.iter().any(|t| t == topic.name()) || topic.error().is_some() {
            continue;
        }
        for p in topic.partitions() {
            let (low, high) = consumer.fetch_watermarks(topic.name(), p.id(), timeout)?;
            out.push(PartitionOffsets {
                topic: topic.name().to_owned(),
                partition: p.id(),
                low,
                high,
                committed: None,
            });
            tpl.add_partition(topic.name(), p.id());
        }
    }
    if group.is_some() && tpl.count() > 0 {
        let committed = consumer.committed_offsets(tpl, timeout)?;
        for p in &mut out {
            if let Some(Offset::Offset(o)) = committed
                .find_partition(&p.topic, p.partition)
                .map(|e| e.offset())
            {
                p.committed = Some(o);
            }
        }
    }
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(out)
}
