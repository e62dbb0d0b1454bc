//! The swagger conformance test: every operation the emulator serves is called through
//! real HTTP and its request and response are validated against Gitea's swagger; the
//! test fails if any operation is left unchecked or if a shape drifts.

use std::collections::BTreeSet;

use base64::Engine;
use gitea_emulator::catalog::{OPERATIONS, SUFFIX_OPERATIONS};
use serde_json::{Value, json};

use super::checker::{Checker, Who};
use super::common::Fixture;
use super::conformance_extra as extra;
use super::conformance_links::{dependencies, forks, org_labels};
use super::conformance_pulls::pulls_and_releases;
use super::spec::normalize;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

async fn users_and_admin(c: &mut Checker<'_>, admin: &str, user: &str, basic: Who<'_>) {
    c.get(Who::Anonymous, "/version", 200).await;
    c.get(Who::Token(user), "/user", 200).await;
    c.get(Who::Anonymous, "/users/search?q=user&limit=5", 200)
        .await;
    c.get(Who::Anonymous, "/users/user1", 200).await;
    c.get(Who::Anonymous, "/users/ghost", 404).await;
    let token = c
        .post(
            basic,
            "/users/user1/tokens",
            json!({"name": "ci", "scopes": ["read:repository"]}),
            201,
        )
        .await;
    assert_eq!(token["sha1"].as_str().map(str::len), Some(40));
    c.post(
        basic,
        "/users/user1/tokens",
        json!({"name": "ci", "scopes": ["read:repository"]}),
        400,
    )
    .await;
    c.post(
        Who::Token(admin),
        "/users/user1/tokens",
        json!({"name": "x", "scopes": ["all"]}),
        401,
    )
    .await;
    c.get(basic, "/users/user1/tokens?page=1&limit=10", 200)
        .await;
    c.delete(basic, "/users/user1/tokens/ci", 204).await;
    let create = json!({"username": "user2", "email": "user2@example.com", "password": "pw-123456", "must_change_password": false});
    c.post(Who::Token(admin), "/admin/users", create.clone(), 201)
        .await;
    c.post(Who::Token(admin), "/admin/users", create, 422).await;
    c.get(Who::Token(user), "/admin/users", 403).await;
    c.get(Who::Token(admin), "/admin/users?page=1&limit=2", 200)
        .await;
    let edit = json!({"login_name": "user2", "source_id": 0, "full_name": "User Two"});
    c.patch(Who::Token(admin), "/admin/users/user2", edit, 200)
        .await;
    c.post(
        Who::Token(admin),
        "/orgs",
        json!({"username": "lab-org", "full_name": "Lab"}),
        201,
    )
    .await;
    c.get(Who::Token(admin), "/orgs/lab-org", 200).await;
    c.get(Who::Token(admin), "/user/orgs", 200).await;
    let teams = c
        .get(
            Who::Token(admin),
            "/orgs/lab-org/teams/search?q=dev&include_desc=true",
            200,
        )
        .await;
    assert_eq!(teams["data"], json!([]));
    let repo = json!({"name": "org-repo", "auto_init": true});
    c.post(Who::Token(admin), "/orgs/lab-org/repos", repo, 201)
        .await;
    c.get(Who::Anonymous, "/orgs/lab-org/repos", 200).await;
    let repo = json!({"name": "r2", "private": true});
    c.post(Who::Token(admin), "/admin/users/user2/repos", repo, 201)
        .await;
    c.delete(Who::Token(admin), "/admin/users/user2", 422).await;
    c.delete(Who::Token(admin), "/admin/users/user2?purge=true", 204)
        .await;
}

async fn repositories(c: &mut Checker<'_>, user: &str, basic: Who<'_>) {
    c.get(Who::Anonymous, "/repos/user1/mcp", 200).await;
    c.get(Who::Anonymous, "/repos/nobody/mcp", 404).await;
    c.get(Who::Token(user), "/user/repos", 200).await;
    let scratch =
        json!({"name": "scratch", "auto_init": true, "private": true, "description": "tmp"});
    c.post(basic, "/user/repos", scratch.clone(), 201).await;
    c.post(basic, "/user/repos", scratch, 409).await;
    c.get(Who::Anonymous, "/users/user1/repos", 200).await;
    let clone_addr = format!("{}/user1/mcp.git", c.base_url);
    let migrate = json!({"clone_addr": clone_addr, "repo_name": "mcp-copy", "service": "git", "labels": true});
    let copy = c.post(basic, "/repos/migrate", migrate, 201).await;
    assert_eq!(copy["empty"], false);
    c.get(Who::Anonymous, "/repos/search?q=mcp&limit=10", 200)
        .await;
    c.delete(Who::Token(user), "/repos/user1/scratch", 204)
        .await;
}

async fn git(c: &mut Checker<'_>, user: &str) -> Value {
    let u = Who::Token(user);
    let base = "/repos/user1/mcp";
    c.get(u, &format!("{base}/branches"), 200).await;
    c.get(u, &format!("{base}/branches/broken"), 200).await;
    let create = json!({"new_branch_name": "feature", "old_branch_name": "main"});
    c.post(u, &format!("{base}/branches"), create.clone(), 201)
        .await;
    c.post(u, &format!("{base}/branches"), create, 409).await;
    let tmp = json!({"new_branch_name": "tmp", "old_ref_name": "broken"});
    c.post(u, &format!("{base}/branches"), tmp, 201).await;
    c.patch(
        u,
        &format!("{base}/branches/tmp"),
        json!({"name": "tmp2"}),
        204,
    )
    .await;
    c.get(u, &format!("{base}/branches/tmp"), 404).await;
    c.delete(u, &format!("{base}/branches/tmp2"), 204).await;
    let tag = json!({"tag_name": "v0.1.0", "target": "main", "message": "first"});
    c.post(u, &format!("{base}/tags"), tag, 200).await;
    c.get(u, &format!("{base}/tags"), 200).await;
    c.get(u, &format!("{base}/tags/v0.1.0"), 200).await;
    let commits = c
        .get(u, &format!("{base}/commits?sha=main&limit=2"), 200)
        .await;
    let sha = commits[0]["sha"].as_str().unwrap_or_default().to_string();
    c.get(u, &format!("{base}/git/commits/{sha}"), 200).await;
    let tree = c
        .get(
            u,
            &format!("{base}/git/trees/main?recursive=true&per_page=3&page=2"),
            200,
        )
        .await;
    assert_eq!(tree["total_count"], 5, "agent/ plus four files: {tree}");
    c.get(u, &format!("{base}/git/trees/{sha}"), 200).await;
    let empty = c
        .get(u, &format!("{base}/commits/broken/status"), 200)
        .await;
    assert_eq!(empty["total_count"], 0);
    let failed =
        json!({"state": "failure", "context": "build-agent", "target_url": "https://ci/run/1"});
    c.post(u, &format!("{base}/statuses/broken"), failed, 201)
        .await;
    let passed = json!({"state": "success", "context": "lint"});
    c.post(u, &format!("{base}/statuses/{sha}"), passed, 201)
        .await;
    let combined = c
        .get(u, &format!("{base}/commits/broken/status"), 200)
        .await;
    assert_eq!(combined["state"], "failure");
    c.get(u, &format!("{base}/commits/broken/statuses?limit=5"), 200)
        .await;
    c.get(u, &format!("{base}/statuses/{sha}?state=success"), 200)
        .await;
    c.get(u, &format!("{base}/contents?ref=main"), 200).await;
    let readme = c.get(u, &format!("{base}/contents/README.md"), 200).await;
    assert_eq!(readme["encoding"], "base64");
    c.get(u, &format!("{base}/contents/agent?ref=broken"), 200)
        .await;
    c.get(
        u,
        &format!("{base}/contents/agent/requirements.txt?ref=broken"),
        404,
    )
    .await;
    let add = json!({"content": b64("notes\n"), "message": "Add notes", "branch": "main", "new_branch": "docs"});
    let added = c
        .post(u, &format!("{base}/contents/docs/notes.md"), add, 201)
        .await;
    let blob = added["content"]["sha"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let update = json!({"content": b64("more notes\n"), "sha": blob, "branch": "docs"});
    c.put(u, &format!("{base}/contents/docs/notes.md"), update, 200)
        .await;
    let stale = json!({"content": b64("x"), "sha": blob, "branch": "docs"});
    c.put(u, &format!("{base}/contents/docs/notes.md"), stale, 422)
        .await;
    let main_py = c
        .get(
            u,
            &format!("{base}/contents/agent/main.py?ref=feature"),
            200,
        )
        .await;
    let remove = json!({"sha": main_py["sha"], "branch": "feature", "message": "Drop main"});
    c.call(
        u,
        "DELETE",
        &format!("{base}/contents/agent/main.py"),
        Some(remove),
        200,
    )
    .await;
    let files = json!({"branch": "feature", "files": [{"operation": "create", "path": "docs/a.md", "content": b64("a")}]});
    c.post(u, &format!("{base}/contents"), files, 201).await;
    let raw = c
        .get(u, &format!("{base}/raw/agent/Containerfile"), 200)
        .await;
    assert!(
        raw.as_str()
            .unwrap_or_default()
            .contains("COPY requirements.txt")
    );
    c.get(u, &format!("{base}/media/README.md?ref=broken"), 200)
        .await;
    readme
}

async fn issues(c: &mut Checker<'_>, user: &str) {
    let u = Who::Token(user);
    let base = "/repos/user1/mcp";
    let label = c
        .post(
            u,
            &format!("{base}/labels"),
            json!({"name": "triage", "color": "#00aabb"}),
            201,
        )
        .await;
    let lid = label["id"].as_i64().unwrap_or(0);
    c.get(u, &format!("{base}/labels?limit=50"), 200).await;
    c.get(u, &format!("{base}/labels/{lid}"), 200).await;
    c.patch(
        u,
        &format!("{base}/labels/{lid}"),
        json!({"description": "needs triage"}),
        200,
    )
    .await;
    let ms = c
        .post(
            u,
            &format!("{base}/milestones"),
            json!({"title": "v1", "due_on": "2030-01-01T00:00:00Z"}),
            201,
        )
        .await;
    let mid = ms["id"].as_i64().unwrap_or(0);
    c.get(u, &format!("{base}/milestones?state=all"), 200).await;
    c.get(u, &format!("{base}/milestones/{mid}"), 200).await;
    let create = json!({"title": "Build fails", "body": "COPY requirements.txt failed", "labels": [lid], "milestone": mid, "assignees": ["user1"]});
    let issue = c.post(u, &format!("{base}/issues"), create, 201).await;
    assert_eq!(issue["labels"][0]["name"], "triage");
    c.post(
        u,
        &format!("{base}/issues"),
        json!({"body": "no title"}),
        422,
    )
    .await;
    c.get(u, &format!("{base}/issues?state=open&labels=triage&type=issues&milestones=v1&q=build&page=1&limit=10"), 200).await;
    c.get(u, &format!("{base}/issues/1"), 200).await;
    c.get(u, &format!("{base}/issues/99"), 404).await;
    c.patch(
        u,
        &format!("{base}/issues/1"),
        json!({"body": "more", "due_date": "2030-01-01T00:00:00Z"}),
        201,
    )
    .await;
    c.patch(
        u,
        &format!("{base}/milestones/{mid}"),
        json!({"state": "closed"}),
        200,
    )
    .await;
    c.get(
        u,
        "/repos/issues/search?q=build&state=all&type=issues&limit=5",
        200,
    )
    .await;
    let comment = c
        .post(
            u,
            &format!("{base}/issues/1/comments"),
            json!({"body": "seen"}),
            201,
        )
        .await;
    let cid = comment["id"].as_i64().unwrap_or(0);
    c.get(u, &format!("{base}/issues/1/comments"), 200).await;
    c.get(u, &format!("{base}/issues/comments"), 200).await;
    c.get(u, &format!("{base}/issues/comments/{cid}"), 200)
        .await;
    c.patch(
        u,
        &format!("{base}/issues/comments/{cid}"),
        json!({"body": "edited"}),
        200,
    )
    .await;
    c.delete(u, &format!("{base}/issues/comments/{cid}"), 204)
        .await;
    let labels = format!("{base}/issues/1/labels");
    c.get(u, &labels, 200).await;
    let added = c.post(u, &labels, json!({"labels": ["bug"]}), 200).await;
    assert_eq!(added.as_array().map(Vec::len), Some(2));
    c.put(u, &labels, json!({"labels": [lid]}), 200).await;
    c.delete(u, &format!("{labels}/{lid}"), 204).await;
    c.delete(u, &labels, 204).await;
    c.delete(u, &format!("{base}/labels/{lid}"), 204).await;
    c.delete(u, &format!("{base}/milestones/{mid}"), 204).await;
}

#[tokio::test]
async fn every_operation_conforms_to_the_swagger() {
    let f = Fixture::new().await;
    let mut c = Checker::new(&f);
    let (admin, user) = (f.lab.admin_token.clone(), f.lab.user_token.clone());
    let basic = Who::Basic("user1", &f.lab.user_password);
    users_and_admin(&mut c, &admin, &user, basic).await;
    repositories(&mut c, &user, basic).await;
    git(&mut c, &user).await;
    issues(&mut c, &user).await;
    forks(&mut c, &admin, &user).await;
    dependencies(&mut c, &user).await;
    org_labels(&mut c, &admin, &user).await;
    pulls_and_releases(&mut c, &user).await;
    extra::wiki(&mut c, &user).await;
    extra::times(&mut c, &user).await;
    extra::notifications(&mut c, f.emulator(), &admin, &user).await;
    extra::packages(&mut c, f.emulator(), &admin, &user).await;
    extra::actions_config(&mut c, &admin, &user).await;
    extra::actions_runs(&mut c, f.emulator(), &user).await;
    extra::attachments(&mut c, f.emulator(), &user).await;
    assert!(
        c.failures.is_empty(),
        "{} failures:\n{}",
        c.failures.len(),
        c.failures.join("\n\n")
    );

    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .chain(SUFFIX_OPERATIONS)
        .map(|(m, p)| (m.to_string(), normalize(p)))
        .collect();
    let catalog: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| (m.to_string(), normalize(p)))
        .collect();
    let missing: Vec<_> = expected.difference(&c.covered).collect();
    assert!(
        missing.is_empty(),
        "operations not checked against the spec: {missing:?}"
    );
    let served: BTreeSet<(String, String)> = f
        .emulator()
        .served_operations()
        .into_iter()
        .map(|(m, p)| (m, normalize(&p)))
        .collect();
    let unlisted: Vec<_> = served.difference(&catalog).collect();
    assert!(
        unlisted.is_empty(),
        "served operations missing from the catalog: {unlisted:?}"
    );
    let spec_ops = c.spec.operations();
    let unknown: Vec<_> = expected.difference(&spec_ops).collect();
    assert!(
        unknown.is_empty(),
        "catalog operations not in the spec: {unknown:?}"
    );
}
