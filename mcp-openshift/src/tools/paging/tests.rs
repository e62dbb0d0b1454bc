//! Unit tests of the list shaping: argument checks, projection, summary, the budget cut.

use serde_json::json;

use super::*;

fn shape(v: Value) -> Result<ListShape, ArgError> {
    ListShape::from_args(&Args::new(v.as_object().unwrap()))
}

#[test]
fn bad_arguments_name_the_field_and_why() {
    for (args, field) in [
        (json!({"limit": 0}), "limit parameter must be between 1"),
        (json!({"limit": -3}), "limit parameter must be between 1"),
        (
            json!({"limit": 9999999}),
            "limit parameter must be between 1",
        ),
        (
            json!({"limit": "ten"}),
            "limit parameter must be an integer",
        ),
        (
            json!({"fields": "metadata.name"}),
            "fields parameter must be an array",
        ),
        (
            json!({"fields": ["metadata..name"]}),
            "fields parameter \"metadata..name\"",
        ),
        (
            json!({"fields": [3]}),
            "fields parameter must be an array of strings",
        ),
        (
            json!({"summary": "yes"}),
            "summary parameter must be a boolean",
        ),
        (
            json!({"continue": "x".repeat(5000)}),
            "continue parameter is longer",
        ),
    ] {
        let e = shape(args.clone()).unwrap_err().to_string();
        assert!(e.starts_with(field), "{args}: {e}");
    }
    let s = shape(
        json!({"limit": 2, "continue": "abc", "fields": ["metadata.name"], "summary": false}),
    )
    .unwrap();
    assert_eq!(s.limit, Some(2));
    assert_eq!(s.continue_token.as_deref(), Some("abc"));
    assert!(!s.is_plain());
    assert!(shape(json!({})).unwrap().is_plain());
}

#[test]
fn projection_keeps_only_the_named_paths_nested() {
    let pod = json!({"kind": "Pod", "metadata": {"name": "a", "namespace": "n", "labels": {"x": "1"}},
                     "status": {"phase": "Failed", "podIP": "10.0.0.1"}});
    let paths = vec![
        vec!["metadata".to_string(), "name".to_string()],
        vec!["status".to_string(), "phase".to_string()],
        vec!["spec".to_string(), "nodeName".to_string()],
    ];
    assert_eq!(
        project(&pod, &paths),
        json!({"metadata": {"name": "a"}, "status": {"phase": "Failed"}})
    );
}

#[test]
fn summary_counts_kinds_phases_and_reasons() {
    let items = vec![
        json!({"kind": "Pod", "status": {"phase": "Running"}}),
        json!({"kind": "Pod", "status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}),
        json!({"kind": "Pod", "status": {"phase": "Failed", "reason": "Evicted"}}),
        json!({"kind": "Event", "reason": "BackOff"}),
    ];
    let s = summarize(&items);
    assert_eq!(s["total"], 4);
    assert_eq!(s["byKind"], json!({"Event": 1, "Pod": 3}));
    assert_eq!(
        s["byPhase"],
        json!({"Failed": 1, "Pending": 1, "Running": 1})
    );
    assert_eq!(
        s["byReason"],
        json!({"BackOff": 1, "Evicted": 1, "ImagePullBackOff": 1})
    );
}

#[test]
fn the_budget_cuts_at_a_line_end_and_says_so() {
    let text: String = (0..100).map(|i| format!("line {i:03}\n")).collect();
    assert_eq!(cap(text.clone(), text.len()), text);
    let cut = cap(text.clone(), 95);
    assert!(cut.starts_with("line 000\n"));
    let kept: Vec<&str> = cut.lines().filter(|l| l.starts_with("line")).collect();
    assert_eq!(kept.len(), 10, "{cut}");
    assert!(
        cut.contains("# Output cut at 90 of 900 bytes (10 of 100 lines shown)"),
        "{cut}"
    );
    assert!(cut.contains("limit with continue"));
    // Multi-byte text is never split inside a character.
    let wide = "é".repeat(100) + "\n" + &"é".repeat(100);
    assert!(cap(wide, 101).starts_with("# Output cut at 0 of"));
}

#[test]
fn continue_note_names_the_token_and_what_is_left() {
    let list = json!({"metadata": {"continue": "tok-1", "remainingItemCount": 7}});
    let (note, token) = continue_note(&list).unwrap();
    assert_eq!(token, "tok-1");
    assert_eq!(
        note,
        "# More items (7 more items): call again with continue=\"tok-1\" and the same limit"
    );
    assert!(continue_note(&json!({"metadata": {"continue": ""}})).is_none());
}
