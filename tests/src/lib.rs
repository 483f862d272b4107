//! Harness for integration tests against real Redis processes.
