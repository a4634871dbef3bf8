//! The coupon contract on the real PostgreSQL: a new schema per test.

mod support;

kasa_testkit::coupon_contract_tests!(support::fresh_postgres_store());
