mod clients;
mod conformance;
mod support;
