//! The bank as one value (its store, books and open gate sessions) and its routes.

use std::sync::Arc;

use poem::http::uri::{PathAndQuery, Uri};
use poem::{Endpoint, EndpointExt as _, Request, Route, get, post};

use crate::config::Store;
use crate::gate::Sessions;
use crate::orders::Bank;
use crate::{api, controls, gate};

/// Everything the handlers share.
#[derive(Debug)]
pub struct Sandbox {
    /// The store it serves.
    pub store: Store,
    /// Its orders.
    pub bank: Bank,
    /// Customers between the gate and the end of 3-D Secure.
    pub sessions: Sessions,
}

impl Sandbox {
    /// A bank with empty books.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            bank: Bank::default(),
            sessions: Sessions::default(),
        }
    }
}

/// NestPay paths are matched ignoring case (`/fim/est3Dgate`, `/fim/est3dgate`, `/FIM/API`):
/// they are lowered before routing.
async fn lower_nestpay_paths(mut request: Request) -> poem::Result<Request> {
    let path = request.uri().path();
    if path.len() >= 5 && path[..5].eq_ignore_ascii_case("/fim/") {
        let lowered = match request.uri().query() {
            Some(query) => format!("{}?{query}", path.to_ascii_lowercase()),
            None => path.to_ascii_lowercase(),
        };
        let mut parts = request.uri().clone().into_parts();
        let invalid = |error: &dyn std::fmt::Display| {
            poem::Error::from_string(error.to_string(), poem::http::StatusCode::BAD_REQUEST)
        };
        parts.path_and_query = Some(PathAndQuery::try_from(lowered).map_err(|e| invalid(&e))?);
        *request.uri_mut() = Uri::from_parts(parts).map_err(|e| invalid(&e))?;
    }
    Ok(request)
}

/// Every route: NestPay's under `/fim/`, the test controls under `/sandbox/`, and the index.
pub fn routes(sandbox: Arc<Sandbox>) -> impl Endpoint {
    Route::new()
        .at("/", get(controls::index))
        .at("/fim/est3dgate", post(gate::gate))
        .at("/fim/hpp/:token", post(gate::card_submitted))
        .at("/fim/acs/:token", post(gate::authenticated))
        .at("/fim/api", post(api::api))
        .at("/sandbox/end-of-day", post(controls::end_of_day))
        .at("/sandbox/orders/:order_id", get(controls::order_state))
        .before(lower_nestpay_paths)
        .data(sandbox)
}
