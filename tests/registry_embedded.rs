//! `EmbeddedRegistry`: Confluent's semantics (global ids, versions, soft and
//! permanent deletes, compatibility levels), its state file, and one id for
//! concurrent registrations of one schema.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use schemabus::compat::Level;
use schemabus::events::debate::DebateCompleted;
use schemabus::registry::{EmbeddedRegistry, RegistryError, SchemaRegistry, Version};
use schemabus::AvroSchema;
use serde_json::{json, Value};

const V1: &str =
    r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"}]}"#;
/// V1 plus an optional field: compatible both ways.
const V2: &str = r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
/// V2 with `note` made required: reads V2 data, not V1 data.
const V3: &str = r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"]}]}"#;
/// A required field V1 data lacks: BACKWARD-incompatible with V1.
const BREAKING: &str = r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"},{"name":"at","type":"long"}]}"#;

/// The reference domain's event with one more optional field.
fn debate_completed_v2() -> String {
    let mut schema: Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    schema["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "moderator", "type": ["null", "string"], "default": null}));
    schema.to_string()
}

#[tokio::test]
async fn one_id_per_schema_across_subjects_and_formatting() {
    let registry = EmbeddedRegistry::in_memory();
    let id = registry
        .register("debate-value", DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    assert_eq!(id, 1);

    // The same schema compact, with keys reordered: the same id.
    let value: Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    let compact = value.to_string();
    assert_ne!(compact, DebateCompleted::SCHEMA_JSON);
    assert_eq!(
        registry
            .register(DebateCompleted::FULL_NAME, &compact)
            .await
            .unwrap(),
        id
    );
    let reordered = r#"{"fields":[{"type":"string","name":"id"}],"namespace":"t","name":"Ping","type":"record"}"#;
    let ping = registry.register("ping", V1).await.unwrap();
    assert_eq!(registry.register("ping-2", reordered).await.unwrap(), ping);

    // A primitive written as an object is the primitive, as Avro prints it.
    let wrapped = V1.replace(r#""type":"string""#, r#""type":{"type":"string"}"#);
    assert_ne!(wrapped, V1);
    assert_eq!(registry.register("ping-2", &wrapped).await.unwrap(), ping);

    // Names count in full, as Avro prints them: `"name":"t.Ping"` without a
    // namespace is the same schema.
    let full_name = V1.replace(r#""name":"Ping","namespace":"t","#, r#""name":"t.Ping","#);
    assert_ne!(full_name, V1);
    assert_eq!(registry.register("ping-2", &full_name).await.unwrap(), ping);
    assert_eq!(registry.versions("ping-2").await.unwrap(), [1]);

    // Docs count, as in Confluent: another schema, another id.
    let documented = V1.replace(r#""name":"Ping","#, r#""name":"Ping","doc":"A ping.","#);
    let other = registry.register("ping-3", &documented).await.unwrap();
    assert_ne!(other, ping);

    // The id answers with the text as first registered.
    assert_eq!(
        registry.schema_by_id(id).await.unwrap(),
        DebateCompleted::SCHEMA_JSON
    );
    assert_eq!(
        registry.subjects_for_id(id, false).unwrap(),
        ["debate-value", DebateCompleted::FULL_NAME]
    );
    assert_eq!(
        registry.subjects().await.unwrap(),
        [
            "debate-value",
            "ping",
            "ping-2",
            "ping-3",
            DebateCompleted::FULL_NAME
        ]
    );
}

#[tokio::test]
async fn stable_ids_do_not_change_between_versions() {
    // Processes of different schemabus versions give a schema the same
    // stable id, so records written before an upgrade keep their meaning:
    // these numbers must never change.
    let registry = EmbeddedRegistry::in_memory_with_stable_ids();
    let id = registry
        .register("debate", DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    assert_eq!(id, STABLE_ID_DEBATE_COMPLETED);
    assert_eq!(registry.register("ping", V1).await.unwrap(), STABLE_ID_V1);
}

/// FNV-1a of the schemas' keys-sorted forms, as every version computed them
/// (checked against an independent implementation of the algorithm).
const STABLE_ID_DEBATE_COMPLETED: u32 = 636_195_786;
const STABLE_ID_V1: u32 = 1_632_260_526;

#[tokio::test]
async fn registering_a_live_schema_again_adds_no_version() {
    let registry = EmbeddedRegistry::in_memory();
    let id = registry.register("s", V1).await.unwrap();
    for _ in 0..3 {
        assert_eq!(registry.register("s", V1).await.unwrap(), id);
    }
    assert_eq!(registry.versions("s").await.unwrap(), [1]);

    let id2 = registry.register("s", V2).await.unwrap();
    assert_eq!(id2, id + 1);
    // V1 is still a live version: registering it returns its id, no version 3.
    assert_eq!(registry.register("s", V1).await.unwrap(), id);
    assert_eq!(registry.versions("s").await.unwrap(), [1, 2]);
}

#[tokio::test]
async fn versions_count_from_one_per_subject() {
    let registry = EmbeddedRegistry::in_memory();
    registry
        .register("a", DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    let v2 = debate_completed_v2();
    let id2 = registry.register("a", &v2).await.unwrap();
    registry.register("b", &v2).await.unwrap();

    let latest = registry.version("a", Version::Latest).await.unwrap();
    assert_eq!(
        (latest.subject.as_str(), latest.version, latest.id),
        ("a", 2, id2)
    );
    assert_eq!(latest.schema, v2);
    assert_eq!(
        registry
            .version("a", Version::Number(1))
            .await
            .unwrap()
            .schema,
        DebateCompleted::SCHEMA_JSON
    );
    let b = registry.version("b", Version::Latest).await.unwrap();
    assert_eq!((b.version, b.id), (1, id2));

    assert!(matches!(
        registry.version("a", Version::Number(3)).await,
        Err(RegistryError::VersionNotFound { subject, version }) if subject == "a" && version == "3"
    ));
    assert!(matches!(
        registry.version("nope", Version::Latest).await,
        Err(RegistryError::SubjectNotFound(s)) if s == "nope"
    ));
    assert!(matches!(
        registry.versions("nope").await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert_eq!(
        registry.versions_for_id(id2, false).unwrap(),
        [("a".to_owned(), 2), ("b".to_owned(), 1)]
    );
}

#[tokio::test]
async fn lookup_finds_the_version_of_a_schema() {
    let registry = EmbeddedRegistry::in_memory();
    registry.register("s", V1).await.unwrap();
    let id2 = registry.register("s", V2).await.unwrap();
    registry.register("other", BREAKING).await.unwrap();

    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(V2).unwrap()).unwrap();
    let found = registry.lookup("s", &pretty).await.unwrap();
    assert_eq!(
        (found.version, found.id, found.schema.as_str()),
        (2, id2, V2)
    );

    assert!(matches!(
        registry.lookup("s", BREAKING).await,
        Err(RegistryError::SchemaNotFound(_))
    ));
    assert!(matches!(
        registry.lookup("nope", V1).await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert!(matches!(
        registry.lookup("s", "{").await,
        Err(RegistryError::InvalidSchema(_))
    ));
}

#[tokio::test]
async fn invalid_schemas_are_rejected_with_the_parsers_message() {
    let registry = EmbeddedRegistry::in_memory();
    let cases = [
        ("not json", "not JSON"),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"strng"}]}"#,
            "strng",
        ),
        (r#"{"type":"enum","name":"E","symbols":["A","A"]}"#, "A"),
    ];
    for (schema, expected) in cases {
        match registry.register("s", schema).await {
            Err(RegistryError::InvalidSchema(message)) => {
                assert!(
                    message.contains(expected),
                    "{message:?} should mention {expected:?}"
                )
            }
            other => panic!("{schema}: {other:?}"),
        }
    }
    let error = registry
        .register(
            "s",
            r#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(42201));
    assert!(error.to_string().contains("/fields/0"), "{error}");
    assert!(registry.subjects().await.unwrap().is_empty());
}

#[tokio::test]
async fn soft_deleted_subjects_are_hidden_but_ids_still_answer() {
    let registry = EmbeddedRegistry::in_memory();
    let id = registry.register("s", V1).await.unwrap();
    registry.register("s", V2).await.unwrap();

    // Permanent first: Confluent's 40405.
    let error = registry.delete_subject("s", true).await.unwrap_err();
    assert!(matches!(&error, RegistryError::SubjectNotSoftDeleted(s) if s == "s"));
    assert_eq!(error.code(), Some(40405));

    assert_eq!(registry.delete_subject("s", false).await.unwrap(), [1, 2]);
    assert!(registry.subjects().await.unwrap().is_empty());
    assert_eq!(registry.subject_names(true), ["s"]);
    assert!(matches!(
        registry.versions("s").await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert_eq!(registry.subject_versions("s", true).unwrap(), [1, 2]);
    assert!(matches!(
        registry.version("s", Version::Latest).await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert_eq!(
        registry
            .subject_version("s", Version::Latest, true)
            .unwrap()
            .version,
        2
    );
    assert!(matches!(
        registry.lookup("s", V1).await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert_eq!(registry.find_schema("s", V1, true).unwrap().version, 1);
    assert_eq!(registry.schema_by_id(id).await.unwrap(), V1);
    assert!(registry.subjects_for_id(id, false).unwrap().is_empty());
    assert_eq!(registry.subjects_for_id(id, true).unwrap(), ["s"]);

    // Twice: Confluent's 40404.
    let error = registry.delete_subject("s", false).await.unwrap_err();
    assert!(matches!(error, RegistryError::SubjectSoftDeleted(_)));
    assert_eq!(error.code(), Some(40404));

    // A soft-deleted subject takes new versions after its old ones,
    // unchecked against them (they are not live), with the same ids.
    assert_eq!(registry.register("s", BREAKING).await.unwrap(), 3);
    assert_eq!(registry.versions("s").await.unwrap(), [3]);
    assert_eq!(registry.register("s", V1).await.unwrap(), id);
    assert_eq!(registry.versions("s").await.unwrap(), [3, 4]);
    assert_eq!(
        registry.version("s", Version::Number(4)).await.unwrap().id,
        id
    );
    // As in Confluent, the soft-deleted version 1 of that schema made way
    // for version 4: the subject never lists one schema twice.
    assert_eq!(registry.subject_versions("s", true).unwrap(), [2, 3, 4]);
}

#[tokio::test]
async fn permanent_deletes_follow_soft_ones() {
    let registry = EmbeddedRegistry::in_memory();
    let id = registry.register("s", V1).await.unwrap();
    registry.delete_subject("s", false).await.unwrap();
    assert_eq!(registry.delete_subject("s", true).await.unwrap(), [1]);
    assert!(registry.subject_names(true).is_empty());
    assert!(matches!(
        registry.delete_subject("s", true).await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert!(matches!(
        registry.delete_subject("s", false).await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    // Nothing uses the id any more …
    assert!(matches!(
        registry.schema_by_id(id).await,
        Err(RegistryError::SchemaNotFound(_))
    ));
    assert!(matches!(
        registry.versions_for_id(id, true),
        Err(RegistryError::SchemaNotFound(_))
    ));
    // … but it is never given to another schema, and the schema gets it back.
    let other = registry.register("t", BREAKING).await.unwrap();
    assert_ne!(other, id);
    assert_eq!(registry.register("s", V1).await.unwrap(), id);
    assert_eq!(registry.versions("s").await.unwrap(), [1]);
}

#[tokio::test]
async fn versions_are_deleted_one_by_one() {
    let registry = EmbeddedRegistry::in_memory();
    let id1 = registry.register("s", V1).await.unwrap();
    registry.register("s", V2).await.unwrap();

    let error = registry
        .delete_version("s", Version::Number(1), true)
        .unwrap_err();
    assert!(
        matches!(&error, RegistryError::VersionNotSoftDeleted { subject, version: 1 } if subject == "s")
    );
    assert_eq!(error.code(), Some(40407));

    assert_eq!(
        registry
            .delete_version("s", Version::Number(1), false)
            .unwrap(),
        1
    );
    assert_eq!(registry.versions("s").await.unwrap(), [2]);
    assert_eq!(registry.subject_versions("s", true).unwrap(), [1, 2]);
    assert!(matches!(
        registry.version("s", Version::Number(1)).await,
        Err(RegistryError::VersionNotFound { .. })
    ));
    assert_eq!(
        registry
            .subject_version("s", Version::Number(1), true)
            .unwrap()
            .id,
        id1
    );
    assert_eq!(registry.schema_by_id(id1).await.unwrap(), V1);

    let error = registry
        .delete_version("s", Version::Number(1), false)
        .unwrap_err();
    assert!(matches!(
        error,
        RegistryError::VersionSoftDeleted { version: 1, .. }
    ));
    assert_eq!(error.code(), Some(40406));
    assert!(matches!(
        registry.delete_version("s", Version::Number(9), false),
        Err(RegistryError::VersionNotFound { .. })
    ));
    assert!(matches!(
        registry.delete_version("nope", Version::Latest, false),
        Err(RegistryError::SubjectNotFound(_))
    ));

    // V1 is not live any more: registering it again makes version 3, same
    // id, and its soft-deleted version 1 makes way (as in Confluent).
    assert_eq!(registry.register("s", V1).await.unwrap(), id1);
    assert_eq!(registry.versions("s").await.unwrap(), [2, 3]);
    assert_eq!(registry.subject_versions("s", true).unwrap(), [2, 3]);

    assert_eq!(
        registry
            .delete_version("s", Version::Latest, false)
            .unwrap(),
        3
    );
    assert_eq!(
        registry
            .delete_version("s", Version::Number(3), true)
            .unwrap(),
        3
    );
    assert_eq!(registry.subject_versions("s", true).unwrap(), [2]);
    assert_eq!(
        registry
            .version("s", Version::Latest)
            .await
            .unwrap()
            .version,
        2
    );
}

#[tokio::test]
async fn the_global_level_rejects_incompatible_schemas_with_reasons() {
    let registry = EmbeddedRegistry::in_memory();
    assert_eq!(registry.level(None).await.unwrap(), Level::Backward);
    registry.register("s", V1).await.unwrap();

    let report = registry.check_compatibility("s", BREAKING).await.unwrap();
    assert!(!report.compatible);
    assert_eq!(report.messages.len(), 1);
    let message = &report.messages[0];
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    assert!(message.contains("`at`"), "{message}");
    assert!(message.contains("version 1"), "{message}");

    match registry.register("s", BREAKING).await {
        Err(RegistryError::Incompatible { subject, messages }) => {
            assert_eq!(subject, "s");
            assert_eq!(&messages, &report.messages);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(registry.versions("s").await.unwrap(), [1]);
    // Another subject is not affected; nor is a subject without versions.
    assert!(
        registry
            .check_compatibility("fresh", BREAKING)
            .await
            .unwrap()
            .compatible
    );

    registry.set_level(None, Level::None).await.unwrap();
    assert!(
        registry
            .check_compatibility("s", BREAKING)
            .await
            .unwrap()
            .compatible
    );
    registry.register("s", BREAKING).await.unwrap();
    assert_eq!(registry.versions("s").await.unwrap(), [1, 2]);

    // FORWARD: the latest version must read the new schema's data.
    registry.set_level(None, Level::Forward).await.unwrap();
    let report = registry.check_compatibility("s", V1).await.unwrap();
    assert!(
        !report.compatible,
        "V1 data lacks `at`, which version 2 needs"
    );
    assert!(
        report.messages[0].contains("FORWARD"),
        "{:?}",
        report.messages
    );
}

#[tokio::test]
async fn subject_levels_override_the_global_one() {
    let registry = EmbeddedRegistry::in_memory();
    registry.register("strict", V1).await.unwrap();
    registry.register("loose", V1).await.unwrap();
    registry
        .set_level(Some("loose"), Level::None)
        .await
        .unwrap();
    assert_eq!(registry.level(Some("loose")).await.unwrap(), Level::None);
    assert_eq!(
        registry.level(Some("strict")).await.unwrap(),
        Level::Backward
    );
    assert_eq!(registry.subject_level("strict"), None);

    registry.register("loose", BREAKING).await.unwrap();
    assert!(matches!(
        registry.register("strict", BREAKING).await,
        Err(RegistryError::Incompatible { .. })
    ));

    // A level can be set before the subject has versions.
    registry
        .set_level(Some("future"), Level::Full)
        .await
        .unwrap();
    assert_eq!(registry.subject_level("future"), Some(Level::Full));
    assert!(registry.subject_names(true).iter().all(|s| s != "future"));

    assert_eq!(registry.delete_subject_level("loose").unwrap(), Level::None);
    assert_eq!(
        registry.level(Some("loose")).await.unwrap(),
        Level::Backward
    );
    assert!(matches!(
        registry.delete_subject_level("loose"),
        Err(RegistryError::SubjectNotFound(_))
    ));

    // Deleting a subject deletes its level, as in Confluent.
    registry
        .set_level(Some("strict"), Level::Full)
        .await
        .unwrap();
    registry.delete_subject("strict", false).await.unwrap();
    assert_eq!(registry.subject_level("strict"), None);
}

#[tokio::test]
async fn transitive_levels_check_every_live_version() {
    for (level, accepted) in [(Level::Backward, true), (Level::BackwardTransitive, false)] {
        let registry = EmbeddedRegistry::in_memory();
        registry.set_level(Some("s"), level).await.unwrap();
        registry.register("s", V1).await.unwrap();
        registry.register("s", V2).await.unwrap();
        // V3 reads V2's data, but not V1's (no `note`, no default).
        let report = registry.check_compatibility("s", V3).await.unwrap();
        assert_eq!(
            report.compatible, accepted,
            "{level}: {:?}",
            report.messages
        );
        assert_eq!(
            registry.register("s", V3).await.is_ok(),
            accepted,
            "{level}"
        );
        if !accepted {
            assert!(
                report.messages[0].contains("version 1"),
                "{:?}",
                report.messages
            );
            // Against version 2 alone it is compatible; against 1 it is not.
            assert!(
                registry
                    .check_against("s", V3, Some(Version::Number(2)))
                    .unwrap()
                    .compatible
            );
            assert!(
                !registry
                    .check_against("s", V3, Some(Version::Number(1)))
                    .unwrap()
                    .compatible
            );
            // Once version 1 is deleted, it is not checked any more.
            registry
                .delete_version("s", Version::Number(1), false)
                .unwrap();
            assert_eq!(registry.register("s", V3).await.unwrap(), 3);
        }
    }
}

#[tokio::test]
async fn checks_against_one_version() {
    let registry = EmbeddedRegistry::in_memory();
    assert!(
        registry
            .check_against("s", V1, Some(Version::Latest))
            .unwrap()
            .compatible
    );
    assert!(matches!(
        registry.check_against("s", V1, Some(Version::Number(1))),
        Err(RegistryError::SubjectNotFound(_))
    ));
    registry.register("s", V1).await.unwrap();
    assert!(matches!(
        registry.check_against("s", V1, Some(Version::Number(2))),
        Err(RegistryError::VersionNotFound { .. })
    ));
    assert!(
        !registry
            .check_against("s", BREAKING, Some(Version::Latest))
            .unwrap()
            .compatible
    );
    assert!(matches!(
        registry.check_against("s", "[", None),
        Err(RegistryError::InvalidSchema(_))
    ));
}

#[tokio::test]
async fn a_state_holding_one_schema_under_two_ids_still_finds_both() {
    // Saved before names were compared in full: `a.R` written two ways got
    // two ids, and subject `s` uses the second.
    let dir = tempfile::tempdir().unwrap();
    let split = r#"{"type":"record","name":"R","namespace":"a","fields":[]}"#;
    let full = r#"{"type":"record","name":"a.R","fields":[]}"#;
    let state = serde_json::json!({
        "format": 1,
        "compatibility": "BACKWARD",
        "schemas": [{"id": 1, "schema": split}, {"id": 2, "schema": full}],
        "subjects": {"s": {"versions": [{"version": 1, "id": 2}]}},
    });
    std::fs::write(dir.path().join("registry.json"), state.to_string()).unwrap();
    let registry = EmbeddedRegistry::open(dir.path()).unwrap();
    for text in [split, full] {
        let found = registry.lookup("s", text).await.unwrap();
        assert_eq!((found.id, found.version), (2, 1));
        assert_eq!(registry.register("s", text).await.unwrap(), 2);
    }
    assert_eq!(registry.versions("s").await.unwrap(), [1]);
    assert_eq!(registry.schema_by_id(2).await.unwrap(), full);
}

#[tokio::test]
async fn state_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (id1, id2);
    {
        let registry = EmbeddedRegistry::open(dir.path()).unwrap();
        assert_eq!(
            registry.state_file().unwrap(),
            dir.path().join("registry.json")
        );
        id1 = registry
            .register("a", DebateCompleted::SCHEMA_JSON)
            .await
            .unwrap();
        id2 = registry
            .register("a", &debate_completed_v2())
            .await
            .unwrap();
        registry.register("b", V1).await.unwrap();
        registry.register("c", V1).await.unwrap();
        registry.set_level(None, Level::Full).await.unwrap();
        registry.set_level(Some("b"), Level::None).await.unwrap();
        registry
            .delete_version("a", Version::Number(1), false)
            .unwrap();
        registry.delete_subject("c", false).await.unwrap();
    }
    let registry = EmbeddedRegistry::open(dir.path()).unwrap();
    assert_eq!(registry.subjects().await.unwrap(), ["a", "b"]);
    assert_eq!(registry.subject_names(true), ["a", "b", "c"]);
    assert_eq!(registry.versions("a").await.unwrap(), [2]);
    assert_eq!(registry.subject_versions("a", true).unwrap(), [1, 2]);
    assert_eq!(
        registry.schema_by_id(id1).await.unwrap(),
        DebateCompleted::SCHEMA_JSON
    );
    assert_eq!(
        registry.version("a", Version::Latest).await.unwrap().id,
        id2
    );
    assert_eq!(registry.level(None).await.unwrap(), Level::Full);
    assert_eq!(registry.subject_level("b"), Some(Level::None));
    // Ids go on where they stopped; known schemas keep theirs.
    assert_eq!(
        registry
            .register("a", DebateCompleted::SCHEMA_JSON)
            .await
            .unwrap(),
        id1
    );
    assert_eq!(registry.register("d", V2).await.unwrap(), 4);
    drop(registry);
    let registry = EmbeddedRegistry::open(dir.path()).unwrap();
    assert_eq!(registry.versions("a").await.unwrap(), [2, 3]);
    assert_eq!(registry.version("d", Version::Latest).await.unwrap().id, 4);
}

#[test]
fn a_directory_is_opened_by_one_registry_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = EmbeddedRegistry::open(dir.path()).unwrap();
    let error = EmbeddedRegistry::open(dir.path()).unwrap_err();
    assert!(matches!(error, RegistryError::Storage { .. }));
    assert!(error.to_string().contains("in use"), "{error}");
    drop(first);
    EmbeddedRegistry::open(dir.path()).unwrap();
}

#[test]
fn a_corrupt_state_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.json");
    let cases = [
        ("{\"format\": 1, \"compat", "corrupt registry state file"),
        (
            r#"{"format":9,"compatibility":"BACKWARD","schemas":[],"subjects":{}}"#,
            "format 9",
        ),
        (
            r#"{"format":1,"compatibility":"SIDEWAYS","schemas":[],"subjects":{}}"#,
            "SIDEWAYS",
        ),
        (
            r#"{"format":1,"compatibility":"NONE","schemas":[],"subjects":{"s":{"versions":[{"version":1,"id":7}]}}}"#,
            "schema 7",
        ),
        (
            r#"{"format":1,"compatibility":"NONE","schemas":[{"id":1,"schema":"\"int\""},{"id":2,"schema":"\"int\""}],"subjects":{}}"#,
            "same schema",
        ),
        (
            r#"{"format":1,"compatibility":"NONE","schemas":[{"id":1,"schema":"\"nope\""}],"subjects":{}}"#,
            "schema 1",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(&file, text).unwrap();
        let error = EmbeddedRegistry::open(dir.path()).unwrap_err();
        assert!(matches!(error, RegistryError::Storage { .. }), "{error:?}");
        assert_eq!(error.code(), Some(50001));
        let message = error.to_string();
        assert!(message.contains(&file.display().to_string()), "{message}");
        assert!(
            message.contains(expected),
            "{message} should mention {expected:?}"
        );
    }
}

#[tokio::test]
async fn a_failed_save_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let registry = EmbeddedRegistry::open(dir.path()).unwrap();
    registry.register("s", V1).await.unwrap();
    // The temporary file cannot be created where a directory is.
    let blocker = dir.path().join("registry.json.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let error = registry.register("s", V2).await.unwrap_err();
    assert!(matches!(error, RegistryError::Storage { .. }), "{error:?}");
    assert!(error.to_string().contains("registry.json.tmp"), "{error}");
    assert_eq!(registry.versions("s").await.unwrap(), [1]);
    std::fs::remove_dir(&blocker).unwrap();
    assert_eq!(registry.register("s", V2).await.unwrap(), 2);
    drop(registry);
    assert_eq!(
        EmbeddedRegistry::open(dir.path())
            .unwrap()
            .versions("s")
            .await
            .unwrap(),
        [1, 2]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_of_one_schema_get_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(EmbeddedRegistry::open(dir.path()).unwrap());
    let barrier = Arc::new(tokio::sync::Barrier::new(32));
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let registry = Arc::clone(&registry);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                // Half under one subject, half under their own.
                let subject = if i % 2 == 0 {
                    "shared".to_owned()
                } else {
                    format!("own-{i}")
                };
                registry
                    .register(&subject, DebateCompleted::SCHEMA_JSON)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids, [1]);
    assert_eq!(registry.versions("shared").await.unwrap(), [1]);
    assert_eq!(registry.subjects().await.unwrap().len(), 17);
    drop(registry);
    let reopened = EmbeddedRegistry::open(dir.path()).unwrap();
    assert_eq!(reopened.versions("shared").await.unwrap(), [1]);
    assert_eq!(reopened.subjects_for_id(1, false).unwrap().len(), 17);
}
