//! `quantity` is a `long` in the schema; `Quantity` is an alias of `i32`,
//! which the derive cannot see through: rustc's check reports it at the field.

use std::collections::BTreeMap;

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

type Quantity = i32;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/StockCounted.avsc")]
pub struct StockCounted {
    pub sku: String,
    pub batch_id: Uuid,
    pub quantity: Quantity,
    pub note: Option<String>,
    pub location: String,
    pub counts: Vec<i64>,
    pub labels: BTreeMap<String, String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
