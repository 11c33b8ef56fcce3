//! "Carrello": the documents the patient chose to buy; add, remove, "Procedi all'ordine".
//! Every change is one write transaction that checks the rules again; htmx gets the
//! changed part and the header's count out of band, a plain form a 303.

use super::cart_store::{self as store, Added, CheckoutRefused, Refused};
use super::cart_views::{self as views, PATH};
use super::text;
use crate::app::App;
use crate::auth::sessions;
use crate::documents::{catalogue, catalogue_views};
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::public_id::PublicId;
use crate::ui::{self, Page};
use maud::html;

/// `/carrello/<...>` actions (all POST).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `/carrello/aggiungi` with the field `documento` (public id).
    Add,
    /// `/carrello/ordina`: "Procedi all'ordine".
    Checkout,
    /// `/carrello/<document public id>/rimuovi`
    Remove(PublicId),
}

impl Action {
    pub fn decode(rest: &str) -> Option<Action> {
        match rest.trim_end_matches('/') {
            "aggiungi" => Some(Action::Add),
            "ordina" => Some(Action::Checkout),
            other => {
                let (id, verb) = other.split_once('/')?;
                (verb == "rimuovi")
                    .then(|| PublicId::parse(id).map(Action::Remove))
                    .flatten()
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Action::Add => "cart_add",
            Action::Checkout => "cart_checkout",
            Action::Remove(_) => "cart_remove",
        }
    }
}

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let patient = session.patient_id;
    let items = app.db.read(move |c| Ok(store::items(c, patient)?)).await?;
    let q = ctx.query();
    let l = ctx.lang;
    let outcome = views::outcome(q.get("esito")).map(|m| l.t(m));
    let body = html! {
        h1 class="page-title" { (l.t(text::CART_TITLE)) }
        p { (l.t(text::CART_INTRO_1)) strong { (l.t(text::CART_CHECKOUT)) } (l.t(text::CART_INTRO_2)) }
        (views::section(l, &items, &session.csrf_token, app.config.payments.vat_pct, outcome))
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::CART_TITLE),
            active: Some(PATH),
        },
        body,
    )))
}

fn not_found() -> AppError {
    AppError::missing(text::DOC_NOT_FOUND)
}

fn refused(r: Refused) -> AppError {
    match r {
        Refused::NotFound => not_found(),
        Refused::Free => AppError::new(Kind::Unprocessable, text::CART_FREE),
        Refused::NotAvailable => AppError::new(Kind::Conflict, text::CART_NOT_AVAILABLE),
        Refused::Paid(_) => AppError::new(Kind::Conflict, text::CART_PAID),
        Refused::InOrder(_) => AppError::new(Kind::Conflict, text::CART_IN_ORDER),
    }
}

pub async fn action(app: &App, ctx: &mut Ctx, action: &Action) -> Result<Resp, AppError> {
    match action {
        Action::Add => add(app, ctx).await,
        Action::Remove(id) => remove(app, ctx, id).await,
        Action::Checkout => checkout(app, ctx).await,
    }
}

async fn add(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let id = PublicId::parse(ctx.form().get("documento").trim()).ok_or_else(not_found)?;
    let (patient, doc, now) = (session.patient_id, id.clone(), app.now());
    let (outcome, count) = app
        .db
        .write(move |tx| {
            let outcome = store::add(tx, patient, &doc, now)?.map_err(refused)?;
            Ok((outcome, store::count(tx, patient)?))
        })
        .await?;
    if let Some(s) = ctx.session.as_mut() {
        s.cart_count = count;
    }
    if !ctx.is_htmx() {
        let code = if outcome == Added::Added {
            "aggiunto"
        } else {
            "gia"
        };
        return Ok(resp::redirect(&format!("{PATH}?esito={code}")));
    }
    let d = catalogue::find(app, &session, &id).await?;
    let first_online = catalogue::first_online(app);
    let row_ctx = catalogue_views::Ctx {
        lang: ctx.lang,
        csrf: &session.csrf_token,
        first_online: &first_online,
        vat_pct: app.config.payments.vat_pct,
    };
    let message = match outcome {
        Added::Added => text::CART_ADDED,
        Added::Already => text::CART_ALREADY,
    };
    Ok(resp::ok_html(html! {
        (catalogue_views::cart_slot(&d, &row_ctx, Some(ctx.lang.t(message))))
        (ui::cart_count(ctx.lang, count, true))
    }))
}

async fn remove(app: &App, ctx: &mut Ctx, id: &PublicId) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let (patient, doc) = (session.patient_id, id.to_string());
    let (items, removed) = app
        .db
        .write(move |tx| {
            let removed = store::remove(tx, patient, &doc)?;
            Ok((store::items(tx, patient)?, removed))
        })
        .await?;
    let count = items.len() as i64;
    if let Some(s) = ctx.session.as_mut() {
        s.cart_count = count;
    }
    if !ctx.is_htmx() {
        return Ok(resp::redirect(&format!("{PATH}?esito=rimosso")));
    }
    let l = ctx.lang;
    let message = removed.then_some(l.t(text::CART_REMOVED));
    Ok(resp::ok_html(html! {
        (views::section(l, &items, &session.csrf_token, app.config.payments.vat_pct, message))
        (ui::cart_count(ctx.lang, count, true))
    }))
}

async fn checkout(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let p = &app.config.payments;
    let (causale, provider, provider_name, payee, vat_pct) = (
        p.causale.clone(),
        String::from(p.provider),
        p.provider_name.clone(),
        app.config.payee().to_string(),
        p.vat_pct,
    );
    let (patient, now, ip) = (session.patient_id, app.now(), ctx.ip.to_string());
    let number = app
        .db
        .write(move |tx| {
            let terms = super::store::Terms {
                causale: &causale,
                provider: &provider,
                provider_name: &provider_name,
                payee: &payee,
                vat_pct,
            };
            let number = store::checkout(tx, patient, &terms, now)?.map_err(|r| match r {
                CheckoutRefused::Empty => {
                    AppError::new(Kind::Unprocessable, text::CART_EMPTY_ORDER)
                }
                CheckoutRefused::Flagged => AppError::new(Kind::Conflict, text::CART_FLAGGED_ORDER),
            })?;
            crate::audit::record(
                tx,
                now,
                Some(patient),
                "order_create",
                &format!("order {number}"),
                &ip,
            )?;
            Ok(number)
        })
        .await?;
    let to = format!("/ordini/{number}");
    Ok(resp::go_to(ctx, &to))
}
