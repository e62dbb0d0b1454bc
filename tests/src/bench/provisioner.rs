//! The provisioner's throughput on the world's emulators (with the simulated controllers):
//! tenants per minute one order at a time and with many orders at once, and destroy time.

use std::time::{Duration, Instant};

use anyhow::Context;

use super::table::{Better, Row};
use super::world::World;
use crate::stack::TenantLab;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Tenants provisioned and destroyed one after the other (the mean is kept).
    pub one_at_a_time: usize,
    /// Tenants ordered at once.
    pub concurrent: usize,
    /// The whole part's time limit.
    pub limit: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            one_at_a_time: 5,
            concurrent: 50,
            limit: Duration::from_secs(180),
        }
    }
}

/// The provisioner's figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// Mean provisioning time of one tenant ordered alone.
    pub one_provision: Duration,
    /// Mean destroy time of one tenant.
    pub one_destroy: Duration,
    /// Tenants ordered at once.
    pub concurrent: usize,
    /// Time until all of them were provisioned.
    pub many_provision: Duration,
    /// Time until all of them were destroyed.
    pub many_destroy: Duration,
}

fn per_minute(tenants: usize, took: Duration) -> f64 {
    tenants as f64 * 60.0 / took.as_secs_f64().max(1e-9)
}

impl Report {
    /// Tenants per minute, one order at a time.
    pub fn one_per_minute(&self) -> f64 {
        per_minute(1, self.one_provision)
    }

    /// Tenants per minute with `concurrent` orders at once.
    pub fn many_per_minute(&self) -> f64 {
        per_minute(self.concurrent, self.many_provision)
    }

    /// The rows of the table (no peer).
    pub fn rows(&self) -> Vec<Row> {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let n = self.concurrent;
        vec![
            Row::alone(
                "1 order at a time: provision (ms)",
                ms(self.one_provision),
                Better::Lower,
            ),
            Row::alone(
                "1 order at a time: tenants/min",
                self.one_per_minute(),
                Better::Higher,
            ),
            Row::alone(
                "1 order at a time: destroy (ms)",
                ms(self.one_destroy),
                Better::Lower,
            ),
            Row::alone(
                format!("{n} orders at once: all provisioned (ms)"),
                ms(self.many_provision),
                Better::Lower,
            ),
            Row::alone(
                format!("{n} orders at once: tenants/min"),
                self.many_per_minute(),
                Better::Higher,
            ),
            Row::alone(
                format!("{n} orders at once: all destroyed (ms)"),
                ms(self.many_destroy),
                Better::Lower,
            ),
        ]
    }
}

/// Provisions and destroys tenants (`one<i>`, `many<i>`) on the world's emulators.
pub async fn run(world: &World, options: &Options) -> anyhow::Result<Report> {
    let stack = &world.stack;
    let work = async {
        let rounds = options.one_at_a_time.max(1);
        let (mut provision, mut destroy) = (Duration::ZERO, Duration::ZERO);
        for i in 0..rounds {
            let start = Instant::now();
            let tenant = TenantLab::provision(stack, &format!("one{i}")).await?;
            provision += start.elapsed();
            let start = Instant::now();
            tenant.destroy().await?;
            destroy += start.elapsed();
        }
        let start = Instant::now();
        let tenants = futures::future::try_join_all(
            (0..options.concurrent)
                .map(|i| async move { TenantLab::provision(stack, &format!("many{i:03}")).await }),
        )
        .await?;
        let many_provision = start.elapsed();
        let start = Instant::now();
        futures::future::try_join_all(tenants.iter().map(TenantLab::destroy)).await?;
        Ok::<Report, anyhow::Error>(Report {
            one_provision: provision / rounds as u32,
            one_destroy: destroy / rounds as u32,
            concurrent: options.concurrent,
            many_provision,
            many_destroy: start.elapsed(),
        })
    };
    tokio::time::timeout(options.limit, work)
        .await
        .with_context(|| format!("not finished within {:?}", options.limit))?
}
