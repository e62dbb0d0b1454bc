//! Unit tests: release decoding in Helm's storage format, chart reference checks.

use std::io::Write;

use base64::Engine;
use serde_json::json;

use super::*;

/// A release Secret as Helm writes it: JSON, gzip, base64, then the Secret's own base64.
fn secret(rel: &Value) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(rel.to_string().as_bytes()).unwrap();
    let inner = b64.encode(gz.finish().unwrap());
    json!({"type": "helm.sh/release.v1", "data": {"release": b64.encode(inner)}})
}

#[test]
fn releases_decode_and_the_newest_revision_wins() {
    let r = |v: i64, status: &str| {
        json!({"name": "web", "namespace": "shop", "version": v,
        "info": {"status": status, "last_deployed": "2026-12-08T04:00:00Z"},
        "chart": {"metadata": {"name": "nginx", "version": "1.2.3", "appVersion": "1.27"}}})
    };
    let secrets = vec![secret(&r(1, "superseded")), secret(&r(2, "deployed"))];
    assert_eq!(decode(&secrets[0]).unwrap()["version"], 1);
    let newest = latest(&secrets);
    assert_eq!(newest.len(), 1);
    assert_eq!(
        simplify(&newest[0]),
        json!({"name": "web", "namespace": "shop", "revision": 2, "chart": "nginx",
               "chartVersion": "1.2.3", "appVersion": "1.27", "status": "deployed",
               "lastDeployed": "2026-12-08T04:00:00Z"})
    );
    let bad = json!({"type": "helm.sh/release.v1", "data": {"release": "!!"}});
    assert!(decode(&bad).unwrap_err().starts_with("data.release"));
}

#[test]
fn chart_references_from_places_a_caller_must_not_choose_are_refused() {
    for chart in [
        "http://example.com/c.tgz",
        "file:///etc",
        "/etc/charts/x",
        "../x",
        "./x",
    ] {
        assert!(check_chart(chart, &[]).is_err(), "{chart}");
    }
    for chart in [
        "bitnami/nginx",
        "oci://registry.example/charts/x",
        "https://charts.example/x-1.tgz",
    ] {
        assert!(check_chart(chart, &[]).is_ok(), "{chart}");
    }
    let allowed = vec![
        "oci://registry.example/".to_string(),
        "/srv/charts/".to_string(),
    ];
    assert!(check_chart("oci://registry.example/charts/x", &allowed).is_ok());
    assert!(check_chart("/srv/charts/web", &allowed).is_ok());
    assert!(check_chart("/srv/charts/../../etc", &allowed).is_err());
    let e = check_chart("bitnami/nginx", &allowed)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not under an allowed registry"), "{e}");
}
