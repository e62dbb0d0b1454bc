//! Pull request reviews and their code comments rendered as Gitea's `PullReview` and
//! `PullReviewComment`; a resolved conversation carries its `resolver`.

use serde_json::{Value, json};

use super::render::time;
use super::state::{Repo, Review, ReviewComment, World};

impl World {
    pub(crate) fn review_json(&self, repo: &Repo, index: i64, review: &Review) -> Value {
        let pr = format!("{}/pulls/{index}", self.repo_html(repo));
        json!({
            "id": review.id,
            "user": self.user_ref(review.user_id),
            "team": null,
            "state": review.state,
            "body": review.body,
            "commit_id": review.commit_id,
            "stale": false,
            "official": false,
            "dismissed": review.dismissed,
            "comments_count": review.comments.len(),
            "submitted_at": time(&review.submitted),
            "updated_at": time(&review.submitted),
            "html_url": format!("{pr}#issuecomment-{}", review.id),
            "pull_request_url": pr,
        })
    }

    pub(crate) fn review_comment_json(
        &self,
        repo: &Repo,
        index: i64,
        review_id: i64,
        comment: &ReviewComment,
    ) -> Value {
        let pr = format!("{}/pulls/{index}", self.repo_html(repo));
        let hunk = format!(
            "@@ -{},1 +{},1 @@",
            comment.old_line.max(0),
            comment.new_line.max(0)
        );
        json!({
            "id": comment.id,
            "body": comment.body,
            "user": self.user_ref(comment.user_id),
            "resolver": comment.resolver.map(|id| self.user_ref(id)).unwrap_or(Value::Null),
            "pull_request_review_id": review_id,
            "created_at": time(&comment.created),
            "updated_at": time(&comment.created),
            "path": comment.path,
            "commit_id": comment.commit_id,
            "original_commit_id": comment.commit_id,
            "diff_hunk": hunk,
            "position": comment.new_line.max(0),
            "original_position": comment.old_line.max(0),
            "html_url": format!("{pr}#issuecomment-{}", comment.id),
            "pull_request_url": pr,
        })
    }
}
