//! The imported-payment contract (ADR 0025) on the real PostgreSQL: a new schema per test; the
//! races there prove one payment per reference under real concurrency.

mod support;

kasa_testkit::import_contract_tests!(support::fresh_postgres_store());
