//! One model turn of the loop: the answer's native tool calls run, or a call written as
//! text is recovered and run, or the prose answer is counted and nudged towards the issue
//! tool. A turn that created the issue ends the run.

use serde_json::{Value, json};

use super::calls::{self, CallContext, CallOutcome, PendingCall};
use super::{Agent, MAX_PROSE_TURNS, Run, RunOutcome, logging, preview, with_source};
use crate::error::RunError;
use crate::llm::ChatTurn;
use crate::prompt;
use crate::text_calls::{extract_tool_calls, outside_frames};

impl Agent {
    /// One model turn; `Some` when the issue was created.
    pub(super) async fn step(
        &self,
        run: &mut Run<'_>,
        ctx: &CallContext<'_>,
        turn: ChatTurn,
        last: bool,
    ) -> Result<Option<RunOutcome>, RunError> {
        if !turn.tool_calls.is_empty() && !last {
            return Ok(self.native_calls(run, ctx, turn).await);
        }
        match turn.finish_reason.as_deref() {
            Some("length") if !last => {
                // A cut-off answer is no progress either (a rambling model hits the cap).
                run.prose_streak += 1;
                if run.prose_streak >= MAX_PROSE_TURNS {
                    return Err(RunError::NoIssue(preview(&turn.content, 300)));
                }
                run.messages
                    .push(json!({"role": "assistant", "content": turn.content}));
                run.messages
                    .push(json!({"role": "user", "content": prompt::truncated()}));
                run.force_issue_tool = true;
                return Ok(None);
            }
            Some("content_filter") => {
                return Err(RunError::ModelOutput(
                    "blocked by the content filter".into(),
                ));
            }
            _ => {}
        }
        self.text_calls(run, ctx, turn, last).await
    }

    /// The answer carries native tool calls: they run, and their results go back as tool
    /// messages.
    async fn native_calls(
        &self,
        run: &mut Run<'_>,
        ctx: &CallContext<'_>,
        turn: ChatTurn,
    ) -> Option<RunOutcome> {
        run.prose_streak = 0;
        let assistant_calls: Vec<Value> = turn
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
        // Empty string, not null: some servers (llama.cpp) reject null content here.
        run.messages.push(
            json!({"role": "assistant", "content": turn.content, "tool_calls": assistant_calls}),
        );
        let pending = turn
            .tool_calls
            .iter()
            .map(|c| PendingCall {
                name: c.name.clone(),
                arguments: crate::arguments::parse_raw(&c.arguments),
            })
            .collect();
        let outcomes = self.execute_screened(run, ctx, pending).await;
        logging::outcomes(&outcomes);
        for (call, outcome) in turn.tool_calls.iter().zip(&outcomes) {
            run.messages
                .push(json!({"role": "tool", "tool_call_id": call.id, "content": outcome.message}));
        }
        let created = self.created(run, &outcomes);
        run.force_issue_tool = created.is_none() && tried_issue(ctx, &outcomes);
        created
    }

    /// A text answer: a call written in it runs (its results go back as a user message),
    /// otherwise the prose is counted and the model nudged towards the issue tool.
    async fn text_calls(
        &self,
        run: &mut Run<'_>,
        ctx: &CallContext<'_>,
        turn: ChatTurn,
        last: bool,
    ) -> Result<Option<RunOutcome>, RunError> {
        // Every name a server offers, not only the offered ones: a written call of a tool the
        // model may not use is screened (quoted) or refused (unknown), never taken for prose.
        let mut all = self.registry.all_tool_names();
        for tool in ctx.tools {
            if !all.contains(&tool.name) {
                all.push(tool.name.clone());
            }
        }
        let names: Vec<&str> = all.iter().map(String::as_str).collect();
        // Only the model's own words: a tool result it quotes back is not parsed.
        let mut text_calls = extract_tool_calls(&outside_frames(&turn.content), &names);
        if last {
            // Tools are withdrawn: only a final issue creation is still honoured.
            text_calls.retain(|c| c.name == ctx.issue_tool.name());
        }
        if text_calls.is_empty() {
            run.prose_streak += 1;
            if last || run.prose_streak >= MAX_PROSE_TURNS {
                return Err(RunError::NoIssue(preview(&turn.content, 300)));
            }
            run.messages
                .push(json!({"role": "assistant", "content": turn.content}));
            run.messages.push(
                json!({"role": "user", "content": prompt::nudge_create_issue(ctx.issue_tool)}),
            );
            run.force_issue_tool = true;
            return Ok(None);
        }
        run.prose_streak = 0;
        let pending = text_calls
            .into_iter()
            .map(|c| PendingCall {
                name: c.name,
                arguments: Ok(c.arguments),
            })
            .collect();
        let outcomes = self.execute_screened(run, ctx, pending).await;
        logging::outcomes(&outcomes);
        if let Some(done) = self.created(run, &outcomes) {
            return Ok(Some(done));
        }
        run.force_issue_tool = tried_issue(ctx, &outcomes);
        let results: Vec<&str> = outcomes.iter().map(|o| o.message.as_str()).collect();
        run.messages
            .push(json!({"role": "assistant", "content": turn.content}));
        run.messages.push(json!({"role": "user", "content": prompt::text_call_result(&results.join("\n\n"), ctx.issue_tool)}));
        Ok(None)
    }

    fn created(&self, run: &Run<'_>, outcomes: &[CallOutcome]) -> Option<RunOutcome> {
        let (outcome, issue) = outcomes
            .iter()
            .find_map(|o| o.issue.as_ref().map(|i| (o, i)))?;
        Some(RunOutcome {
            result: prompt::success_result(issue.url.as_deref(), issue.number, &outcome.raw),
            issue_url: issue.url.clone(),
            issue_number: issue.number,
            iterations: run.iteration,
            analysis: with_source(&run.analysis, "llm"),
            fallback: false,
        })
    }
}

/// An issue tool call was made (and, when the run goes on, did not create the issue): the
/// model is trying to file, so the next call is forced to the issue tool again.
fn tried_issue(_ctx: &CallContext<'_>, outcomes: &[CallOutcome]) -> bool {
    outcomes
        .iter()
        .any(|o| calls::issue_kind(&o.name).is_some())
}
