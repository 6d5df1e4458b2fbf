//! An Avro field named `type` binds to the raw identifier `r#type`, and the
//! camelCase `previousType` to `previous_type` (renamed for serde, so its
//! JSON name is the schema's too). A `long` aggregate field becomes the
//! aggregate id in decimal; the metadata field can have any name when
//! marked. A type alias of the schema's type is that type.

use schemabus::{AvroCodec, DomainEvent, EventMetadata};

pub type ItemId = i64;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/ItemTagged.avsc")]
pub struct ItemTagged {
    pub item_id: ItemId,
    pub r#type: String,
    #[serde(rename = "previousType")]
    pub previous_type: Option<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub meta: EventMetadata,
}

fn main() {
    let event = ItemTagged {
        item_id: -42,
        r#type: "fragile".to_owned(),
        previous_type: Some("sturdy".to_owned()),
        meta: EventMetadata::new().with_source("tagger"),
    };
    assert_eq!(event.aggregate_id(), "-42");
    assert_eq!(event.metadata().source, "tagger");

    let bytes = event.to_avro_bytes().unwrap();
    let mut expected = vec![83]; // -42 zig-zag
    expected.push(14);
    expected.extend_from_slice(b"fragile");
    expected.extend_from_slice(&[2, 12]);
    expected.extend_from_slice(b"sturdy");
    assert_eq!(bytes, expected);

    let back = ItemTagged::from_avro_bytes(&bytes).unwrap();
    assert_eq!(back.r#type, "fragile");
    assert_eq!(back.previous_type.as_deref(), Some("sturdy"));
    assert!(back.meta.is_empty());
}
