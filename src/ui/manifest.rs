//! The web app manifest (`/manifest.webmanifest`): a phone adds the portal to its home screen
//! under the ASL's name, with the favicon and the header's colours.

use crate::app::App;
use crate::http::resp::{self, Resp};
use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde_json::json;

pub const PATH: &str = "/manifest.webmanifest";
/// `--primary-dark`: the slim bar at the top of every page (the browser's bar matches it).
pub const THEME: &str = "#004d99";
/// `--bg`: the splash screen while the first page loads.
pub const BACKGROUND: &str = "#f2f4f7";

pub fn body(app: &App) -> serde_json::Value {
    let asl = &app.config.asl;
    let png = |src: &str, sizes: &str, purpose: &str| json!({ "src": src, "sizes": sizes, "type": "image/png", "purpose": purpose });
    json!({
        "id": "/",
        "name": asl.name,
        "short_name": asl.short_name(),
        "description": "Ritiro online di referti, immagini e cartella clinica",
        "lang": "it",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            { "src": "/assets/img/favicon.svg", "sizes": "any", "type": "image/svg+xml" },
            png("/assets/img/icon-192.png", "192x192", "any"),
            png("/assets/img/icon-512.png", "512x512", "any"),
            png("/assets/img/icon-maskable-512.png", "512x512", "maskable"),
        ],
    })
}

/// Served to anyone (no session): the name may change with the configuration, so it is
/// revalidated daily like the other unversioned assets.
pub fn serve(app: &App) -> Resp {
    let mut r = resp::with_type(
        StatusCode::OK,
        "application/manifest+json",
        body(app).to_string(),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

#[cfg(test)]
mod tests {
    /// The colours are the stylesheet's: a change there must come here too.
    #[test]
    fn the_colours_are_the_stylesheets() {
        let css =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/css/site.css"))
                .unwrap();
        assert!(css.contains(&format!("--primary-dark: {};", super::THEME)));
        assert!(css.contains(&format!("--bg: {};", super::BACKGROUND)));
    }
}
