//! `DELETE /documenti/{id_esterno}`: withdraws a document the calling system published
//! (`documents::publish::withdraw`: kept for a patient who bought it; not while it waits in
//! an order's payment).

use super::authenticate;
use super::item::valid_external_id;
use super::json::{self, ApiError};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::documents::publish::{self, Withdrawal};
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use hyper::StatusCode;
use serde_json::Value;

pub async fn withdraw(app: &App, ctx: &mut Ctx, external_id: &str) -> Result<Resp, ApiError> {
    let caller = authenticate(app, ctx, "documents:write").await?;
    if !valid_external_id(external_id) {
        return Err(ApiError::fields(vec![(
            "id_esterno".into(),
            "Da 1 a 128 caratteri: lettere, cifre, . _ : -".into(),
        )]));
    }
    let (ext, origin, now) = (external_id.to_string(), caller.origin(), app.now());
    let done = app
        .db
        .write(move |tx| {
            let found: Option<(i64, i64, String)> = rusqlite::OptionalExtension::optional(
                tx.query_row(
                    "SELECT id, patient_id, public_id FROM documents WHERE origin = ?1 AND external_id = ?2",
                    [&origin, &ext],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                ),
            )?;
            let Some((id, patient, public_id)) = found else {
                return Ok(None);
            };
            let w = publish::withdraw(tx, id, now)?;
            if matches!(w, Withdrawal::Done | Withdrawal::KeptForBuyer) {
                audit::log(
                    tx,
                    now,
                    &Entry::by(caller.actor())
                        .action("document_withdraw")
                        .document(patient, id)
                        .ip(&caller.ip),
                )?;
            }
            Ok(Some((public_id, w)))
        })
        .await?;
    let Some((public_id, w)) = done else {
        return Err(ApiError::not_found(
            "Nessun documento pubblicato da questo sistema con questo id_esterno.",
        ));
    };
    let esito = match w {
        Withdrawal::Done => "ritirato",
        Withdrawal::KeptForBuyer => "conservato_per_acquirente",
        Withdrawal::Already => "gia_ritirato",
        Withdrawal::InPendingOrder => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Il documento è in un ordine in attesa di pagamento: riprova quando l'ordine sarà concluso.",
            )
            .with("id", Value::String(public_id)));
        }
    };
    Ok(json::ok(
        StatusCode::OK,
        &[
            ("id", Value::String(public_id)),
            ("id_esterno", Value::String(external_id.into())),
            ("esito", Value::String(esito.into())),
        ],
    ))
}
