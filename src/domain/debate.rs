//! Debate context: runs a requested debate and decides it.

use std::sync::Arc;

use uuid::Uuid;

use super::{derived, lock, Shared};
use crate::bus::{EventBus, HandlerResult, Subscription};
use crate::events::common::DecisionType;
use crate::events::debate::{DebateCompleted, DebateRequested, DebateStarted};
use crate::DomainEvent;

const CONTEXT: &str = "debate";

/// The participant that wins every debate with a winner.
pub const WINNER: &str = "Claude";

/// How a debate ended, as a [`Decider`] returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The kind of decision; COMPLEX and EVOLUTION lead to a task.
    pub decision_type: DecisionType,
    /// The winning participant, if any; a task is assigned to it.
    pub winner: Option<String>,
    /// Whether the participants reached consensus.
    pub consensus: bool,
    /// One line on the outcome.
    pub summary: String,
}

impl Decision {
    /// A decision of `decision_type` on `question` with the default outcome:
    /// a SIMPLE decision reaches consensus without a winner; every other
    /// type is won by [`WINNER`], also with consensus.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus::domain::Decision;
    /// use schemabus::events::common::DecisionType;
    ///
    /// let decision = Decision::of_type(DecisionType::Complex, "Adopt Kafka?");
    /// assert_eq!(decision.winner.as_deref(), Some("Claude"));
    /// assert_eq!(Decision::of_type(DecisionType::Simple, "Tabs?").winner, None);
    /// ```
    pub fn of_type(decision_type: DecisionType, question: &str) -> Self {
        let (winner, summary) = match decision_type {
            DecisionType::Simple => (
                None,
                format!("{decision_type} decision by consensus: {question}"),
            ),
            _ => (
                Some(WINNER.to_owned()),
                format!("{decision_type} decision won by {WINNER}: {question}"),
            ),
        };
        Decision {
            decision_type,
            winner,
            consensus: true,
            summary,
        }
    }
}

/// Decides a requested debate.
///
/// Implemented by [`RuleDecider`] (the default), by
/// [`DecisionType`] (forces that type, outcome as [`Decision::of_type`])
/// and by closures `Fn(&DebateRequested) -> Decision`.
pub trait Decider: Send + Sync + 'static {
    /// The decision on `request`.
    fn decide(&self, request: &DebateRequested) -> Decision;
}

/// The default [`Decider`]: the decision type from the question text, the
/// outcome from [`Decision::of_type`].
///
/// The question is lower-cased and the first matching rule wins:
///
/// 1. contains `architecture` or `architectural` → ARCHITECTURAL;
/// 2. contains `evolve` or `evolution` → EVOLUTION;
/// 3. contains `refactor`, `migrate` or `adopt` → COMPLEX;
/// 4. ends with `?` and has at most 8 words → SIMPLE;
/// 5. otherwise → MODERATE.
///
/// STRATEGIC is never chosen by the rules.
///
/// # Examples
///
/// ```
/// use schemabus::domain::RuleDecider;
/// use schemabus::events::common::DecisionType;
///
/// assert_eq!(RuleDecider::classify("Should we evolve the API?"), DecisionType::Evolution);
/// assert_eq!(RuleDecider::classify("Tabs or spaces?"), DecisionType::Simple);
/// assert_eq!(RuleDecider::classify("Pick a logging format"), DecisionType::Moderate);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RuleDecider;

impl RuleDecider {
    /// The decision type the rules give `question`.
    pub fn classify(question: &str) -> DecisionType {
        let text = question.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|word| text.contains(word));
        if has(&["architecture", "architectural"]) {
            DecisionType::Architectural
        } else if has(&["evolve", "evolution"]) {
            DecisionType::Evolution
        } else if has(&["refactor", "migrate", "adopt"]) {
            DecisionType::Complex
        } else if text.trim_end().ends_with('?') && text.split_whitespace().count() <= 8 {
            DecisionType::Simple
        } else {
            DecisionType::Moderate
        }
    }
}

impl Decider for RuleDecider {
    fn decide(&self, request: &DebateRequested) -> Decision {
        Decision::of_type(Self::classify(&request.question), &request.question)
    }
}

impl Decider for DecisionType {
    fn decide(&self, request: &DebateRequested) -> Decision {
        Decision::of_type(*self, &request.question)
    }
}

impl<F> Decider for F
where
    F: Fn(&DebateRequested) -> Decision + Send + Sync + 'static,
{
    fn decide(&self, request: &DebateRequested) -> Decision {
        self(request)
    }
}

/// A debate that was run and decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebateRecord {
    /// The debate's id (from the request).
    pub debate_id: Uuid,
    /// The question, also the debate's topic.
    pub question: String,
    /// Who asked for the debate.
    pub requester: String,
    /// The id of the decision, as in `DebateCompleted`.
    pub decision_id: Uuid,
    /// The decision.
    pub decision: Decision,
}

/// The debates decided so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Debates(Shared<Vec<DebateRecord>>);

impl Debates {
    pub(super) fn all(&self) -> Vec<DebateRecord> {
        lock(&self.0).clone()
    }

    fn insert(&self, record: DebateRecord) {
        lock(&self.0).push(record);
    }
}

/// Subscribes the debate context's handlers.
pub(super) fn install(
    bus: &EventBus,
    debates: &Debates,
    decider: Arc<dyn Decider>,
) -> Vec<Subscription> {
    let (publisher, debates) = (bus.clone(), debates.clone());
    vec![bus
        .handler("debate.run_debate")
        .context(CONTEXT)
        .on::<DebateRequested, _, _>(move |request| {
            run_debate(
                publisher.clone(),
                debates.clone(),
                Arc::clone(&decider),
                request,
            )
        })]
}

/// DebateRequested → DebateStarted, decide, DebateCompleted.
async fn run_debate(
    bus: EventBus,
    debates: Debates,
    decider: Arc<dyn Decider>,
    request: Arc<DebateRequested>,
) -> HandlerResult {
    let started = DebateStarted {
        debate_id: request.debate_id,
        topic: request.question.clone(),
        context: request.context.clone(),
        metadata: derived(CONTEXT, DomainEvent::metadata(&*request)),
    };
    let started_metadata = started.metadata.clone();
    bus.publish(started).await;

    let decision = decider.decide(&request);
    let decision_id = Uuid::new_v4();
    let completed = DebateCompleted {
        debate_id: request.debate_id,
        topic: request.question.clone(),
        winner: decision.winner.clone(),
        consensus: decision.consensus,
        decision_type: decision.decision_type,
        decision_id,
        summary: decision.summary.clone(),
        metadata: derived(CONTEXT, &started_metadata),
    };
    debates.insert(DebateRecord {
        debate_id: request.debate_id,
        question: request.question.clone(),
        requester: request.requester.clone(),
        decision_id,
        decision,
    });
    bus.publish(completed).await;
    Ok(())
}
