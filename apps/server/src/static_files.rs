//! The pages' CSS and JavaScript: files under `apps/server/static/`, embedded in the binary and
//! served at `/static/<name>?v=<hash>` with a year's cache (a changed file has a new hash, so
//! browsers fetch it again). Pages name them with [`url`], so no page needs inline code.

use std::sync::OnceLock;

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Response, handler};
use sha2::{Digest, Sha256};

/// One embedded file.
struct StaticFile {
    name: &'static str,
    content_type: &'static str,
    content: &'static str,
}

const FILES: &[StaticFile] = &[
    StaticFile {
        name: "billing.css",
        content_type: "text/css; charset=utf-8",
        content: include_str!("../static/billing.css"),
    },
    StaticFile {
        name: "stripe-card.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_str!("../static/stripe-card.js"),
    },
    StaticFile {
        name: "console.css",
        content_type: "text/css; charset=utf-8",
        content: include_str!("../static/console.css"),
    },
    StaticFile {
        name: "bank-redirect.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_str!("../static/bank-redirect.js"),
    },
    StaticFile {
        name: "zendesk-app.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_str!("../static/zendesk-app.js"),
    },
];

/// The first 16 hex digits of each file's SHA-256, in the order of [`FILES`].
fn versions() -> &'static [String] {
    static VERSIONS: OnceLock<Vec<String>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        FILES
            .iter()
            .map(|file| hex::encode(&Sha256::digest(file.content.as_bytes())[..8]))
            .collect()
    })
}

/// The address of an embedded file, with its version; `name` must be one of the files.
pub fn url(name: &str) -> String {
    let version = FILES
        .iter()
        .position(|file| file.name == name)
        .and_then(|index| versions().get(index))
        .map_or("", String::as_str);
    format!("/static/{name}?v={version}")
}

/// `GET /static/<name>`.
#[handler]
pub fn serve(name: Path<String>) -> Response {
    match FILES.iter().find(|file| file.name == name.0) {
        Some(file) => Response::builder()
            .content_type(file.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(file.content),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("no such file"),
    }
}
