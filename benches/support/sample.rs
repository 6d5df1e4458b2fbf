//! The `DebateCompleted` the in-process benchmarks measure.

use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::EventMetadata;

/// A completed complex debate with a winner, fresh ids and metadata.
pub fn debate_completed() -> DebateCompleted {
    DebateCompleted {
        debate_id: uuid::Uuid::new_v4(),
        topic: "Should the event bus adopt Avro schemas?".to_owned(),
        winner: Some("claude-architect".to_owned()),
        consensus: true,
        decision_type: DecisionType::Complex,
        decision_id: uuid::Uuid::new_v4(),
        summary: "Adopt Avro with a schema registry.".to_owned(),
        metadata: EventMetadata::new(),
    }
}
