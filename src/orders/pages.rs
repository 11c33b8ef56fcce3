//! "Ordini" and one order's page: details, consents, payer fields, the ticket, the notice
//! PDF, the polled status and, once paid, the documents' downloads.

use super::state::State;
use super::{Action, checkout, store, text, views};
use crate::app::App;
use crate::auth::sessions::{self, Session};
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::{Lang, Msg};
use crate::public_id::PublicId;
use crate::ui::{self, Page};
use hyper::StatusCode;
use hyper::header::HeaderValue;
use maud::{Markup, html};

pub const PATH: &str = "/ordini";

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let patient = session.patient_id;
    let orders = app
        .db
        .read(move |c| Ok(store::list(c, patient, 500)?))
        .await?;
    let l = ctx.lang;
    let body = html! {
        h1 class="page-title" { (l.t(text::ORDERS_TITLE)) }
        p { (l.t(text::ORDERS_INTRO)) }
        (views::table(l, &orders, l.t(text::ORDERS_ALL), views::Origin::Orders))
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::ORDERS_TITLE),
            active: Some(PATH),
        },
        body,
    )))
}

fn not_found() -> AppError {
    AppError::missing(super::NOT_FOUND)
}

/// The session's order by number (another patient's number is "not found").
pub async fn find(
    app: &App,
    session: &Session,
    number: &PublicId,
) -> Result<store::Order, AppError> {
    let (patient, number) = (session.patient_id, number.to_string());
    app.db
        .read(move |c| Ok(store::get(c, patient, &number)?))
        .await?
        .ok_or_else(not_found)
}

pub async fn order(
    app: &App,
    ctx: &mut Ctx,
    number: &PublicId,
    action: Action,
) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    if action == Action::Status {
        return status(app, ctx, &session, number).await;
    }
    let o = find(app, &session, number).await?;
    match action {
        Action::Show | Action::Status => show(app, ctx, &session, &o, None).await,
        Action::Buy => checkout::buy(app, ctx, &session, o).await,
        Action::Confirm => checkout::confirm(app, ctx, &session, o).await,
        Action::Pay => checkout::pay(app, ctx, &session, o).await,
        Action::Retry => super::retry::retry(app, ctx, o).await,
        Action::Notice => checkout::notice_pdf(app, ctx, &session, &o).await,
        Action::Cancel => cancel(app, ctx, o).await,
    }
}

/// The polled fragment (see `views::status`). While the state is the one the page shows
/// (`da`), the answer is `204 No Content`: nothing swapped, and the state read once until
/// the next write to the database (`db::cache`). Once it changes, a row gets its new row
/// and the order's page reloads.
async fn status(
    app: &App,
    ctx: &Ctx,
    session: &Session,
    number: &PublicId,
) -> Result<Resp, AppError> {
    let q = ctx.query();
    let seen = q.get("da").to_string();
    let view = views::View::decode(q.get("vista"));
    let key = (session.patient_id, number.to_string());
    let generation = app.db.generation();
    let state = match app.order_states.get(&key, generation) {
        Some(s) => s,
        None => {
            let (patient, n) = key.clone();
            let state = app
                .db
                .read(move |c| Ok(store::state(c, patient, &n)?))
                .await?
                .ok_or_else(not_found)?;
            app.order_states.put(key, generation, state);
            state
        }
    };
    if !ctx.is_htmx() {
        return Ok(resp::redirect(&format!("{PATH}/{number}")));
    }
    if state.as_str() == seen {
        return Ok(resp::no_content());
    }
    match view {
        views::View::Row(origin) => {
            let o = find(app, session, number).await?;
            Ok(resp::ok_html(views::row(ctx.lang, &o, origin)))
        }
        views::View::Detail => {
            let mut r = resp::no_content();
            r.headers_mut()
                .insert("hx-refresh", HeaderValue::from_static("true"));
            Ok(r)
        }
    }
}

async fn cancel(app: &App, ctx: &Ctx, o: store::Order) -> Result<Resp, AppError> {
    if o.state != State::Draft {
        return Err(AppError::new(Kind::Conflict, text::CANCEL_CONFIRMED));
    }
    super::reconcile::cancel_draft(app, o.id, "annullato dal paziente").await?;
    Ok(resp::go_to(ctx, PATH))
}

/// What the page shows of a problem with the form at hand.
pub enum FormError<'a> {
    Consents(Msg),
    /// What was typed, and what is wrong with it.
    Email(&'a str, Msg),
}

pub async fn show(
    app: &App,
    ctx: &Ctx,
    session: &Session,
    o: &store::Order,
    error: Option<FormError<'_>>,
) -> Result<Resp, AppError> {
    let (id, patient, now) = (o.id, session.patient_id, app.now());
    let first_online = crate::documents::store::first_online_day(
        crate::ui::time::today(),
        app.config.documents.online_days,
    );
    let completed = o.state == State::Completed;
    let (items, docs) = app
        .db
        .read(move |c| {
            let items = store::items(c, id)?;
            let mut docs = Vec::new();
            if completed {
                for i in &items {
                    if let Some(d) =
                        crate::documents::store::get(c, patient, &i.public_id, first_online, now)?
                    {
                        docs.push(d);
                    }
                }
            }
            Ok((items, docs))
        })
        .await?;
    let csrf = &session.csrf_token;
    let legal = &app.config.legal;
    let l = ctx.lang;
    let back = format!("{PATH}/{}", o.number);
    let (back_href, back_label) = views::Origin::decode(ctx.query().get("origine")).back();
    let form = match (o.state, o.consents_at, &error) {
        (State::Draft, None, e) => {
            let msg = match e {
                Some(FormError::Consents(m)) => Some(l.t(*m)),
                _ => None,
            };
            views::consents_form(
                l,
                o,
                csrf,
                &legal.consent_privacy_text,
                &legal.consent_terms_text,
                msg,
            )
        }
        (State::Draft, Some(_), Some(FormError::Email(v, m))) => {
            views::payer_form(l, o, csrf, v, Some(l.t(*m)))
        }
        (State::Draft, Some(_), _) => {
            views::payer_form(l, o, csrf, o.payer_email.as_deref().unwrap_or(""), None)
        }
        _ => html! {},
    };
    let body = html! {
        h1 class="page-title" { (l.t(text::ORDER_TITLE)) }
        p { a href=(back_href) { (l.t(text::BACK)) span class="visually-hidden" { " " (l.t(back_label)) } } }
        (views::details(l, o))
        (views::items(l, &items, o))
        (form)
        (views::next_steps(l, o, csrf, o.flag.is_some(), ctx.kiosk))
        @if completed { (downloads(app, l, &docs, csrf, &back, ctx.kiosk)) }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(resp::html(
        status,
        ui::page(
            app,
            ctx,
            Page {
                title: l.t(text::ORDER_TITLE),
                active: Some(PATH),
            },
            body,
        ),
    ))
}

/// The bought documents, each with the same recovery and download row as Documenti
/// Interscambiati (the same 24-hour cache and ZIP).
fn downloads(
    app: &App,
    l: Lang,
    docs: &[crate::documents::store::DocRow],
    csrf: &str,
    back: &str,
    kiosk: bool,
) -> Markup {
    let t = |m: Msg| l.t(m);
    html! {
        section id="documenti" {
            h2 { (t(text::BOUGHT)) }
            p { (l.f(text::BOUGHT_INTRO, &[&app.config.recovery.keep_hours])) }
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { (t(text::BOUGHT)) }
                    thead { tr {
                        th scope="col" { (t(text::DATE)) } th scope="col" { (t(text::CATEGORY)) }
                        th scope="col" { (t(text::DESCRIPTION)) }
                        th scope="col" { (t(text::STATUS)) } th scope="col" { (t(text::ACTIONS)) }
                    } }
                    tbody {
                        @for d in docs {
                            (crate::documents::views::row(l, d, csrf, back, app.jobs.progress.get(d.id), false, kiosk))
                        }
                    }
                }
            }
        }
    }
}
