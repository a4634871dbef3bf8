//! Finance reports over a known history, on SQLite: a new file per test.

mod support;

kasa_testkit::report_contract_tests!(support::fresh_sqlite_store());
