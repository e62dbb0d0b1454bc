//! The provisioner tests' lab helpers, at the path the operator harness imports them from
//! (`crate::tenants::lab`).

#[allow(dead_code)]
#[path = "../tests/provisioner/tenants/lab.rs"]
pub(crate) mod lab;
