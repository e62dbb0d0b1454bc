//! Leader election on a `coordination.k8s.io/v1` Lease with `kube-lease-manager`: one
//! replica reconciles, the others wait and take over once the holder stops renewing
//! (within the lease duration). A graceful stop releases the Lease at once; a killed
//! replica's Lease simply expires.

use kube::Client;
use kube_lease_manager::{LeaseManager, LeaseManagerBuilder, LeaseManagerError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// Where the Lease is and who this replica is.
#[derive(Debug, Clone)]
pub struct LeaseOptions {
    /// Namespace of the Lease.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// This replica (the pod name).
    pub identity: String,
    /// Seconds a lease lasts without renewal.
    pub duration_secs: u64,
    /// Seconds before expiry the holder renews.
    pub grace_secs: u64,
}

/// This replica's view of the Lease.
pub struct Leadership {
    rx: watch::Receiver<bool>,
    task: Option<JoinHandle<Result<LeaseManager, LeaseManagerError>>>,
}

impl Leadership {
    /// Starts competing for the Lease (created when absent).
    pub async fn start(client: Client, o: &LeaseOptions) -> Result<Self> {
        let manager = LeaseManagerBuilder::new(client, &o.name)
            .with_namespace(&o.namespace)
            .with_identity(&o.identity)
            .with_duration(o.duration_secs)
            .with_grace(o.grace_secs)
            .with_field_manager("tenant-operator")
            .build()
            .await
            .map_err(|e| Error::invalid("lease", e.to_string()))?;
        let (rx, task) = manager.watch().await;
        Ok(Leadership {
            rx,
            task: Some(task),
        })
    }

    /// Waits until this replica leads; false if the Lease manager is gone.
    pub async fn wait_leading(&mut self) -> bool {
        self.rx.wait_for(|l| *l).await.is_ok()
    }

    /// A receiver of the leading flag.
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.rx.clone()
    }

    /// Gives the Lease up (graceful stop): closing the channel makes the manager release
    /// the Lease and end.
    pub async fn release(mut self) {
        let task = self.task.take();
        drop(self);
        if let Some(t) = task
            && let Ok(Ok(Err(e))) = tokio::time::timeout(std::time::Duration::from_secs(5), t).await
        {
            tracing::warn!(error = %e, "lease not released");
        }
    }
}

impl Drop for Leadership {
    /// Dropped without [`Leadership::release`] (the task running the operator was
    /// aborted): like a killed process, the Lease is left to expire.
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}
