//! `labels` is a `map` of strings: a `Vec` is the wrong container.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/StockCounted.avsc")]
pub struct StockCounted {
    pub sku: String,
    pub batch_id: Uuid,
    pub quantity: i64,
    pub note: Option<String>,
    pub location: String,
    pub counts: Vec<i64>,
    pub labels: Vec<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
