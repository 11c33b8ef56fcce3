//! Publishing through the API with `documents::publish`'s rules: one document
//! (`POST /documenti`: JSON naming an archive study, or multipart with a `metadati` JSON
//! part and a `pdf` file part), a batch of archive studies (`POST /documenti/lotto`: one
//! transaction, one result per item). Idempotent per (origin `api:<client>`,
//! `id_esterno`).

use super::item::{Item, Read, item};
use super::json::{self, ApiError};
use super::{Caller, authenticate, body_timeout};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::documents::publish::{self, Published, Source};
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use crate::patients::codice_fiscale::CodiceFiscale;
use crate::recovery::archive::ArchiveError;
use crate::recovery::lookup::StudyKey;
use hyper::StatusCode;
use serde_json::{Map, Value};
use std::collections::HashMap;

fn archive_error(e: ArchiveError) -> ApiError {
    tracing::warn!("archivio: {}", e.detail());
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "L'archivio non risponde: riprova più tardi.",
    )
}

/// What the archive says of each (StudyInstanceUID, codice fiscale) asked: `None` when it
/// holds the study for that patient, else why it cannot be published (a 422). A study whose
/// PatientID is another codice fiscale is another person's. Each study is asked once (on a
/// blocking thread: DICOMweb asks over HTTP).
async fn studies_checked(
    app: &App,
    wanted: Vec<(String, String)>,
) -> Result<Vec<Option<&'static str>>, ApiError> {
    let archive = app.archive.clone();
    tokio::task::spawn_blocking(move || {
        let mut known: HashMap<String, Option<String>> = HashMap::new();
        wanted
            .into_iter()
            .map(|(uid, cf)| {
                let holder = match known.get(&uid) {
                    Some(h) => h.clone(),
                    None => {
                        let h = match archive.find(&StudyKey::Uid(uid.clone())) {
                            Ok(found) => Some(found.patient_id),
                            Err(ArchiveError::NotFound(_)) => None,
                            Err(e) => return Err(e),
                        };
                        known.insert(uid, h.clone());
                        h
                    }
                };
                Ok(match holder {
                    None => Some("Lo studio indicato non è nell'archivio."),
                    Some(id) => match CodiceFiscale::parse(&id) {
                        Ok(other) if other.as_str() != cf => {
                            Some("Lo studio indicato è intestato a un altro codice fiscale.")
                        }
                        _ => None,
                    },
                })
            })
            .collect::<Result<Vec<_>, ArchiveError>>()
    })
    .await
    .map_err(|e| ApiError::from(crate::error::AppError::internal(e)))?
    .map_err(archive_error)
}

/// What one publication came to, as the API tells it.
enum Outcome {
    Done(Published),
    UnknownPatient,
}

/// Publishes `item` (the patient found by codice fiscale) in the caller's transaction.
fn publish_one(
    tx: &rusqlite::Transaction,
    caller: &Caller,
    origin: &str,
    item: &Item,
    source: Source,
    patients: &mut HashMap<String, Option<i64>>,
    (sms, now): (&str, i64),
) -> rusqlite::Result<(Outcome, bool)> {
    let patient = match patients.get(&item.cf) {
        Some(p) => *p,
        None => {
            let p = crate::patients::store::credentials(tx, &item.cf)?.map(|c| c.id);
            patients.insert(item.cf.clone(), p);
            p
        }
    };
    let Some(patient) = patient else {
        return Ok((Outcome::UnknownPatient, false));
    };
    let p = item.publication(patient, source, origin);
    let (done, queued) = publish::publish(tx, &p, sms, now)?;
    if let Published::New { id, .. } = &done {
        audit::log(
            tx,
            now,
            &Entry::by(caller.actor())
                .action("document_publish")
                .document(patient, *id)
                .ip(&caller.ip),
        )?;
    }
    Ok((Outcome::Done(done), queued))
}

const UNKNOWN_PATIENT: &str =
    "Paziente sconosciuto: crealo prima con PUT /api/v1/pazienti/{codice_fiscale}.";

/// The answer of one publication: 201 new, 200 the same again, 409 the same id with
/// something else, 422 unknown patient.
fn outcome_reply(external_id: &str, o: &Outcome) -> Result<(StatusCode, Value), ApiError> {
    let ext = Value::String(external_id.to_string());
    match o {
        Outcome::UnknownPatient => Err(ApiError::unprocessable(UNKNOWN_PATIENT)),
        Outcome::Done(Published::Conflict { public_id }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "Questo id_esterno è già stato usato per un documento diverso.",
        )
        .with("id", Value::String(public_id.clone()))),
        Outcome::Done(Published::New { public_id, .. }) => Ok((
            StatusCode::CREATED,
            json::object(&[
                ("id", Value::String(public_id.clone())),
                ("id_esterno", ext),
                ("esito", Value::String("pubblicato".into())),
            ]),
        )),
        Outcome::Done(Published::Again { public_id, .. }) => Ok((
            StatusCode::OK,
            json::object(&[
                ("id", Value::String(public_id.clone())),
                ("id_esterno", ext),
                ("esito", Value::String("gia_pubblicato".into())),
            ]),
        )),
    }
}

pub async fn publish(app: &App, ctx: &mut Ctx) -> Result<Resp, ApiError> {
    let caller = authenticate(app, ctx, "documents:write").await?;
    match json::media_type(ctx).as_str() {
        "application/json" => publish_study(app, ctx, caller).await,
        "multipart/form-data" => super::pdf::publish_pdf(app, ctx, caller).await,
        _ => Err(json::unsupported("application/json o multipart/form-data")),
    }
}

async fn publish_study(app: &App, ctx: &mut Ctx, caller: Caller) -> Result<Resp, ApiError> {
    let obj = json::read_object(
        ctx.upload.take(),
        app.config.api.max_json_bytes,
        body_timeout(app),
    )
    .await?;
    let now = app.now();
    let item = item(
        &app.config.documents.categories,
        &obj,
        String::new(),
        true,
        now,
    )
    .map_err(ApiError::fields)?;
    let uid = item.study.clone().unwrap_or_default();
    if let Some(why) = studies_checked(app, vec![(uid.clone(), item.cf.clone())]).await?[0] {
        return Err(ApiError::unprocessable(why));
    }
    publish_item(app, caller, item, Source::Study { uid }).await
}

/// Publishes one checked item with its stored source and answers.
pub async fn publish_item(
    app: &App,
    caller: Caller,
    item: Item,
    source: Source,
) -> Result<Resp, ApiError> {
    let (sms, now) = (
        crate::sms::notify::configured(&app.config, crate::sms::notify::Notice::Documents),
        app.now(),
    );
    let origin = caller.origin();
    let (outcome, queued, item) = app
        .db
        .write(move |tx| {
            let mut patients = HashMap::new();
            let (o, q) = publish_one(
                tx,
                &caller,
                &origin,
                &item,
                source,
                &mut patients,
                (&sms, now),
            )?;
            Ok((o, q, item))
        })
        .await?;
    if queued {
        app.sms_wakeup.notify_one();
    }
    let (status, body) = outcome_reply(&item.external_id, &outcome)?;
    Ok(json::reply(status, &body))
}

pub async fn batch(app: &App, ctx: &mut Ctx) -> Result<Resp, ApiError> {
    let caller = authenticate(app, ctx, "documents:write").await?;
    if json::media_type(ctx) != "application/json" {
        return Err(json::unsupported("application/json"));
    }
    let obj = json::read_object(
        ctx.upload.take(),
        app.config.api.max_json_bytes,
        body_timeout(app),
    )
    .await?;
    let max = app.config.api.max_batch;
    let list = match obj.get("documenti") {
        _ if obj.len() != 1 || !obj.contains_key("documenti") => None,
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= max => Some(a),
        _ => None,
    };
    let Some(list) = list else {
        return Err(ApiError::fields(vec![(
            "documenti".into(),
            format!("Un oggetto con il solo campo documenti: una lista da 1 a {max} documenti."),
        )]));
    };
    let now = app.now();
    let cats = &app.config.documents.categories;
    let items: Vec<Read> = list
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Object(o) => item(cats, o, format!("documenti[{i}]."), true, now),
            _ => Err(vec![(
                format!("documenti[{i}]"),
                "Deve essere un oggetto.".into(),
            )]),
        })
        .collect();
    let wanted: Vec<(String, String)> = items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|i| (i.study.clone().unwrap_or_default(), i.cf.clone()))
        .collect();
    let mut refusals = studies_checked(app, wanted).await?.into_iter();
    let checked: Vec<(Read, Option<&'static str>)> = items
        .into_iter()
        .map(|r| {
            let why = if r.is_ok() {
                refusals.next().flatten()
            } else {
                None
            };
            (r, why)
        })
        .collect();
    let (sms, origin) = (
        crate::sms::notify::configured(&app.config, crate::sms::notify::Notice::Documents),
        caller.origin(),
    );
    let (results, queued) = app
        .db
        .write(move |tx| {
            let mut patients = HashMap::new();
            let mut queued = false;
            let mut results = Vec::with_capacity(checked.len());
            for (i, (r, refused)) in checked.into_iter().enumerate() {
                let result = match r {
                    Err(fields) => Err(ApiError::fields(fields)),
                    Ok(item) if refused.is_some() => {
                        Err(ApiError::unprocessable(refused.unwrap_or_default())
                            .with("id_esterno", Value::String(item.external_id)))
                    }
                    Ok(item) => {
                        let uid = item.study.clone().unwrap_or_default();
                        let (o, q) = publish_one(
                            tx,
                            &caller,
                            &origin,
                            &item,
                            Source::Study { uid },
                            &mut patients,
                            (&sms, now),
                        )?;
                        queued |= q;
                        outcome_reply(&item.external_id, &o).map_err(|e| {
                            e.with("id_esterno", Value::String(item.external_id.clone()))
                        })
                    }
                };
                results.push(item_result(i, result));
            }
            Ok((results, queued))
        })
        .await?;
    if queued {
        app.sms_wakeup.notify_one();
    }
    let count = |s: u64| {
        results
            .iter()
            .filter(|r| r["stato"].as_u64() == Some(s))
            .count()
    };
    let (new, again) = (count(201), count(200));
    let refused = results.len() - new - again;
    Ok(json::ok(
        StatusCode::OK,
        &[
            ("pubblicati", Value::from(new)),
            ("gia_pubblicati", Value::from(again)),
            ("rifiutati", Value::from(refused)),
            ("risultati", Value::Array(results)),
        ],
    ))
}

/// One item of a batch's answer: its index, its status and the body it would have had alone.
fn item_result(index: usize, r: Result<(StatusCode, Value), ApiError>) -> Value {
    let (status, mut body) = match r {
        Ok((s, b)) => (s, b),
        Err(e) => {
            let mut b = Map::new();
            b.insert("errore".into(), Value::String(e.message));
            if !e.fields.is_empty() {
                let campi = e
                    .fields
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                b.insert("campi".into(), Value::Object(campi));
            }
            if let Some((k, v)) = e.extra {
                b.insert(k.into(), v);
            }
            (e.status, Value::Object(b))
        }
    };
    if let Value::Object(m) = &mut body {
        m.insert("indice".into(), Value::from(index));
        m.insert("stato".into(), Value::from(status.as_u16()));
    }
    body
}
