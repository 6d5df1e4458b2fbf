//! Subject name strategies: which subject an event's schema is registered
//! under, as Confluent's serializers name them.

use std::fmt;
use std::str::FromStr;

/// How the subject of a schema is named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SubjectNameStrategy {
    /// `<topic>-value`: one schema per topic (Confluent's default). A topic
    /// that carries several event types needs `NONE` compatibility then.
    TopicName,
    /// The record's full name: one subject per event type, shared across
    /// topics. The default here, since a context's topic carries many types.
    #[default]
    RecordName,
    /// `<topic>-<full name>`: one subject per event type and topic.
    TopicRecordName,
}

impl SubjectNameStrategy {
    /// The subject for a value of record `full_name` on `topic`.
    ///
    /// ```
    /// use schemabus_runtime::registry::SubjectNameStrategy;
    ///
    /// let name = "zamaz.debate.DebateCompleted";
    /// assert_eq!(SubjectNameStrategy::TopicName.subject("debate.events", name), "debate.events-value");
    /// assert_eq!(SubjectNameStrategy::RecordName.subject("debate.events", name), name);
    /// assert_eq!(
    ///     SubjectNameStrategy::TopicRecordName.subject("debate.events", name),
    ///     "debate.events-zamaz.debate.DebateCompleted"
    /// );
    /// ```
    pub fn subject(self, topic: &str, full_name: &str) -> String {
        match self {
            SubjectNameStrategy::TopicName => format!("{topic}-value"),
            SubjectNameStrategy::RecordName => full_name.to_owned(),
            SubjectNameStrategy::TopicRecordName => format!("{topic}-{full_name}"),
        }
    }

    /// The strategy's name as configured (`record`, `topic`, `topic_record`).
    pub fn name(self) -> &'static str {
        match self {
            SubjectNameStrategy::TopicName => "topic",
            SubjectNameStrategy::RecordName => "record",
            SubjectNameStrategy::TopicRecordName => "topic_record",
        }
    }
}

impl fmt::Display for SubjectNameStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text named no subject name strategy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown subject name strategy `{0}`; expected `topic`, `record` or `topic_record` (or Confluent's TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy)")]
pub struct UnknownStrategy(pub String);

impl FromStr for SubjectNameStrategy {
    type Err = UnknownStrategy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.trim_end_matches("strategy").trim_end_matches("name") {
            "topic" => Ok(SubjectNameStrategy::TopicName),
            "record" => Ok(SubjectNameStrategy::RecordName),
            "topicrecord" => Ok(SubjectNameStrategy::TopicRecordName),
            _ => Err(UnknownStrategy(s.to_owned())),
        }
    }
}

impl<'de> serde::Deserialize<'de> for SubjectNameStrategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
