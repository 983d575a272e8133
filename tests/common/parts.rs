//! Helpers for tests of a sync in parts: every `SYNC_SHAPES` of one answer,
//! and the shapes of all parts put back in board order.

use serde_json::Value;

use super::Client;

impl Client {
    /// Sends `payload` as a `REQUEST_SYNC` and reads every `SYNC_SHAPES` of
    /// the answer (one for a plain sync), skipping anything else (another
    /// person's cursor).
    pub async fn sync_parts(&mut self, payload: Value) -> Vec<Value> {
        self.send("REQUEST_SYNC", payload).await;
        let mut got = Vec::new();
        loop {
            let p = self.expect("SYNC_SHAPES").await;
            let done = p.get("part").is_none() || p["part"] == p["parts"];
            got.push(p);
            if done {
                return got;
            }
        }
    }
}

/// The shapes of all `parts` in board order (by each part's `at`).
pub fn in_board_order(parts: &[Value]) -> Vec<Value> {
    let mut all: Vec<(u64, Value)> = Vec::new();
    for p in parts {
        let shapes = p["shapes"].as_array().unwrap();
        let at = p["at"].as_array().unwrap();
        assert_eq!(shapes.len(), at.len());
        all.extend(
            at.iter()
                .map(|a| a.as_u64().unwrap())
                .zip(shapes.iter().cloned()),
        );
    }
    all.sort_by_key(|(at, _)| *at);
    all.into_iter().map(|(_, s)| s).collect()
}
