mod clients;
mod conformance;
mod support;
mod upstream;
