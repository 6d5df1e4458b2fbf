//! CloudEvents structured mode and Kafka headers, with a hand-written event.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::DateTime;
use common::DebateCompleted;
use schemabus_runtime::codec::cloudevents::{self, CloudEventError};
use schemabus_runtime::EventMetadata;
use uuid::Uuid;

fn event() -> DebateCompleted {
    let parent = EventMetadata::new();
    let metadata = EventMetadata::new()
        .with_source("debate-service")
        .with_occurred_at(DateTime::from_timestamp_nanos(1_714_564_800_000_000_000))
        .caused_by(&parent);
    DebateCompleted {
        debate_id: "d-1".into(),
        rounds: 3,
        metadata,
    }
}

#[test]
fn structured_mode_round_trip() {
    let e = event();
    let json = cloudevents::to_json(&e).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["specversion"], "1.0");
    assert_eq!(v["id"], e.metadata.event_id.to_string());
    assert_eq!(v["source"], "debate-service");
    assert_eq!(v["type"], "zamaz.debate.DebateCompleted");
    assert_eq!(v["time"], "2024-05-01T12:00:00.000000Z");
    assert_eq!(v["subject"], "d-1");
    assert_eq!(v["datacontenttype"], "application/json");
    assert_eq!(v["context"], "debate");
    assert_eq!(
        v["causationid"],
        e.metadata.causation_id.unwrap().to_string()
    );
    assert_eq!(
        v["data"],
        serde_json::json!({"debate_id": "d-1", "rounds": 3})
    );

    let back: DebateCompleted = cloudevents::from_json(&json).unwrap();
    assert_eq!(back, e);
}

#[test]
fn optional_extensions_are_omitted() {
    let mut e = event();
    e.metadata.correlation_id = None;
    e.metadata.causation_id = None;
    let v: serde_json::Value = serde_json::from_slice(&cloudevents::to_json(&e).unwrap()).unwrap();
    assert!(v.get("correlationid").is_none() && v.get("causationid").is_none());
}

#[test]
fn envelope_dispatch() {
    let e = event();
    let json = cloudevents::to_json(&e).unwrap();
    let env = cloudevents::parse_envelope(&json).unwrap();
    assert_eq!(env.event_type, "zamaz.debate.DebateCompleted");
    assert_eq!(env.context.as_deref(), Some("debate"));
    assert_eq!(env.subject.as_deref(), Some("d-1"));
    assert_eq!(env.data.get(), r#"{"debate_id":"d-1","rounds":3}"#);
    assert_eq!(env.metadata().unwrap(), e.metadata);
    assert_eq!(
        cloudevents::decode_data::<DebateCompleted>(&env).unwrap(),
        e
    );
}

#[test]
fn rejects_wrong_type_version_and_attributes() {
    let json = String::from_utf8(cloudevents::to_json(&event()).unwrap()).unwrap();
    let wrong_type = json.replace("zamaz.debate.DebateCompleted", "zamaz.debate.Other");
    assert!(matches!(
        cloudevents::from_json::<DebateCompleted>(wrong_type.as_bytes()),
        Err(CloudEventError::TypeMismatch { .. })
    ));
    let wrong_version = json.replace(r#""specversion":"1.0""#, r#""specversion":"0.3""#);
    assert!(matches!(
        cloudevents::from_json::<DebateCompleted>(wrong_version.as_bytes()),
        Err(CloudEventError::SpecVersion(v)) if v == "0.3"
    ));
    let bad_time = json.replace("2024-05-01T12:00:00.000000Z", "yesterday");
    let err = cloudevents::from_json::<DebateCompleted>(bad_time.as_bytes()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid cloudevents attribute `time`"),
        "{err}"
    );
    assert!(matches!(
        cloudevents::from_json::<DebateCompleted>(b"{}"),
        Err(CloudEventError::Json(_))
    ));
    let bad_data = json.replace(r#""rounds":3"#, r#""rounds":"three""#);
    assert!(matches!(
        cloudevents::from_json::<DebateCompleted>(bad_data.as_bytes()),
        Err(CloudEventError::Json(_))
    ));
}

#[test]
fn accepts_offsets_in_time() {
    let json = r#"{"specversion":"1.0","id":"6f1c5d9e-3b3a-4a52-9f0e-1d2c3b4a5f60","source":"x","type":"zamaz.debate.DebateCompleted","time":"2024-05-01T14:00:00.1234567+02:00","data":{"debate_id":"d","rounds":1}}"#;
    let e: DebateCompleted = cloudevents::from_json(json.as_bytes()).unwrap();
    assert_eq!(
        e.metadata.occurred_at.timestamp_nanos_opt(),
        Some(1_714_564_800_123_456_000)
    );
    assert_eq!(e.metadata.correlation_id, None);
}

#[test]
fn kafka_headers_round_trip() {
    let e = event();
    let headers = cloudevents::to_headers(&e);
    let names: Vec<_> = headers.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            "ce_specversion",
            "ce_id",
            "ce_source",
            "ce_type",
            "ce_time",
            "ce_subject",
            "ce_context",
            "ce_correlationid",
            "ce_causationid",
            "content-type"
        ]
    );
    assert!(headers.contains(&("content-type", "application/avro".to_owned())));
    assert!(headers.contains(&("ce_time", "2024-05-01T12:00:00.000000Z".to_owned())));
    let (ty, metadata) =
        cloudevents::metadata_from_headers(headers.iter().map(|(k, v)| (*k, v.as_bytes())))
            .unwrap();
    assert_eq!(ty, "zamaz.debate.DebateCompleted");
    assert_eq!(metadata, e.metadata);

    let missing = headers
        .iter()
        .filter(|(k, _)| *k != "ce_id")
        .map(|(k, v)| (*k, v.as_bytes()));
    assert!(matches!(
        cloudevents::metadata_from_headers(missing),
        Err(CloudEventError::MissingAttribute("id"))
    ));
    let id = Uuid::nil().to_string();
    let not_utf8: Vec<(&str, &[u8])> = vec![
        ("ce_specversion", b"1.0"),
        ("ce_id", id.as_bytes()),
        ("ce_source", b"\xff"),
    ];
    let err = cloudevents::metadata_from_headers(not_utf8).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid cloudevents attribute `source`: header value is not utf-8"
    );
}

#[test]
fn header_times_outside_rfc3339_years_round_trip() {
    use chrono::TimeZone;
    for year in [-1199, 10000] {
        let at = chrono::Utc.with_ymd_and_hms(year, 1, 2, 3, 4, 5).unwrap();
        let mut event = event();
        event.metadata.occurred_at = at;
        let headers = cloudevents::to_headers(&event);
        let (_, metadata) =
            cloudevents::metadata_from_headers(headers.iter().map(|(k, v)| (*k, v.as_bytes())))
                .unwrap();
        assert_eq!(metadata.occurred_at, at, "year {year}");
    }
}
