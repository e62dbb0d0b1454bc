//! The emulator state every part of the benchmark runs on: the stack's Kubernetes, Gitea and
//! LLM emulators (with the simulated controllers), the lab's failed `build-agent` run seeded
//! for `user1`, and `user1/mcp` in Gitea with a full page of open issues.

use anyhow::Context;
use serde_json::json;

use crate::gitea::LabGitea;
use crate::kube::LabScenario;
use crate::stack::{RunningStack, Stack, StackOptions, USER};
use emulator_support::forward::OwnRuntime;

/// Open issues seeded in `user1/mcp`, so a listing returns a full default page.
pub const SEEDED_ISSUES: usize = 30;

/// The shared emulators; [`World::shutdown`] stops them.
#[derive(Debug)]
pub struct World {
    /// The emulators (no platform: the parts start what they measure).
    pub stack: RunningStack,
    /// The seeded failed run (pod, namespace, failed container).
    pub lab: LabScenario,
    /// `user1`'s Gitea credentials and repository.
    pub gitea: LabGitea,
    /// Where the emulators run (see [`World::start`]).
    runtime: OwnRuntime,
}

impl World {
    /// Starts the emulators and seeds the lab.
    pub async fn start() -> anyhow::Result<Self> {
        // The emulators get threads of their own, as Gitea, the Kubernetes API and the LLM
        // endpoint are processes of their own in real life. Sharing the measuring
        // runtime, a direct REST call could be answered without leaving the thread that
        // made it, which flattered the direct figures every MCP server is compared with.
        let runtime = OwnRuntime::new("emulators")?;
        let stack = runtime
            .run(Stack::start(StackOptions {
                seed_lab: true,
                platform: false,
                ..StackOptions::default()
            }))
            .await?
            .context("starting the emulators")?;
        let lab = stack
            .lab
            .clone()
            .context("the stack did not seed the lab")?;
        let gitea = stack.gitea.seed_lab(USER);
        let world = Self {
            stack,
            lab,
            gitea,
            runtime,
        };
        let http = reqwest::Client::new();
        for i in 0..SEEDED_ISSUES {
            http.post(format!("{}/repos/{USER}/mcp/issues", world.gitea_api()))
                .header("authorization", format!("token {}", world.gitea.user_token))
                .json(&json!({"title": format!("seed {i}"), "body": "Build failed: COPY requirements.txt"}))
                .send()
                .await
                .context("seeding an issue")?
                .error_for_status()
                .context("seeding an issue")?;
        }
        Ok(world)
    }

    /// The Gitea emulator's web root (what `GITEA_HOST` takes).
    pub fn gitea_url(&self) -> String {
        self.stack.urls().gitea
    }

    /// The Gitea emulator's REST root (`…/api/v1`).
    pub fn gitea_api(&self) -> String {
        format!("{}/api/v1", self.gitea_url())
    }

    /// Stops the emulators.
    pub async fn shutdown(self) {
        self.stack.shutdown().await;
        drop(self.runtime);
    }
}
