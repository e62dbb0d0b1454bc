//! Many tenants ordered at once: all provisioned without errors, all destroyed, nothing
//! left behind. The count is bounded so the test stays fast on two shared cores; the
//! mean time of each step is printed (the README's benchmark comes from this output).

use std::collections::BTreeMap;
use std::time::Instant;

use provisioner::{Mode, Report, Result};

use super::lab::{Expand, Lab, tenant, tenant_objects};

const TENANTS: usize = 100;

/// Asserts every result is Ok and returns the mean milliseconds of each step.
fn mean_steps(results: &[Result<Report>]) -> BTreeMap<&'static str, u128> {
    let mut per_step: BTreeMap<&'static str, u128> = BTreeMap::new();
    for r in results {
        let report = r.as_ref().map_err(|e| e.to_string()).unwrap();
        for s in &report.steps {
            *per_step.entry(s.step).or_default() += s.millis;
        }
    }
    per_step
        .values_mut()
        .for_each(|v| *v /= results.len() as u128);
    per_step
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tenants_concurrently_then_nothing_left() {
    let lab = Lab::start_with(Expand::Nothing, std::time::Duration::from_millis(200)).await;
    let mut p = lab.provisioner(Mode::Bootstrap);
    p.settings.wait_seconds = 180;
    p.settings.poll_millis = 250;
    let tenants: Vec<_> = (0..TENANTS).map(|i| tenant(&format!("t{i:03}"))).collect();
    let start = Instant::now();
    let results = futures::future::join_all(tenants.iter().map(|t| p.provision(t))).await;
    let provisioned = start.elapsed();
    let provision_steps = mean_steps(&results);
    assert_eq!(lab.llm.keys().len(), TENANTS);
    let start = Instant::now();
    let results = futures::future::join_all(tenants.iter().map(|t| p.destroy(t))).await;
    let destroyed = start.elapsed();
    let destroy_steps = mean_steps(&results);
    for t in &tenants {
        assert!(
            tenant_objects(&lab.kube, &t.username).is_empty(),
            "{} left objects",
            t.username
        );
    }
    assert!(lab.llm.keys().is_empty());
    eprintln!("{TENANTS} tenants: provisioned in {provisioned:?}, destroyed in {destroyed:?}");
    eprintln!("mean provision step ms: {provision_steps:?}");
    eprintln!("mean destroy step ms: {destroy_steps:?}");
}

#[tokio::test]
async fn one_tenant_at_a_time() {
    const ORDERS: usize = 5;
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let (mut provisions, mut destroys) = (Vec::new(), Vec::new());
    let start = Instant::now();
    for i in 0..ORDERS {
        let t = tenant(&format!("one{i}"));
        provisions.push(p.provision(&t).await);
        destroys.push(p.destroy(&t).await);
        assert!(tenant_objects(&lab.kube, &t.username).is_empty());
    }
    let total = start.elapsed();
    let mean = |rs: &[Result<Report>]| {
        rs.iter().map(|r| r.as_ref().unwrap().millis).sum::<u128>() / ORDERS as u128
    };
    eprintln!(
        "{ORDERS} tenants one at a time in {total:?}: provision mean {} ms, destroy mean {} ms",
        mean(&provisions),
        mean(&destroys)
    );
    eprintln!("mean provision step ms: {:?}", mean_steps(&provisions));
    eprintln!("mean destroy step ms: {:?}", mean_steps(&destroys));
}
