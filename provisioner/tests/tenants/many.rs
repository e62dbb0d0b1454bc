//! Many tenants ordered at once: all provisioned without errors, all destroyed, nothing
//! left behind. The count is bounded so the test stays fast on two shared cores.

use std::time::Instant;

use provisioner::Mode;

use super::lab::{Expand, Lab, tenant, tenant_objects};

const TENANTS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tenants_concurrently_then_nothing_left() {
    let lab = Lab::start(Expand::BootstrapOnly).await;
    let mut p = lab.provisioner(Mode::Bootstrap);
    p.settings.wait_seconds = 180;
    p.settings.poll_millis = 250;
    let tenants: Vec<_> = (0..TENANTS).map(|i| tenant(&format!("t{i:03}"))).collect();
    let start = Instant::now();
    let results = futures::future::join_all(tenants.iter().map(|t| p.provision(t))).await;
    let provisioned = start.elapsed();
    for (t, r) in tenants.iter().zip(&results) {
        assert!(
            r.is_ok(),
            "{}: {:?}",
            t.username,
            r.as_ref().err().map(|e| e.to_string())
        );
    }
    assert_eq!(lab.llm.keys().len(), TENANTS);
    let start = Instant::now();
    let results = futures::future::join_all(tenants.iter().map(|t| p.destroy(t))).await;
    let destroyed = start.elapsed();
    for r in &results {
        assert!(r.is_ok(), "{:?}", r.as_ref().err().map(|e| e.to_string()));
    }
    for t in &tenants {
        assert!(
            tenant_objects(&lab.kube, &t.username).is_empty(),
            "{} left objects",
            t.username
        );
    }
    assert!(lab.llm.keys().is_empty());
    eprintln!("{TENANTS} tenants: provisioned in {provisioned:?}, destroyed in {destroyed:?}");
}
