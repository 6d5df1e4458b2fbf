//! The librdkafka consumer behind an [`EventConsumer`](super::EventConsumer),
//! and its replacement after an outage.
//!
//! When every broker is gone, the client is closed and, once a broker
//! accepts connections again, a fresh one takes its place: a group member
//! rejoins from the committed offsets (duplicates are dropped by event id),
//! a replaying consumer resumes after the last record it handled. A fresh
//! client also sheds state the old broker left behind: librdkafka 2.12
//! crashes on metadata of a topic recreated under a new id, which is what a
//! restarted in-memory broker serves.

use std::collections::HashMap;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::{ClientConfig, ClientContext, Offset, TopicPartitionList};

use super::consumer::StartFrom;
use super::error::KafkaError;

/// Commits what was handled before partitions are taken away, and notices
/// when every broker is gone.
pub(crate) struct Context {
    down: Arc<Down>,
}

/// "Every broker is gone": a flag, and a wake-up for the consumer loop.
#[derive(Default)]
struct Down {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl ClientContext for Context {
    fn error(&self, error: RdKafkaError, _reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            self.down.flag.store(true, Ordering::SeqCst);
            // Stores a permit if the loop is not waiting right now.
            self.down.notify.notify_one();
        }
    }
}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(_) = rebalance {
            // Nothing stored yet is not an error worth reporting.
            let _ = consumer.commit_consumer_state(CommitMode::Sync);
        }
    }
}

pub(crate) type Inner = StreamConsumer<Context>;

/// Whether any of the comma-separated `host:port` servers accepts a TCP
/// connection within `timeout`.
pub(crate) fn reachable(servers: &str, timeout: Duration) -> bool {
    servers
        .split(',')
        .filter_map(|s| s.trim().to_socket_addrs().ok())
        .flatten()
        .any(|addr| TcpStream::connect_timeout(&addr, timeout).is_ok())
}

/// What it takes to (re)create the client.
pub(crate) struct Recipe {
    pub(crate) config: ClientConfig,
    pub(crate) servers: String,
    pub(crate) topics: Vec<String>,
    pub(crate) start: StartFrom,
}

/// The current client, swapped after an outage; shared with the handle.
pub(crate) struct Client {
    current: RwLock<Option<Arc<Inner>>>,
    down: Arc<Down>,
    recipe: Recipe,
    /// Next offset per partition, for a replaying consumer to resume at.
    resume: std::sync::Mutex<HashMap<(String, i32), i64>>,
    /// The last error the consumer reported.
    last_error: std::sync::Mutex<Option<String>>,
}

impl Client {
    /// Creates the client and joins the group or seeks the replay position.
    pub(crate) async fn connect(recipe: Recipe) -> Result<Arc<Self>, KafkaError> {
        let client = Arc::new(Client {
            current: RwLock::new(None),
            down: Arc::default(),
            recipe,
            resume: std::sync::Mutex::new(HashMap::new()),
            last_error: std::sync::Mutex::new(None),
        });
        let fresh = Arc::clone(&client);
        tokio::task::spawn_blocking(move || fresh.build())
            .await
            .map_err(|_| KafkaError::Shutdown)??;
        Ok(client)
    }

    /// The current librdkafka consumer, if connected.
    pub(crate) fn get(&self) -> Option<Arc<Inner>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Completes once every broker went away since the client was created.
    pub(crate) async fn down(&self) {
        while !self.down.flag.load(Ordering::SeqCst) {
            self.down.notify.notified().await;
        }
    }

    /// Keeps `error` as the last one the consumer reported.
    pub(crate) fn record_error(&self, error: String) {
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(error);
    }

    /// The last error the consumer reported, if any.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Takes the client out, to close it: the loop has ended.
    pub(crate) fn take(&self) -> Option<Arc<Inner>> {
        self.current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// Remembers that `offset` of a partition was handled.
    pub(crate) fn handled(&self, topic: &str, partition: i32, offset: i64) {
        if self.recipe.start != StartFrom::Committed {
            self.resume
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert((topic.to_owned(), partition), offset + 1);
        }
    }

    /// Closes the current client (its committed offsets stay with the
    /// group) and creates a fresh one once a broker answers; gives up when
    /// `stopped` says so.
    pub(crate) async fn reconnect(
        self: &Arc<Self>,
        stopped: &tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), KafkaError> {
        let old = self
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(old) = old {
            // Closing may wait on the unreachable coordinator: not on a
            // runtime thread.
            let _ = tokio::task::spawn_blocking(move || drop(old)).await;
        }
        loop {
            let stop = *stopped.borrow();
            if stop {
                return Err(KafkaError::Shutdown);
            }
            let servers = self.recipe.servers.clone();
            let up =
                tokio::task::spawn_blocking(move || reachable(&servers, Duration::from_secs(1)))
                    .await
                    .unwrap_or(false);
            if up {
                let fresh = Arc::clone(self);
                if let Ok(Ok(())) = tokio::task::spawn_blocking(move || fresh.build()).await {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn build(&self) -> Result<(), KafkaError> {
        self.down.flag.store(false, Ordering::SeqCst);
        let consumer: Inner = self.recipe.config.create_with_context(Context {
            down: Arc::clone(&self.down),
        })?;
        let topics: Vec<&str> = self.recipe.topics.iter().map(String::as_str).collect();
        if self.recipe.start == StartFrom::Committed {
            consumer.subscribe(&topics)?;
        } else {
            let mut assignment = replay_assignment(&consumer, &topics, self.recipe.start)?;
            for ((topic, partition), next) in
                self.resume.lock().unwrap_or_else(|p| p.into_inner()).iter()
            {
                assignment.set_partition_offset(topic, *partition, Offset::Offset(*next))?;
            }
            consumer.assign(&assignment)?;
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(consumer));
        Ok(())
    }
}

/// Every partition of `topics` at the replay position.
fn replay_assignment(
    consumer: &Inner,
    topics: &[&str],
    start: StartFrom,
) -> Result<TopicPartitionList, KafkaError> {
    let timeout = Duration::from_secs(10);
    let metadata = consumer.fetch_metadata(None, timeout)?;
    let mut tpl = TopicPartitionList::new();
    for topic in metadata
        .topics()
        .iter()
        .filter(|t| topics.contains(&t.name()))
    {
        for p in topic.partitions() {
            let offset = match start {
                StartFrom::Offset(o) => Offset::Offset(o),
                StartFrom::Timestamp(t) => Offset::Offset(t.timestamp_millis()),
                _ => Offset::Beginning,
            };
            tpl.add_partition_offset(topic.name(), p.id(), offset)?;
        }
    }
    if matches!(start, StartFrom::Timestamp(_)) {
        tpl = consumer.offsets_for_times(tpl, timeout)?;
        // Partitions with nothing at or after the time start at their end.
        let none: Vec<(String, i32)> = tpl
            .elements()
            .iter()
            .filter(|e| !matches!(e.offset(), Offset::Offset(_)))
            .map(|e| (e.topic().to_owned(), e.partition()))
            .collect();
        for (topic, partition) in none {
            tpl.set_partition_offset(&topic, partition, Offset::End)?;
        }
    }
    Ok(tpl)
}
