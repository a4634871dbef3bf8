//! The black-box tests of the whole system: they live under `tests/tests/` and look at Kasa
//! only from the outside, through the real binaries, their HTTP API and the workspace's own
//! `cargo metadata` (the layering check that keeps the crates to the table in ARCHITECTURE.md).
//! This library holds nothing but the helpers those tests share.
