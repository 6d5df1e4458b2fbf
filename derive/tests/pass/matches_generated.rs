//! A hand-written struct for a schema of the reference domain encodes to the
//! same bytes as the type generated from that schema, and has the same
//! event and schema constants: both come from the one derive.
//!
//! `decision_type` is a named enum (`zamaz.common.DecisionType`): the
//! hand-written struct uses the generated enum, found because the schema
//! root defaults to `../schemas` (the grandparent of the schema file).

use schemabus::events::common::DecisionType;
use schemabus::events::debate;
use schemabus::{AvroCodec, DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "debate", schema = "../schemas/debate/DebateCompleted.avsc")]
pub struct DebateCompleted {
    pub debate_id: Uuid,
    pub topic: String,
    pub winner: Option<String>,
    pub consensus: bool,
    pub decision_type: DecisionType,
    pub decision_id: Uuid,
    pub summary: String,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

/// The same with every attribute spelled out, and fields in another order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "debate",
    schema = "../schemas/debate/DebateCancelled.avsc",
    aggregate = "debate_id",
    root = "../schemas"
)]
pub struct DebateCancelled {
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
    pub cancelled_by: String,
    pub reason: String,
    pub debate_id: Uuid,
}

fn same_constants<A: DomainEvent, B: DomainEvent>() {
    assert_eq!(A::CONTEXT, B::CONTEXT);
    assert_eq!(A::EVENT_TYPE, B::EVENT_TYPE);
    assert_eq!(A::FULL_NAME, B::FULL_NAME);
    assert_eq!(A::SCHEMA_JSON, B::SCHEMA_JSON);
    assert_eq!(A::CANONICAL_FORM, B::CANONICAL_FORM);
    assert_eq!(A::FINGERPRINT, B::FINGERPRINT);
    assert_eq!(A::MIN_LEN, B::MIN_LEN);
}

fn completed(winner: Option<&str>, decision_type: DecisionType) {
    let metadata = EventMetadata::new();
    let ours = DebateCompleted {
        debate_id: Uuid::from_u128(1),
        topic: "tabs or spaces".to_owned(),
        winner: winner.map(str::to_owned),
        consensus: winner.is_some(),
        decision_type,
        decision_id: Uuid::from_u128(2),
        summary: "spaces, narrowly".to_owned(),
        metadata: metadata.clone(),
    };
    let generated = debate::DebateCompleted {
        debate_id: ours.debate_id,
        topic: ours.topic.clone(),
        winner: ours.winner.clone(),
        consensus: ours.consensus,
        decision_type: ours.decision_type,
        decision_id: ours.decision_id,
        summary: ours.summary.clone(),
        metadata,
    };

    let bytes = ours.to_avro_bytes().unwrap();
    assert_eq!(bytes, generated.to_avro_bytes().unwrap());
    assert_eq!(ours.avro_len(), generated.avro_len());
    assert_eq!(ours.aggregate_id(), generated.aggregate_id());
    assert_eq!(ours.aggregate_id(), "00000000-0000-0000-0000-000000000001");

    // Each decodes the other's bytes.
    let back = DebateCompleted::from_avro_bytes(&generated.to_avro_bytes().unwrap()).unwrap();
    assert_eq!(back.decision_type, decision_type);
    assert_eq!(back.winner, ours.winner);
    let theirs = debate::DebateCompleted::from_avro_bytes(&bytes).unwrap();
    assert_eq!(theirs.summary, ours.summary);
    assert_eq!(theirs.decision_type, decision_type);
}

fn main() {
    same_constants::<DebateCompleted, debate::DebateCompleted>();
    assert_eq!(DebateCompleted::CONTEXT, "debate");
    assert_eq!(DebateCompleted::EVENT_TYPE, "zamaz.debate.DebateCompleted");
    completed(Some("claude"), DecisionType::Architectural);
    completed(None, DecisionType::Simple);

    same_constants::<DebateCancelled, debate::DebateCancelled>();
    let ours = DebateCancelled {
        metadata: EventMetadata::empty(),
        cancelled_by: "moderator".to_owned(),
        reason: "duplicate".to_owned(),
        debate_id: Uuid::from_u128(3),
    };
    let generated = debate::DebateCancelled {
        debate_id: ours.debate_id,
        reason: ours.reason.clone(),
        cancelled_by: ours.cancelled_by.clone(),
        metadata: EventMetadata::empty(),
    };
    // Struct field order does not matter: the schema's order is encoded.
    assert_eq!(
        ours.to_avro_bytes().unwrap(),
        generated.to_avro_bytes().unwrap()
    );
    assert_eq!(ours.aggregate_id(), generated.aggregate_id());
}
