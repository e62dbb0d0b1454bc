//! Repository lookup with Gitea's visibility rules: private repositories are invisible
//! (404) to callers who cannot read them, owners/org members/site admins may write, and
//! `public-only` tokens see public repositories only.

use super::auth::Ctx;
use super::error::ApiError;
use super::state::{Repo, World};

/// What the caller may do in one repository.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Perm {
    pub(crate) admin: bool,
    pub(crate) push: bool,
    pub(crate) pull: bool,
}

impl Perm {
    pub(crate) fn tuple(self) -> (bool, bool, bool) {
        (self.admin, self.push, self.pull)
    }
}

/// The caller's permission on `repo`.
pub(crate) fn perm(world: &World, ctx: &Ctx, repo: &Repo) -> Perm {
    let owner = world.user_by_id(repo.owner_id);
    let full = match ctx.user_id() {
        Some(uid) => {
            ctx.is_admin()
                || repo.owner_id == uid
                || owner.is_some_and(|o| o.is_org && o.members.contains(&uid))
        }
        None => false,
    };
    let owner_visible = owner.is_none_or(|o| o.visibility != "private");
    let visible = !repo.private && owner_visible;
    if repo.private && ctx.public_only() {
        return Perm::default();
    }
    Perm {
        admin: full,
        push: full,
        pull: full || visible,
    }
}

/// Finds `owner/name` readable by the caller; Gitea answers 404 otherwise.
pub(crate) fn find_repo(
    world: &World,
    ctx: &Ctx,
    owner: &str,
    name: &str,
) -> Result<(usize, Perm), ApiError> {
    let Some(user) = world.user(owner) else {
        return Err(ApiError::not_found_err(format!(
            "user redirect does not exist [name: {owner}]"
        )));
    };
    let missing = || {
        ApiError::not_found_err(format!(
            "repository does not exist [id: 0, uid: {}, owner_name: {owner}, name: {name}]",
            user.id
        ))
    };
    let index = world.repo_index(owner, name).ok_or_else(missing)?;
    let repo = world.repos.get(index).ok_or_else(missing)?;
    let perm = perm(world, ctx, repo);
    if !perm.pull {
        return Err(missing());
    }
    Ok((index, perm))
}

/// Like [`find_repo`] but the caller must be able to push (Gitea's `reqRepoWriter`).
pub(crate) fn find_repo_writable(
    world: &World,
    ctx: &Ctx,
    owner: &str,
    name: &str,
) -> Result<usize, ApiError> {
    ctx.require_user()?;
    let (index, perm) = find_repo(world, ctx, owner, name)?;
    if perm.push {
        Ok(index)
    } else {
        Err(ApiError::forbidden(
            "user should have a permission to write to a repo",
        ))
    }
}

/// Parses an issue/pull index or id path segment.
pub(crate) fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| {
        ApiError::unprocessable(format!("strconv.ParseInt: parsing {raw:?}: invalid syntax"))
    })
}
