//! The shutdown signal every server waits on: Ctrl-C (SIGINT) or SIGTERM (what Kubernetes
//! and `docker stop` send), so a pod drains its open requests instead of dying mid-answer.

/// Resolves on Ctrl-C or SIGTERM. If SIGTERM cannot be watched, Ctrl-C alone; if Ctrl-C
/// cannot be watched either, at once (the caller then shuts down rather than hang).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// [`shutdown_signal`] that reports a signal it cannot watch instead of falling back.
pub async fn try_shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}
