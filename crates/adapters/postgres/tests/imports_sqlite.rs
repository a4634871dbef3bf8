//! The imported-payment contract (ADR 0025) on SQLite: a new file per test.

mod support;

kasa_testkit::import_contract_tests!(support::fresh_sqlite_store());
