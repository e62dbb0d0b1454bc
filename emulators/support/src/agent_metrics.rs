//! Reading the agent's Prometheus text (`GET /metrics`) in tests.

/// Tools with a call that reached an MCP server (outcome `ok` or `tool_error`, count above
/// zero), from the `agent_tool_calls_total` series.
pub fn tools_reached(metrics: &str) -> Vec<String> {
    metrics
        .lines()
        .filter(|l| l.starts_with("agent_tool_calls_total{"))
        .filter(|l| l.contains("outcome=\"ok\"") || l.contains("outcome=\"tool_error\""))
        .filter(|l| !l.trim_end().ends_with(" 0"))
        .filter_map(|l| {
            l.split("tool=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(String::from)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::tools_reached;

    #[test]
    fn only_calls_that_reached_a_server_count() {
        let metrics = "# TYPE agent_tool_calls_total counter\n\
            agent_tool_calls_total{tool=\"pods_log\",outcome=\"ok\"} 2\n\
            agent_tool_calls_total{tool=\"issue_write\",outcome=\"tool_error\"} 1\n\
            agent_tool_calls_total{tool=\"label_read\",outcome=\"ok\"} 0\n\
            agent_tool_calls_total{tool=\"pods_get\",outcome=\"invalid_arguments\"} 3\n";
        assert_eq!(tools_reached(metrics), ["pods_log", "issue_write"]);
    }
}
