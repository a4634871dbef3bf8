//! Payment requests on every store: the contract (paid once under concurrent starts and
//! replayed callbacks; cancelled and expired requests never paid) on memory, SQLite and
//! PostgreSQL.

mod support;

use std::sync::Arc;

use kasa_testkit::MemoryStore;
use kasa_testkit::contract::payment_requests::{
    a_coupon_on_a_request_is_priced_when_asked_and_redeemed_when_paid,
    a_payment_request_is_paid_once_whatever_arrives_how_often,
    an_abandoned_payment_expires_and_frees_its_request_and_coupon,
    an_amount_request_is_paid_once_and_leaves_the_holding_alone,
    cancelled_and_expired_requests_cannot_be_paid,
    the_store_links_one_purchase_under_way_per_request,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_store_pays_a_request_once() {
    a_payment_request_is_paid_once_whatever_arrives_how_often(Arc::new(MemoryStore::new())).await;
    cancelled_and_expired_requests_cannot_be_paid(Arc::new(MemoryStore::new())).await;
    the_store_links_one_purchase_under_way_per_request(Arc::new(MemoryStore::new())).await;
    a_coupon_on_a_request_is_priced_when_asked_and_redeemed_when_paid(Arc::new(MemoryStore::new()))
        .await;
    an_abandoned_payment_expires_and_frees_its_request_and_coupon(Arc::new(MemoryStore::new()))
        .await;
    an_amount_request_is_paid_once_and_leaves_the_holding_alone(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_pays_a_request_once() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    a_payment_request_is_paid_once_whatever_arrives_how_often(store).await;
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    cancelled_and_expired_requests_cannot_be_paid(store).await;
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    the_store_links_one_purchase_under_way_per_request(store).await;
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    a_coupon_on_a_request_is_priced_when_asked_and_redeemed_when_paid(store).await;
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    an_abandoned_payment_expires_and_frees_its_request_and_coupon(store).await;
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    an_amount_request_is_paid_once_and_leaves_the_holding_alone(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_pays_a_request_once() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    a_payment_request_is_paid_once_whatever_arrives_how_often(store).await;
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    cancelled_and_expired_requests_cannot_be_paid(store).await;
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    the_store_links_one_purchase_under_way_per_request(store).await;
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    a_coupon_on_a_request_is_priced_when_asked_and_redeemed_when_paid(store).await;
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    an_abandoned_payment_expires_and_frees_its_request_and_coupon(store).await;
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    an_amount_request_is_paid_once_and_leaves_the_holding_alone(store).await;
}
