//! `PUT /pazienti/{codice_fiscale}` (the hospital's registry creates or updates a patient)
//! and `GET /pazienti/{codice_fiscale}/documenti` (the patient's documents).

use super::json::{self, ApiError, Fields};
use super::{Caller, authenticate, body_timeout};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use crate::patients::{CodiceFiscale, phone, store};
use hyper::StatusCode;
use rusqlite::params;
use serde_json::Value;

/// The codice fiscale of the path, or a 400 naming the field.
pub fn codice_fiscale(raw: &str) -> Result<CodiceFiscale, ApiError> {
    CodiceFiscale::parse(raw)
        .map_err(|e| ApiError::fields(vec![("codice_fiscale".into(), e.to_string())]))
}

pub async fn upsert(app: &App, ctx: &mut Ctx, raw_cf: &str) -> Result<Resp, ApiError> {
    let caller = authenticate(app, ctx, "patients:write").await?;
    if json::media_type(ctx) != "application/json" {
        return Err(json::unsupported("application/json"));
    }
    let obj = json::read_object(
        ctx.upload.take(),
        app.config.api.max_json_bytes,
        body_timeout(app),
    )
    .await?;
    let mut f = Fields::new(&obj, String::new());
    let cf = CodiceFiscale::parse(raw_cf).map_err(|e| f.error("codice_fiscale", e.to_string()));
    f.only(&["nome", "cognome", "cellulare"]);
    let given = f.words("nome", 100);
    let family = f.words("cognome", 100);
    let mobile = match f.text("cellulare", false, 20) {
        // Exactly E.164: what the registry sends is stored as it is.
        Some(m) => match phone::normalise_mobile(&m) {
            Some(n) if n == m => Some(n),
            _ => {
                f.error(
                    "cellulare",
                    "Un cellulare italiano in formato E.164, per esempio +393331234567.",
                );
                None
            }
        },
        None => None,
    };
    let (Ok(cf), Some(given), Some(family), true) = (cf, given, family, f.errors.is_empty()) else {
        return Err(ApiError::fields(f.errors));
    };
    let now = app.now();
    let cf_text = cf.as_str().to_string();
    let (who, ip) = (caller.actor(), caller.ip.clone());
    let created = app
        .db
        .write(move |tx| {
            let (id, created) = store::save(tx, &cf_text, &given, &family, mobile.as_deref(), now)?;
            let action = if created {
                "patient_create"
            } else {
                "patient_update"
            };
            audit::log(tx, now, &Entry::by(who).action(action).patient(id).ip(&ip))?;
            Ok(created)
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json::ok(
        status,
        &[
            ("codice_fiscale", Value::String(cf.as_str().into())),
            ("creato", Value::Bool(created)),
        ],
    ))
}

pub async fn documents(app: &App, ctx: &mut Ctx, raw_cf: &str) -> Result<Resp, ApiError> {
    let caller = authenticate(app, ctx, "documents:read").await?;
    let cf = codice_fiscale(raw_cf)?;
    let now = app.now();
    let origin = caller.origin();
    let Caller { token, ip } = caller;
    let found = app
        .db
        .write(move |tx| {
            let Some(patient) = store::credentials(tx, cf.as_str())? else {
                return Ok(None);
            };
            let list = list(tx, patient.id, &origin)?;
            audit::log(
                tx,
                now,
                &Entry::by(crate::audit::Actor::Api(token.id))
                    .action("api_documents_list")
                    .patient(patient.id)
                    .ip(&ip),
            )?;
            Ok(Some(list))
        })
        .await?;
    let Some(list) = found else {
        return Err(ApiError::not_found("Paziente sconosciuto."));
    };
    Ok(json::ok(
        StatusCode::OK,
        &[("documenti", Value::Array(list))],
    ))
}

/// Every document of the patient, newest first; the external id only of the documents the
/// caller published (another system's ids are its own business).
fn list(c: &rusqlite::Connection, patient: i64, origin: &str) -> rusqlite::Result<Vec<Value>> {
    let mut st = c.prepare_cached(
        "SELECT public_id, CASE WHEN origin = ?2 THEN external_id END, origin = ?2, category, title,
                exchanged_at, published_at, source_kind, price_cents, state, withdrawn_at
         FROM documents WHERE patient_id = ?1 ORDER BY exchanged_at DESC, id DESC",
    )?;
    let rows = st.query_map(params![patient, origin], |r| {
        let state: String = r.get(9)?;
        let withdrawn: Option<i64> = r.get(10)?;
        let stato = match (state.as_str(), withdrawn) {
            ("withdrawn", _) => "ritirato",
            (_, Some(_)) => "ritirato_conservato_per_acquirente",
            ("preparing", _) => "in_preparazione",
            _ => "disponibile",
        };
        let kind: String = r.get(7)?;
        Ok(json::object(&[
            ("id", Value::String(r.get(0)?)),
            (
                "id_esterno",
                r.get::<_, Option<String>>(1)?
                    .map_or(Value::Null, Value::String),
            ),
            ("proprio", Value::Bool(r.get(2)?)),
            ("categoria", Value::String(r.get(3)?)),
            ("titolo", Value::String(r.get(4)?)),
            ("data", Value::String(rfc3339(r.get(5)?))),
            ("pubblicato_il", Value::String(rfc3339(r.get(6)?))),
            (
                "tipo",
                Value::String(if kind == "pdf" { "pdf" } else { "studio" }.into()),
            ),
            ("prezzo_centesimi", Value::from(r.get::<_, i64>(8)?)),
            ("stato", Value::String(stato.into())),
        ]))
    })?;
    rows.collect()
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
