//! "Documenti": every document tied to the patient's codice fiscale, with price or GRATUITO,
//! state, a preview dialog and "Aggiungi Carrello".

use super::catalogue_store::{self as store, CatalogueDoc};
use super::catalogue_views::{self as views, PATH, Results};
use crate::app::App;
use crate::auth::sessions::{self, Session};
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::public_id::PublicId;
use crate::ui::{self, Page};
use hyper::StatusCode;
use hyper::header::{CACHE_CONTROL, HeaderValue};
use maud::html;

/// `/documenti/<id>/<action>`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The preview (a dialog fragment for htmx, a page otherwise).
    Preview,
    /// The thumbnail JPEG of an image document.
    Thumbnail,
}

impl Action {
    pub fn decode(s: &str) -> Option<Action> {
        match s {
            "anteprima" => Some(Action::Preview),
            "miniatura" => Some(Action::Thumbnail),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Preview => "catalogue_preview",
            Action::Thumbnail => "catalogue_thumbnail",
        }
    }
}

/// The first exchange day still listed in "Documenti Interscambiati" (YYYY-MM-DD).
pub fn first_online(app: &App) -> String {
    super::store::first_online_day(super::filter::today(), app.config.documents.online_days)
        .to_string()
}

/// The `categoria` of the query: `Ok(None)` for every category, `Err` for an unknown one.
fn category<'a>(q: &str, categories: &'a [String]) -> Result<Option<&'a str>, AppError> {
    match q.trim() {
        "" => Ok(None),
        c => categories
            .iter()
            .find(|k| k.as_str() == c)
            .map(|k| Some(k.as_str()))
            .ok_or_else(|| {
                AppError::new(
                    Kind::Unprocessable,
                    "La categoria scelta non esiste: scegline una dall'elenco.",
                )
            }),
    }
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let cats = &app.config.documents.categories;
    let q = ctx.query();
    let page = q.get("pagina").parse::<i64>().unwrap_or(0).clamp(0, 100);
    let (cat, error) = match category(q.get("categoria"), cats) {
        Ok(c) => (c, None),
        Err(e) => (None, Some(e)),
    };
    let size = app.config.documents.page_size;
    let (patient, owned) = (session.patient_id, cat.map(str::to_string));
    let full = !ctx.wants_fragment();
    let (found, choices) = app
        .db
        .read(move |c| {
            let found = store::list(c, patient, owned.as_deref(), size * (page + 1))?;
            let choices = if full {
                store::choices(c, patient)?
            } else {
                Vec::new()
            };
            Ok((found, choices))
        })
        .await?;
    let first_online = first_online(app);
    let row_ctx = views::Ctx {
        csrf: &session.csrf_token,
        first_online: &first_online,
        vat_pct: app.config.payments.vat_pct,
    };
    let results = Results {
        category: cat,
        rows: &found.rows,
        more: found.more,
        page,
    };
    let status = match &error {
        Some(e) => e.status(),
        None => StatusCode::OK,
    };
    let inner = html! {
        @if let Some(e) = &error { (ui::alert("danger", e.for_person().get(ctx.lang))) }
        (views::results(&results, &row_ctx))
    };
    if !full {
        return Ok(resp::html(status, inner));
    }
    let body = html! {
        h1 class="page-title" { "Documenti" }
        p { "Tutti i documenti legati al tuo codice fiscale, anche quelli non più consultabili in Documenti Interscambiati. "
            "I documenti gratuiti si scaricano da Documenti Interscambiati; la copia della cartella clinica si acquista: "
            strong { "Aggiungi Carrello" } ", poi " strong { "Procedi all'ordine" } " dal Carrello." }
        (views::filters(cat, cats))
        div id="risultati" aria-live="polite" { (inner) }
        (views::availability(&session.csrf_token, &choices))
        (views::dialog())
    };
    Ok(resp::html(
        status,
        ui::page(
            app,
            ctx,
            Page {
                title: "Documenti",
                active: Some(PATH),
            },
            body,
        ),
    ))
}

fn not_found() -> AppError {
    AppError::missing(super::NOT_FOUND)
}

/// The patient's document by its public id (404 for another's document).
pub async fn find(app: &App, session: &Session, id: &PublicId) -> Result<CatalogueDoc, AppError> {
    let (patient, id) = (session.patient_id, id.to_string());
    app.db
        .read(move |c| Ok(store::get(c, patient, &id)?))
        .await?
        .ok_or_else(not_found)
}

pub async fn document(
    app: &App,
    ctx: &mut Ctx,
    id: &PublicId,
    action: Action,
) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let (patient, public_id) = (session.patient_id, id.to_string());
    match action {
        Action::Thumbnail => {
            let jpeg = app
                .db
                .read(move |c| Ok(store::thumbnail(c, patient, &public_id)?))
                .await?
                .ok_or_else(not_found)?;
            let mut r = resp::with_type(StatusCode::OK, "image/jpeg", jpeg);
            r.headers_mut().insert(
                CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            );
            Ok(r)
        }
        Action::Preview => {
            let (now, ip) = (app.now(), ctx.ip.to_string());
            let p = app
                .db
                .write(move |tx| {
                    let p = store::preview(tx, patient, &public_id)?;
                    if let Some(p) = &p {
                        crate::audit::document_access(
                            tx,
                            now,
                            patient,
                            p.doc.id,
                            "document_view",
                            &ip,
                        )?;
                    }
                    Ok(p)
                })
                .await?
                .ok_or_else(not_found)?;
            let vat = app.config.payments.vat_pct;
            if ctx.is_htmx() {
                return Ok(resp::ok_html(views::preview(&p, vat, true)));
            }
            let body =
                html! { section class="card preview-page" { (views::preview(&p, vat, false)) } };
            Ok(resp::ok_html(ui::page(
                app,
                ctx,
                Page {
                    title: "Anteprima del documento",
                    active: Some(PATH),
                },
                body,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_from_the_configuration_only() {
        let cats = vec!["Referto".to_string(), "Cartella clinica".to_string()];
        assert_eq!(category("", &cats).unwrap(), None);
        assert_eq!(
            category("Cartella clinica", &cats).unwrap(),
            Some("Cartella clinica")
        );
        let e = category("Segreti", &cats).unwrap_err();
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.message.italian().contains("non esiste"));
    }
}
