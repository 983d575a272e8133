//! One window per data directory: a second launch shows the first one's
//! window and exits, instead of failing on the locked database.
//!
//! The first launch listens on a local socket named after its data
//! directory; a later launch connects to it, asks it to show its window, and
//! exits 0. On Linux the socket is in the abstract namespace, so it vanishes
//! with the process that made it (nothing stale is left after a crash);
//! elsewhere on Unix it is a file in the data directory, removed when found
//! stale.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

/// The one request a later launch sends.
const SHOW: &str = "show\n";
/// The answer once the window was asked to come forward.
const SHOWN: &str = "shown\n";
/// How long a later launch waits for the first one to answer (the first
/// answers once its window exists, so this covers the host's start).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept before the next.
const ACCEPT_RETRY: Duration = Duration::from_millis(200);

/// Who this launch is.
pub enum Claim {
    /// The first: it shows the window and answers later launches here.
    First(UnixListener),
    /// Another launch has the window and was asked to show it.
    AlreadyRunning,
}

/// Becomes the first launch for `data_dir`, or asks the running one to show
/// its window.
pub fn claim(data_dir: &Path) -> Result<Claim, String> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("could not create {}: {e}", data_dir.display()))?;
    let address = address(data_dir)?;
    for _ in 0..2 {
        match address.bind() {
            Ok(listener) => return Ok(Claim::First(listener)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
            Err(e) => return Err(format!("could not check for a running CoCo: {e}")),
        }
        match address.connect() {
            Ok(stream) => {
                ask_to_show(stream).map_err(|e| {
                    format!(
                        "CoCo is already running for this data directory but did not answer: {e}"
                    )
                })?;
                return Ok(Claim::AlreadyRunning);
            }
            // Nobody listens: a socket file left by a launch that crashed.
            Err(_) => address.remove_stale(),
        }
    }
    Err("could not check for a running CoCo: its socket stays busy".to_string())
}

fn ask_to_show(mut stream: UnixStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    stream.write_all(SHOW.as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer == SHOWN {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "unexpected answer {answer:?}"
        )))
    }
}

/// Answers later launches until the listener is dropped: each request
/// calls `show`, then the launch is told it was done.
pub async fn answer(listener: UnixListener, show: impl Fn() + Send + 'static) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let listener = match listener
        .set_nonblocking(true)
        .and_then(|()| tokio::net::UnixListener::from_std(listener))
    {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!("a second launch cannot bring this window forward: {e}");
            return;
        }
    };
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait instead of spinning.
                tracing::debug!("a second launch could not connect: {e}");
                tokio::time::sleep(ACCEPT_RETRY).await;
                continue;
            }
        };
        let (read, mut write) = stream.into_split();
        let mut line = String::new();
        let mut read = tokio::io::BufReader::new(read);
        let asked = tokio::time::timeout(ANSWER_TIMEOUT, read.read_line(&mut line)).await;
        if matches!(asked, Ok(Ok(_))) && line == SHOW {
            eprintln!("CoCo was started again: showing this window.");
            show();
            let _ = write.write_all(SHOWN.as_bytes()).await;
        }
    }
}

/// Where the first launch listens.
enum Address {
    #[cfg(target_os = "linux")]
    Abstract(std::os::unix::net::SocketAddr),
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    File(std::path::PathBuf),
}

fn address(data_dir: &Path) -> Result<Address, String> {
    #[cfg(target_os = "linux")]
    {
        use sha2::{Digest, Sha256};
        use std::os::linux::net::SocketAddrExt;
        // The same directory by any spelling is the same instance.
        let dir = data_dir
            .canonicalize()
            .unwrap_or_else(|_| data_dir.to_path_buf());
        let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("coco-desktop-{hex}");
        std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
            .map(Address::Abstract)
            .map_err(|e| format!("could not name the instance socket: {e}"))
    }
    #[cfg(not(target_os = "linux"))]
    Ok(Address::File(data_dir.join("desktop.sock")))
}

impl Address {
    fn bind(&self) -> std::io::Result<UnixListener> {
        match self {
            #[cfg(target_os = "linux")]
            Address::Abstract(addr) => UnixListener::bind_addr(addr),
            Address::File(path) => UnixListener::bind(path),
        }
    }

    fn connect(&self) -> std::io::Result<UnixStream> {
        match self {
            #[cfg(target_os = "linux")]
            Address::Abstract(addr) => UnixStream::connect_addr(addr),
            Address::File(path) => UnixStream::connect(path),
        }
    }

    fn remove_stale(&self) {
        if let Address::File(path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_second_claim_asks_the_first_to_show_its_window() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::First(listener) = claim(dir.path()).unwrap() else {
            panic!("nobody else uses this directory");
        };
        let shown = Arc::new(AtomicUsize::new(0));
        let counter = shown.clone();
        let answering = tokio::spawn(answer(listener, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        let path = dir.path().to_path_buf();
        let again = tokio::task::spawn_blocking(move || claim(&path))
            .await
            .unwrap();
        assert!(matches!(again, Ok(Claim::AlreadyRunning)));
        assert_eq!(shown.load(Ordering::SeqCst), 1);
        // Another directory is another instance.
        let other = tempfile::tempdir().unwrap();
        assert!(matches!(claim(other.path()), Ok(Claim::First(_))));
        // Once the first is gone, the next launch is the first again.
        answering.abort();
        let _ = answering.await;
        assert!(matches!(claim(dir.path()), Ok(Claim::First(_))));
    }
}
