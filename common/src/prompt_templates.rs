//! Operators' own MCP prompts, the same in every server: the `[[prompts]]` entries (name,
//! title, description, arguments, messages with `{{argument}}` placeholders), their checks
//! when the configuration is loaded, and filling one in for `prompts/get`.

use serde::Deserialize;

/// An operator's prompt, as written in a config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptConfig {
    /// The prompt's name.
    pub name: String,
    /// A short title.
    #[serde(default)]
    pub title: Option<String>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Its arguments.
    #[serde(default)]
    pub arguments: Vec<ArgumentConfig>,
    /// The messages, with `{{argument}}` placeholders.
    pub messages: Vec<MessageConfig>,
}

/// One argument of an operator's prompt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgumentConfig {
    /// The argument's name.
    pub name: String,
    /// What to pass.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether `prompts/get` must carry it.
    #[serde(default)]
    pub required: bool,
}

/// One message of an operator's prompt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageConfig {
    /// `user` or `assistant`.
    pub role: String,
    /// The text, with `{{argument}}` placeholders.
    pub content: String,
}

/// Who speaks a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The user.
    User,
    /// The assistant.
    Assistant,
}

impl Speaker {
    /// `user` or `assistant`.
    pub fn parse(role: &str) -> Option<Self> {
        match role {
            "user" => Some(Self::User),
            "assistant" => Some(Self::Assistant),
            _ => None,
        }
    }
}

/// Check operator prompts: non-empty unique names, messages, known roles. The error names
/// the prompt and what is wrong.
pub fn validate(prompts: &[PromptConfig]) -> Result<(), String> {
    for (i, p) in prompts.iter().enumerate() {
        if p.name.trim().is_empty() {
            return Err(format!("entry {i} has an empty name"));
        }
        if prompts[..i].iter().any(|q| q.name == p.name) {
            return Err(format!("{:?} is defined twice", p.name));
        }
        if p.messages.is_empty() {
            return Err(format!("{:?} has no messages", p.name));
        }
        if let Some(m) = p
            .messages
            .iter()
            .find(|m| Speaker::parse(&m.role).is_none())
        {
            return Err(format!(
                "{:?}: role {:?} must be user or assistant",
                p.name, m.role
            ));
        }
    }
    Ok(())
}

/// The messages of `prompt` with each `{{argument}}` replaced by its value (`arg` looks a
/// value up); a required argument without a value is named in the error.
pub fn fill<'a>(
    prompt: &PromptConfig,
    arg: impl Fn(&str) -> Option<&'a str>,
) -> Result<Vec<(Speaker, String)>, String> {
    if let Some(a) = prompt
        .arguments
        .iter()
        .find(|a| a.required && arg(&a.name).is_none_or(str::is_empty))
    {
        return Err(format!("argument {:?} is required", a.name));
    }
    Ok(prompt
        .messages
        .iter()
        .map(|m| {
            let mut text = m.content.clone();
            for a in &prompt.arguments {
                text = text.replace(&format!("{{{{{}}}}}", a.name), arg(&a.name).unwrap_or(""));
            }
            (Speaker::parse(&m.role).unwrap_or(Speaker::User), text)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt() -> PromptConfig {
        PromptConfig {
            name: "p".into(),
            title: None,
            description: None,
            arguments: vec![ArgumentConfig {
                name: "who".into(),
                description: None,
                required: true,
            }],
            messages: vec![MessageConfig {
                role: "user".into(),
                content: "Hello {{who}}, {{who}}!".into(),
            }],
        }
    }

    #[test]
    fn placeholders_are_filled_and_required_arguments_named() {
        let p = prompt();
        let filled = fill(&p, |n| (n == "who").then_some("Ada")).unwrap();
        assert_eq!(filled, vec![(Speaker::User, "Hello Ada, Ada!".to_string())]);
        assert_eq!(
            fill(&p, |_| None).unwrap_err(),
            "argument \"who\" is required"
        );
    }

    #[test]
    fn bad_prompts_are_named() {
        let mut twice = vec![prompt(), prompt()];
        assert!(validate(&twice).unwrap_err().contains("defined twice"));
        twice.pop();
        twice[0].messages[0].role = "system".into();
        assert!(
            validate(&twice)
                .unwrap_err()
                .contains("must be user or assistant")
        );
        twice[0].messages.clear();
        assert!(validate(&twice).unwrap_err().contains("has no messages"));
    }
}
