//! The committed CRDs are the ones the Rust types generate (regenerate with
//! `UPDATE_CRDS=1 cargo test -p provisioner --test provisioner operator::schema`), and they carry the
//! status subresource, the printer columns and a schema for every spec field.

use provisioner::operator::crd::crd_yaml;

const COMMITTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../charts/tenant-operator/crds/tenants.yaml"
);

#[test]
fn the_committed_crds_match_the_types() {
    let generated = crd_yaml().unwrap();
    if std::env::var_os("UPDATE_CRDS").is_some() {
        std::fs::write(COMMITTED, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap();
    assert!(
        committed == generated,
        "charts/tenant-operator/crds/tenants.yaml is stale: run UPDATE_CRDS=1 cargo test -p provisioner --test provisioner operator::schema"
    );
}

#[test]
fn the_tenant_crd_has_status_columns_and_field_schemas() {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&crd_yaml().unwrap()).unwrap();
    let tenant = docs
        .iter()
        .find(|d| d["spec"]["names"]["kind"] == "Tenant")
        .unwrap();
    assert_eq!(tenant["spec"]["scope"], "Cluster");
    let v = &tenant["spec"]["versions"][0];
    assert!(v["subresources"]["status"].is_object());
    let cols: Vec<&str> = v["additionalPrinterColumns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for c in ["Phase", "Ready", "Age"] {
        assert!(cols.contains(&c), "{cols:?}");
    }
    let spec = &v["schema"]["openAPIV3Schema"]["properties"]["spec"];
    for f in [
        "username",
        "guid",
        "profileRef",
        "identity",
        "gitea",
        "showroom",
        "deploy",
        "quota",
        "expiresAt",
    ] {
        assert!(spec["properties"][f].is_object(), "no schema for spec.{f}");
    }
    assert_eq!(
        spec["properties"]["gitea"]["properties"]["mode"]["enum"],
        serde_json::json!(["shared", "perTenant"])
    );
    let profile = docs
        .iter()
        .find(|d| d["spec"]["names"]["kind"] == "TenantProfile")
        .unwrap();
    assert_eq!(profile["spec"]["scope"], "Cluster");
}
