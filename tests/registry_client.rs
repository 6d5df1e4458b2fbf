//! The client side of the registry: the cache in front of any registry
//! (single flight, nothing cached on failure, no calls after warm-up) and
//! `HttpRegistry`'s fallback URLs, timeouts and authentication.

#![allow(clippy::unwrap_used)]

#[path = "support/registry.rs"]
mod registry_support;
use registry_support::registry_server_with as server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use schemabus::compat::Level;
use schemabus::events::common::DecisionType;
use schemabus::events::debate::DebateCompleted;
use schemabus::kafka::{KafkaConfig, SchemaIds};
use schemabus::registry::server::ServerOptions;
use schemabus::registry::{
    CachedRegistry, CompatibilityReport, EmbeddedRegistry, HttpRegistry, RegistryError,
    SchemaRegistry, SubjectNameStrategy, SubjectVersion, Version,
};
use schemabus::{AvroSchema, EventMetadata};
use std::io::{Read, Write};

const SCHEMA: &str = r#"{"type":"record","name":"R","fields":[]}"#;

/// An embedded registry that counts the calls reaching it and holds each
/// answer back a while (or, gated, until the test lets it through), so
/// concurrent callers overlap.
#[derive(Debug)]
struct Counting {
    inner: EmbeddedRegistry,
    calls: AtomicUsize,
    gate: Option<tokio::sync::Semaphore>,
}

impl Counting {
    fn new() -> Self {
        Self {
            inner: EmbeddedRegistry::in_memory(),
            calls: AtomicUsize::new(0),
            gate: None,
        }
    }

    /// Calls wait for [`release`](Self::release) before they start.
    fn gated() -> Self {
        Self {
            gate: Some(tokio::sync::Semaphore::new(0)),
            ..Self::new()
        }
    }

    /// Lets `n` waiting calls through.
    fn release(&self, n: usize) {
        self.gate.as_ref().unwrap().add_permits(n);
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn call<'a, T: Send + 'a>(&'a self, f: BoxFuture<'a, T>) -> BoxFuture<'a, T> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if let Some(gate) = &self.gate {
                gate.acquire().await.unwrap().forget();
                return f.await;
            }
            let answer = f.await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            answer
        }
        .boxed()
    }
}

impl SchemaRegistry for Counting {
    fn register<'a>(
        &'a self,
        s: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<u32, RegistryError>> {
        self.call(self.inner.register(s, schema))
    }
    fn lookup<'a>(
        &'a self,
        s: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        self.call(self.inner.lookup(s, schema))
    }
    fn schema_by_id(&self, id: u32) -> BoxFuture<'_, Result<String, RegistryError>> {
        self.call(self.inner.schema_by_id(id))
    }
    fn subjects(&self) -> BoxFuture<'_, Result<Vec<String>, RegistryError>> {
        self.call(self.inner.subjects())
    }
    fn versions<'a>(&'a self, s: &'a str) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        self.call(self.inner.versions(s))
    }
    fn version<'a>(
        &'a self,
        s: &'a str,
        v: Version,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        self.call(self.inner.version(s, v))
    }
    fn check_compatibility<'a>(
        &'a self,
        s: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<CompatibilityReport, RegistryError>> {
        self.call(self.inner.check_compatibility(s, schema))
    }
    fn level<'a>(&'a self, s: Option<&'a str>) -> BoxFuture<'a, Result<Level, RegistryError>> {
        self.call(self.inner.level(s))
    }
    fn set_level<'a>(
        &'a self,
        s: Option<&'a str>,
        l: Level,
    ) -> BoxFuture<'a, Result<(), RegistryError>> {
        self.call(self.inner.set_level(s, l))
    }
    fn delete_subject<'a>(
        &'a self,
        s: &'a str,
        p: bool,
    ) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        self.call(self.inner.delete_subject(s, p))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_make_one_request_and_hits_make_none() {
    let counting = Arc::new(Counting::new());
    let id = counting.inner.register("R", SCHEMA).await.unwrap();
    let cached = Arc::new(CachedRegistry::new(counting.clone()));
    let lookups: Vec<_> = (0..32)
        .map(|_| {
            let cached = Arc::clone(&cached);
            tokio::spawn(async move { cached.schema_by_id(id).await.unwrap() })
        })
        .collect();
    for lookup in lookups {
        assert_eq!(lookup.await.unwrap(), SCHEMA);
    }
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    for _ in 0..1000 {
        cached.schema_by_id(id).await.unwrap();
        cached.register("R", SCHEMA).await.unwrap();
    }
    // One more call: the first registration; none after.
    assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
    assert_eq!(cached.misses(), 2);
    assert_eq!(cached.cached_schema(id).as_deref(), Some(SCHEMA));
}

#[tokio::test]
async fn failures_are_not_cached() {
    let counting = Arc::new(Counting::new());
    let cached = CachedRegistry::new(counting.clone());
    assert!(matches!(
        cached.schema_by_id(1).await,
        Err(RegistryError::SchemaNotFound(_))
    ));
    assert_eq!(cached.cached_schema(1), None);
    let id = counting.inner.register("R", SCHEMA).await.unwrap();
    assert_eq!(cached.schema_by_id(id).await.unwrap(), SCHEMA);
    assert_eq!(counting.calls(), 2);
}

#[test]
fn producers_ask_the_registry_once_per_type_and_topic() {
    let counting = Arc::new(Counting::new());
    let schemas = SchemaIds::new(counting.clone(), &KafkaConfig::default());
    let event = DebateCompleted {
        debate_id: uuid::Uuid::new_v4(),
        topic: "caching".to_owned(),
        winner: None,
        consensus: true,
        decision_type: DecisionType::Simple,
        decision_id: uuid::Uuid::new_v4(),
        summary: "once".to_owned(),
        metadata: EventMetadata::new(),
    };
    let first = schemas.id_blocking("debate.events", &event).unwrap();
    for _ in 0..10_000 {
        assert_eq!(schemas.id_blocking("debate.events", &event).unwrap(), first);
    }
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        futures_executor::block_on(
            counting
                .inner
                .lookup("zamaz.debate.DebateCompleted", DebateCompleted::SCHEMA_JSON)
        )
        .unwrap()
        .id,
        first
    );
    // With record-name subjects another topic is the same subject: cached.
    schemas.id_blocking("audit.events", &event).unwrap();
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    // With topic-name subjects it is another subject.
    let config = KafkaConfig::default().subject_name_strategy(SubjectNameStrategy::TopicName);
    let by_topic = SchemaIds::new(counting.clone(), &config);
    by_topic.id_blocking("debate.events", &event).unwrap();
    by_topic.id_blocking("audit.events", &event).unwrap();
    assert_eq!(counting.calls.load(Ordering::SeqCst), 3);
    let subjects = futures_executor::block_on(counting.inner.subjects()).unwrap();
    assert_eq!(
        subjects,
        [
            "audit.events-value",
            "debate.events-value",
            "zamaz.debate.DebateCompleted"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_url_falls_back_to_the_next() {
    let url = server(ServerOptions::new()).await;
    let registry = HttpRegistry::builder("http://127.0.0.1:9")
        .url(&url)
        .build()
        .unwrap();
    let id = registry.register("R", SCHEMA).await.unwrap();
    assert_eq!(registry.schema_by_id(id).await.unwrap(), SCHEMA);
    let alone = HttpRegistry::new("http://127.0.0.1:9").unwrap();
    let error = alone.subjects().await.unwrap_err();
    assert!(matches!(error, RegistryError::Transport { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with("registry at http://127.0.0.1:9/subjects: cannot connect: ")
            && message.to_lowercase().contains("refused"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_that_never_answers_times_out() {
    // Accepts connections, reads, never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let registry = HttpRegistry::builder(&url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = registry.schema_by_id(1).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.to_string().ends_with("no answer within 300ms"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_sent() {
    let url = server(ServerOptions::new().basic_auth("svc", "s3cret")).await;
    let anonymous = HttpRegistry::new(&url).unwrap();
    let error = anonymous.subjects().await.unwrap_err();
    assert_eq!(error.code(), Some(401), "{error}");
    let with_auth = HttpRegistry::builder(&url)
        .basic_auth("svc", "s3cret")
        .build()
        .unwrap();
    assert!(with_auth.subjects().await.unwrap().is_empty());
    assert!(!format!("{with_auth:?}").contains("s3cret"));

    // A bearer token, as a server receives it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = vec![0; 4096];
        let n = socket.read(&mut request).unwrap();
        let body = "[]";
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(reply.as_bytes()).unwrap();
        String::from_utf8_lossy(&request[..n]).to_string()
    });
    let bearer = HttpRegistry::builder(&url)
        .bearer_token("tok-123")
        .build()
        .unwrap();
    assert!(bearer.subjects().await.unwrap().is_empty());
    let request = seen.join().unwrap().to_ascii_lowercase();
    assert!(
        request.contains("authorization: bearer tok-123"),
        "{request}"
    );
    assert!(
        request.contains("accept: application/vnd.schemaregistry.v1+json"),
        "{request}"
    );
}

#[test]
fn only_http_and_https_urls_are_accepted() {
    let error = HttpRegistry::new("ftp://registry.example").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the URL must start with http:// or https://"),
        "{error}"
    );
    #[cfg(feature = "registry-tls")]
    HttpRegistry::new("https://registry.example").unwrap();
}

/// Runs `test` on a current-thread runtime, where spawned tasks run in
/// order whenever the test yields: callers join a flight deterministically.
fn on_one_thread(test: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(test);
}

/// Yields until every task spawned so far has run up to its first wait.
async fn let_spawned_tasks_run() {
    for _ in 0..64 {
        tokio::task::yield_now().await;
    }
}

fn spawn_lookups(
    cached: &Arc<CachedRegistry>,
    n: usize,
) -> Vec<tokio::task::JoinHandle<Result<String, RegistryError>>> {
    (0..n)
        .map(|_| {
            let cached = Arc::clone(cached);
            tokio::spawn(async move { cached.schema_by_id(1).await })
        })
        .collect()
}

#[test]
fn waiters_of_a_failed_request_share_its_error_and_the_next_call_asks_again() {
    on_one_thread(async {
        let counting = Arc::new(Counting::gated());
        let cached = Arc::new(CachedRegistry::new(counting.clone()));
        let waiters = spawn_lookups(&cached, 16);
        let_spawned_tasks_run().await;
        assert_eq!(counting.calls(), 1);
        counting.release(1);
        for waiter in waiters {
            let answer = waiter.await.unwrap();
            assert!(
                matches!(answer, Err(RegistryError::SchemaNotFound(_))),
                "{answer:?}"
            );
        }
        // One request answered all sixteen (with the registry down, they
        // wait one timeout, not sixteen one after another).
        assert_eq!(counting.calls(), 1);

        // The failure is not kept: the next call asks, and its success is.
        let id = counting.inner.register("R", SCHEMA).await.unwrap();
        assert_eq!(id, 1);
        counting.release(1);
        assert_eq!(cached.schema_by_id(id).await.unwrap(), SCHEMA);
        assert_eq!(counting.calls(), 2);
        assert_eq!(cached.cached_schema(id).as_deref(), Some(SCHEMA));
    });
}

#[test]
fn when_the_caller_making_the_request_gives_up_a_waiter_makes_it() {
    on_one_thread(async {
        let counting = Arc::new(Counting::gated());
        counting.inner.register("R", SCHEMA).await.unwrap();
        let cached = Arc::new(CachedRegistry::new(counting.clone()));
        let leader = spawn_lookups(&cached, 1).remove(0);
        let_spawned_tasks_run().await;
        let waiters = spawn_lookups(&cached, 4);
        let_spawned_tasks_run().await;
        assert_eq!(counting.calls(), 1);
        leader.abort();
        let_spawned_tasks_run().await;
        // One waiter took the request over; the others wait on it.
        assert_eq!(counting.calls(), 2);
        counting.release(1);
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap().unwrap(), SCHEMA);
        }
        assert_eq!(counting.calls(), 2);
    });
}

#[test]
fn a_current_thread_runtime_is_not_blocked_waiting_for_the_registry() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let counting = Arc::new(Counting::new());
    let schemas = SchemaIds::new(counting.clone(), &KafkaConfig::default());
    let event = DebateCompleted {
        debate_id: uuid::Uuid::new_v4(),
        topic: "t".to_owned(),
        winner: None,
        consensus: false,
        decision_type: DecisionType::Simple,
        decision_id: uuid::Uuid::new_v4(),
        summary: "s".to_owned(),
        metadata: EventMetadata::new(),
    };
    let error = runtime
        .block_on(async { schemas.id_blocking("debate.events", &event) })
        .unwrap_err();
    assert!(
        error.to_string().contains("current-thread runtime"),
        "{error}"
    );
    // Warmed up, the same call answers from the cache.
    let id = runtime
        .block_on(schemas.id("debate.events", &event))
        .unwrap();
    assert_eq!(
        runtime
            .block_on(async { schemas.id_blocking("debate.events", &event) })
            .unwrap(),
        id
    );
}

#[tokio::test]
async fn credentials_in_the_url_become_basic_auth_and_stay_out_of_sight() {
    let registry = HttpRegistry::new("http://alice:s3%40cret@127.0.0.1:9").unwrap();
    assert_eq!(registry.urls(), ["http://127.0.0.1:9"]);
    let debug = format!("{registry:?}");
    assert!(!debug.contains("s3") && !debug.contains("alice"), "{debug}");
    let error = registry.subjects().await.unwrap_err().to_string();
    assert!(!error.contains("s3"), "{error}");
}
