//! The registry server over real HTTP on loopback: every endpoint of
//! Confluent's API it serves, error codes and bodies, content types, the
//! body limit, basic auth, concurrent clients, and `schemabus registry
//! serve` as a process keeping its data across a restart.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::Method;
use schemabus::events::debate::DebateCompleted;
use schemabus::registry::server::{self, ServerOptions};
use schemabus::registry::EmbeddedRegistry;
use schemabus::AvroSchema;
use serde_json::{json, Value};

const V1: &str =
    r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"}]}"#;
const V2: &str = r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
/// A required field V1 data lacks: BACKWARD-incompatible with V1.
const BREAKING: &str = r#"{"type":"record","name":"Ping","namespace":"t","fields":[{"name":"id","type":"string"},{"name":"at","type":"long"}]}"#;
const SCHEMA_REGISTRY_JSON: &str = "application/vnd.schemaregistry.v1+json";

/// A server on a free loopback port, stopped on drop.
struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start(options: ServerOptions) -> Server {
    start_with(Arc::new(EmbeddedRegistry::in_memory()), options).await
}

async fn start_with(registry: Arc<EmbeddedRegistry>, options: ServerOptions) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve_with_shutdown(
        listener,
        registry,
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    Server {
        url,
        stop: Some(stop),
    }
}

/// An answer: status, content type and body (JSON when it parses).
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    text: String,
    json: Value,
}

impl Answer {
    /// Asserts an error answer with Confluent's body and content type.
    #[track_caller]
    fn assert_error(&self, status: u16, code: u64) -> &str {
        assert_eq!(
            (self.status, self.json["error_code"].as_u64()),
            (status, Some(code)),
            "{self:?}"
        );
        assert_eq!(self.content_type, SCHEMA_REGISTRY_JSON, "{self:?}");
        let message = self.json["message"].as_str().unwrap();
        assert!(!message.is_empty());
        message
    }

    #[track_caller]
    fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{self:?}");
        assert_eq!(self.content_type, SCHEMA_REGISTRY_JSON, "{self:?}");
        &self.json
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        text,
        json,
    }
}

impl Server {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let client = reqwest::Client::new();
        let mut request = client.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, SCHEMA_REGISTRY_JSON)
                .body(body.to_string());
        }
        answer(request.send().await.unwrap()).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }
}

/// `DebateCompleted` with one more optional field (compatible).
fn debate_completed_v2() -> String {
    let mut schema: Value = serde_json::from_str(DebateCompleted::SCHEMA_JSON).unwrap();
    schema["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "moderator", "type": ["null", "string"], "default": null}));
    schema.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_as_confluent_does() {
    let server = start(ServerOptions::new()).await;
    // Subjects with `.`, `-`, `:` and an encoded `/`.
    let subject = "zamaz.debate.DebateCompleted-value:v";
    let s = "zamaz.debate.DebateCompleted-value%3Av";
    let v2 = debate_completed_v2();

    assert_eq!(server.get("/").await.ok(), &json!({}));
    assert_eq!(server.get("/schemas/types").await.ok(), &json!(["AVRO"]));
    assert_eq!(server.get("/subjects").await.ok(), &json!([]));
    assert_eq!(
        server.get("/mode").await.ok(),
        &json!({"mode": "READWRITE"})
    );
    assert_eq!(
        server.get(&format!("/mode/{s}")).await.ok(),
        &json!({"mode": "READWRITE"})
    );
    assert_eq!(
        server.put("/mode", json!({"mode": "READWRITE"})).await.ok(),
        &json!({"mode": "READWRITE"})
    );

    // Register: ids, idempotence, versions.
    let body = json!({"schema": DebateCompleted::SCHEMA_JSON});
    assert_eq!(
        server
            .post(&format!("/subjects/{s}/versions"), body.clone())
            .await
            .ok(),
        &json!({"id": 1})
    );
    assert_eq!(
        server
            .post(&format!("/subjects/{s}/versions"), body.clone())
            .await
            .ok(),
        &json!({"id": 1})
    );
    let typed = json!({"schema": v2, "schemaType": "AVRO", "references": []});
    assert_eq!(
        server
            .post(&format!("/subjects/{s}/versions"), typed)
            .await
            .ok(),
        &json!({"id": 2})
    );
    assert_eq!(
        server
            .post("/subjects/a%2Fb/versions", body.clone())
            .await
            .ok(),
        &json!({"id": 1})
    );
    assert_eq!(server.get("/subjects").await.ok(), &json!(["a/b", subject]));
    assert_eq!(
        server.get(&format!("/subjects/{s}/versions")).await.ok(),
        &json!([1, 2])
    );

    let one =
        json!({"subject": subject, "version": 1, "id": 1, "schema": DebateCompleted::SCHEMA_JSON});
    let two = json!({"subject": subject, "version": 2, "id": 2, "schema": v2});
    assert_eq!(
        server.get(&format!("/subjects/{s}/versions/1")).await.ok(),
        &one
    );
    assert_eq!(
        server
            .get(&format!("/subjects/{s}/versions/latest"))
            .await
            .ok(),
        &two
    );
    assert_eq!(
        server.get(&format!("/subjects/{s}/versions/-1")).await.ok(),
        &two
    );
    let raw = server
        .get(&format!("/subjects/{s}/versions/2/schema"))
        .await;
    assert_eq!(
        (raw.status, raw.content_type.as_str(), raw.text.as_str()),
        (200, SCHEMA_REGISTRY_JSON, v2.as_str())
    );
    assert_eq!(
        server
            .get(&format!("/subjects/{s}/versions/1/referencedby"))
            .await
            .ok(),
        &json!([])
    );

    // Lookup.
    assert_eq!(
        server
            .post(&format!("/subjects/{s}"), body.clone())
            .await
            .ok(),
        &one
    );

    // Ids.
    assert_eq!(
        server.get("/schemas/ids/1").await.ok(),
        &json!({"schema": DebateCompleted::SCHEMA_JSON})
    );
    assert_eq!(
        server.get("/schemas/ids/1/schema").await.text,
        DebateCompleted::SCHEMA_JSON
    );
    assert_eq!(
        server.get("/schemas/ids/1/subjects").await.ok(),
        &json!(["a/b", subject])
    );
    assert_eq!(
        server.get("/schemas/ids/1/versions").await.ok(),
        &json!([{"subject": "a/b", "version": 1}, {"subject": subject, "version": 1}])
    );

    // Compatibility, verbose or not, against all, latest or one version.
    let breaking = {
        let mut schema: Value = serde_json::from_str(&v2).unwrap();
        schema["fields"][0]["type"] = json!("long");
        json!({"schema": schema.to_string()})
    };
    let verbose = server
        .post(
            &format!("/compatibility/subjects/{s}/versions?verbose=true"),
            breaking.clone(),
        )
        .await;
    assert_eq!(verbose.ok()["is_compatible"], json!(false));
    let messages = verbose.json["messages"].as_array().unwrap();
    assert!(
        messages[0].as_str().unwrap().contains("TYPE_MISMATCH"),
        "{messages:?}"
    );
    assert_eq!(
        server
            .post(
                &format!("/compatibility/subjects/{s}/versions"),
                breaking.clone()
            )
            .await
            .ok(),
        &json!({"is_compatible": false})
    );
    assert_eq!(
        server
            .post(
                &format!("/compatibility/subjects/{s}/versions/latest?verbose=true"),
                body.clone()
            )
            .await
            .ok(),
        &json!({"is_compatible": true, "messages": []})
    );
    assert_eq!(
        server
            .post(&format!("/compatibility/subjects/{s}/versions/1"), breaking)
            .await
            .ok(),
        &json!({"is_compatible": false})
    );
    assert_eq!(
        server
            .post("/compatibility/subjects/fresh/versions", body.clone())
            .await
            .ok(),
        &json!({"is_compatible": true})
    );

    // Configuration.
    assert_eq!(
        server.get("/config").await.ok(),
        &json!({"compatibilityLevel": "BACKWARD"})
    );
    assert_eq!(
        server
            .put("/config", json!({"compatibility": "FULL"}))
            .await
            .ok(),
        &json!({"compatibility": "FULL"})
    );
    assert_eq!(
        server.get("/config").await.ok(),
        &json!({"compatibilityLevel": "FULL"})
    );
    assert_eq!(
        server
            .put(&format!("/config/{s}"), json!({"compatibility": "none"}))
            .await
            .ok(),
        &json!({"compatibility": "NONE"})
    );
    assert_eq!(
        server.get(&format!("/config/{s}")).await.ok(),
        &json!({"compatibilityLevel": "NONE"})
    );
    assert_eq!(
        server.delete(&format!("/config/{s}")).await.ok(),
        &json!({"compatibilityLevel": "NONE"})
    );
    server
        .get(&format!("/config/{s}"))
        .await
        .assert_error(404, 40408);
    assert_eq!(
        server
            .get(&format!("/config/{s}?defaultToGlobal=true"))
            .await
            .ok(),
        &json!({"compatibilityLevel": "FULL"})
    );

    // Deletes: versions, then the subject, soft then permanent.
    assert_eq!(
        server
            .delete(&format!("/subjects/{s}/versions/1"))
            .await
            .ok(),
        &json!(1)
    );
    assert_eq!(
        server.get(&format!("/subjects/{s}/versions")).await.ok(),
        &json!([2])
    );
    assert_eq!(
        server
            .get(&format!("/subjects/{s}/versions?deleted=true"))
            .await
            .ok(),
        &json!([1, 2])
    );
    assert_eq!(
        server
            .get(&format!("/subjects/{s}/versions/1?deleted=true"))
            .await
            .ok(),
        &one
    );
    assert_eq!(
        server.get("/schemas/ids/1/versions").await.ok(),
        &json!([{"subject": "a/b", "version": 1}])
    );
    assert_eq!(
        server
            .get("/schemas/ids/1/versions?deleted=true")
            .await
            .ok(),
        &json!([{"subject": "a/b", "version": 1}, {"subject": subject, "version": 1}])
    );
    assert_eq!(
        server
            .post(&format!("/subjects/{s}?deleted=true"), body.clone())
            .await
            .ok(),
        &one
    );
    assert_eq!(
        server
            .delete(&format!("/subjects/{s}/versions/1?permanent=true"))
            .await
            .ok(),
        &json!(1)
    );
    assert_eq!(
        server.delete(&format!("/subjects/{s}")).await.ok(),
        &json!([2])
    );
    assert_eq!(server.get("/subjects").await.ok(), &json!(["a/b"]));
    assert_eq!(
        server.get("/subjects?deleted=true").await.ok(),
        &json!(["a/b", subject])
    );
    assert_eq!(
        server.get("/schemas/ids/2").await.ok(),
        &json!({"schema": v2})
    );
    assert_eq!(
        server
            .delete(&format!("/subjects/{s}?permanent=true"))
            .await
            .ok(),
        &json!([2])
    );
    assert_eq!(
        server.get("/subjects?deleted=true").await.ok(),
        &json!(["a/b"])
    );
    server.get("/schemas/ids/2").await.assert_error(404, 40403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_confluents_codes_statuses_and_bodies() {
    let server = start(ServerOptions::new()).await;
    let v1 = json!({"schema": V1});
    server.post("/subjects/s/versions", v1.clone()).await.ok();
    server
        .post("/subjects/gone/versions", v1.clone())
        .await
        .ok();
    server.delete("/subjects/gone").await.ok();

    server
        .get("/subjects/nope/versions")
        .await
        .assert_error(404, 40401);
    server
        .get("/subjects/nope/versions/1")
        .await
        .assert_error(404, 40401);
    server
        .post("/subjects/nope", v1.clone())
        .await
        .assert_error(404, 40401);
    server
        .get("/subjects/s/versions/9")
        .await
        .assert_error(404, 40402);
    server
        .post("/subjects/s", json!({"schema": V2}))
        .await
        .assert_error(404, 40403);
    server.get("/schemas/ids/99").await.assert_error(404, 40403);
    server.get("/schemas/ids/x").await.assert_error(404, 40403);
    server
        .get("/schemas/ids/99/subjects")
        .await
        .assert_error(404, 40403);
    for version in ["0", "-2", "abc", "2147483648"] {
        let message = server
            .get(&format!("/subjects/s/versions/{version}"))
            .await
            .assert_error(422, 42202)
            .to_owned();
        assert!(message.contains(version), "{message}");
    }
    server
        .delete("/subjects/gone")
        .await
        .assert_error(404, 40404);
    server
        .delete("/subjects/s?permanent=true")
        .await
        .assert_error(404, 40405);
    server
        .delete("/subjects/s/versions/1?permanent=true")
        .await
        .assert_error(404, 40407);
    server
        .post("/subjects/s/versions", json!({"schema": V2}))
        .await
        .ok();
    server.delete("/subjects/s/versions/1").await.ok();
    server
        .delete("/subjects/s/versions/1")
        .await
        .assert_error(404, 40406);
    server.get("/config/s").await.assert_error(404, 40408);
    server.delete("/config/s").await.assert_error(404, 40401);

    // The schema and the request.
    let incompatible = server
        .post("/subjects/s/versions", json!({"schema": BREAKING}))
        .await;
    let message = incompatible.assert_error(409, 409);
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE") && message.contains("`at`"),
        "{message}"
    );
    let invalid =
        json!({"schema": r#"{"type":"record","name":"R","fields":[{"name":"a","type":"strng"}]}"#});
    let message = server
        .post("/subjects/s/versions", invalid.clone())
        .await
        .assert_error(422, 42201)
        .to_owned();
    assert!(message.contains("strng"), "{message}");
    server
        .post("/subjects/s", invalid.clone())
        .await
        .assert_error(422, 42201);
    server
        .post("/compatibility/subjects/s/versions", invalid)
        .await
        .assert_error(422, 42201);
    let cases = [
        (
            json!({"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF"}),
            42201,
            "PROTOBUF",
        ),
        (
            json!({"schema": V1, "references": [{"name": "x", "subject": "y", "version": 1}]}),
            42201,
            "references",
        ),
        (json!({"schema": 5}), 42201, "string"),
        (json!({}), 42201, "schema"),
        (json!({"schema": V1, "id": 7}), 422, "id"),
        (json!([V1]), 422, "object"),
    ];
    for (body, code, mentioned) in cases {
        let answer = server.post("/subjects/other/versions", body.clone()).await;
        let message = answer.assert_error(422, code);
        assert!(message.contains(mentioned), "{body}: {message}");
    }
    // Fields it does not know are ignored, as Confluent does.
    let lenient = server
        .post(
            "/subjects/other/versions",
            json!({"schema": V1, "schemaa": 1}),
        )
        .await;
    assert_eq!(lenient.status, 200, "{lenient:?}");
    let malformed = server
        .call(Method::POST, "/subjects/s/versions", None)
        .await;
    malformed.assert_error(422, 422);
    let client = reqwest::Client::new();
    let malformed = client
        .post(format!("{}/subjects/s/versions", server.url))
        .header(CONTENT_TYPE, SCHEMA_REGISTRY_JSON)
        .body(r#"{"schema": "#)
        .send()
        .await
        .unwrap();
    assert!(answer(malformed)
        .await
        .assert_error(422, 422)
        .contains("unparseable"));

    server
        .put("/config", json!({"compatibility": "SIDEWAYS"}))
        .await
        .assert_error(422, 42203);
    server
        .put("/config/s", json!({"compatibility": 3}))
        .await
        .assert_error(422, 42203);
    server
        .put("/config", json!({}))
        .await
        .assert_error(422, 42203);
    server
        .put("/mode", json!({"mode": "READONLY"}))
        .await
        .assert_error(422, 42204);

    server.get("/no/such/path").await.assert_error(404, 404);
    server
        .call(Method::PATCH, "/config", None)
        .await
        .assert_error(405, 405);
    assert_eq!(
        server.get("/config").await.ok(),
        &json!({"compatibilityLevel": "BACKWARD"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_content_types() {
    let server = start(ServerOptions::new()).await;
    let client = reqwest::Client::new();
    let url = format!("{}/subjects/s/versions", server.url);
    let body = json!({"schema": V1}).to_string();
    for content_type in [
        Some("application/vnd.schemaregistry.v1+json"),
        Some("application/vnd.schemaregistry+json"),
        Some("application/json; charset=utf-8"),
        Some("Application/JSON"),
        None,
    ] {
        let mut request = client.post(&url).body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let answer = answer(request.send().await.unwrap()).await;
        assert_eq!(answer.ok(), &json!({"id": 1}), "{content_type:?}");
    }
    // reqwest's `json` sends application/json.
    let answer = answer(
        client
            .post(&url)
            .json(&json!({"schema": V2}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.ok(), &json!({"id": 2}));
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let request = client
            .post(&url)
            .header(CONTENT_TYPE, content_type)
            .body(body.clone());
        let answer = self::answer(request.send().await.unwrap()).await;
        assert!(answer.assert_error(415, 415).contains(content_type));
    }
}

/// Sends a chunked request (no Content-Length) and returns the status line.
fn chunked_post(url: &str, path: &str, chunks: &[&[u8]]) -> String {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in chunks {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&request).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_refused() {
    let server = start(ServerOptions::new().max_body(512)).await;
    let small = json!({"schema": V1});
    assert!(small.to_string().len() < 512);
    assert_eq!(
        server.post("/subjects/s/versions", small).await.ok(),
        &json!({"id": 1})
    );
    let doc = "x".repeat(600);
    let large = json!({"schema": V2.replace(r#""name":"Ping","#, &format!(r#""name":"Ping","doc":"{doc}","#))});
    let message = server
        .post("/subjects/s/versions", large.clone())
        .await
        .assert_error(413, 413)
        .to_owned();
    assert!(message.contains("512"), "{message}");
    server
        .put("/config", json!({"compatibility": doc}))
        .await
        .assert_error(413, 413);
    assert_eq!(server.get("/subjects/s/versions").await.ok(), &json!([1]));

    // Without a Content-Length, the limit applies as the body arrives.
    let url = server.url.clone();
    let text = large.to_string();
    let (first, second) = text.as_bytes().split_at(300);
    let (first, second) = (first.to_vec(), second.to_vec());
    let response = tokio::task::spawn_blocking(move || {
        chunked_post(&url, "/subjects/s/versions", &[&first, &second])
    })
    .await
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains(r#""error_code":413"#), "{response}");
    let url = server.url.clone();
    let small = json!({"schema": V2}).to_string().into_bytes();
    let response = tokio::task::spawn_blocking(move || {
        let (a, b) = small.split_at(10);
        chunked_post(&url, "/subjects/s/versions", &[a, b])
    })
    .await
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    // The default limit is 1 MiB.
    let server = start(ServerOptions::new()).await;
    let near = |len: usize| {
        let schema = format!(
            r#"{{"type":"record","name":"Big","doc":"{}","fields":[]}}"#,
            "d".repeat(len)
        );
        json!({"schema": schema})
    };
    let fits = near(1024 * 1024 - 200);
    assert!(fits.to_string().len() <= 1024 * 1024);
    assert_eq!(
        server.post("/subjects/big/versions", fits).await.ok(),
        &json!({"id": 1})
    );
    server
        .post("/subjects/big/versions", near(1024 * 1024))
        .await
        .assert_error(413, 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_is_required_when_configured() {
    let server = start(ServerOptions::new().basic_auth("ci", "s3cret").max_body(64)).await;
    let client = reqwest::Client::new();
    let url = format!("{}/subjects", server.url);

    let missing = client.get(&url).send().await.unwrap();
    let challenge = missing
        .headers()
        .get(WWW_AUTHENTICATE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Basic realm="), "{challenge}");
    answer(missing).await.assert_error(401, 401);
    for (user, password) in [
        ("ci", "wrong"),
        ("other", "s3cret"),
        ("ci", "s3cret2"),
        ("ci", ""),
    ] {
        let wrong = client
            .get(&url)
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap();
        answer(wrong).await.assert_error(401, 401);
    }
    let garbage = client
        .get(&url)
        .header(AUTHORIZATION, "Basic !!!")
        .send()
        .await
        .unwrap();
    answer(garbage).await.assert_error(401, 401);
    let bearer = client.get(&url).bearer_auth("s3cret").send().await.unwrap();
    answer(bearer).await.assert_error(401, 401);
    // Authentication comes before reading the body.
    let big = client
        .post(format!("{}/subjects/s/versions", server.url))
        .json(&json!({"schema": "x".repeat(1000)}))
        .send()
        .await
        .unwrap();
    answer(big).await.assert_error(401, 401);

    let ok = client
        .get(&url)
        .basic_auth("ci", Some("s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(ok).await.ok(), &json!([]));
    let lower = client
        .get(&url)
        .header(AUTHORIZATION, "basic Y2k6czNjcmV0")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(lower).await.ok(), &json!([]));
    let register = client
        .post(format!("{}/subjects/s/versions", server.url))
        .basic_auth("ci", Some("s3cret"))
        .json(&json!({"schema": "\"int\""}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(register).await.ok(), &json!({"id": 1}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_registering_one_schema_get_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(EmbeddedRegistry::open(dir.path()).unwrap());
    let server = start_with(Arc::clone(&registry), ServerOptions::new()).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let clients: Vec<_> = (0..16)
        .map(|_| {
            let url = format!(
                "{}/subjects/zamaz.debate.DebateCompleted/versions",
                server.url
            );
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                barrier.wait().await;
                let response = client
                    .post(url)
                    .header(CONTENT_TYPE, SCHEMA_REGISTRY_JSON)
                    .json(&json!({"schema": DebateCompleted::SCHEMA_JSON}))
                    .send()
                    .await
                    .unwrap();
                answer(response).await.ok()["id"].as_u64().unwrap()
            })
        })
        .collect();
    for client in clients {
        assert_eq!(client.await.unwrap(), 1);
    }
    assert_eq!(
        server
            .get("/subjects/zamaz.debate.DebateCompleted/versions")
            .await
            .ok(),
        &json!([1])
    );
}

/// `schemabus registry serve` as a child process, killed on drop.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemabus"))
            .args(["registry", "serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("SCHEMABUS_REGISTRY_BASIC_AUTH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            panic!("no address printed: {line:?}; stderr: {stderr}");
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let url = url.to_owned();
        Self { child, url }
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_cli_serves_and_keeps_its_data_across_restarts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("registry");
    let data = data.to_str().unwrap();
    let client = reqwest::Client::new();

    let process = Process::start(&["--data", data]);
    let url = process.url.clone();
    runtime.block_on(async {
        let register = client
            .post(format!("{url}/subjects/debate-value/versions"))
            .json(&json!({"schema": DebateCompleted::SCHEMA_JSON}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer(register).await.ok(), &json!({"id": 1}));
        let config = client
            .put(format!("{url}/config/debate-value"))
            .json(&json!({"compatibility": "FULL_TRANSITIVE"}))
            .send()
            .await
            .unwrap();
        answer(config).await.ok();
    });
    process.stop();

    // Restarted, with basic auth this time: the data is still there.
    let process = Process::start(&[
        "--data",
        data,
        "--basic-auth",
        "ops:pw:with:colons",
        "--max-body",
        "4096",
    ]);
    let url = process.url.clone();
    runtime.block_on(async {
        let anonymous = client
            .get(format!("{url}/schemas/ids/1"))
            .send()
            .await
            .unwrap();
        answer(anonymous).await.assert_error(401, 401);
        let get = |path: &str| {
            client
                .get(format!("{url}{path}"))
                .basic_auth("ops", Some("pw:with:colons"))
                .send()
        };
        let schema = answer(get("/schemas/ids/1").await.unwrap()).await;
        assert_eq!(
            schema.ok(),
            &json!({"schema": DebateCompleted::SCHEMA_JSON})
        );
        let versions = answer(get("/subjects/debate-value/versions").await.unwrap()).await;
        assert_eq!(versions.ok(), &json!([1]));
        let level = answer(get("/config/debate-value").await.unwrap()).await;
        assert_eq!(
            level.ok(),
            &json!({"compatibilityLevel": "FULL_TRANSITIVE"})
        );
        let big = client
            .post(format!("{url}/subjects/x/versions"))
            .basic_auth("ops", Some("pw:with:colons"))
            .json(&json!({"schema": "y".repeat(5000)}))
            .send()
            .await
            .unwrap();
        answer(big).await.assert_error(413, 413);
    });
    // The directory is in use while it runs.
    let second = Command::new(env!("CARGO_BIN_EXE_schemabus"))
        .args(["registry", "serve", "--addr", "127.0.0.1:0", "--data", data])
        .output()
        .unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("in use"),
        "{second:?}"
    );
    process.stop();
}

#[test]
fn the_cli_reports_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_schemabus"))
            .args(["registry", "serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("SCHEMABUS_REGISTRY_BASIC_AUTH")
            .output()
            .unwrap()
    };
    // Neither --data nor --in-memory: a usage error.
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let data = dir.path().to_str().unwrap();
    let output = run(&["--data", data, "--basic-auth", "no-colon"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("user:password"),
        "{output:?}"
    );

    std::fs::write(dir.path().join("registry.json"), "{ not json").unwrap();
    let output = run(&["--data", data]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&dir.path().join("registry.json").display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("corrupt"), "{stderr}");
}

#[test]
fn the_cli_serves_from_memory() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let process = Process::start(&["--in-memory"]);
    let url = process.url.clone();
    runtime.block_on(async {
        let answer = answer(reqwest::get(format!("{url}/schemas/types")).await.unwrap()).await;
        assert_eq!(answer.ok(), &json!(["AVRO"]));
    });
    process.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_client_speaks_to_the_server() {
    use schemabus::compat::Level;
    use schemabus::registry::{HttpRegistry, RegistryError, SchemaRegistry, Version};

    let server = start(ServerOptions::new().basic_auth("u", "p")).await;
    let client = HttpRegistry::builder(server.url.clone())
        .basic_auth("u", "p")
        .build()
        .unwrap();
    let subject = "zamaz.debate.DebateCompleted";
    let id = client
        .register(subject, DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    assert_eq!(
        client
            .register(subject, DebateCompleted::SCHEMA_JSON)
            .await
            .unwrap(),
        id
    );
    assert_eq!(
        client.schema_by_id(id).await.unwrap(),
        DebateCompleted::SCHEMA_JSON
    );
    assert_eq!(client.subjects().await.unwrap(), [subject]);
    assert_eq!(client.versions(subject).await.unwrap(), [1]);
    let found = client
        .lookup(subject, DebateCompleted::SCHEMA_JSON)
        .await
        .unwrap();
    assert_eq!((found.id, found.version), (id, 1));
    assert_eq!(
        client.version(subject, Version::Latest).await.unwrap(),
        found
    );
    let report = client.check_compatibility(subject, BREAKING).await.unwrap();
    assert!(
        !report.compatible && !report.messages.is_empty(),
        "{report:?}"
    );
    assert!(matches!(
        client.register(subject, BREAKING).await,
        Err(RegistryError::Incompatible { .. })
    ));
    assert!(matches!(
        client.versions("nope").await,
        Err(RegistryError::SubjectNotFound(_))
    ));
    assert!(matches!(
        client.schema_by_id(99).await,
        Err(RegistryError::SchemaNotFound(_))
    ));
    client.set_level(Some(subject), Level::None).await.unwrap();
    assert_eq!(client.level(Some(subject)).await.unwrap(), Level::None);
    assert_eq!(client.level(Some("other")).await.unwrap(), Level::Backward);
    assert_eq!(client.level(None).await.unwrap(), Level::Backward);
    assert_eq!(client.register(subject, BREAKING).await.unwrap(), id + 1);
    assert_eq!(client.delete_subject(subject, false).await.unwrap(), [1, 2]);
    assert_eq!(client.delete_subject(subject, true).await.unwrap(), [1, 2]);
    assert!(client.subjects().await.unwrap().is_empty());
}
