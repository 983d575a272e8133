//! The host's admin secret outside the process: a file in the data
//! directory that `coco rotate-code` reads to ask the running host, on
//! loopback, for a new join code.
//!
//! The file holds the host's loopback URL and the admin secret, readable by
//! the host's user only (mode 0600 on Unix); it is written at every start
//! (the secret is new each time) and removed at shutdown. Whoever can read
//! it can already read the whole data directory.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The file's name in the data directory.
pub const ADMIN_FILE: &str = "admin.json";
/// How long `coco rotate-code` waits for the host.
pub const ADMIN_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the file holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct AdminFile {
    /// The host's HTTP address on loopback.
    pub addr: SocketAddr,
    pub secret: String,
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(ADMIN_FILE)
}

/// Writes the file, readable by this user only.
pub fn write(data_dir: &Path, file: &AdminFile) -> std::io::Result<()> {
    let path = path(data_dir);
    let text = serde_json::to_string(file).expect("admin file serializes");
    // Replace, never reuse: an old file may have looser permissions.
    let _ = std::fs::remove_file(&path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(&path)?;
    out.write_all(text.as_bytes())?;
    out.sync_all()
}

/// Removes the file at shutdown (a stale one would only name a dead port).
pub fn remove(data_dir: &Path) {
    let _ = std::fs::remove_file(path(data_dir));
}

/// The new code and join URL, as the host answered.
#[derive(Debug)]
pub struct Rotated {
    pub code: String,
    pub join_url: Option<String>,
}

/// Asks the host whose data directory is `data_dir` for a new join code.
pub fn request_rotation(data_dir: &Path) -> Result<Rotated, String> {
    let path = path(data_dir);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "no running CoCo host found for {} ({}: {e}); start the host first",
            data_dir.display(),
            path.display()
        )
    })?;
    let file: AdminFile =
        serde_json::from_str(&text).map_err(|e| format!("{} is damaged: {e}", path.display()))?;
    let (status, body) = post(
        file.addr,
        "/api/host/rotate-code",
        &[(crate::auth::ADMIN_HEADER, &file.secret)],
    )
    .map_err(|e| format!("could not reach the host at {}: {e}", file.addr))?;
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    if status != 200 {
        let said = answer["error"].as_str().unwrap_or(&body).to_string();
        return Err(format!("the host refused (HTTP {status}): {said}"));
    }
    let code = answer["code"]
        .as_str()
        .ok_or_else(|| format!("the host's answer has no code: {body}"))?;
    Ok(Rotated {
        code: code.to_string(),
        join_url: answer["joinUrl"].as_str().map(str::to_string),
    })
}

/// A JSON `POST {}` over plain HTTP/1.1; the status and the body.
fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, ADMIN_REQUEST_TIMEOUT)?;
    stream.set_read_timeout(Some(ADMIN_REQUEST_TIMEOUT))?;
    stream.set_write_timeout(Some(ADMIN_REQUEST_TIMEOUT))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n{}");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("an incomplete answer"))?;
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP answer"))?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    ))
}

fn dechunk(mut data: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = data.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        data = rest[size..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_for_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = AdminFile {
            addr: "127.0.0.1:5001".parse().unwrap(),
            secret: "abc".into(),
        };
        write(dir.path(), &file).unwrap();
        write(dir.path(), &file).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        remove(dir.path());
        assert!(!path(dir.path()).exists());
        let err = request_rotation(dir.path()).unwrap_err();
        assert!(err.contains("no running CoCo host"), "{err}");
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}
