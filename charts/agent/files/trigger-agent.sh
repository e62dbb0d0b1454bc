#!/bin/sh
# The `trigger-agent` finally task of the `build-agent` pipeline: when the run failed,
# find the pod of the failed task and its failed container, and POST a failure report to
# the tenant's agent. Kept as a plain file (rendered into the Pipeline with .Files.Get)
# so tests can run exactly this script against an emulated cluster and agent.
#
# Inputs (environment):
#   AGGREGATE_STATUS   $(tasks.status) of the run: Succeeded, Failed, Completed or None
#   NAMESPACE          namespace of the PipelineRun
#   PIPELINE_RUN       name of the PipelineRun
#   PIPELINE_RUN_UID   uid of the PipelineRun (the agent's idempotency key)
#   AGENT_ENDPOINT     URL of the agent's /report-failure
#   REPORT_TIMEOUT     curl --max-time in seconds (default 300)
#   KUBECTL            the cluster CLI (default oc)
set -eu

KUBECTL="${KUBECTL:-oc}"
REPORT_TIMEOUT="${REPORT_TIMEOUT:-300}"
: "${AGGREGATE_STATUS:?AGGREGATE_STATUS is required}"
: "${NAMESPACE:?NAMESPACE is required}"
: "${PIPELINE_RUN:?PIPELINE_RUN is required}"
: "${PIPELINE_RUN_UID:?PIPELINE_RUN_UID is required}"
: "${AGENT_ENDPOINT:?AGENT_ENDPOINT is required}"

if [ "$AGGREGATE_STATUS" != "Failed" ]; then
  echo "Pipeline run $PIPELINE_RUN ended with status $AGGREGATE_STATUS: nothing to report."
  exit 0
fi
echo "Looks like your pipeline failed: asking the agent to analyse run $PIPELINE_RUN."

# Names go into JSON unescaped, so accept only what Kubernetes names and uids consist of.
safe() {
  case "$1" in
    "" | *[!a-z0-9.-]*) echo "refusing unexpected value '$1'" >&2; exit 2 ;;
  esac
}
safe "$NAMESPACE"
safe "$PIPELINE_RUN"
safe "$PIPELINE_RUN_UID"

# The latest-started failed pod of this run (retries make ...-pod-retryN), never our own.
pods=$("$KUBECTL" get pods -n "$NAMESPACE" -l "tekton.dev/pipelineRun=$PIPELINE_RUN" \
  --field-selector=status.phase=Failed --sort-by=.status.startTime \
  -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
pod=$(printf '%s\n' "$pods" | grep -v 'trigger-agent' | sed '/^$/d' | tail -n 1 || true)

body="{\"namespace\":\"$NAMESPACE\",\"pipeline_run\":\"$PIPELINE_RUN\",\"pipeline_run_uid\":\"$PIPELINE_RUN_UID\""
if [ -n "$pod" ]; then
  safe "$pod"
  # The first container that terminated with a non-zero exit code; step-build otherwise.
  container=$("$KUBECTL" get pod "$pod" -n "$NAMESPACE" \
    -o jsonpath='{range .status.containerStatuses[*]}{.name}{" "}{.state.terminated.exitCode}{"\n"}{end}' |
    awk '$2 != "" && $2 != "0" { print $1; exit }')
  container="${container:-step-build}"
  safe "$container"
  echo "Failed pod: $pod (container $container)"
  body="$body,\"pod_name\":\"$pod\",\"container_name\":\"$container\""
else
  echo "No failed pod found for run $PIPELINE_RUN; the agent will resolve it from the run."
fi
body="$body}"

echo "POST $AGENT_ENDPOINT $body"
if response=$(curl -sS --fail-with-body --max-time "$REPORT_TIMEOUT" \
  -H 'Content-Type: application/json' -X POST --data "$body" "$AGENT_ENDPOINT"); then
  echo "Agent answered: $response"
else
  rc=$?
  echo "Agent call failed (curl exit $rc): $response"
  exit "$rc"
fi
