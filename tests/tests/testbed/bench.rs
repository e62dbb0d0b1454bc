//! The side-by-side benchmark's library functions, run with tiny durations on one world of
//! emulators: every part must come back with well-formed figures (throughputs above zero,
//! RSS read, the agent's two LLM iterations per report). No timing is asserted.
//!
//! Our binaries are the ones built next to this test (`cargo test --workspace` builds them;
//! alone: `cargo build -p mcp-openshift -p mcp-gitea -p agent`). The peers are optional: the
//! upstream Go server comes from `scripts/install-tools`, the PyPI `gitea-mcp` from
//! `mcp-gitea/benches/setup-peer.sh`; a missing peer is skipped with a message.

use std::time::Duration;

use testbed::bench::{self, Options, provisioner};
use testbed::tools::Tool;

fn tiny() -> Options {
    Options {
        cell: Duration::from_millis(200),
        settle: Duration::from_millis(100),
        startups: 1,
        provisioner: provisioner::Options {
            one_at_a_time: 1,
            concurrent: 3,
            limit: Duration::from_secs(60),
        },
        gitea_peer: bench::gitea_peer(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_part_reports_well_formed_figures_on_one_world() {
    let options = tiny();
    if Tool::UpstreamKubernetesMcpServer.find().is_none() {
        eprintln!(
            "skipping the upstream Go kubernetes-mcp-server: not installed (scripts/install-tools)"
        );
    }
    if options.gitea_peer.is_none() {
        eprintln!(
            "skipping the PyPI gitea-mcp peer: not installed (mcp-gitea/benches/setup-peer.sh)"
        );
    }
    let report = tokio::time::timeout(Duration::from_secs(240), bench::run(&options))
        .await
        .expect("the benchmark finished in time")
        .expect("the world started");
    let table = report.markdown();
    println!("{table}");

    let openshift = report
        .openshift
        .as_ref()
        .expect("kubernetes-mcp-server measured");
    let mut servers = vec![&openshift.ours];
    servers.extend(openshift.upstream.as_ref());
    assert_eq!(
        openshift.upstream.is_some(),
        Tool::UpstreamKubernetesMcpServer.find().is_some()
    );
    for figures in servers {
        assert!(figures.binary_mib > 1.0, "{figures:?}");
        assert!(
            figures.startup_ms > 0.0 && figures.idle_rss_mib > 1.0,
            "{figures:?}"
        );
        assert!(figures.loaded_rss_mib > 1.0, "{figures:?}");
        assert_eq!(
            figures.cells.len(),
            8,
            "2 operations x 2 transports x 2 levels"
        );
        for cell in &figures.cells {
            assert!(cell.calls_per_second > 0.0 && cell.p50_ms > 0.0, "{cell:?}");
        }
    }

    let gitea = report.gitea.as_ref().expect("gitea-mcp measured");
    let mut servers = vec![&gitea.ours];
    servers.extend(gitea.peer.as_ref());
    for figures in servers {
        assert!(
            figures.idle_rss_mib > 1.0 && figures.tools_list_ms > 0.0,
            "{figures:?}"
        );
        for rate in figures
            .rates
            .list_issues
            .iter()
            .chain(&figures.rates.create_issue)
        {
            assert!(*rate > 0.0, "{figures:?}");
        }
        assert_eq!(figures.rates.list_issues.len(), 2);
        // CPU time is counted in 10 ms ticks: a short cell may see none, never less.
        let cpu = figures
            .cpu_us
            .list_issues
            .iter()
            .chain(&figures.cpu_us.create_issue);
        assert!(
            cpu.clone().count() == 4 && cpu.clone().all(|us| *us >= 0.0),
            "{figures:?}"
        );
    }
    let rest = gitea
        .rest
        .list_issues
        .iter()
        .chain(&gitea.rest.create_issue);
    assert!(
        rest.clone().count() == 4 && rest.clone().all(|r| *r > 0.0),
        "{:?}",
        gitea.rest
    );
    for overhead in [gitea.list_overhead, gitea.create_overhead] {
        assert!(overhead.ours > 0.0 && overhead.floor > 0.0, "{overhead:?}");
        // `testbed` is built next to this test, so the forwarder-process floor is measured.
        assert!(
            overhead.floor_process.is_some_and(|f| f > 0.0),
            "{overhead:?}"
        );
    }

    let agent = report.agent.as_ref().expect("agent measured");
    assert!(
        agent.idle_rss_mib > 1.0 && agent.loaded_rss_mib > 1.0,
        "{agent:?}"
    );
    assert_eq!(agent.levels.len(), 3);
    for level in &agent.levels {
        assert!(
            level.reports_per_second > 0.0 && level.p99_ms >= level.p50_ms,
            "{level:?}"
        );
        assert!(
            (level.llm_calls_per_report - 2.0).abs() < 1e-9,
            "every report takes the two scripted iterations: {level:?}"
        );
    }

    let provisioned = report.provisioner.as_ref().expect("provisioner measured");
    assert_eq!(provisioned.concurrent, 3);
    assert!(provisioned.one_per_minute() > 0.0 && provisioned.many_per_minute() > 0.0);

    for part in [
        "kubernetes-mcp-server",
        "gitea-mcp",
        "pipeline-agent",
        "provisioner",
    ] {
        assert!(table.contains(&format!("| {part}")), "{part} in\n{table}");
    }
    assert!(!table.contains("not measured"), "{table}");
}
