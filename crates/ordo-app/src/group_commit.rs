//! Group commit for single-order requests: orders that arrive while a write transaction is running
//! are written together in the next one, so concurrent clients share its cost. Each order keeps its
//! own outcome; if a shared transaction fails, its orders are retried one by one so that one bad
//! order never fails another.

use crate::Result;
use crate::clock::Clock;
use ordo_domain::DomainError;
use ordo_store::{IngestOutcome, NewOrder, Store, WriteCtx};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};

/// The most orders written in one shared transaction.
const MAX_GROUP: usize = 500;

/// The longest a group waits for the orders it expects (as many as the last group carried). Without
/// it, the first of many clients answered together takes a transaction to itself, and transactions
/// alternate between one order and all the rest.
const GATHER: std::time::Duration = std::time::Duration::from_micros(500);

struct Job {
    client_id: i64,
    actor: String,
    order: NewOrder,
    reply: oneshot::Sender<Result<IngestOutcome>>,
}

/// What writes one client's orders in one transaction: the store's ingest (a seam for tests).
pub(crate) type WriteOrders =
    Arc<dyn Fn(WriteCtx, Vec<NewOrder>) -> BoxFuture<'static, Result<Vec<IngestOutcome>>> + Send + Sync>;

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Hands single orders to the writer task.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer task over the store.
    pub(crate) fn start(store: Store, clock: Arc<dyn Clock>) -> Self {
        let write: WriteOrders = Arc::new(move |ctx, orders| {
            let store = store.clone();
            Box::pin(async move { store.ingest_orders(&ctx, orders).await })
        });
        Self::start_with(write, clock)
    }

    /// Starts the writer task over `write`. Each group runs in a task of its own: a panic while
    /// writing fails that group's requests (their transaction is rolled back when dropped) and the
    /// writer goes on with the next group.
    pub(crate) fn start_with(write: WriteOrders, clock: Arc<dyn Clock>) -> Self {
        let (queue, mut rx) = mpsc::channel::<Job>(4096);
        tokio::spawn(async move {
            // How many orders the last group carried: clients answered together tend to come back
            // together, so the next group waits briefly for as many.
            let mut last_group = 1;
            while let Some(first) = rx.recv().await {
                let mut jobs = vec![first];
                let deadline = tokio::time::Instant::now() + GATHER;
                while jobs.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(TryRecvError::Empty) if jobs.len() < last_group => {
                            match tokio::time::timeout_at(deadline, rx.recv()).await {
                                Ok(Some(job)) => jobs.push(job),
                                _ => break,
                            }
                        }
                        Err(_) => break,
                    }
                }
                last_group = jobs.len();
                let started = std::time::Instant::now();
                let group = tokio::spawn(write_group(write.clone(), clock.now(), jobs));
                match group.await {
                    Ok(()) => {
                        tracing::debug!(orders = last_group, micros = started.elapsed().as_micros() as u64, "group committed")
                    }
                    Err(e) => {
                        tracing::error!(orders = last_group, error = %e, "writing a group of orders failed; its requests were answered with an error")
                    }
                }
            }
        });
        GroupCommit { queue }
    }

    /// Ingests one order, sharing a transaction with whatever else is waiting.
    pub(crate) async fn ingest(&self, ctx: &WriteCtx, order: NewOrder) -> Result<IngestOutcome> {
        let (reply, answer) = oneshot::channel();
        let job = Job { client_id: ctx.client_id, actor: ctx.actor.clone(), order, reply };
        self.queue.send(job).await.map_err(|_| DomainError::Internal("the order writer has stopped".into()))?;
        answer.await.map_err(|_| DomainError::Internal("the order could not be written; nothing was stored".into()))?
    }
}

async fn write_group(write: WriteOrders, now: ordo_domain::Timestamp, jobs: Vec<Job>) {
    let mut groups: BTreeMap<(i64, String), Vec<Job>> = BTreeMap::new();
    for job in jobs {
        groups.entry((job.client_id, job.actor.clone())).or_default().push(job);
    }
    for ((client_id, actor), jobs) in groups {
        let ctx = WriteCtx::new(client_id, actor, now);
        let orders: Vec<NewOrder> = jobs.iter().map(|j| j.order.clone()).collect();
        match write(ctx.clone(), orders).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(_) if jobs.len() > 1 => {
                for job in jobs {
                    let outcome = write(ctx.clone(), vec![job.order]).await.map(|mut o| o.remove(0));
                    let _ = job.reply.send(outcome);
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn order(channel_order_id: &str) -> NewOrder {
        crate::parse_order(serde_json::json!({
            "channel": "web", "kind": "B2C", "channel_order_id": channel_order_id, "lines": [{"sku": "A", "qty": 1}],
        }))
        .unwrap()
    }

    /// A writer that panics on the order `PANIC` and otherwise answers each order as failed (an
    /// outcome that needs no store).
    fn panicking_writer() -> WriteOrders {
        Arc::new(|_ctx, orders: Vec<NewOrder>| {
            Box::pin(async move {
                if orders.iter().any(|o| o.channel_order_id == "PANIC") {
                    panic!("injected panic while writing");
                }
                Ok(orders
                    .iter()
                    .map(|o| IngestOutcome::Invalid(vec![ordo_domain::FieldError::new("written", o.channel_order_id.clone())]))
                    .collect())
            })
        })
    }

    #[tokio::test]
    async fn a_panic_while_writing_fails_only_its_group_and_the_writer_goes_on() {
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::starting_now());
        let writer = GroupCommit::start_with(panicking_writer(), clock);
        let ctx = WriteCtx::new(1, "key:test", ordo_domain::Timestamp::from_micros(0));
        let failed = writer.ingest(&ctx, order("PANIC")).await.unwrap_err();
        assert!(matches!(failed, DomainError::Internal(_)), "{failed:?}");
        for n in 0..3 {
            let id = format!("OK-{n}");
            match writer.ingest(&ctx, order(&id)).await.unwrap() {
                IngestOutcome::Invalid(e) => assert_eq!(e[0].message, id),
                other => panic!("unexpected outcome {other:?}"),
            }
        }
    }
}
