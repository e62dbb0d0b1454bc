mod clients;
mod conformance;
mod scale;
mod support;
mod upstream;
