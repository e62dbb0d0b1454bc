//! The lab scenario: a user with repository `mcp` whose `main` branch builds and whose
//! `broken` branch lacks `agent/requirements.txt`, so the Buildah `COPY requirements.txt`
//! step fails as in the workshop; plus tokens for the user and the admin.

use super::{ADMIN_PASSWORD, ADMIN_USER, GiteaEmulator};

/// Credentials and names of the seeded lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabGitea {
    /// The site admin, [`ADMIN_USER`].
    pub admin_user: String,
    /// Its password, [`ADMIN_PASSWORD`] (Basic auth).
    pub admin_password: String,
    /// The admin's `all`-scoped token.
    pub admin_token: String,
    /// The lab user (the `username` given to `seed_lab`).
    pub user: String,
    /// `<user>-password`.
    pub user_password: String,
    /// Scopes `write:issue`, `write:repository`, `read:user`.
    pub user_token: String,
    /// `mcp`.
    pub repo: String,
}

const REQUIREMENTS: &str = "fastapi==0.115.0\nuvicorn==0.30.6\nhttpx==0.27.2\n";
const CONTAINERFILE: &str = "FROM registry.access.redhat.com/ubi9/python-311:latest\nWORKDIR /opt/app-root/src\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"main.py\"]\n";
const MAIN_PY: &str =
    "\"\"\"Pipeline-failure agent (lab copy).\"\"\"\n\nprint(\"agent starting\")\n";
const README: &str = "# mcp\n\nLab repository: the agent source (`agent/`) built by the `build-agent` pipeline.\nBranch `broken` removes `agent/requirements.txt` so the build fails.\n";

/// The labels the lab repository starts with.
pub(crate) const LAB_LABELS: [(&str, &str, &str); 3] = [
    ("bug", "ee0701", "Something is not working"),
    ("enhancement", "84b6eb", "New feature"),
    ("pipeline", "fbca04", "Build or deploy pipeline"),
];

impl GiteaEmulator {
    /// Seeds user `username` (password `<username>-password`), its public repository `mcp`
    /// with branches `main` and `broken`, labels, and tokens. Idempotent for the user and
    /// repository; each call mints fresh tokens.
    pub fn seed_lab(&self, username: &str) -> LabGitea {
        let password = format!("{username}-password");
        self.create_user(username, &password, false);
        let repo = "mcp";
        let fresh = self.branches(username, repo).is_empty();
        self.create_repo(username, repo, false);
        if fresh {
            self.put_file(username, repo, "main", "README.md", README.as_bytes());
            self.put_file(
                username,
                repo,
                "main",
                "agent/requirements.txt",
                REQUIREMENTS.as_bytes(),
            );
            self.put_file(
                username,
                repo,
                "main",
                "agent/Containerfile",
                CONTAINERFILE.as_bytes(),
            );
            self.put_file(username, repo, "main", "agent/main.py", MAIN_PY.as_bytes());
            self.create_branch(username, repo, "broken", "main");
            self.delete_file(username, repo, "broken", "agent/requirements.txt");
            for (name, color, description) in LAB_LABELS {
                self.create_label(username, repo, name, color, description);
            }
        }
        let user_token = self.create_token(
            username,
            &format!(
                "lab-{}",
                super::state::random_sha().get(..8).unwrap_or("token")
            ),
            &["write:issue", "write:repository", "read:user"],
        );
        LabGitea {
            admin_user: ADMIN_USER.to_string(),
            admin_password: ADMIN_PASSWORD.to_string(),
            admin_token: self.admin_token(),
            user: username.to_string(),
            user_password: password,
            user_token,
            repo: repo.to_string(),
        }
    }

    /// Adds a label to a repository (no-op if the repository is unknown).
    pub fn create_label(
        &self,
        owner: &str,
        repo: &str,
        name: &str,
        color: &str,
        description: &str,
    ) {
        self.shared.with(|w| {
            let id = w.next_id();
            if let Some(r) = w.repo_index(owner, repo).and_then(|i| w.repos.get_mut(i)) {
                r.labels.push(super::state::Label {
                    id,
                    name: name.to_string(),
                    color: color.to_string(),
                    description: description.to_string(),
                    exclusive: false,
                    is_archived: false,
                });
            }
        });
    }
}

impl GiteaEmulator {
    /// Opens an issue as the repository owner and returns its number (`None` if the
    /// repository is unknown).
    pub fn create_issue(&self, owner: &str, repo: &str, title: &str, body: &str) -> Option<i64> {
        self.shared.with(|w| {
            let id = w.next_id();
            let r = w.repo_index(owner, repo).and_then(|i| w.repos.get_mut(i))?;
            let at = super::state::now();
            let number = r.next_index;
            r.next_index += 1;
            r.issues.push(super::state::Issue {
                id,
                index: number,
                poster_id: r.owner_id,
                title: title.to_string(),
                body: body.to_string(),
                closed: false,
                labels: Vec::new(),
                milestone: None,
                assignees: Vec::new(),
                created: at,
                updated: at,
                closed_at: None,
                due_date: None,
                git_ref: String::new(),
                pull: None,
            });
            Some(number)
        })
    }
}
