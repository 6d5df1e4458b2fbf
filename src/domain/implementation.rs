//! Implementation context: turns decisions, critical breaches and completed
//! evolutions into tasks.

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use super::evolution::Evolutions;
use super::{derived, lock, Shared};
use crate::bus::{EventBus, HandlerResult, Subscription};
use crate::events::common::{AssigneeType, DecisionType, ImplementationType, Priority, Severity};
use crate::events::debate::DebateCompleted;
use crate::events::evolution::EvolutionCompleted;
use crate::events::implementation::{TaskAssigned, TaskCreated};
use crate::events::performance::MetricThresholdBreached;
use crate::EventMetadata;

const CONTEXT: &str = "implementation";

/// Who gets the urgent task of a CRITICAL threshold breach (as HUMAN): the
/// on-call engineer, since a critical breach needs a person now.
pub const URGENT_ASSIGNEE: &str = "sre-oncall";

/// A task created by a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    /// The task's id.
    pub task_id: Uuid,
    /// The decision it implements.
    pub decision_id: Uuid,
    /// Its title.
    pub title: String,
    /// The kind of work.
    pub implementation_type: ImplementationType,
    /// Its priority.
    pub priority: Priority,
    /// Who it is assigned to, if anyone.
    pub assignee: Option<(String, AssigneeType)>,
}

/// The tasks created so far, in creation order, with an index by id so
/// assignment stays O(1) as tasks accumulate.
#[derive(Debug, Default)]
struct TaskList {
    tasks: Vec<TaskRecord>,
    by_id: HashMap<Uuid, usize>,
}

/// The tasks created so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Tasks(Shared<TaskList>);

impl Tasks {
    pub(super) fn all(&self) -> Vec<TaskRecord> {
        lock(&self.0).tasks.clone()
    }

    fn insert(&self, record: TaskRecord) {
        let mut list = lock(&self.0);
        let index = list.tasks.len();
        list.by_id.insert(record.task_id, index);
        list.tasks.push(record);
    }

    fn assign(&self, task_id: Uuid, assignee: &str, kind: AssigneeType) {
        let mut list = lock(&self.0);
        let TaskList { tasks, by_id } = &mut *list;
        if let Some(task) = by_id.get(&task_id).and_then(|&i| tasks.get_mut(i)) {
            task.assignee = Some((assignee.to_owned(), kind));
        }
    }
}

/// Subscribes the implementation context's handlers.
pub(super) fn install(bus: &EventBus, tasks: &Tasks, evolutions: &Evolutions) -> Vec<Subscription> {
    let (publisher, repository) = (bus.clone(), tasks.clone());
    let from_debate = bus
        .handler("implementation.task_from_debate")
        .context(CONTEXT)
        .on::<DebateCompleted, _, _>(move |completed| {
            task_from_debate(publisher.clone(), repository.clone(), completed)
        });
    let (publisher, repository) = (bus.clone(), tasks.clone());
    let from_breach = bus
        .handler("implementation.urgent_task_from_breach")
        .context(CONTEXT)
        .on::<MetricThresholdBreached, _, _>(move |breached| {
            urgent_task_from_breach(publisher.clone(), repository.clone(), breached)
        });
    let (publisher, repository, evolutions) = (bus.clone(), tasks.clone(), evolutions.clone());
    let from_evolution = bus
        .handler("implementation.tasks_from_evolution")
        .context(CONTEXT)
        .on::<EvolutionCompleted, _, _>(move |completed| {
            tasks_from_evolution(
                publisher.clone(),
                repository.clone(),
                evolutions.clone(),
                completed,
            )
        });
    vec![from_debate, from_breach, from_evolution]
}

/// DebateCompleted with a COMPLEX or EVOLUTION decision → TaskCreated, and
/// TaskAssigned to the winner.
async fn task_from_debate(
    bus: EventBus,
    tasks: Tasks,
    completed: Arc<DebateCompleted>,
) -> HandlerResult {
    let (priority, implementation_type) = match completed.decision_type {
        DecisionType::Evolution => (Priority::High, ImplementationType::Evolution),
        DecisionType::Complex => (Priority::Medium, ImplementationType::Feature),
        _ => return Ok(()),
    };
    let task = TaskCreated {
        task_id: Uuid::new_v4(),
        decision_id: completed.decision_id,
        title: format!("Implement: {}", completed.topic),
        implementation_type,
        priority,
        metadata: derived(CONTEXT, &completed.metadata),
    };
    let assignee = completed
        .winner
        .as_ref()
        .map(|winner| (winner.to_lowercase(), AssigneeType::Ai));
    create_task(&bus, &tasks, task, assignee).await;
    Ok(())
}

/// MetricThresholdBreached with severity CRITICAL → TaskCreated and
/// TaskAssigned to [`URGENT_ASSIGNEE`].
async fn urgent_task_from_breach(
    bus: EventBus,
    tasks: Tasks,
    breached: Arc<MetricThresholdBreached>,
) -> HandlerResult {
    if breached.severity != Severity::Critical {
        return Ok(());
    }
    let task = TaskCreated {
        task_id: Uuid::new_v4(),
        decision_id: Uuid::new_v4(),
        title: format!("URGENT: Fix {} threshold breach", breached.metric_name),
        implementation_type: ImplementationType::Bugfix,
        priority: Priority::Critical,
        metadata: derived(CONTEXT, &breached.metadata),
    };
    let assignee = Some((URGENT_ASSIGNEE.to_owned(), AssigneeType::Human));
    create_task(&bus, &tasks, task, assignee).await;
    Ok(())
}

/// EvolutionCompleted → one TaskCreated per approved improvement that has
/// no task yet.
async fn tasks_from_evolution(
    bus: EventBus,
    tasks: Tasks,
    evolutions: Evolutions,
    completed: Arc<EvolutionCompleted>,
) -> HandlerResult {
    for improvement in evolutions.claim_untasked(completed.evolution_id) {
        let Some(task_id) = improvement.task_id else {
            continue;
        };
        let task = TaskCreated {
            task_id,
            decision_id: improvement.improvement_id,
            title: format!("Evolution: {}", improvement.title),
            implementation_type: ImplementationType::Evolution,
            priority: Priority::High,
            metadata: derived(CONTEXT, &completed.metadata),
        };
        create_task(&bus, &tasks, task, None).await;
    }
    Ok(())
}

/// Records and publishes `task`, then, with an assignee, records and
/// publishes its TaskAssigned (caused by the TaskCreated).
async fn create_task(
    bus: &EventBus,
    tasks: &Tasks,
    task: TaskCreated,
    assignee: Option<(String, AssigneeType)>,
) {
    let (task_id, created): (Uuid, EventMetadata) = (task.task_id, task.metadata.clone());
    tasks.insert(TaskRecord {
        task_id,
        decision_id: task.decision_id,
        title: task.title.clone(),
        implementation_type: task.implementation_type,
        priority: task.priority,
        assignee: None,
    });
    bus.publish(task).await;
    if let Some((assignee, assignee_type)) = assignee {
        tasks.assign(task_id, &assignee, assignee_type);
        bus.publish(TaskAssigned {
            task_id,
            assignee,
            assignee_type,
            metadata: derived(CONTEXT, &created),
        })
        .await;
    }
}
