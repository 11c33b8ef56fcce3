//! `GET /api/v1/openapi.json`: the API's OpenAPI 3.0 description, written by hand in
//! `assets/api/openapi.json`; the configured categories and batch size are filled in.

use crate::app::App;
use crate::http::resp::Resp;
use hyper::StatusCode;
use serde_json::Value;

const SPEC: &str = include_str!("../../assets/api/openapi.json");

/// The description with this installation's settings.
pub fn document(app: &App) -> Value {
    let mut spec: Value = serde_json::from_str(SPEC).unwrap_or(Value::Null);
    let s = &mut spec["components"]["schemas"];
    s["Categoria"]["enum"] = Value::from(app.config.documents.categories.clone());
    s["Lotto"]["properties"]["documenti"]["maxItems"] = Value::from(app.config.api.max_batch);
    spec
}

pub fn serve(app: &App) -> Resp {
    let mut r = super::json::reply(StatusCode::OK, &document(app));
    // Public and the same for everyone: it may be cached a little.
    r.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("public, max-age=300"),
    );
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_description_is_json() {
        let v: serde_json::Value = serde_json::from_str(super::SPEC).unwrap();
        assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    }
}
