//! The config file: its keys reach the host, flags win over it, a bad file
//! is a clear error, and `coco set-gemini-key` stores the key privately.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{http, HostProcess};

#[tokio::test]
async fn keys_from_the_file_reach_the_host_and_flags_win() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("config.toml"),
        "name = \"Art class\"\nopen = true\n",
    )
    .unwrap();
    let host = HostProcess::spawn(tmp.path(), &[]);
    let (status, _, body) = http(host.http, "GET", "/api/health", &[], None).await;
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["name"], "Art class");
    assert_eq!(health["codeRequired"], false);
    drop(host);

    let host = HostProcess::spawn(tmp.path(), &["--name", "Studio 4"]);
    let (_, _, body) = http(host.http, "GET", "/api/health", &[], None).await;
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["name"], "Studio 4");
}

#[test]
fn a_bad_config_file_is_a_clear_error_and_nothing_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "name = \"x\"\nprot = 5001\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_coco"))
        .args(["--headless", "--no-mdns", "--port", "0", "--ws-port", "0"])
        .arg("--data-dir")
        .arg(tmp.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.toml"), "{stderr}");
    assert!(stderr.contains("prot"), "{stderr}");
    assert!(out.stdout.is_empty(), "no banner: nothing started");
}

#[cfg(unix)]
#[test]
fn set_gemini_key_reads_stdin_and_writes_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("conf/config.toml");
    let key = "AIza-test-key-0123456789";
    let mut child = Command::new(env!("CARGO_BIN_EXE_coco"))
        .arg("--config")
        .arg(&config)
        .arg("set-gemini-key")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{key}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!printed.contains(key), "the key was echoed: {printed}");
    assert!(printed.contains("readable by you only"), "{printed}");
    let mode = std::fs::metadata(&config).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(std::fs::read_to_string(&config).unwrap().contains(key));
}
