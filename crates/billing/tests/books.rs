//! `kasa verify`'s use case over the in-memory store: the books of a real history are whole.

use std::sync::Arc;

use kasa_testkit::MemoryStore;

#[tokio::test]
async fn a_real_history_has_whole_books() {
    kasa_testkit::contract::books::a_real_history_has_whole_books(Arc::new(MemoryStore::new()))
        .await;
}
