//! Placeholder; see the testbed issue.
