//! Finance reports over a known history, on the real PostgreSQL: a new schema per test.

mod support;

kasa_testkit::report_contract_tests!(support::fresh_postgres_store());
