//! `avro_decode_into` replaces the whole value, fields outside the schema too.

#![allow(clippy::unwrap_used)]

use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::{AvroCodec, EventMetadata};

fn event(topic: &str, metadata: EventMetadata) -> DebateCompleted {
    DebateCompleted {
        debate_id: uuid::Uuid::new_v4(),
        topic: topic.to_owned(),
        winner: None,
        consensus: false,
        decision_type: DecisionType::Simple,
        decision_id: uuid::Uuid::new_v4(),
        summary: "s".to_owned(),
        metadata,
    }
}

#[test]
fn decode_into_resets_the_metadata_like_a_fresh_decode() {
    let bytes = event("second", EventMetadata::new())
        .to_avro_bytes()
        .unwrap();
    let mut reused = event("first", EventMetadata::new().with_source("old"));
    let mut r = schemabus::codec::avro::reader::Reader::new(&bytes);
    reused.avro_decode_into(&mut r).unwrap();
    let fresh = DebateCompleted::from_avro_bytes(&bytes).unwrap();
    assert_eq!(reused, fresh);
    assert_eq!(reused.metadata, EventMetadata::empty());
    assert_eq!(reused.topic, "second");
}
