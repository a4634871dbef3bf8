//! The coupon contract on SQLite: a new file per test.

mod support;

kasa_testkit::coupon_contract_tests!(support::fresh_sqlite_store());
