//! Helpers for tests of who is who: joining with a seat secret, the close
//! code a socket got, and lines a host process prints after its banner.

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::{Client, HostProcess, WAIT};

impl Client {
    /// Joins with a seat secret (`""`: a client that keeps secrets but has
    /// none yet); returns the whole first answer (`WELCOME` or `ERROR`).
    pub async fn join_keeping(&mut self, user: &str, secret: &str) -> Value {
        self.user = user.to_string();
        let payload = json!({"userId": user, "username": format!("{user} name"), "secret": secret});
        self.send("JOIN_ROOM", payload).await;
        loop {
            let msg = self.next().await.expect("an answer to JOIN_ROOM");
            if msg["type"] == "WELCOME" || msg["type"] == "ERROR" {
                return msg;
            }
        }
    }

    /// The close code the host sent, skipping messages; None when the
    /// socket ended without a close frame.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Err(_) => panic!("the socket was not closed within the wait time"),
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }
}

impl HostProcess {
    /// Waits (up to [`WAIT`]) for a line the host prints after its banner.
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        self.wait_for(|seen| seen.iter().find(|l| wanted(l)).cloned())
    }

    /// Waits (up to [`WAIT`]) until the lines printed after the banner hold
    /// `text` (several lines joined with `\n`).
    pub fn wait_for_text(&self, text: &str) {
        self.wait_for(|seen| seen.join("\n").contains(text).then_some(()));
    }

    fn wait_for<T>(&self, found: impl Fn(&[String]) -> Option<T>) -> T {
        let (lines, printed) = &*self.output;
        let mut seen = lines.lock().unwrap();
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(t) = found(&seen) {
                return t;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            assert!(!left.is_zero(), "the host did not print it: {seen:?}");
            seen = printed.wait_timeout(seen, left).unwrap().0;
        }
    }
}
