//! "Assistenza": the patient's assistance and availability requests, with their state and
//! the operators' replies, and the form for a new one (also posted by the "Documenti" page's
//! "Richiedi informazioni sulla disponibilità" and linked from a failed order).

pub mod form;
pub mod store;
pub mod text;
pub(crate) mod views;

use crate::app::App;
use crate::auth::sessions::{self, Session};
use crate::error::{AppError, Kind as ErrorKind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Msg;
use crate::public_id::PublicId;
use crate::ui::{self, Page};
pub use form::{Draft, Errors, MESSAGE_MAX, PERIOD_MAX, SUBJECT_MAX, validate};
use hyper::StatusCode;
use maud::html;
use store::{Kind, NewRequest};
use views::{FormView, PATH};

/// Requests a patient may send in 24 hours (the form cannot be used to fill the disk).
pub const MAX_PER_DAY: i64 = 20;

/// What the request is linked to, once checked to be the patient's own.
#[derive(Default)]
struct Links {
    order: Option<(i64, String)>,
    document: Option<(i64, String)>,
}

/// The linked order and document, or 404 when either is not this patient's.
async fn links(app: &App, session: &Session, d: &Draft) -> Result<Links, AppError> {
    if !d.order.is_empty() && PublicId::parse(&d.order).is_none() {
        return Err(not_found(false));
    }
    if !d.document.is_empty() && PublicId::parse(&d.document).is_none() {
        return Err(not_found(true));
    }
    if d.order.is_empty() && d.document.is_empty() {
        return Ok(Links::default());
    }
    let (patient, order, document) = (session.patient_id, d.order.clone(), d.document.clone());
    let (o, doc) = app
        .db
        .read(move |c| {
            let o = match order.as_str() {
                "" => None,
                n => Some(store::order_id(c, patient, n)?.map(|id| (id, n.to_string()))),
            };
            let doc = match document.as_str() {
                "" => None,
                p => Some(store::document(c, patient, p)?),
            };
            Ok((o, doc))
        })
        .await?;
    if matches!(o, Some(None)) {
        return Err(not_found(false));
    }
    if matches!(doc, Some(None)) {
        return Err(not_found(true));
    }
    Ok(Links {
        order: o.flatten(),
        document: doc.flatten(),
    })
}

fn not_found(document: bool) -> AppError {
    AppError::missing(if document {
        text::DOCUMENT_NOT_FOUND
    } else {
        text::ORDER_NOT_FOUND
    })
}

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let q = ctx.query();
    let mut draft = Draft {
        order: q.get("ordine").trim().to_string(),
        document: q.get("documento").trim().to_string(),
        ..Draft::default()
    };
    let links = links(app, &session, &draft).await?;
    draft.kind = if links.document.is_some() {
        Kind::Availability
    } else {
        Kind::Assistance
    }
    .form_value()
    .to_string();
    let alert = (q.get("inviata") == "1").then_some(("success", text::SENT));
    render(
        app,
        ctx,
        &session,
        StatusCode::OK,
        alert,
        &draft,
        &Errors::default(),
        &links,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    app: &App,
    ctx: &Ctx,
    session: &Session,
    status: StatusCode,
    alert: Option<(&str, Msg)>,
    draft: &Draft,
    errors: &Errors,
    links: &Links,
) -> Result<Resp, AppError> {
    let patient = session.patient_id;
    let requests = app.db.read(move |c| Ok(store::list(c, patient)?)).await?;
    let form = FormView {
        draft,
        errors,
        order: links.order.as_ref().map(|o| o.1.as_str()),
        document: links.document.as_ref().map(|d| d.1.as_str()),
        csrf: &session.csrf_token,
    };
    let l = ctx.lang;
    let inner = views::content(l, alert, &form, &requests);
    if ctx.wants_fragment() {
        return Ok(resp::html(status, inner));
    }
    let body = html! {
        h1 class="page-title" { (l.t(text::TITLE)) }
        (views::intro(l))
        div id="assistenza" { (inner) }
    };
    Ok(resp::html(
        status,
        ui::page(
            app,
            ctx,
            Page {
                title: l.t(text::TITLE),
                active: Some(PATH),
            },
            body,
        ),
    ))
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let draft = Draft::from_form(ctx.form());
    let links = links(app, &session, &draft).await?;
    let valid = match validate(&draft) {
        Ok(v) => v,
        Err(errors) => {
            let alert = Some(("danger", text::NOT_SENT));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(app, ctx, &session, status, alert, &draft, &errors, &links).await;
        }
    };
    let (patient, now, ip) = (session.patient_id, app.now(), ctx.ip.to_string());
    let (order_id, document_id) = (
        links.order.as_ref().map(|o| o.0),
        links.document.as_ref().map(|d| d.0),
    );
    app.db
        .write(move |tx| {
            if store::sent_since(tx, patient, now - 86_400)? >= MAX_PER_DAY {
                return Err(AppError::new(ErrorKind::TooManyRequests, text::TOO_MANY));
            }
            let new = NewRequest {
                kind: valid.kind,
                order_id,
                document_id,
                period: &valid.period,
                subject: &valid.subject,
                message: &valid.message,
            };
            let (id, _) = store::insert(tx, patient, &new, now)?;
            crate::audit::record(
                tx,
                now,
                Some(patient),
                "support_request",
                &format!("request {id}"),
                &ip,
            )?;
            Ok(())
        })
        .await?;
    if !ctx.is_htmx() {
        return Ok(resp::redirect(&format!("{PATH}?inviata=1")));
    }
    let fresh = Draft {
        kind: Kind::Assistance.form_value().to_string(),
        ..Draft::default()
    };
    let alert = Some(("success", text::SENT));
    let (ok, none) = (StatusCode::OK, Errors::default());
    render(
        app,
        ctx,
        &session,
        ok,
        alert,
        &fresh,
        &none,
        &Links::default(),
    )
    .await
}
