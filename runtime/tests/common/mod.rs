//! A small hand-written event, standing in for generated code.
#![allow(dead_code)]

use schemabus_runtime::codec::avro::{reader::Reader, writer::*};
use schemabus_runtime::{
    AvroCodec, AvroSchema, DecodeError, DomainEvent, EncodeError, EventMetadata,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DebateCompleted {
    pub debate_id: String,
    pub rounds: i32,
    #[serde(skip)]
    pub metadata: EventMetadata,
}

impl AvroSchema for DebateCompleted {
    const FULL_NAME: &'static str = "zamaz.debate.DebateCompleted";
    const SCHEMA_JSON: &'static str = r#"{"type":"record","name":"DebateCompleted","namespace":"zamaz.debate","fields":[{"name":"debate_id","type":"string"},{"name":"rounds","type":"int"}]}"#;
    const CANONICAL_FORM: &'static str = r#"{"name":"zamaz.debate.DebateCompleted","type":"record","fields":[{"name":"debate_id","type":"string"},{"name":"rounds","type":"int"}]}"#;
    const FINGERPRINT: u64 = 0;
}

impl AvroCodec for DebateCompleted {
    const MIN_LEN: usize = 2;
    fn avro_len(&self) -> usize {
        str_len(&self.debate_id) + int_len(self.rounds)
    }
    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_str(buf, &self.debate_id);
        put_int(buf, self.rounds);
        Ok(())
    }
    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            debate_id: r
                .read_string()
                .map_err(|e| e.in_field("DebateCompleted.debate_id"))?,
            rounds: r
                .read_int()
                .map_err(|e| e.in_field("DebateCompleted.rounds"))?,
            metadata: EventMetadata::new(),
        })
    }
}

impl DomainEvent for DebateCompleted {
    const CONTEXT: &'static str = "debate";
    const EVENT_TYPE: &'static str = Self::FULL_NAME;
    fn aggregate_id(&self) -> String {
        self.debate_id.clone()
    }
    fn metadata(&self) -> &EventMetadata {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut EventMetadata {
        &mut self.metadata
    }
}
