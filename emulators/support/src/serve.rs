//! Serving an axum `Router` on a loopback port, shared by every emulator and the local
//! stack: bind `127.0.0.1:0` (or a given port), serve with graceful shutdown, and hand
//! back a [`ServerHandle`] that knows its base URL and stops the server when asked or
//! dropped.

use std::net::SocketAddr;

use axum::serve::ListenerExt;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A running loopback HTTP server. Dropping it stops the server.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    scheme: &'static str,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// Wraps an already spawned server task (used by the HTTPS listener).
    pub fn from_parts(
        addr: SocketAddr,
        scheme: &'static str,
        cancel: CancellationToken,
        task: JoinHandle<()>,
    ) -> Self {
        Self {
            addr,
            scheme,
            cancel,
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A token that is cancelled when the server shuts down.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Serves `router` over plain HTTP on `127.0.0.1:port` (`0` picks a free port).
pub async fn spawn_http(router: axum::Router, port: u16) -> std::io::Result<ServerHandle> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    // Replies go out at once (no Nagle delay), as from a real server's tuned stack.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(err) = serve.await {
            tracing::warn!(%err, "loopback server ended with an error");
        }
    });
    Ok(ServerHandle::from_parts(addr, "http", cancel, task))
}
