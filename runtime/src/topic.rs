//! [`TopicMapper`]: which Kafka topic each event type goes to.
//!
//! Every event goes to its bounded context's topic, `{prefix}{context}.events`,
//! unless configuration names another topic for its type (the prefix applies
//! to those too). Messages that cannot be handled go to `<topic>.dlq`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::Catalog;

/// Suffix of dead-letter topics.
pub const DLQ_SUFFIX: &str = ".dlq";

/// The topic of every event type of a [`Catalog`], computed once.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::topic::TopicMapper;
/// # let catalog = schemabus_runtime::Catalog { types: &[],
/// #     decode_avro: |t, _, _| Err(schemabus_runtime::EventDecodeError::UnknownEventType(t.into())),
/// #     decode_json: |_| Err(schemabus_runtime::EventDecodeError::UnknownEventType(String::new())) };
/// let topics = TopicMapper::new(&catalog, "test.");
/// assert_eq!(topics.context_topic("debate"), "test.debate.events");
/// assert_eq!(TopicMapper::dlq("test.debate.events"), "test.debate.events.dlq");
/// ```
#[derive(Clone, Debug)]
pub struct TopicMapper {
    prefix: String,
    by_type: HashMap<&'static str, String>,
    by_context: BTreeMap<&'static str, BTreeSet<String>>,
}

impl TopicMapper {
    /// Every event of `catalog` to its context's topic under `prefix`.
    pub fn new(catalog: &Catalog, prefix: &str) -> Self {
        Self::with_overrides(catalog, prefix, &BTreeMap::new())
    }

    /// As [`new`](Self::new), with `overrides` from event type (full Avro
    /// name) to topic name (before the prefix).
    pub fn with_overrides(
        catalog: &Catalog,
        prefix: &str,
        overrides: &BTreeMap<String, String>,
    ) -> Self {
        let mut by_type = HashMap::new();
        let mut by_context: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for ty in catalog.types {
            let topic = match overrides.get(ty.name) {
                Some(topic) => format!("{prefix}{topic}"),
                None => context_topic(prefix, ty.context),
            };
            by_context
                .entry(ty.context)
                .or_default()
                .insert(topic.clone());
            by_type.insert(ty.name, topic);
        }
        TopicMapper {
            prefix: prefix.to_owned(),
            by_type,
            by_context,
        }
    }

    /// The topic of `event_type`, if the catalog has that type.
    pub fn topic(&self, event_type: &str) -> Option<&str> {
        self.by_type.get(event_type).map(String::as_str)
    }

    /// `{prefix}{context}.events`.
    pub fn context_topic(&self, context: &str) -> String {
        context_topic(&self.prefix, context)
    }

    /// Every topic the events of `context` go to, sorted.
    pub fn topics_of(&self, context: &str) -> Vec<String> {
        self.by_context
            .get(context)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Every topic of every context, sorted, each once.
    pub fn all_topics(&self) -> Vec<String> {
        let all: BTreeSet<&String> = self.by_context.values().flatten().collect();
        all.into_iter().cloned().collect()
    }

    /// The contexts, sorted.
    pub fn contexts(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_context.keys().copied()
    }

    /// The dead-letter topic of `topic`: `<topic>.dlq`.
    pub fn dlq(topic: &str) -> String {
        format!("{topic}{DLQ_SUFFIX}")
    }
}

fn context_topic(prefix: &str, context: &str) -> String {
    format!("{prefix}{context}.events")
}
