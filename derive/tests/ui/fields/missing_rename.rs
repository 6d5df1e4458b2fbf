//! The schema field `previousType` binds to `previous_type`, but serde would
//! name it `previous_type` in JSON: without `#[serde(rename = "previousType")]`
//! the derive rejects it, at the field (`pass/raw_identifier.rs` has the
//! rename and compiles).

use schemabus::{DomainEvent, EventMetadata};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/ItemTagged.avsc")]
pub struct ItemTagged {
    pub item_id: i64,
    pub r#type: String,
    pub previous_type: Option<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
