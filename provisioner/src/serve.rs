//! `provisioner serve`: placeholder until the HTTP front end lands.

use crate::error::{Error, Result};
use crate::plan::Provisioner;

/// Serves the tenant API on `listen` with `workers` concurrent operations.
pub async fn run(_p: Provisioner, _listen: &str, _workers: usize) -> Result<()> {
    Err(Error::invalid("serve", "not implemented yet"))
}
