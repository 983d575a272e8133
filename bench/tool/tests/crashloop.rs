//! The crash loop, short: the host killed three times while four people
//! draw, delete and reconnect; every acknowledged change is on disk after
//! the last restart. The long run (50 kills, 10 minutes) is a bench command:
//! `coco-bench crashloop` (see BENCHMARKS.md).
//!
//! The host is another package's binary, so Cargo does not hand its path to
//! this test: it is `$COCO_BIN`, else the `coco` next to `coco-bench` in the
//! same target directory, which a workspace run (`--workspace`) builds with
//! the same profile and features before any test starts.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The host binary the crash loop starts and kills.
fn host_bin() -> PathBuf {
    let bin = match std::env::var_os("COCO_BIN") {
        Some(bin) => PathBuf::from(bin),
        None => PathBuf::from(env!("CARGO_BIN_EXE_coco-bench")).with_file_name("coco"),
    };
    assert!(
        bin.is_file(),
        "no host binary at {}: run the tests with --workspace, or build it \
         (cargo build -p coco --no-default-features) or set COCO_BIN",
        bin.display()
    );
    bin
}

#[test]
fn three_kills_lose_no_acknowledged_change() {
    let out = Command::new(env!("CARGO_BIN_EXE_coco-bench"))
        .args(["--json", "crashloop", "--kills", "3", "--seconds", "120"])
        .args([
            "--min-gap-ms",
            "700",
            "--max-gap-ms",
            "1500",
            "--live",
            "50",
        ])
        .arg("--host-bin")
        .arg(host_bin())
        .output()
        .expect("run coco-bench");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON report");
    assert_eq!(report["kills"], 3, "{report}");
    assert_eq!(report["missing"], 0, "{report}");
    assert_eq!(report["resurrected"], 0, "{report}");
    assert!(
        report["kept"].as_u64().unwrap() > 0,
        "people drew: {report}"
    );
    assert!(
        report["deleted"].as_u64().unwrap() > 0,
        "and deleted: {report}"
    );
    assert!(report["reconnects"].as_u64().unwrap() >= 3, "{report}");
}
