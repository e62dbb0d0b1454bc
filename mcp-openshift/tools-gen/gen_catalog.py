"""Builds src/catalog/tools.json: upstream names/schemas/annotations with OUR descriptions.

Run from the crate dir: python3 tools-gen/gen_catalog.py <upstream-all-toolsets.json>
Every description below is written for this project; the script fails if one is missing.
"""
import json, sys

FS_POD = "Field selector on pod fields, e.g. 'status.phase=Failed' or 'spec.nodeName=worker-0'. Usable fields: metadata.name, metadata.namespace, spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName, status.phase (Pending, Running, Succeeded, Failed, Unknown), status.podIP, status.nominatedNodeName. CrashLoopBackOff is a container state, not a phase, so it cannot be selected here."
LS_POD = "Label selector such as 'app=web,tier!=cache' or 'app in (web,api)' to keep only matching pods"
D = {
 "helm_install": "Install a Helm chart as a new release (runs the pinned helm binary the server is configured with; waits up to 5 minutes for the release's objects) and return the release.",
 "helm_install.chart": "Chart to install: a repository chart such as 'bitnami/nginx', or an https:// or oci:// reference (plain http:// and local files are refused)",
 "helm_install.name": "Release name (Helm generates one when omitted)",
 "helm_install.namespace": "Namespace to install into (the default namespace when omitted)",
 "helm_install.values": "Values for the chart, as an object (like a values file)",
 "helm_list": "List the Helm releases of a namespace, or of all namespaces, from Helm's own release records (what 'helm list' shows).",
 "helm_list.all_namespaces": "true: list the releases of every namespace (namespace is then ignored)",
 "helm_list.namespace": "Namespace whose releases to list (the default namespace when omitted)",
 "helm_uninstall": "Uninstall a Helm release: delete the objects of its manifest (keeping those annotated helm.sh/resource-policy: keep) and its release records.",
 "helm_uninstall.name": "Release to uninstall",
 "helm_uninstall.namespace": "Namespace of the release (the default namespace when omitted)",
 "configuration_contexts_list": "List the kubeconfig contexts this server can reach, with their API server URLs and the default one; pass a name as the context parameter of another tool.",
 "configuration_view": "Show the kubeconfig this server uses, as YAML. Credentials (tokens, passwords, client keys) are replaced by REDACTED.",
 "configuration_view.minified": "true (the default): only the current context with its cluster and user; false: every context, cluster and user.",
 "events_list": "List Kubernetes events (warnings, failures, state changes) to troubleshoot workloads, in one namespace or in all namespaces.",
 "events_list.namespace": "Namespace whose events to list (all namespaces when omitted)",
 "events_list.fieldSelector": "Field selector on event fields, e.g. 'type=Warning' or 'involvedObject.name=web-0'. Usable fields: involvedObject.kind, involvedObject.name, involvedObject.namespace, involvedObject.uid, involvedObject.apiVersion, involvedObject.resourceVersion, involvedObject.fieldPath, reason, reportingComponent, source, type.",
 "namespaces_list": "List the namespaces of the cluster.",
 "namespaces_list.fieldSelector": "Field selector on namespace fields, e.g. 'metadata.name=default' or 'status.phase=Active' (usable fields: metadata.name, status.phase)",
 "projects_list": "List the OpenShift projects the caller can see.",
 "nodes_log": "Read a log from a node through the API server's node proxy, e.g. the kubelet journal or a file under /var/log.",
 "nodes_log.name": "Node to read the log from",
 "nodes_log.query": "Service or file to read (required): 'kubelet' for the kubelet journal, or a path such as '/var/log/kube-proxy.log'",
 "nodes_log.tailLines": "How many lines to return from the end of the log (0 returns the whole log)",
 "nodes_stats_summary": "Return the kubelet Summary API of a node (CPU, memory, network, filesystem and pressure statistics for the node and its pods) as JSON.",
 "nodes_stats_summary.name": "Node to read statistics from",
 "nodes_top": "Show CPU and memory usage of nodes from the metrics API (metrics-server).",
 "nodes_top.name": "Only this node (all nodes when omitted)",
 "nodes_top.label_selector": "Label selector to pick nodes, e.g. 'node-role.kubernetes.io/worker=' (ignored when name is given)",
 "pods_delete": "Delete a pod; a pod started by pods_run also loses the Service and Route created with it.",
 "pods_delete.name": "Pod to delete",
 "pods_delete.namespace": "Namespace of the pod",
 "pods_exec": "Run a command in a pod container (argv form, no shell) and return its output.",
 "pods_exec.name": "Pod to run the command in",
 "pods_exec.namespace": "Namespace of the pod",
 "pods_exec.container": "Container to run the command in (the pod's default container when omitted)",
 "pods_exec.command": "Command and arguments as separate items, e.g. [\"cat\", \"/etc/os-release\"]",
 "pods_get": "Return one pod as YAML.",
 "pods_get.name": "Pod name",
 "pods_get.namespace": "Namespace of the pod",
 "pods_list": "List pods in every namespace as a table (name, readiness, status, restarts, age, node, labels).",
 "pods_list.fieldSelector": FS_POD,
 "pods_list.labelSelector": LS_POD,
 "pods_list_in_namespace": "List the pods of one namespace as a table (name, readiness, status, restarts, age, node, labels).",
 "pods_list_in_namespace.namespace": "Namespace whose pods to list",
 "pods_list_in_namespace.fieldSelector": FS_POD,
 "pods_list_in_namespace.labelSelector": LS_POD,
 "pods_log": "Read the log of a pod container. With several containers and none named, the default-container annotation decides, otherwise the answer lists the containers to choose from. Extra optional parameters: tailLines (same as tail), sinceSeconds, limitBytes and grep (regular expression; matching lines are kept with some context). Long output keeps its end and says what was cut.",
 "pods_log.name": "Pod whose log to read",
 "pods_log.namespace": "Namespace of the pod",
 "pods_log.container": "Container to read (see the tool description for the default)",
 "pods_log.previous": "Read the log of the previous, terminated instance of the container",
 "pods_log.tail": "How many lines to return from the end of the log (100 when omitted or 0)",
 "pods_run": "Start a pod from a container image, optionally exposing a port through a Service (and a Route on OpenShift).",
 "pods_run.image": "Container image to run",
 "pods_run.name": "Pod name (a random name when omitted)",
 "pods_run.namespace": "Namespace to start the pod in",
 "pods_run.port": "TCP port of the container to expose (nothing is exposed when omitted)",
 "pods_top": "Show CPU and memory usage of pods and their containers from the metrics API (metrics-server).",
 "pods_top.all_namespaces": "true: pods of all namespaces; false: pods of the given or the current namespace",
 "pods_top.namespace": "Namespace of the pods (used when all_namespaces is false)",
 "pods_top.name": "Only this pod (all pods of the namespace when omitted)",
 "pods_top.label_selector": "Label selector to pick pods, e.g. 'app=web' (ignored when name is given)",
 "resources_create_or_update": "Create or update resources with server-side apply. The manifest is the whole desired state: fields this tool applied earlier and now left out are removed, so read the object with resources_get, change it and apply the full result. Several documents separated by '---' are applied in order.\n(common apiVersion and kind include: v1 Pod, v1 Service, v1 Node, apps/v1 Deployment, networking.k8s.io/v1 Ingress, route.openshift.io/v1 Route)",
 "resources_create_or_update.resource": "Full YAML or JSON manifest (apiVersion, kind, metadata, spec); not a partial patch",
 "resources_delete": "Delete one Kubernetes resource of any kind.\n(common apiVersion and kind include: v1 Pod, v1 Service, v1 Node, apps/v1 Deployment, networking.k8s.io/v1 Ingress, route.openshift.io/v1 Route)",
 "resources_delete.apiVersion": "API version of the resource, e.g. v1, apps/v1, networking.k8s.io/v1",
 "resources_delete.kind": "Kind of the resource, e.g. Pod, Service, Deployment, Ingress",
 "resources_delete.name": "Resource name",
 "resources_delete.namespace": "Namespace of a namespaced resource (the configured namespace when omitted; ignored for cluster-scoped kinds)",
 "resources_delete.gracePeriodSeconds": "Seconds to wait before the object is removed (0 removes it at once; the kind's default when omitted)",
 "resources_get": "Return one Kubernetes resource of any kind as YAML.\n(common apiVersion and kind include: v1 Pod, v1 Service, v1 Node, apps/v1 Deployment, networking.k8s.io/v1 Ingress, route.openshift.io/v1 Route)",
 "resources_get.apiVersion": "API version of the resource, e.g. v1, apps/v1, networking.k8s.io/v1",
 "resources_get.kind": "Kind of the resource, e.g. Pod, Service, Deployment, Ingress",
 "resources_get.name": "Resource name",
 "resources_get.namespace": "Namespace of a namespaced resource (the configured namespace when omitted; ignored for cluster-scoped kinds)",
 "resources_list": "List Kubernetes resources of any kind, in one namespace or all of them.\n(common apiVersion and kind include: v1 Pod, v1 Service, v1 Node, apps/v1 Deployment, networking.k8s.io/v1 Ingress, route.openshift.io/v1 Route)",
 "resources_list.apiVersion": "API version of the resources, e.g. v1, apps/v1, networking.k8s.io/v1",
 "resources_list.kind": "Kind of the resources, e.g. Pod, Service, Deployment, Ingress",
 "resources_list.namespace": "Namespace to list from (all namespaces when omitted; ignored for cluster-scoped kinds)",
 "resources_list.fieldSelector": "Field selector, e.g. 'metadata.name=web' or for pods 'status.phase=Running'; which fields work depends on the kind (pods: metadata.name, metadata.namespace, spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName, status.phase, status.podIP, status.nominatedNodeName)",
 "resources_list.labelSelector": "Label selector such as 'app=web,tier!=cache' or 'app in (web,api)'",
 "resources_scale": "Read the replica count of a scalable resource (Deployment, StatefulSet, ...) or change it when scale is given; returns the current scale.\n(common apiVersion and kind include: v1 Pod, v1 Service, v1 Node, apps/v1 Deployment, networking.k8s.io/v1 Ingress, route.openshift.io/v1 Route)",
 "resources_scale.apiVersion": "API version of the resource, e.g. apps/v1",
 "resources_scale.kind": "Kind of the resource, e.g. Deployment, StatefulSet",
 "resources_scale.name": "Resource name",
 "resources_scale.namespace": "Namespace of the resource (the configured namespace when omitted)",
 "resources_scale.scale": "New replica count; when omitted the current scale is only read",
 "tekton_pipeline_start": "Start a Tekton Pipeline by creating a PipelineRun for it.",
 "tekton_pipeline_start.name": "Pipeline to start",
 "tekton_pipeline_start.namespace": "Namespace of the Pipeline",
 "tekton_pipeline_start.params": "Pipeline parameter values by name: a string, a list of strings or a string map, matching the parameter's type",
 "tekton_pipelinerun_lifecycle": "Restart a PipelineRun (a new run with the same spec) or cancel it.",
 "tekton_pipelinerun_lifecycle.action": "'restart' starts a copy of the run; 'cancel' marks the run Cancelled",
 "tekton_pipelinerun_lifecycle.name": "PipelineRun to act on",
 "tekton_pipelinerun_lifecycle.namespace": "Namespace of the PipelineRun",
 "tekton_pipelinerun_logs": "Read the step logs of every TaskRun of a PipelineRun, optionally only one pipeline task or one step.",
 "tekton_pipelinerun_logs.name": "PipelineRun whose logs to read",
 "tekton_pipelinerun_logs.namespace": "Namespace of the PipelineRun",
 "tekton_pipelinerun_logs.task": "Only TaskRuns of this pipeline task (label tekton.dev/pipelineTask)",
 "tekton_pipelinerun_logs.step": "Only this step of each TaskRun",
 "tekton_pipelinerun_logs.tail": "How many lines to return from the end of each step log",
 "tekton_task_start": "Start a Tekton Task by creating a TaskRun for it.",
 "tekton_task_start.name": "Task to start",
 "tekton_task_start.namespace": "Namespace of the Task",
 "tekton_task_start.params": "Task parameter values by name: a string, a list of strings or a string map, matching the parameter's type",
 "tekton_taskrun_logs": "Read the step logs of a TaskRun (all steps and sidecars, or one step).",
 "tekton_taskrun_logs.name": "TaskRun whose logs to read",
 "tekton_taskrun_logs.namespace": "Namespace of the TaskRun",
 "tekton_taskrun_logs.step": "Only this step (all steps and sidecars when omitted)",
 "tekton_taskrun_logs.tail": "How many lines to return from the end of each step log",
 "tekton_taskrun_restart": "Run a TaskRun again by creating a new TaskRun with the same spec.",
 "tekton_taskrun_restart.name": "TaskRun to run again",
 "tekton_taskrun_restart.namespace": "Namespace of the TaskRun",
}
TOOLSET = {"configuration_view": "config"}
# The list tools that take our paging, projection and summary arguments.
LIST_TOOLS = ("resources_list", "pods_list", "pods_list_in_namespace", "events_list", "namespaces_list")
data = json.load(open(sys.argv[1]))
out = []
for t in data["result"]["tools"]:
    n = t["name"]
    if n.startswith("tekton_"): ts = "tekton"
    elif n in TOOLSET: ts = TOOLSET[n]
    elif n in ("events_list","namespaces_list","projects_list") or n.startswith(("pods_","nodes_","resources_")): ts = "core"
    elif n.startswith("helm_"): ts = "helm"
    else: continue
    t = json.loads(json.dumps(t))
    t["description"] = D[n]
    for p, s in t["inputSchema"].get("properties", {}).items():
        s["description"] = D[n + "." + p]
    if n == "pods_log":
        props = t["inputSchema"]["properties"]
        props["sinceSeconds"] = {"type": "integer", "minimum": 1, "description": "Only lines written in the last N seconds (extension)"}
        props["limitBytes"] = {"type": "integer", "minimum": 1, "description": "Read at most this many bytes of log from the API server (extension)"}
        props["grep"] = {"type": "string", "description": "Regular expression; keep only matching lines plus two lines of context around each (extension)"}
    if n in LIST_TOOLS:
        props = t["inputSchema"].setdefault("properties", {})
        props["limit"] = {"type": "integer", "minimum": 1, "maximum": 5000, "description": "Page size: return at most this many items, with a continue token when there are more (extension)"}
        props["continue"] = {"type": "string", "description": "The continue token of the previous page, to read the next one with the same limit (extension)"}
        props["fields"] = {"type": "array", "items": {"type": "string"}, "description": "Keep only these dotted field paths of each item, e.g. [\"metadata.name\", \"status.phase\"]; the answer is YAML (extension)"}
        props["summary"] = {"type": "boolean", "description": "Return counts by kind, phase and reason instead of the items (extension)"}
    t["toolset"] = ts
    out.append(t)
# Upstream registers this one only with several kubeconfig contexts (our catalog does too).
out.append({"name": "configuration_contexts_list", "title": "Configuration: Contexts List",
            "description": D["configuration_contexts_list"],
            "inputSchema": {"type": "object", "properties": {}},
            "annotations": {"title": "Configuration: Contexts List", "readOnlyHint": True,
                            "destructiveHint": False, "idempotentHint": True, "openWorldHint": False},
            "toolset": "config"})
out.sort(key=lambda t: t["name"])
missing = set(D) - {t["name"] for t in out} - {t["name"] + "." + p for t in out for p in t["inputSchema"].get("properties", {})}
assert not missing, missing
json.dump(out, open("src/catalog/tools.json", "w"), indent=1)
print(len(out), "tools")
