//! Two replicas on one Lease: one leads; when it dies (killed: the Lease is not released)
//! the other takes over within the lease time and reconciles.

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use serde_json::json;

use super::harness::{CREDS_NS, OpLab};

async fn holder(op: &OpLab) -> Option<String> {
    let leases: Api<Lease> = Api::namespaced(op.client.clone(), CREDS_NS);
    let lease = leases.get_opt("tenant-operator").await.unwrap()?;
    lease.spec?.holder_identity
}

async fn wait_holder(op: &OpLab, not: Option<&str>, within: Duration) -> (String, Duration) {
    let start = Instant::now();
    loop {
        if let Some(h) = holder(op).await
            && Some(h.as_str()) != not
        {
            return (h, start.elapsed());
        }
        assert!(start.elapsed() < within, "no new holder within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_other_replica_takes_over_when_the_leader_dies() {
    let op = OpLab::start().await;
    let a = op.replica("replica-a");
    let b = op.replica("replica-b");
    let (leader, _) = wait_holder(&op, None, Duration::from_secs(20)).await;
    op.create("ivan", json!({})).await;
    op.wait_phase("ivan", "Ready").await;
    let (dead, alive) = if leader == "replica-a" {
        (a, b)
    } else {
        (b, a)
    };
    dead.abort();
    let _ = dead.await;
    // Lease of 3 s: the other holds it within that (plus a renewal period of slack).
    let (next, took) = wait_holder(&op, Some(&leader), Duration::from_secs(6)).await;
    assert_ne!(next, leader);
    assert!(took <= Duration::from_secs(5), "took {took:?}");
    op.create("judy", json!({})).await;
    op.wait_phase("judy", "Ready").await;
    alive.abort();
}
