#!/usr/bin/env python3
"""Re-creates the vendored CRD files of this directory from local git mirrors of the
upstream repositories (MIRRORS=<dir> holding owner+name/repo clones), at the commits
recorded in SOURCES.md. Files are copied verbatim, except where TRIM names the only
versions kept (the lines of the other `versions` entries are cut out, the rest of the
text is untouched) and the Gitea operator's CRD (its kustomize patch applied)."""
import os, re, subprocess, sys
import yaml

MIRRORS = os.environ.get("MIRRORS", "/work/.mirror")
HERE = os.path.dirname(os.path.abspath(__file__))

# (directory, file name, repository, ref, path, versions kept or None for all)
FILES = [
    ("argo-cd", "applications.argoproj.io.yaml", "argoproj/argo-cd", "v3.1.16", "manifests/crds/application-crd.yaml", None),
    ("argo-cd", "appprojects.argoproj.io.yaml", "argoproj/argo-cd", "v3.1.16", "manifests/crds/appproject-crd.yaml", None),
    ("tekton", "pipelines.tekton.dev.yaml", "tektoncd/pipeline", "v1.6.6", "config/300-crds/300-pipeline.yaml", ["v1"]),
    ("tekton", "tasks.tekton.dev.yaml", "tektoncd/pipeline", "v1.6.6", "config/300-crds/300-task.yaml", ["v1"]),
    ("tekton", "pipelineruns.tekton.dev.yaml", "tektoncd/pipeline", "v1.6.6", "config/300-crds/300-pipelinerun.yaml", ["v1"]),
    ("tekton", "taskruns.tekton.dev.yaml", "tektoncd/pipeline", "v1.6.6", "config/300-crds/300-taskrun.yaml", ["v1"]),
    ("toolhive", "mcpservers.toolhive.stacklok.dev.yaml", "stacklok/toolhive", "v0.8.2", "deploy/charts/operator-crds/files/crds/toolhive.stacklok.dev_mcpservers.yaml", None),
    ("toolhive", "mcptoolconfigs.toolhive.stacklok.dev.yaml", "stacklok/toolhive", "v0.8.2", "deploy/charts/operator-crds/files/crds/toolhive.stacklok.dev_mcptoolconfigs.yaml", None),
    ("toolhive", "mcpregistries.toolhive.stacklok.dev.yaml", "stacklok/toolhive", "v0.8.2", "deploy/charts/operator-crds/files/crds/toolhive.stacklok.dev_mcpregistries.yaml", None),
    ("olm", "subscriptions.operators.coreos.com.yaml", "operator-framework/api", "v0.45.0", "crds/operators.coreos.com_subscriptions.yaml", None),
    ("olm", "operatorgroups.operators.coreos.com.yaml", "operator-framework/api", "v0.45.0", "crds/operators.coreos.com_operatorgroups.yaml", ["v1"]),
    ("keycloak", "keycloaks.k8s.keycloak.org.yaml", "keycloak/keycloak-k8s-resources", "26.0.0", "kubernetes/keycloaks.k8s.keycloak.org-v1.yml", None),
    ("keycloak", "keycloakrealmimports.k8s.keycloak.org.yaml", "keycloak/keycloak-k8s-resources", "26.0.0", "kubernetes/keycloakrealmimports.k8s.keycloak.org-v1.yml", None),
    ("cloudnative-pg", "clusters.postgresql.cnpg.io.yaml", "cloudnative-pg/cloudnative-pg", "v1.30.0", "config/crd/bases/postgresql.cnpg.io_clusters.yaml", None),
    ("prometheus-operator", "servicemonitors.monitoring.coreos.com.yaml", "prometheus-operator/prometheus-operator", "v0.93.0", "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml", None),
    ("openshift", "routes.route.openshift.io.yaml", "openshift/api", "HEAD", "route/v1/zz_generated.crd-manifests/routes.crd.yaml", None),
    ("openshift", "securitycontextconstraints.security.openshift.io.yaml", "openshift/api", "HEAD", "security/v1/zz_generated.crd-manifests/0000_03_config-operator_01_securitycontextconstraints.crd.yaml", None),
    ("openshift", "oauths.config.openshift.io.yaml", "openshift/api", "HEAD", "config/v1/zz_generated.crd-manifests/0000_10_config-operator_01_oauths.crd.yaml", None),
    ("openshift", "ingresses.config.openshift.io.yaml", "openshift/api", "HEAD", "config/v1/zz_generated.crd-manifests/0000_10_config-operator_01_ingresses-Default.crd.yaml", None),
    ("openshift", "clusteroperators.config.openshift.io.yaml", "openshift/api", "HEAD", "config/v1/zz_generated.crd-manifests/0000_00_cluster-version-operator_01_clusteroperators.crd.yaml", None),
    ("openshift", "ingresscontrollers.operator.openshift.io.yaml", "openshift/api", "HEAD", "operator/v1/zz_generated.crd-manifests/0000_50_ingress_00_ingresscontrollers-Default.crd.yaml", None),
]
GITEA = ("gitea-operator", "gitea.pfe.rhpds.com.yaml", "rhpds/gitea-operator", "v2.1.0",
         "config/crd/bases/pfe.rhpds.com_gitea.yaml", "config/crd/patches/crd_openapi.yaml")


def git(repo, *args):
    d = os.path.join(MIRRORS, repo.replace("/", "+"), "repo")
    return subprocess.run(["git", "-C", d, *args], check=True, capture_output=True, text=True).stdout


def keep_versions(text, keep):
    """Cuts the `versions` entries not in `keep`, by their lines."""
    lines = text.splitlines(keepends=True)
    out, skipping, indent = [], False, None
    for line in lines:
        m = re.match(r"^(\s*)- name: (\S+)\s*$", line)
        if m and (indent is None or len(m.group(1)) == indent):
            in_versions = any(re.match(r"^\s*versions:\s*$", l) for l in out[-400:]) or indent is not None
            if in_versions:
                indent = len(m.group(1))
                skipping = m.group(2) not in keep
        elif indent is not None and line.strip() and (len(line) - len(line.lstrip())) <= indent and not line.lstrip().startswith("- "):
            skipping = False
            indent = None
        if not skipping:
            out.append(line)
    return "".join(out)


def main():
    for d, name, repo, ref, path, keep in FILES:
        commit = git(repo, "rev-parse", ref + "^{commit}").strip()
        text = git(repo, "show", f"{commit}:{path}")
        if keep:
            text = keep_versions(text, keep)
            served = [v["name"] for v in yaml.safe_load(text)["spec"]["versions"]]
            assert served == keep, (name, served)
        os.makedirs(os.path.join(HERE, d), exist_ok=True)
        with open(os.path.join(HERE, d, name), "w") as f:
            f.write(text)
        print(f"{d}/{name}\t{repo}\t{ref}\t{commit}\t{path}\t{','.join(keep) if keep else 'all'}")
    d, name, repo, ref, base, patch = GITEA
    commit = git(repo, "rev-parse", ref + "^{commit}").strip()
    crd = yaml.safe_load(git(repo, "show", f"{commit}:{base}"))
    crd["spec"]["versions"] = yaml.safe_load(git(repo, "show", f"{commit}:{patch}"))["spec"]["versions"]
    os.makedirs(os.path.join(HERE, d), exist_ok=True)
    with open(os.path.join(HERE, d, name), "w") as f:
        f.write(f"# {base} with {patch} applied (kustomize config/crd), {repo}@{commit}\n")
        yaml.safe_dump(crd, f, sort_keys=False)
    print(f"{d}/{name}\t{repo}\t{ref}\t{commit}\t{base} + {patch}\tall")


if __name__ == "__main__":
    sys.exit(main())
