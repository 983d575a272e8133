//! `jobs`: what the job machinery adds to an enhancement. An in-process host
//! talks to an instant fake Gemini on loopback; each run submits over HTTP
//! and waits for the `JOB_UPDATED {status: complete}` frame on a WebSocket
//! in the room, then reads the status route once. The baseline, measured in
//! the same run against the same fake, is the bare Gemini client call the
//! job makes: the difference is the job's overhead (queueing, durable writes
//! and fsyncs, storing the picture, the event fan-out).
//!
//! Like `enhance` and `video`, this subcommand links the `coco` library.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use base64::Engine;
use clap::Args;
use coco::ai::gemini::{ApiKey, Gemini, GeminiConfig, DEFAULT_IMAGE_MODEL};
use coco::config::{AiSettings, Config};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::client::{BenchError, BenchResult};
use crate::report;

const KEY: &str = "bench-key";

#[derive(Debug, Clone, Args)]
pub struct JobsArgs {
    /// Measured runs of each side (after two warm-up runs each).
    #[arg(long, default_value_t = 50)]
    pub iterations: usize,
}

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError(e.to_string())
}

fn tiny_png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(32, 24, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// A Gemini that answers at once with the same small picture.
async fn instant_gemini() -> BenchResult<SocketAddr> {
    let data = base64::engine::general_purpose::STANDARD.encode(tiny_png([240, 140, 30]));
    let answer = json!({
        "candidates": [{"content": {"role": "model", "parts": [
            {"inlineData": {"mimeType": "image/png", "data": data}}
        ]}, "finishReason": "STOP"}]
    });
    let app = axum::Router::new().route(
        "/v1beta/models/{target}",
        post(move || {
            let answer = answer.clone();
            async move { axum::Json(answer) }
        })
        .merge(get(|| async { axum::Json(json!({"name": "models/m"})) })),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let addr = listener.local_addr().map_err(err)?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

pub async fn main(args: JobsArgs, as_json: bool) -> BenchResult<()> {
    let fake = instant_gemini().await?;
    let base_url = format!("http://{fake}/v1beta");
    let dir = tempfile::tempdir().map_err(err)?;
    let mut config = Config::ephemeral(dir.path());
    config.ai = AiSettings {
        gemini_key: Some(ApiKey::new(KEY.into())),
        key_source: Some("bench"),
        gemini_base_url: Some(base_url.clone()),
        ..AiSettings::offline()
    };
    let host = coco::host::Host::start(config).await.map_err(err)?;
    let http = host.http_addr();
    let client = reqwest::Client::builder().build().map_err(err)?;
    let sketch = tiny_png([250, 250, 250]);
    let data = base64::engine::general_purpose::STANDARD.encode(&sketch);
    let upload = json!({"imageData": format!("data:image/png;base64,{data}")});
    let saved = json_of(
        client
            .post(format!("http://{http}/api/save-image"))
            .json(&upload),
    )
    .await?;
    let filename = saved["filename"]
        .as_str()
        .ok_or_else(|| err("upload failed"))?
        .to_string();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{http}/ws?room=main"))
        .await
        .map_err(err)?;
    let join = json!({"type": "JOIN_ROOM", "payload": {"userId": "bench", "username": "bench"}});
    ws.send(Message::text(join.to_string()))
        .await
        .map_err(err)?;

    let gemini = Gemini::new(GeminiConfig {
        base_url,
        api_key: Some(ApiKey::new(KEY.into())),
        ..GeminiConfig::default()
    })
    .map_err(err)?;
    let iterations = args.iterations.max(1);
    report::progress(&format!("{iterations} enhancements through the job system, interleaved with {iterations} direct calls"));
    let (mut job_ms, mut direct_ms) = (Vec::new(), Vec::new());
    for i in 0..iterations + 2 {
        let t = Instant::now();
        gemini
            .generate_image("bench", &sketch, "image/png", &|_| {})
            .await
            .map_err(err)?;
        let direct = t.elapsed();

        let t = Instant::now();
        let submitted: Value = json_of(
            client
                .post(format!("http://{http}/api/enhance-image"))
                .json(&json!({"filename": filename, "engine": "gemini", "prompt": "bench"})),
        )
        .await?;
        let id = submitted["requestId"]
            .as_str()
            .ok_or_else(|| err(&submitted))?
            .to_string();
        wait_complete(&mut ws, &id).await?;
        let elapsed = t.elapsed();
        let status: Value =
            json_of(client.get(format!("http://{http}/api/enhancement-status/{id}"))).await?;
        if status["status"] != "complete" || status["result"]["engine"] != "gemini" {
            return Err(err(format!("unexpected status: {status}")));
        }
        if i >= 2 {
            job_ms.push(elapsed.as_secs_f64() * 1e3);
            direct_ms.push(direct.as_secs_f64() * 1e3);
        }
    }
    host.shutdown().await;
    let (j50, d50) = (report::median(&job_ms), report::median(&direct_ms));
    let j95 = percentile(&job_ms, 0.95);
    let human = format!(
        "jobs  enhancement with an instant fake Gemini ({DEFAULT_IMAGE_MODEL}), {iterations} runs\n  \
         submit → JOB_UPDATED complete:  median {j50:.2} ms  p95 {j95:.2} ms  (target < 20 ms)\n  \
         baseline (the same Gemini call made directly):  median {d50:.2} ms\n  \
         job / baseline (medians): {:.2}×; overhead of the job system: {:.2} ms",
        j50 / d50,
        j50 - d50
    );
    let value = json!({
        "scenario": "jobs",
        "iterations": iterations,
        "job_p50_ms": j50,
        "job_p95_ms": j95,
        "baseline": "direct Gemini client call to the same fake",
        "baseline_p50_ms": d50,
        "ratio": j50 / d50,
        "overhead_ms": j50 - d50,
    });
    report::emit(as_json, &human, &value);
    Ok(())
}

/// Sends a request and reads its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> BenchResult<Value> {
    request.send().await.map_err(err)?.json().await.map_err(err)
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Reads frames until the job's completion arrives.
async fn wait_complete<S>(ws: &mut S, id: &str) -> BenchResult<()>
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| err("no completion within 10 s"))?
            .ok_or_else(|| err("socket closed"))?
            .map_err(err)?;
        let Message::Text(text) = frame else { continue };
        let v: Value = serde_json::from_str(&text).map_err(err)?;
        if v["type"] == "JOB_UPDATED" && v["payload"]["id"] == id {
            match v["payload"]["status"].as_str() {
                Some("complete") => return Ok(()),
                Some("failed") | Some("cancelled") => return Err(err(&v["payload"])),
                _ => {}
            }
        }
    }
}
