//! Without `#[domain_event(metadata)]`, the field named `metadata` is the
//! event's metadata; a schema whose fields are all in the struct and an
//! `aggregate` attribute that agrees with the schema are fine too.

use schemabus::{AvroCodec, DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderCancelled.avsc",
    aggregate = "order_id"
)]
pub struct OrderCancelled {
    pub order_id: Uuid,
    pub reason: String,
    pub refunded_cents: i64,
    #[serde(skip, default = "EventMetadata::empty")]
    pub metadata: EventMetadata,
}

fn main() {
    let mut event = OrderCancelled {
        order_id: Uuid::from_u128(0xabc),
        reason: "changed my mind".to_owned(),
        refunded_cents: -1,
        metadata: EventMetadata::new().with_source("shop"),
    };
    assert_eq!(event.metadata().source, "shop");
    event.metadata_mut().source = "till".to_owned();
    assert_eq!(event.metadata.source, "till");
    assert_eq!(event.aggregate_id(), Uuid::from_u128(0xabc).to_string());
    assert_eq!(OrderCancelled::EVENT_TYPE, "test.orders.OrderCancelled");

    // The exact encoding: uuid as a string, the reason, the long (zig-zag).
    let bytes = event.to_avro_bytes().unwrap();
    let mut expected = vec![72];
    expected.extend_from_slice(event.order_id.to_string().as_bytes());
    expected.push(30);
    expected.extend_from_slice(b"changed my mind");
    expected.push(1);
    assert_eq!(bytes, expected);

    let back = OrderCancelled::from_avro_bytes(&bytes).unwrap();
    assert!(back.metadata.is_empty());
    assert_eq!(
        back,
        OrderCancelled {
            metadata: EventMetadata::empty(),
            ..event
        }
    );
}
