//! Shared helpers: a served emulator with the lab seeded and a reqwest client.

use std::time::Duration;

use gitea_emulator::{GiteaEmulator, LabGitea, RunningGitea};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;

/// A served emulator with `user1`'s lab.
pub(crate) struct Fixture {
    pub(crate) server: RunningGitea,
    pub(crate) lab: LabGitea,
    pub(crate) client: Client,
}

impl Fixture {
    pub(crate) async fn new() -> Self {
        let emulator = GiteaEmulator::new();
        let server = emulator.serve(0).await.unwrap();
        let lab = emulator.seed_lab("user1");
        let client = Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self {
            server,
            lab,
            client,
        }
    }

    pub(crate) fn emulator(&self) -> &GiteaEmulator {
        self.server.emulator()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.api_url(), path)
    }

    /// A request with `Authorization: token <token>` (none when `token` is empty).
    pub(crate) fn req(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        if token.is_empty() {
            builder
        } else {
            builder.header("Authorization", format!("token {token}"))
        }
    }

    pub(crate) fn user(&self, method: Method, path: &str) -> RequestBuilder {
        self.req(method, path, &self.lab.user_token)
    }

    pub(crate) fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.req(method, path, &self.lab.admin_token)
    }
}

/// Sends and returns `(status, body as JSON or Null)`.
pub(crate) async fn send(builder: RequestBuilder) -> (u16, Value) {
    let response: Response = builder.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
