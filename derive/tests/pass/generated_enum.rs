//! A hand-written struct may use the enum generated from a named type of
//! its schema root: `zamaz.common.DecisionType` is
//! `schemabus::events::common::DecisionType`, which implements the marker
//! the derive checks (the hand-written enum of `ui/types/hand_written_enum.rs`
//! does not). The root is given explicitly here.

use schemabus::events::common::DecisionType;
use schemabus::events::debate;
use schemabus::{AvroCodec, DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "debate",
    schema = "../schemas/debate/DecisionMade.avsc",
    root = "../schemas"
)]
pub struct DecisionMade {
    pub decision_id: Uuid,
    pub debate_id: Option<Uuid>,
    pub decision_type: DecisionType,
    pub question: String,
    pub recommendation: String,
    pub confidence: f64,
    pub implementation_required: bool,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {
    let ours = DecisionMade {
        decision_id: Uuid::from_u128(1),
        debate_id: None,
        decision_type: DecisionType::Architectural,
        question: "tabs or spaces".to_owned(),
        recommendation: "spaces".to_owned(),
        confidence: 0.75,
        implementation_required: true,
        metadata: EventMetadata::empty(),
    };
    let bytes = ours.to_avro_bytes().unwrap();
    let generated = debate::DecisionMade::from_avro_bytes(&bytes).unwrap();
    assert_eq!(generated.decision_type, DecisionType::Architectural);
    assert_eq!(generated.to_avro_bytes().unwrap(), bytes);
    let back = DecisionMade::from_avro_bytes(&bytes).unwrap();
    assert_eq!(back, ours);
    assert_eq!(ours.aggregate_id(), "00000000-0000-0000-0000-000000000001");
}
