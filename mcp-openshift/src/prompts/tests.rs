//! Unit tests of operator prompts: validation and filling in.

use super::*;

fn custom() -> PromptConfig {
    toml::from_str(
        r#"
name = "restart-advice"
title = "Restart advice"
description = "Whether to restart a deployment"
arguments = [{ name = "deployment", required = true }, { name = "namespace" }]
messages = [
  { role = "user", content = "Should {{deployment}} in {{namespace}} be restarted?" },
  { role = "assistant", content = "I will look at {{deployment}} first." },
]
"#,
    )
    .unwrap()
}

#[test]
fn templates_are_filled_and_required_arguments_named() {
    let c = custom();
    let args = serde_json::json!({"deployment": "web", "namespace": "shop"});
    let r = fill(&c, args.as_object().unwrap()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["messages"][0]["role"], "user");
    assert_eq!(
        v["messages"][0]["content"]["text"],
        "Should web in shop be restarted?"
    );
    assert_eq!(v["messages"][1]["role"], "assistant");
    assert_eq!(v["description"], "Whether to restart a deployment");
    let e = fill(
        &c,
        serde_json::json!({"namespace": "x"}).as_object().unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.0, "argument \"deployment\" is required");
}

#[test]
fn bad_operator_prompts_are_refused_at_load() {
    let mut twice = vec![custom(), custom()];
    assert!(
        validate(&twice)
            .unwrap_err()
            .to_string()
            .contains("defined twice")
    );
    twice.pop();
    twice[0].messages[0].role = "system".into();
    assert!(
        validate(&twice)
            .unwrap_err()
            .to_string()
            .contains("must be user or assistant")
    );
    twice[0].messages.clear();
    assert!(
        validate(&twice)
            .unwrap_err()
            .to_string()
            .contains("has no messages")
    );
    let unknown: Result<PromptConfig, _> =
        toml::from_str("name = \"x\"\nmessages = []\nmesages = 1\n");
    assert!(unknown.is_err());
}

#[test]
fn builtins_follow_toolsets_and_an_operator_prompt_replaces_one() {
    let core = Prompts::new(&["core".into()], &[], None);
    let names: Vec<String> = core.list().iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, vec!["cluster-health-check"]);
    let both = Prompts::new(&["core".into(), "tekton".into()], &[], Some("alpha".into()));
    let list = both.list();
    assert_eq!(list.len(), 2);
    let pipeline = list
        .iter()
        .find(|p| p.name == "pipeline-troubleshoot")
        .unwrap();
    let args: Vec<&str> = pipeline
        .arguments
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(args, vec!["name", "namespace", "context"]);
    let mut c = custom();
    c.name = "cluster-health-check".into();
    let replaced = Prompts::new(&["core".into()], &[c], None);
    assert_eq!(replaced.list().len(), 1);
    assert_eq!(replaced.list()[0].title.as_deref(), Some("Restart advice"));
}
