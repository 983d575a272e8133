//! `enhance`: time the offline enhancer on a sample sketch, against a
//! baseline measured in the same run on the same image: decoding the PNG and
//! encoding it again with the `image` crate, i.e. the least work any
//! enhancement that reads and writes the picture must do.
//!
//! Unlike the protocol subcommands this one links the `coco` library: it
//! measures the enhancer itself, not a server.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use coco::ai::local::{enhance, LocalOptions};
use serde_json::json;

use crate::client::{self, BenchResult};
use crate::report;

#[derive(Debug, Clone, Args)]
pub struct EnhanceArgs {
    /// The sketch to enhance (PNG, JPEG or WebP).
    #[arg(long, default_value_os_t = default_input())]
    pub input: PathBuf,
    /// Measured runs of each side (after one warm-up run each).
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// The prompt passed to the enhancer: its theme words pick the palette,
    /// its style words (watercolour, night, ...) how it is painted.
    #[arg(long, default_value = "a sunny day")]
    pub prompt: String,
    /// Also upscale 2×.
    #[arg(long)]
    pub upscale: bool,
}

/// The sample sketch in the repository (this package sits two levels below its root).
fn default_input() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2);
    repo.unwrap_or(Path::new("."))
        .join("assets/sketches/scene_1080p.png")
}

/// Median and 95th percentile of a set of durations in ms.
fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn round_trip(png: &[u8]) -> BenchResult<usize> {
    let img = image::load_from_memory(png).map_err(|e| client::BenchError(e.to_string()))?;
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| client::BenchError(e.to_string()))?;
    Ok(out.into_inner().len())
}

pub fn main(args: EnhanceArgs, as_json: bool) -> BenchResult<()> {
    let bytes = std::fs::read(&args.input)
        .map_err(|e| client::BenchError(format!("{}: {e}", args.input.display())))?;
    let img = image::load_from_memory(&bytes)
        .map_err(|e| client::BenchError(format!("{}: {e}", args.input.display())))?
        .to_rgba8();
    let opts = LocalOptions {
        prompt: args.prompt.clone(),
        upscale: args.upscale,
    };
    let iterations = args.iterations.max(1);
    report::progress(&format!(
        "{} ({}×{}), {iterations} runs of each side, interleaved",
        args.input.display(),
        img.width(),
        img.height()
    ));
    let (mut base_ms, mut enh_ms) = (Vec::new(), Vec::new());
    // Time of each stage (progress call to the next), per run.
    let mut stages: Vec<Vec<f64>> = Vec::new();
    for i in 0..=iterations {
        let t = Instant::now();
        round_trip(&bytes)?;
        let base = t.elapsed().as_secs_f64() * 1e3;
        let mut marks = Vec::new();
        let t = Instant::now();
        let out = enhance(&img, &opts, &mut |p| marks.push((p, t.elapsed())))
            .map_err(|e| client::BenchError(format!("{}: {e}", e.code())))?;
        let total = t.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(out);
        if i == 0 {
            continue; // warm-up
        }
        base_ms.push(base);
        enh_ms.push(total);
        for (k, pair) in marks.windows(2).enumerate() {
            if stages.len() <= k {
                stages.push(Vec::new());
            }
            stages[k].push((pair[1].1 - pair[0].1).as_secs_f64() * 1e3);
        }
    }
    let (b50, b95) = summary(base_ms);
    let (e50, e95) = summary(enh_ms);
    let stage_medians: Vec<f64> = stages.into_iter().map(|s| summary(s).0).collect();
    let human = format!(
        "enhance  {} ({}×{}{})\n  \
         enhancer:  median {e50:.1} ms  p95 {e95:.1} ms\n  \
         baseline (PNG decode + re-encode with the image crate, same file):  median {b50:.1} ms  p95 {b95:.1} ms\n  \
         enhancer / baseline (medians): {:.2}×\n  \
         stages (median ms, from progress marks): {}",
        args.input.display(),
        img.width(),
        img.height(),
        if args.upscale { ", upscaled 2×" } else { "" },
        e50 / b50,
        stage_medians
            .iter()
            .map(|m| format!("{m:.1}"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let value = json!({
        "scenario": "enhance",
        "input": args.input.display().to_string(),
        "width": img.width(),
        "height": img.height(),
        "upscale": args.upscale,
        "iterations": iterations,
        "enhance_p50_ms": e50,
        "enhance_p95_ms": e95,
        "baseline": "PNG decode + re-encode (image crate)",
        "baseline_p50_ms": b50,
        "baseline_p95_ms": b95,
        "ratio": e50 / b50,
        "stage_p50_ms": stage_medians,
    });
    report::emit(as_json, &human, &value);
    Ok(())
}
