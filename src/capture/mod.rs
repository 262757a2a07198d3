//! Capture's I/O: fetching a posting's page when the operator allows it.
//! What a page says is read by the pure `domain::capture`.

pub mod fetch;
