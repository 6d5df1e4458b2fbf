//! Handler failures and bus errors.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a handler returns: `Ok(())`, or any error (it is recorded, and the
/// other handlers still run).
pub type HandlerResult = Result<(), HandlerError>;

/// The error a handler returns: any error type, boxed.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// A handler that failed on an event: returned an error or panicked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedEvent {
    /// The handler's name.
    pub handler: String,
    /// The handler's context tag, if it has one.
    pub handler_context: Option<String>,
    /// The event's id.
    pub event_id: Uuid,
    /// The event's type.
    pub event_type: &'static str,
    /// The error text, or `panicked: <message>`.
    pub error: String,
    /// When the failure happened.
    pub at: DateTime<Utc>,
}

/// `publish_blocking` was called inside a current-thread async runtime,
/// where blocking would deadlock; the event is handed back so it can be
/// published with `publish(..).await` instead.
#[derive(thiserror::Error)]
#[error("publish_blocking called inside a current-thread async runtime: use `publish(..).await`")]
pub struct BlockingInAsyncContext<E> {
    /// The event that was not published (boxed: events can be large, and
    /// this is the rare path).
    pub event: Box<E>,
}

impl<E> std::fmt::Debug for BlockingInAsyncContext<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingInAsyncContext")
            .finish_non_exhaustive()
    }
}
