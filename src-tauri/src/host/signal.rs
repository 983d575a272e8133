//! Waiting for the person (Ctrl-C) or the system (SIGTERM) to ask for a stop.

/// Resolves on the first Ctrl-C or (on Unix) SIGTERM.
///
/// A signal that cannot be listened for is never reported, rather than
/// reported at once: failing to watch for Ctrl-C must not stop the host.
pub async fn stop_requested() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
