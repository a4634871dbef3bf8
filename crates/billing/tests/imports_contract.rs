//! Imported payments (ADR 0025) over the in-memory store.

use std::sync::Arc;

use kasa_testkit::MemoryStore;

async fn fresh_memory_store() -> Option<(Arc<MemoryStore>, ())> {
    Some((Arc::new(MemoryStore::new()), ()))
}

kasa_testkit::import_contract_tests!(fresh_memory_store());
