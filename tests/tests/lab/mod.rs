mod clients;
mod conformance;
mod faults;
mod scale;
mod support;
mod upstream;
