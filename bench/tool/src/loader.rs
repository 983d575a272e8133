//! Loading shapes into a room the way a careful client does: a window of
//! operations in flight, each confirmed by the server's `ACK`, resent after a
//! `rate_limited` penalty (op ids make resending safe). A server that never
//! acknowledges (the baseline) is detected and its shapes counted by sync.

use std::collections::BTreeSet;
use std::ops::Range;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::board;
use crate::client::{self, BenchResult, ErrorTally, Ws};

/// Shapes in flight while loading, when the server acknowledges.
const WINDOW: usize = 256;
/// A server that has not acknowledged anything this long after the first
/// shape is taken to never acknowledge (the baseline).
const ACK_PROBE: Duration = Duration::from_secs(2);
/// With acks on, this long without any message means the load is stuck.
const STALL: Duration = Duration::from_secs(15);
/// Waiting out a `rate_limited` penalty before resending.
const PENALTY: Duration = Duration::from_millis(1_100);
/// Longest a load may take in all.
const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// How the server confirmed a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Every op id came back in an `ACK`.
    Acked,
    /// No `ACK` at all; the shapes were counted with `REQUEST_SYNC`.
    CountedBySync,
}

pub struct Load {
    pub confirmation: Confirmation,
    /// Time spent finding out that the server does not acknowledge.
    pub probing: Duration,
    pub errors: ErrorTally,
    pub resends: usize,
}

pub struct Loader<'a> {
    pub user_id: &'a str,
    pub tag: &'a str,
    pub points: usize,
}

impl Loader<'_> {
    fn frame(&self, i: usize) -> Message {
        let shape = board::pencil_shape(&format!("bb-{}-{i}", self.tag), self.points, i as u64);
        Message::text(board::shape_added(&shape, self.user_id, &self.op_id(i)))
    }

    fn op_id(&self, i: usize) -> String {
        format!("op-{}-{i}", self.tag)
    }

    fn index_of(&self, op_id: &str) -> Option<usize> {
        op_id
            .strip_prefix(&format!("op-{}-", self.tag))?
            .parse()
            .ok()
    }

    /// Adds shapes `ids`, keeping [`WINDOW`] unacknowledged. `acks` says
    /// whether the server is known to acknowledge; `None` finds out.
    pub async fn add(
        &self,
        ws: &mut Ws,
        ids: Range<usize>,
        acks: Option<bool>,
    ) -> BenchResult<Load> {
        let start = Instant::now();
        let mut acks = acks;
        let mut unacked = BTreeSet::new();
        let mut next = ids.start;
        let mut errors = ErrorTally::default();
        let mut resends = 0;
        let mut probing = Duration::ZERO;
        let done = |errors, resends, confirmation, probing| Load {
            confirmation,
            probing,
            errors,
            resends,
        };
        loop {
            if start.elapsed() > LOAD_TIMEOUT {
                return client::fail(format!("loading took over {LOAD_TIMEOUT:?}"));
            }
            if acks == Some(false) {
                while next < ids.end {
                    ws.feed(self.frame(next)).await?;
                    next += 1;
                }
                ws.flush().await?;
                return Ok(done(errors, resends, Confirmation::CountedBySync, probing));
            }
            while unacked.len() < WINDOW && next < ids.end {
                ws.send(self.frame(next)).await?;
                unacked.insert(next);
                next += 1;
            }
            if unacked.is_empty() {
                return Ok(done(errors, resends, Confirmation::Acked, probing));
            }
            let wait = if acks.is_none() { ACK_PROBE } else { STALL };
            let text = match tokio::time::timeout(wait, ws.next()).await {
                Err(_) if acks.is_none() => {
                    acks = Some(false);
                    probing = wait;
                    continue;
                }
                Err(_) => {
                    return client::fail(format!("no ACK for {wait:?}; {} unacked", unacked.len()))
                }
                Ok(None) => return client::fail("socket closed while loading"),
                Ok(Some(Err(e))) => return Err(e.into()),
                Ok(Some(Ok(Message::Text(text)))) => text,
                Ok(Some(Ok(_))) => continue,
            };
            match client::message_type(&text) {
                Some("ACK") => {
                    acks = Some(true);
                    for op_id in client::ack_op_ids(&text) {
                        if let Some(i) = self.index_of(&op_id) {
                            unacked.remove(&i);
                        }
                    }
                }
                Some("ERROR") => {
                    let code = client::error_code(&text);
                    errors.add(&code, 1);
                    if code != "rate_limited" {
                        return client::fail(format!("the server refused a shape: {text}"));
                    }
                    // Dropped while penalised: wait it out, take in the acks
                    // that did come, and resend the rest (op ids make that safe).
                    tokio::time::sleep(PENALTY).await;
                    self.take_acks(ws, &mut unacked, &mut errors).await?;
                    for &i in &unacked {
                        ws.send(self.frame(i)).await?;
                    }
                    resends += unacked.len();
                }
                _ => {}
            }
        }
    }

    /// Reads what is already queued, removing acknowledged shapes.
    async fn take_acks(
        &self,
        ws: &mut Ws,
        unacked: &mut BTreeSet<usize>,
        errors: &mut ErrorTally,
    ) -> BenchResult<()> {
        while let Ok(message) = tokio::time::timeout(Duration::from_millis(50), ws.next()).await {
            let Some(Ok(Message::Text(text))) = message else {
                continue;
            };
            match client::message_type(&text) {
                Some("ACK") => {
                    for op_id in client::ack_op_ids(&text) {
                        if let Some(i) = self.index_of(&op_id) {
                            unacked.remove(&i);
                        }
                    }
                }
                Some("ERROR") => errors.add(&client::error_code(&text), 1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Adds `ids` and waits until the server has them: its acks, or a count by
/// sync when it sends none. Returns the load and its duration in seconds.
pub async fn load_shapes(
    loader: &Loader<'_>,
    ws: &mut Ws,
    ids: Range<usize>,
    acks: Option<bool>,
) -> BenchResult<(Load, f64)> {
    let started = Instant::now();
    let total = ids.end;
    let load = loader.add(ws, ids, acks).await?;
    if load.confirmation == Confirmation::CountedBySync {
        board::wait_stored(ws, loader.user_id, total).await?;
    }
    let secs = (started.elapsed() - load.probing).as_secs_f64();
    Ok((load, secs))
}
