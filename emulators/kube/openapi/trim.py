#!/usr/bin/env python3
"""Re-creates the trimmed Kubernetes 1.33 OpenAPI v3 documents of this directory from a
local mirror (MIRRORS=<dir>) of kubernetes-sigs/kubectl-validate, whose
pkg/openapiclient/builtins/1.33/ holds unmodified copies of kubernetes/kubernetes
api/openapi-spec/v3/*.json at release-1.33. Trimming: only the group-versions the
emulator serves; only the paths of the resources (and subresources) it serves, without
the deprecated /watch/ paths; only the component schemas those paths reach. Every kept
path item and schema is byte-for-byte upstream JSON (re-indented)."""
import json, os, re, subprocess

MIRRORS = os.environ.get("MIRRORS", "/work/.mirror")
REPO = os.path.join(MIRRORS, "kubernetes-sigs+kubectl-validate", "repo")
SRC = "pkg/openapiclient/builtins/1.33"
HERE = os.path.dirname(os.path.abspath(__file__))

# group-version document -> {plural: [served subresources]}, as registry/resources.txt
SERVED = {
    "api/v1": {"namespaces": ["status"], "pods": ["status", "log", "exec"], "events": [],
               "services": ["status"], "configmaps": [], "secrets": [], "serviceaccounts": [],
               "resourcequotas": ["status"], "limitranges": [],
               "persistentvolumeclaims": ["status"], "nodes": ["status"]},
    "apis/events.k8s.io/v1": {"events": []},
    "apis/apps/v1": {p: ["status", "scale"] for p in ["deployments", "statefulsets", "replicasets"]} | {"daemonsets": ["status"]},
    "apis/batch/v1": {"jobs": ["status"], "cronjobs": ["status"]},
    "apis/networking.k8s.io/v1": {"ingresses": ["status"], "networkpolicies": []},
    "apis/rbac.authorization.k8s.io/v1": {p: [] for p in ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]},
    "apis/apiextensions.k8s.io/v1": {"customresourcedefinitions": ["status"]},
    "apis/authorization.k8s.io/v1": {"selfsubjectaccessreviews": []},
}


def refs(node, out):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            out.add(r.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def keep_path(gv, path, served):
    rest = path[len("/" + gv):].strip("/").split("/")
    if not rest or rest == [""] or rest[0] == "watch":
        return False
    if rest[0] == "namespaces" and len(rest) >= 3:
        rest = rest[2:]
    elif rest[0] == "namespaces" and "namespaces" not in served:
        return False
    plural, tail = rest[0], rest[1:]
    if plural not in served:
        return False
    return len(tail) <= 1 or (len(tail) == 2 and tail[1] in served[plural])


def main():
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    for gv, served in SERVED.items():
        doc = json.loads(subprocess.run(["git", "-C", REPO, "show", f"HEAD:{SRC}/{gv}.json"], check=True, capture_output=True, text=True).stdout)
        paths = {p: v for p, v in doc["paths"].items() if keep_path(gv, p, served)}
        need, todo = set(), set()
        refs(paths, todo)
        schemas = doc["components"]["schemas"]
        while todo:
            n = todo.pop()
            if n in need:
                continue
            need.add(n)
            refs(schemas[n], todo)
        doc["paths"] = paths
        doc["components"]["schemas"] = {k: v for k, v in schemas.items() if k in need}
        out = os.path.join(HERE, "k8s-1.33", gv.replace("/", "__") + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            json.dump(doc, f, separators=(",", ":"), sort_keys=True)
        print(f"{gv}\t{len(paths)} paths\t{len(need)} schemas\t{os.path.getsize(out)} bytes\tkubectl-validate@{commit}")


if __name__ == "__main__":
    main()
