//! Serving the emulator on a loopback port: plain HTTP, or HTTPS with a throwaway CA made
//! by rcgen (client-go sends bearer tokens only over TLS), plus a kubeconfig file with a
//! token user that kubectl and other binaries can use.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;

use emulator_support::serve::{ServerHandle, spawn_http};

/// How to serve.
#[derive(Debug, Clone)]
pub struct KubeServeOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// HTTPS with a generated CA (default) or plain HTTP.
    pub tls: bool,
    /// Where to write `kubeconfig` (and `ca.crt`); a fresh temp dir if `None`.
    pub dir: Option<PathBuf>,
}

impl Default for KubeServeOptions {
    fn default() -> Self {
        Self {
            port: 0,
            tls: true,
            dir: None,
        }
    }
}

/// A running emulator endpoint. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningKube {
    server: ServerHandle,
    kubeconfig: PathBuf,
    token: String,
    ca_pem: Option<String>,
    temp_dir: Option<PathBuf>,
}

impl RunningKube {
    /// `https://127.0.0.1:<port>` (or `http://`).
    pub fn url(&self) -> String {
        self.server.base_url()
    }

    /// The kubeconfig file (cluster `testbed`, token user, namespace `default`).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The admin bearer token written into the kubeconfig.
    pub fn admin_token(&self) -> &str {
        &self.token
    }

    /// The CA certificate (PEM) clients must trust, for HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A kube client over the network, configured from the written kubeconfig.
    pub async fn client(&self) -> Result<kube::Client, kube::Error> {
        let text = std::fs::read_to_string(&self.kubeconfig)
            .map_err(|e| kube::Error::Service(Box::new(e)))?;
        let kc =
            kube::config::Kubeconfig::from_yaml(&text).map_err(kube::Error::InferKubeconfig)?;
        let config =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .map_err(kube::Error::InferKubeconfig)?;
        kube::Client::try_from(config)
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        let server = std::mem::replace(
            &mut self.server,
            ServerHandle::from_parts(
                ([127, 0, 0, 1], 0).into(),
                "http",
                CancellationToken::new(),
                tokio::spawn(async {}),
            ),
        );
        server.shutdown().await;
    }
}

impl Drop for RunningKube {
    fn drop(&mut self) {
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn io_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A CA and a server certificate for 127.0.0.1/localhost: (CA PEM, cert DER, key DER).
fn certificates() -> std::io::Result<(String, Vec<u8>, Vec<u8>)> {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(io_err)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "testbed-kube-ca");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = rcgen::KeyPair::generate().map_err(io_err)?;
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(io_err)?;
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(io_err)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "testbed-kube-apiserver");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate().map_err(io_err)?;
    let cert = params.signed_by(&key, &ca).map_err(io_err)?;
    Ok((ca.pem(), cert.der().to_vec(), key.serialize_der()))
}

/// A TLS listener: accepts TCP, handshakes in the background (bounded in time), and
/// hands finished TLS streams to axum.
struct TlsListener {
    addr: SocketAddr,
    rx: mpsc::Receiver<(TlsStream<tokio::net::TcpStream>, SocketAddr)>,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept loop ended (shutdown): never yield again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

async fn spawn_https(
    router: axum::Router,
    port: u16,
    cert: Vec<u8>,
    key: Vec<u8>,
) -> std::io::Result<ServerHandle> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io_err)?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .map_err(io_err)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let tcp = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = tcp.local_addr()?;
    let (tx, rx) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let accept_stop = cancel.clone();
    tokio::spawn(async move {
        loop {
            let (stream, peer) = tokio::select! {
                _ = accept_stop.cancelled() => return,
                r = tcp.accept() => match r { Ok(c) => c, Err(_) => { tokio::time::sleep(Duration::from_millis(20)).await; continue } },
            };
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                if let Ok(Ok(tls)) =
                    tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                {
                    let _ = tx.send((tls, peer)).await;
                }
            });
        }
    });
    let listener = TlsListener { addr, rx };
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(err) = serve.await {
            tracing::warn!(%err, "kube emulator HTTPS server ended with an error");
        }
    });
    Ok(ServerHandle::from_parts(addr, "https", cancel, task))
}

/// The kubeconfig text for `url`.
pub(super) fn kubeconfig(url: &str, token: &str, ca_pem: Option<&str>) -> String {
    let ca = ca_pem
        .map(|pem| {
            format!(
                "\n    certificate-authority-data: {}",
                base64::engine::general_purpose::STANDARD.encode(pem)
            )
        })
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: testbed\n  cluster:\n    server: {url}{ca}\ncontexts:\n- name: testbed\n  context:\n    cluster: testbed\n    user: testbed-admin\n    namespace: default\ncurrent-context: testbed\nusers:\n- name: testbed-admin\n  user:\n    token: {token}\n"
    )
}

/// Serves `router` as configured and writes the kubeconfig.
pub(super) async fn serve(
    router: axum::Router,
    token: String,
    opts: KubeServeOptions,
) -> std::io::Result<RunningKube> {
    let (dir, temp_dir) = match opts.dir {
        Some(d) => (d, None),
        None => {
            let d = std::env::temp_dir()
                .join(format!("testbed-kube-{}", uuid::Uuid::new_v4().simple()));
            (d.clone(), Some(d))
        }
    };
    std::fs::create_dir_all(&dir)?;
    let (server, ca_pem) = if opts.tls {
        let (ca_pem, cert, key) = certificates()?;
        std::fs::write(dir.join("ca.crt"), &ca_pem)?;
        (
            spawn_https(router, opts.port, cert, key).await?,
            Some(ca_pem),
        )
    } else {
        (spawn_http(router, opts.port).await?, None)
    };
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        self::kubeconfig(&server.base_url(), &token, ca_pem.as_deref()),
    )?;
    Ok(RunningKube {
        server,
        kubeconfig,
        token,
        ca_pem,
        temp_dir,
    })
}
