//! Interop with `schema_registry_converter` 6, the Rust Confluent client,
//! against schemabus's registry server (in-process, over HTTP): its async
//! registry calls see the ids, subjects, versions and schemas schemabus's
//! `HttpRegistry` sees, and bytes its `AvroEncoder` writes decode with the
//! generated types and the other way round, byte for byte.
//!
//! Its `encode_struct` (serde) does not fit the generated types: their
//! `Uuid` fields serialize as bytes through apache-avro's serializer, which
//! the schemas' `uuid` strings refuse; the tests encode value trees.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/registry.rs"]
mod registry_support;
use registry_support::registry_server;

use apache_avro::types::Value;
use schema_registry_converter::async_impl::avro::{AvroDecoder, AvroEncoder};
use schema_registry_converter::async_impl::schema_registry::{
    get_all_subjects, get_all_versions, get_schema_by_id, get_schema_by_subject,
    get_schema_by_subject_and_version, is_compatible_schema, post_schema, SrSettings,
};
use schema_registry_converter::schema_registry_common::{
    SchemaType, SubjectNameStrategy, SuppliedSchema,
};
use schemabus::codec::wire;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::registry::{HttpRegistry, SchemaRegistry, SubjectNameStrategy as Strategy, Version};
use schemabus::{AvroCodec, AvroSchema, DomainEvent, EventMetadata};
use serde_json::json;
use uuid::Uuid;

/// The subject of `DebateCompleted` under RecordName (schemabus's default).
const SUBJECT: &str = "zamaz.debate.DebateCompleted";

fn settings(url: &str) -> SrSettings {
    SrSettings::new_builder(url.to_owned())
        .no_proxy()
        .build()
        .unwrap()
}

fn supplied(schema: &str) -> SuppliedSchema {
    SuppliedSchema::new(
        Some(SUBJECT.to_owned()),
        SchemaType::Avro,
        schema.to_owned(),
    )
}

/// The reference schema with one more field.
fn with_field(extra: serde_json::Value) -> String {
    let mut schema: serde_json::Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    schema["fields"].as_array_mut().unwrap().push(extra);
    schema.to_string()
}

fn events() -> [DebateCompleted; 2] {
    [
        DebateCompleted {
            debate_id: Uuid::new_v4(),
            topic: "Converters".to_owned(),
            winner: None,
            consensus: true,
            decision_type: DecisionType::Evolution,
            decision_id: Uuid::new_v4(),
            summary: "the same bytes — ünïcödé".to_owned(),
            metadata: EventMetadata::empty(),
        },
        DebateCompleted {
            debate_id: Uuid::new_v4(),
            topic: "Registries".to_owned(),
            winner: Some("bob".to_owned()),
            consensus: false,
            decision_type: DecisionType::Simple,
            decision_id: Uuid::new_v4(),
            summary: String::new(),
            metadata: EventMetadata::empty(),
        },
    ]
}

/// The event as apache-avro's value tree, as the converter decodes it.
fn value_of(e: &DebateCompleted) -> Value {
    let winner = match &e.winner {
        None => Value::Union(0, Box::new(Value::Null)),
        Some(w) => Value::Union(1, Box::new(Value::String(w.clone()))),
    };
    let symbol = e.decision_type.as_str();
    let index = [
        "SIMPLE",
        "MODERATE",
        "COMPLEX",
        "ARCHITECTURAL",
        "STRATEGIC",
        "EVOLUTION",
    ]
    .iter()
    .position(|s| *s == symbol)
    .unwrap();
    Value::Record(vec![
        ("debate_id".to_owned(), Value::Uuid(e.debate_id)),
        ("topic".to_owned(), Value::String(e.topic.clone())),
        ("winner".to_owned(), winner),
        ("consensus".to_owned(), Value::Boolean(e.consensus)),
        (
            "decision_type".to_owned(),
            Value::Enum(u32::try_from(index).unwrap(), symbol.to_owned()),
        ),
        ("decision_id".to_owned(), Value::Uuid(e.decision_id)),
        ("summary".to_owned(), Value::String(e.summary.clone())),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_converter_and_http_registry_see_the_same_ids_subjects_versions_and_schemas() {
    let url = registry_server().await;
    let sr = settings(&url);
    let registry = HttpRegistry::new(&url).unwrap();
    assert_eq!(
        Strategy::RecordName.subject("debate.events", DebateCompleted::EVENT_TYPE),
        SUBJECT,
        "schemabus's default strategy names the subject the converter's RecordNameStrategy does"
    );

    // Registered by the converter, found by schemabus, and the other way.
    let posted = post_schema(
        &sr,
        SUBJECT.to_owned(),
        supplied(DebateCompleted::SCHEMA_JSON),
    )
    .await
    .unwrap();
    assert_eq!(posted.subject.as_deref(), Some(SUBJECT));
    let found = registry
        .lookup(SUBJECT, DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    assert_eq!((found.id, found.version), (posted.id, 1));
    assert_eq!(
        registry
            .register(SUBJECT, DebateCompleted::SCHEMA_JSON)
            .await
            .unwrap(),
        posted.id,
        "the same schema, the same id"
    );
    let with_schema =
        SubjectNameStrategy::RecordNameStrategyWithSchema(supplied(DebateCompleted::SCHEMA_JSON));
    assert_eq!(
        get_schema_by_subject(&sr, &with_schema).await.unwrap().id,
        posted.id
    );

    // A second version, registered by schemabus.
    let v2 = with_field(json!({"name": "moderator", "type": ["null", "string"], "default": null}));
    let v2_id = registry.register(SUBJECT, &v2).await.unwrap();
    assert_ne!(v2_id, posted.id);

    let latest = get_schema_by_subject(
        &sr,
        &SubjectNameStrategy::RecordNameStrategy(SUBJECT.to_owned()),
    )
    .await
    .unwrap();
    let ours = registry.version(SUBJECT, Version::Latest).await.unwrap();
    assert_eq!(latest.id, v2_id);
    assert_eq!(latest.version, Some(ours.version));
    assert_eq!(latest.subject.as_deref(), Some(SUBJECT));
    assert_eq!(latest.schema, ours.schema);
    assert_eq!(latest.schema_type, SchemaType::Avro);

    let first = get_schema_by_subject_and_version(&sr, SUBJECT, Some(1))
        .await
        .unwrap();
    assert_eq!(first.id, posted.id);
    assert_eq!(
        first.schema,
        registry
            .version(SUBJECT, Version::Number(1))
            .await
            .unwrap()
            .schema
    );

    for id in [posted.id, v2_id] {
        let by_id = get_schema_by_id(id, &sr).await.unwrap();
        assert_eq!(by_id.id, id);
        assert_eq!(by_id.schema, registry.schema_by_id(id).await.unwrap());
    }

    assert_eq!(
        get_all_subjects(&sr).await.unwrap(),
        registry.subjects().await.unwrap()
    );
    assert_eq!(get_all_subjects(&sr).await.unwrap(), [SUBJECT]);
    assert_eq!(
        get_all_versions(&sr, SUBJECT.to_owned()).await.unwrap(),
        registry.versions(SUBJECT).await.unwrap()
    );
    assert_eq!(
        get_all_versions(&sr, SUBJECT.to_owned()).await.unwrap(),
        [1, 2]
    );

    // Compatibility, at the default BACKWARD: a required field older data
    // lacks is refused, by both clients.
    let breaking = with_field(json!({"name": "rounds", "type": "int"}));
    let compatible =
        with_field(json!({"name": "moderator", "type": ["null", "string"], "default": null}));
    assert!(
        is_compatible_schema(&sr, SUBJECT.to_owned(), supplied(&compatible))
            .await
            .unwrap()
    );
    assert!(
        !is_compatible_schema(&sr, SUBJECT.to_owned(), supplied(&breaking))
            .await
            .unwrap()
    );
    assert!(
        !registry
            .check_compatibility(SUBJECT, &breaking)
            .await
            .unwrap()
            .compatible
    );
    let refused = post_schema(&sr, SUBJECT.to_owned(), supplied(&breaking))
        .await
        .unwrap_err();
    assert!(
        refused.error.contains("409") || refused.cause.as_deref().unwrap_or("").contains("409"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_from_the_avro_encoder_decode_as_generated_types_and_the_other_way() {
    let url = registry_server().await;
    let registry = HttpRegistry::new(&url).unwrap();
    let encoder = AvroEncoder::new(settings(&url));
    let decoder = AvroDecoder::new(settings(&url));
    let strategy =
        SubjectNameStrategy::RecordNameStrategyWithSchema(supplied(DebateCompleted::SCHEMA_JSON));

    for event in events() {
        // Its encoder (registering the schema) → the generated decoder. The
        // value tree, not `encode_struct`: through serde the generated
        // types' `Uuid` fields serialize as 16 bytes (apache-avro's
        // serializer is not human-readable), which a `uuid` string refuses.
        let Value::Record(fields) = value_of(&event) else {
            unreachable!()
        };
        let fields: Vec<(&str, Value)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        let bytes = encoder.encode(fields, strategy.clone()).await.unwrap();
        let (id, datum) = wire::unframe(&bytes).unwrap();
        assert_eq!(
            id,
            registry
                .lookup(SUBJECT, DebateCompleted::SCHEMA_JSON)
                .await
                .unwrap()
                .id
        );
        assert_eq!(DebateCompleted::from_avro_bytes(datum).unwrap(), event);
        assert_eq!(
            bytes,
            wire::frame(id, &event.to_avro_bytes().unwrap()),
            "byte for byte what schemabus writes"
        );

        // The schema found by record name (the latest version) instead.
        let by_name = SubjectNameStrategy::RecordNameStrategy(SUBJECT.to_owned());
        assert_eq!(
            encoder
                .encode_value(value_of(&event), &by_name)
                .await
                .unwrap(),
            bytes
        );

        // schemabus's encoder → its decoder.
        let ours = wire::frame(id, &event.to_avro_bytes().unwrap());
        let decoded = decoder.decode(Some(&ours)).await.unwrap();
        assert_eq!(
            decoded.name.map(|n| n.fullname(None)).as_deref(),
            Some(SUBJECT)
        );
        assert_eq!(decoded.value, value_of(&event));
    }
}
