//! `probe`: can this URL be joined? Used by a test that joins from another
//! network namespace, and by people checking a host by hand.

use std::time::Duration;

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::client;
use crate::report;

/// After `WELCOME`, how long to keep printing what follows it.
const AFTER_WELCOME: Duration = Duration::from_millis(200);
/// Longest frame shown, in bytes.
const SHOWN_BYTES: usize = 300;

#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// WebSocket URL, used as given (add `?room=` and `code=` yourself).
    #[arg(long)]
    pub url: String,
    /// User id sent in `JOIN_ROOM` (default: a new `probe-XXXXXXXX`).
    #[arg(long)]
    pub user: Option<String>,
    /// How long to wait for `WELCOME`, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    pub timeout_ms: u64,
    /// Most frames to print.
    #[arg(long, default_value_t = 8)]
    pub max_messages: usize,
}

/// Runs the probe; `true` when the server sent `WELCOME`.
pub async fn main(args: ProbeArgs, as_json: bool) -> bool {
    let user_id = args
        .user
        .clone()
        .unwrap_or_else(|| format!("probe-{}", client::run_tag()));
    let mut lines = vec![format!("probe  {}", args.url)];
    let mut frames = Vec::new();
    let mut welcome = false;
    let outcome = match client::connect(&args.url).await {
        Err(e) => Err(e.to_string()),
        Ok(mut ws) => {
            let result = read_greeting(&mut ws, &user_id, &args, &mut frames, &mut welcome).await;
            client::close(ws.split().0).await;
            result
        }
    };
    for frame in &frames {
        lines.push(format!("  < {}", shorten(frame)));
    }
    match &outcome {
        Err(e) => lines.push(format!("  failed: {e}")),
        Ok(()) if welcome => lines.push("  joined: WELCOME received".to_string()),
        Ok(()) => lines.push(format!("  no WELCOME within {} ms", args.timeout_ms)),
    }
    let value = json!({
        "scenario": "probe",
        "url": args.url,
        "welcome": welcome,
        "error": outcome.err(),
        "frames": frames,
    });
    report::emit(as_json, &lines.join("\n"), &value);
    welcome
}

async fn read_greeting(
    ws: &mut client::Ws,
    user_id: &str,
    args: &ProbeArgs,
    frames: &mut Vec<String>,
    welcome: &mut bool,
) -> Result<(), String> {
    ws.send(Message::text(client::join_frame(user_id)))
        .await
        .map_err(|e| client::BenchError::from(e).to_string())?;
    let mut deadline = tokio::time::Instant::now() + Duration::from_millis(args.timeout_ms);
    while frames.len() < args.max_messages {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => break,
            Ok(None) => return Err("the server closed the socket".to_string()),
            Ok(Some(Err(e))) => return Err(client::BenchError::from(e).to_string()),
            Ok(Some(Ok(Message::Text(text)))) => {
                if client::message_type(&text) == Some("WELCOME") && !*welcome {
                    *welcome = true;
                    deadline = deadline.min(tokio::time::Instant::now() + AFTER_WELCOME);
                }
                frames.push(text.to_string());
            }
            Ok(Some(Ok(Message::Close(frame)))) => {
                let why = frame.map_or(String::new(), |f| format!(" ({} {})", f.code, f.reason));
                return Err(format!("the server closed the socket{why}"));
            }
            Ok(Some(Ok(_))) => {}
        }
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    if text.len() <= SHOWN_BYTES {
        return text.to_string();
    }
    let mut end = SHOWN_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}
