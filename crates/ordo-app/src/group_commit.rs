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

/// Hands single orders to the writer tasks.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts `writers` writer tasks (one on SQLite, which has one writer anyway).
    pub(crate) fn start(store: Store, clock: Arc<dyn Clock>, writers: usize) -> Self {
        let (queue, rx) = mpsc::channel::<Job>(4096);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..writers.max(1) {
            let (store, clock, rx) = (store.clone(), clock.clone(), rx.clone());
            tokio::spawn(async move {
                // How many orders the last group carried: clients answered together tend to come back
                // together, so the next group waits briefly for as many.
                let mut last_group = 1;
                loop {
                    let mut jobs = Vec::new();
                    {
                        let mut rx = rx.lock().await;
                        match rx.recv().await {
                            Some(first) => jobs.push(first),
                            None => return,
                        }
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
                    }
                    last_group = jobs.len();
                    let started = std::time::Instant::now();
                    write_group(&store, clock.as_ref(), jobs).await;
                    tracing::debug!(orders = last_group, micros = started.elapsed().as_micros() as u64, "group committed");
                }
            });
        }
        GroupCommit { queue }
    }

    /// Ingests one order, sharing a transaction with whatever else is waiting.
    pub(crate) async fn ingest(&self, ctx: &WriteCtx, order: NewOrder) -> Result<IngestOutcome> {
        let (reply, answer) = oneshot::channel();
        let job = Job { client_id: ctx.client_id, actor: ctx.actor.clone(), order, reply };
        self.queue.send(job).await.map_err(|_| DomainError::Internal("the order writer has stopped".into()))?;
        answer.await.map_err(|_| DomainError::Internal("the order writer dropped the order".into()))?
    }
}

async fn write_group(store: &Store, clock: &dyn Clock, jobs: Vec<Job>) {
    let mut groups: BTreeMap<(i64, String), Vec<Job>> = BTreeMap::new();
    for job in jobs {
        groups.entry((job.client_id, job.actor.clone())).or_default().push(job);
    }
    for ((client_id, actor), jobs) in groups {
        let ctx = WriteCtx::new(client_id, actor, clock.now());
        let orders: Vec<NewOrder> = jobs.iter().map(|j| j.order.clone()).collect();
        match store.ingest_orders(&ctx, orders).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(_) if jobs.len() > 1 => {
                for job in jobs {
                    let outcome = store.ingest_orders(&ctx, vec![job.order]).await.map(|mut o| o.remove(0));
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
