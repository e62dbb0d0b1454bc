//! The one `tracing-subscriber` setup. The filter comes from `RUST_LOG` when set, else from
//! the binary's default; lines are text or JSON. Each binary states what differs:
//! the MCP servers and the provisioner write to stderr (stdout carries the stdio protocol or
//! the command's output), the agent writes to stdout without targets.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (default).
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Which stream logs go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// A logging setup: [`Logging::new`] with the default filter, then what differs, then
/// [`Logging::init`].
#[derive(Clone, Debug)]
pub struct Logging {
    default_filter: String,
    format: LogFormat,
    stream: Stream,
    target: bool,
    span_list: bool,
}

impl Logging {
    /// Text lines to stderr with targets; `default_filter` (an `EnvFilter` directive such as
    /// `info` or `mcp_openshift=debug,warn`) applies when `RUST_LOG` is unset or invalid.
    pub fn new(default_filter: impl Into<String>) -> Self {
        Self {
            default_filter: default_filter.into(),
            format: LogFormat::Text,
            stream: Stream::Stderr,
            target: true,
            span_list: true,
        }
    }

    /// Text or JSON lines.
    pub fn format(mut self, format: LogFormat) -> Self {
        self.format = format;
        self
    }

    /// JSON lines when `on` (each binary's `--log-json` flag), text lines otherwise.
    pub fn json(self, on: bool) -> Self {
        self.format(if on { LogFormat::Json } else { LogFormat::Text })
    }

    /// Write to stdout instead of stderr.
    pub fn stdout(mut self) -> Self {
        self.stream = Stream::Stdout;
        self
    }

    /// Leave out each event's target (module path).
    pub fn without_target(mut self) -> Self {
        self.target = false;
        self
    }

    /// JSON lines carry the current span only, not the list of all entered spans.
    pub fn without_span_list(mut self) -> Self {
        self.span_list = false;
        self
    }

    /// Installs the global subscriber (panics if one is already installed, as
    /// `tracing_subscriber`'s `init` does: call it once, from `main`).
    pub fn init(self) {
        let filter = EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(&self.default_filter));
        let writer = match self.stream {
            Stream::Stdout => BoxMakeWriter::new(std::io::stdout),
            Stream::Stderr => BoxMakeWriter::new(std::io::stderr),
        };
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .with_target(self.target);
        match self.format {
            LogFormat::Text => builder.init(),
            LogFormat::Json => builder
                .json()
                .with_current_span(true)
                .with_span_list(self.span_list)
                .init(),
        }
    }
}
