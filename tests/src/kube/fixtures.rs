//! Fixtures (placeholder, filled in next).

/// Container state of a fixture pod.
#[derive(Debug, Clone)]
pub enum ContainerState {
    /// Running.
    Running,
}

/// A pod fixture.
#[derive(Debug, Clone)]
pub struct PodFixture;

/// The lab scenario.
#[derive(Debug, Clone)]
pub struct LabScenario;
