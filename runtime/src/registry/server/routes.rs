//! The endpoints, one handler each.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::error::ApiError;
use super::extract::{self, Body, Flags, Segments};
use super::reply;
use super::App;
use crate::registry::{RegistryError, SchemaRegistry, Version};

type Answer = Result<Response, ApiError>;

/// Every route, and JSON answers for unknown paths and methods.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/", get(root))
        .route("/subjects", get(subjects))
        .route(
            "/subjects/{subject}",
            axum::routing::post(lookup).delete(delete_subject),
        )
        .route("/subjects/{subject}/versions", get(versions).post(register))
        .route(
            "/subjects/{subject}/versions/{version}",
            get(version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(version_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route("/schemas/ids/{id}/schema", get(schema_text_by_id))
        .route("/schemas/ids/{id}/subjects", get(subjects_by_id))
        .route("/schemas/ids/{id}/versions", get(versions_by_id))
        .route("/schemas/types", get(schema_types))
        .route(
            "/compatibility/subjects/{subject}/versions",
            axum::routing::post(compatibility),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            axum::routing::post(compatibility_with_version),
        )
        .route("/config", get(global_config).put(set_global_config))
        .route(
            "/config/{subject}",
            get(subject_config)
                .put(set_subject_config)
                .delete(delete_subject_config),
        )
        .route("/mode", get(mode).put(set_mode))
        .route("/mode/{subject}", get(mode).put(set_mode))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, 404, "HTTP 404 Not Found") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                405,
                "HTTP 405 Method Not Allowed",
            )
        })
}

async fn root() -> Response {
    reply::json(json!({}))
}

async fn subjects(State(app): State<App>, flags: Flags) -> Response {
    reply::json(app.registry.subject_names(flags.deleted))
}

async fn register(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    body: Body,
) -> Answer {
    let schema = body.schema()?;
    let id = app.registry.register(&subject, &schema).await?;
    Ok(reply::json(json!({ "id": id })))
}

async fn versions(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    flags: Flags,
) -> Answer {
    Ok(reply::json(
        app.registry.subject_versions(&subject, flags.deleted)?,
    ))
}

async fn version(
    State(app): State<App>,
    Segments((subject, version)): Segments<(String, String)>,
    flags: Flags,
) -> Answer {
    let found =
        app.registry
            .subject_version(&subject, extract::version(&version)?, flags.deleted)?;
    Ok(reply::json(found))
}

async fn version_schema(
    State(app): State<App>,
    Segments((subject, version)): Segments<(String, String)>,
    flags: Flags,
) -> Answer {
    let found =
        app.registry
            .subject_version(&subject, extract::version(&version)?, flags.deleted)?;
    Ok(reply::raw(found.schema))
}

async fn referenced_by(
    State(app): State<App>,
    Segments((subject, version)): Segments<(String, String)>,
) -> Answer {
    app.registry
        .subject_version(&subject, extract::version(&version)?, true)?;
    Ok(reply::json(Vec::<u32>::new()))
}

async fn delete_version(
    State(app): State<App>,
    Segments((subject, version)): Segments<(String, String)>,
    flags: Flags,
) -> Answer {
    let version = extract::version(&version)?;
    Ok(reply::json(app.registry.delete_version(
        &subject,
        version,
        flags.permanent,
    )?))
}

async fn lookup(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    flags: Flags,
    body: Body,
) -> Answer {
    let schema = body.schema()?;
    let found = app.registry.find_schema(&subject, &schema, flags.deleted)?;
    Ok(reply::json(found))
}

async fn delete_subject(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    flags: Flags,
) -> Answer {
    Ok(reply::json(
        app.registry
            .delete_subject(&subject, flags.permanent)
            .await?,
    ))
}

async fn schema_by_id(State(app): State<App>, Segments(id): Segments<String>) -> Answer {
    let schema = app.registry.schema_by_id(extract::id(&id)?).await?;
    Ok(reply::json(json!({ "schema": schema })))
}

async fn schema_text_by_id(State(app): State<App>, Segments(id): Segments<String>) -> Answer {
    Ok(reply::raw(
        app.registry.schema_by_id(extract::id(&id)?).await?,
    ))
}

async fn subjects_by_id(
    State(app): State<App>,
    Segments(id): Segments<String>,
    flags: Flags,
) -> Answer {
    Ok(reply::json(
        app.registry
            .subjects_for_id(extract::id(&id)?, flags.deleted)?,
    ))
}

async fn versions_by_id(
    State(app): State<App>,
    Segments(id): Segments<String>,
    flags: Flags,
) -> Answer {
    let versions = app
        .registry
        .versions_for_id(extract::id(&id)?, flags.deleted)?;
    let versions: Vec<_> = versions
        .into_iter()
        .map(|(subject, version)| json!({ "subject": subject, "version": version }))
        .collect();
    Ok(reply::json(versions))
}

async fn schema_types() -> Response {
    reply::json(["AVRO"])
}

fn report(report: crate::registry::CompatibilityReport, verbose: bool) -> Response {
    if verbose {
        reply::json(json!({ "is_compatible": report.compatible, "messages": report.messages }))
    } else {
        reply::json(json!({ "is_compatible": report.compatible }))
    }
}

async fn compatibility(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    flags: Flags,
    body: Body,
) -> Answer {
    let schema = body.schema()?;
    Ok(report(
        app.registry.check_against(&subject, &schema, None)?,
        flags.verbose,
    ))
}

async fn compatibility_with_version(
    State(app): State<App>,
    Segments((subject, version)): Segments<(String, String)>,
    flags: Flags,
    body: Body,
) -> Answer {
    let version: Version = extract::version(&version)?;
    let schema = body.schema()?;
    let found = app
        .registry
        .check_against(&subject, &schema, Some(version))?;
    Ok(report(found, flags.verbose))
}

async fn global_config(State(app): State<App>) -> Answer {
    let level = app.registry.level(None).await?;
    Ok(reply::json(json!({ "compatibilityLevel": level.name() })))
}

async fn set_global_config(State(app): State<App>, body: Body) -> Answer {
    let level = body.level()?;
    app.registry.set_level(None, level).await?;
    Ok(reply::json(json!({ "compatibility": level.name() })))
}

async fn subject_config(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    flags: Flags,
) -> Answer {
    let level = match app.registry.subject_level(&subject) {
        Some(level) => level,
        None if flags.default_to_global => app.registry.level(None).await?,
        None => return Err(RegistryError::SubjectLevelNotConfigured(subject).into()),
    };
    Ok(reply::json(json!({ "compatibilityLevel": level.name() })))
}

async fn set_subject_config(
    State(app): State<App>,
    Segments(subject): Segments<String>,
    body: Body,
) -> Answer {
    let level = body.level()?;
    app.registry.set_level(Some(&subject), level).await?;
    Ok(reply::json(json!({ "compatibility": level.name() })))
}

async fn delete_subject_config(
    State(app): State<App>,
    Segments(subject): Segments<String>,
) -> Answer {
    let level = app.registry.delete_subject_level(&subject)?;
    Ok(reply::json(json!({ "compatibilityLevel": level.name() })))
}

async fn mode() -> Response {
    reply::json(json!({ "mode": "READWRITE" }))
}

async fn set_mode(body: Body) -> Answer {
    let mode = body.mode()?;
    if mode.eq_ignore_ascii_case("READWRITE") {
        Ok(reply::json(json!({ "mode": "READWRITE" })))
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            42204,
            format!("mode `{mode}` is not supported: this registry is always READWRITE"),
        ))
    }
}
