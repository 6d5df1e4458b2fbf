//! A schema without an `aggregate` property takes the aggregate field from
//! the attribute.

use schemabus::{AvroCodec, DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderNoted.avsc",
    aggregate = "order_id"
)]
pub struct OrderNoted {
    pub order_id: Uuid,
    pub note: String,
    pub urgent: bool,
    pub mentions: Vec<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    pub metadata: EventMetadata,
}

fn main() {
    let event = OrderNoted {
        order_id: Uuid::from_u128(99),
        note: "ring twice".to_owned(),
        urgent: true,
        mentions: vec!["ada".to_owned()],
        metadata: EventMetadata::new(),
    };
    assert_eq!(event.aggregate_id(), Uuid::from_u128(99).to_string());
    assert_eq!(OrderNoted::CONTEXT, "orders");
    let back = OrderNoted::from_avro_bytes(&event.to_avro_bytes().unwrap()).unwrap();
    assert_eq!(back.note, "ring twice");
    assert!(back.urgent);
    assert_eq!(back.mentions, ["ada"]);
    assert_eq!(back.order_id, event.order_id);
}
