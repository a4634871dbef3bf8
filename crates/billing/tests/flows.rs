//! The store contract over the in-memory store: the use cases' flows and the store ports.

use std::sync::Arc;

use kasa_testkit::MemoryStore;

async fn fresh_memory_store() -> Option<(Arc<MemoryStore>, ())> {
    Some((Arc::new(MemoryStore::new()), ()))
}

kasa_testkit::store_contract_tests!(fresh_memory_store());
