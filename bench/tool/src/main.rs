//! `coco-bench`: load generator and latency meter for any server that speaks
//! the CoCo wire protocol (`docs/PROTOCOL.md`): the CoCo host or the
//! Node baseline in `bench/baseline`. The protocol subcommands deliberately
//! do not use the `coco` library, so both servers are measured by exactly the
//! same client; only [`enhance`], [`jobs`], [`video`] and [`fuzz`], which time the
//! library's own enhancer, job system, renderer and parser, call into it.
//!
//! - [`client`]: connect, join, and cheap reads of the fields that matter.
//! - [`board`]: shapes in the client's format, sync requests.
//! - [`loader`]: adding many shapes, confirmed by acks or by a count.
//! - [`cursors`], [`saturate`], [`bigboard`], [`sync`], [`writes`], [`probe`]: one
//!   subcommand each.
//! - [`enhance`]: the offline enhancer on a sample sketch, with no server.
//! - [`jobs`]: an enhancement through the job system, against the bare provider call.
//! - [`video`]: the storyboard renderer, against ffmpeg on the same plan.
//! - [`fuzz`]: generated frames through the protocol parser, with no server.
//! - [`history`]: the board at past moments of a big room, on a host in
//!   this process.
//! - [`timelapse`]: that room's history as 60 s of 720p30, rendered by a
//!   host in a child process whose peak memory is its own.
//! - [`crashloop`]: the `coco` host killed at random while people draw,
//!   then every acknowledged change checked.
//! - [`join`]: late joiners over any link: bytes and time to the whole board.
//! - [`link`]: a slow, lossy link between two network namespaces, for
//!   measuring the others as people on Wi-Fi get them.
//! - [`report`]: percentiles and the human / JSON output.
//!
//! Every run is bounded in count and time; targets are only the URLs given.

mod bigboard;
mod board;
mod client;
mod crashloop;
mod cursors;
mod draw;
mod enhance;
mod fuzz;
mod history;
mod jobs;
mod join;
mod link;
mod loader;
mod probe;
mod report;
mod saturate;
mod sync;
mod timelapse;
mod video;
mod writes;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "coco-bench",
    version,
    about = "Benchmarks a CoCo-protocol WebSocket server"
)]
struct Cli {
    /// Print one JSON object on stdout (the human summary goes to stderr).
    #[arg(long, global = true)]
    json: bool,
    /// Runtime worker threads (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Cursor moves in full rooms: one-way latency, delivery rate, loss.
    Cursors(cursors::CursorArgs),
    /// The most cursor traffic served within a p99 budget.
    Saturate(saturate::SaturateArgs),
    /// Load a large board, then time full and delta syncs.
    Bigboard(bigboard::BigboardArgs),
    /// Join a room and time one full sync.
    Sync(sync::SyncArgs),
    /// Acknowledged shape operations per second and ack latency.
    Writes(writes::WritesArgs),
    /// Join once and show what the server answers; exit 0 only on WELCOME.
    Probe(probe::ProbeArgs),
    /// Time the offline enhancer on a sketch against a PNG round trip.
    Enhance(enhance::EnhanceArgs),
    /// Time an enhancement through the job system against the bare provider call.
    Jobs(jobs::JobsArgs),
    /// Render a storyboard video; compare with ffmpeg on the same plan.
    Video(video::VideoArgs),
    /// Generated frames through the protocol parser: no panic, every refusal coded.
    Fuzz(fuzz::FuzzArgs),
    /// Kill the host at random while people draw; check every acknowledged change.
    Crashloop(crashloop::CrashloopArgs),
    /// The board at past moments of a big room (a host in this process).
    History(history::HistoryArgs),
    /// A big room's history rendered as a timelapse video (the render in a child host).
    Timelapse(timelapse::TimelapseArgs),
    /// Late joiners, one after another: connect, join, receive the whole board.
    Join(join::JoinArgs),
    /// People drawing together: bytes each socket carries per minute.
    Draw(draw::DrawArgs),
    /// A slow, lossy link between two network namespaces (root).
    Link(link::LinkArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if let Some(threads) = cli.threads {
        builder.worker_threads(threads.max(1));
    }
    let runtime = match builder.build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("coco-bench: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let json = cli.json;
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Cursors(args) => cursors::main(args, json).await,
            Command::Saturate(args) => saturate::main(args, json).await,
            Command::Bigboard(args) => bigboard::main(args, json).await,
            Command::Sync(args) => sync::main(args, json).await,
            Command::Writes(args) => writes::main(args, json).await,
            // Pure computation on this thread; the idle workers cost nothing.
            Command::Enhance(args) => enhance::main(args, json),
            Command::Jobs(args) => jobs::main(args, json).await,
            Command::Video(args) => video::main(args, json).await,
            // Pure computation on this thread, like `enhance`.
            Command::Fuzz(args) => fuzz::main(args, json),
            Command::Crashloop(args) => crashloop::main(args, json).await,
            Command::History(args) => history::main(args, json).await,
            Command::Timelapse(args) => timelapse::main(args, json).await,
            Command::Join(args) => join::main(args, json).await,
            Command::Link(args) => link::main(args, json).await,
            Command::Draw(args) => draw::main(args, json).await,
            Command::Probe(args) => {
                return if probe::main(args, json).await {
                    Ok(ExitCode::SUCCESS)
                } else {
                    Ok(ExitCode::FAILURE)
                };
            }
        }
        .map(|()| ExitCode::SUCCESS)
    });
    // Sockets still closing in the background are not worth waiting for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    result.unwrap_or_else(|e| {
        eprintln!("coco-bench: {e}");
        ExitCode::from(2)
    })
}
