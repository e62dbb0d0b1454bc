//! The provisioner's throughput on the stack's emulators: tenants per minute one at a time
//! and with many orders at once, and the destroy time.

use std::time::{Duration, Instant};

use anyhow::Context;

use crate::stack::{Stack, StackOptions, TenantLab};

/// Provisions and destroys tenants; returns a markdown table.
pub(crate) async fn measure(concurrent: usize, limit: Duration) -> anyhow::Result<String> {
    let options = StackOptions {
        seed_lab: false,
        platform: false,
        ..StackOptions::default()
    };
    let stack = Stack::start(options).await.context("start the emulators")?;
    let result = tokio::time::timeout(limit, async {
        const ONE_AT_A_TIME: usize = 5;
        let (mut provision, mut destroy) = (Duration::ZERO, Duration::ZERO);
        for i in 0..ONE_AT_A_TIME {
            let start = Instant::now();
            let tenant = TenantLab::provision(&stack, &format!("one{i}")).await?;
            provision += start.elapsed();
            let start = Instant::now();
            tenant.destroy().await?;
            destroy += start.elapsed();
        }
        let one = provision / ONE_AT_A_TIME as u32;
        let one_destroy = destroy / ONE_AT_A_TIME as u32;

        let start = Instant::now();
        let tenants = futures::future::try_join_all((0..concurrent).map(|i| {
            let stack = &stack;
            async move { TenantLab::provision(stack, &format!("many{i:03}")).await }
        }))
        .await?;
        let many = start.elapsed();
        let start = Instant::now();
        futures::future::try_join_all(tenants.iter().map(TenantLab::destroy)).await?;
        let many_destroy = start.elapsed();

        let per_minute = |n: usize, d: Duration| n as f64 * 60.0 / d.as_secs_f64().max(1e-9);
        Ok::<String, anyhow::Error>(format!(
            "| orders | provision | tenants/min | destroy |\n|---|---|---|---|\n\
             | 1 at a time (mean of {ONE_AT_A_TIME}) | {:.0} ms | {:.0} | {:.0} ms |\n\
             | {concurrent} at once | {:.1} s | {:.0} | {:.1} s (all) |\n",
            one.as_secs_f64() * 1000.0,
            per_minute(1, one),
            one_destroy.as_secs_f64() * 1000.0,
            many.as_secs_f64(),
            per_minute(concurrent, many),
            many_destroy.as_secs_f64(),
        ))
    })
    .await;
    stack.shutdown().await;
    match result {
        Ok(table) => table,
        Err(_) => anyhow::bail!("not finished within {limit:?}"),
    }
}
