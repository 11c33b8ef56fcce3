//! "Documenti Interscambiati": the list with its filter (a plain GET form, made partial by
//! htmx), rows that recover, poll and download, and hiding.

use super::filter::{self, Filter};
use super::store::{self, DocRow};
use super::text;
use super::views::{self, PATH, Results};
use crate::app::App;
use crate::auth::sessions::{self, Session};
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::recovery::{self, Status};
use crate::ui::{self, Page};
use hyper::StatusCode;
use maud::html;

/// Actions on one document, from `/documenti-interscambiati/<id>/<action>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Row,
    Recover,
    Hide,
    Show,
    Download,
    /// At a kiosk, instead of Download: an SMS with the portal's address (`kiosk::sms`).
    SendToPhone,
}

impl Action {
    pub fn decode(s: &str) -> Option<Action> {
        Some(match s {
            "riga" => Action::Row,
            "recupera" => Action::Recover,
            "nascondi" => Action::Hide,
            "mostra" => Action::Show,
            "download" => Action::Download,
            "invia-cellulare" => Action::SendToPhone,
            _ => return None,
        })
    }

    pub fn is_post(self) -> bool {
        matches!(
            self,
            Action::Recover | Action::Hide | Action::Show | Action::SendToPhone
        )
    }
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let today = filter::today();
    let cats = &app.config.documents.categories;
    let l = ctx.lang;
    let q = ctx.query();
    let page = q.get("pagina").parse::<i64>().unwrap_or(0).clamp(0, 100);
    let (filter, error) = match Filter::from_query(&q, today, cats) {
        Ok(f) => (f, None),
        Err(e) => (Filter::today(today), Some(e.0)),
    };
    let first_online = store::first_online_day(today, app.config.documents.online_days);
    let size = app.config.documents.page_size;
    let (patient, f, now) = (session.patient_id, filter.clone(), app.now());
    let found = app
        .db
        .read(move |c| {
            Ok(store::list(
                c,
                patient,
                &f,
                first_online,
                0,
                size * (page + 1),
                now,
            )?)
        })
        .await?;
    let progress = |id| app.jobs.progress.get(id);
    let results = Results {
        lang: l,
        filter: &filter,
        rows: &found.rows,
        more: found.more,
        page,
        first_online,
        online_days: app.config.documents.online_days,
        csrf: &session.csrf_token,
        progress: &progress,
        kiosk: ctx.kiosk,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let inner = html! {
        @if let Some(e) = error { (ui::alert("danger", l.t(e))) }
        (views::results(&results))
    };
    if ctx.wants_fragment() {
        return Ok(resp::html(status, inner));
    }
    let body = html! {
        h1 class="page-title" { (l.t(text::EXCHANGED_TITLE)) }
        p { (l.t(text::EXCHANGED_INTRO))
            strong { (l.t(text::EXCHANGED_INTRO_RECOVERED)) }
            (l.f(text::EXCHANGED_INTRO_HOURS, &[&app.config.recovery.keep_hours])) }
        (views::filters(l, &filter, cats))
        div id="risultati" aria-live="polite" { (inner) }
    };
    Ok(resp::html(
        status,
        ui::page(
            app,
            ctx,
            Page {
                title: l.t(text::EXCHANGED_TITLE),
                active: Some(PATH),
            },
            body,
        ),
    ))
}

async fn find(app: &App, session: &Session, id: &str) -> Result<DocRow, AppError> {
    let not_found = || AppError::missing(super::NOT_FOUND_ONLINE);
    let first_online = store::first_online_day(filter::today(), app.config.documents.online_days);
    let (patient, id, now) = (session.patient_id, id.to_string(), app.now());
    app.db
        .read(move |c| Ok(store::get(c, patient, &id, first_online, now)?))
        .await?
        .ok_or_else(not_found)
}

/// Where a plain form POST goes back to: the list with the patient's filter, or the
/// order page the row was shown on. A control character (which no Location header can
/// carry: the 303 would go nowhere) or a backslash sends it to the list.
fn back(ctx: &Ctx) -> String {
    let r = ctx.form().get("ritorno").to_string();
    if (r.starts_with(PATH) || r.starts_with("/ordini/"))
        && !r.contains("//")
        && crate::i18n::switch::local(&r) == r
    {
        r
    } else {
        PATH.to_string()
    }
}

/// The row as htmx swaps it in; `auto_download` as in `views::row`.
fn row_response(app: &App, ctx: &Ctx, session: &Session, d: &DocRow, auto_download: bool) -> Resp {
    let back = back(ctx);
    resp::ok_html(views::row(
        ctx.lang,
        d,
        &session.csrf_token,
        &back,
        app.jobs.progress.get(d.id),
        auto_download,
        ctx.kiosk,
    ))
}

pub async fn document(
    app: &App,
    ctx: &mut Ctx,
    id: &str,
    action: Action,
) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let d = find(app, &session, id).await?;
    match action {
        Action::Row if !ctx.is_htmx() => Ok(resp::redirect(PATH)),
        Action::Row => {
            let auto = ctx.query().get("scarica") == "1";
            Ok(row_response(app, ctx, &session, &d, auto))
        }
        Action::Recover => recover(app, ctx, &session, d).await,
        Action::Hide | Action::Show => {
            let (patient, doc, hide, now) =
                (session.patient_id, d.id, action == Action::Hide, app.now());
            app.db
                .write(move |tx| Ok(store::set_hidden(tx, patient, doc, hide, now)?))
                .await?;
            if !ctx.is_htmx() {
                return Ok(resp::redirect(&back(ctx)));
            }
            let d = find(app, &session, id).await?;
            Ok(row_response(app, ctx, &session, &d, false))
        }
        Action::Download if ctx.kiosk => {
            Err(AppError::new(Kind::Forbidden, text::KIOSK_NO_DOWNLOAD))
        }
        Action::Download => download(app, ctx, &session, &d).await,
        Action::SendToPhone => {
            let to = crate::kiosk::sms::send(app, ctx, &session, &d).await?;
            if !ctx.is_htmx() {
                return Ok(resp::redirect(&back(ctx)));
            }
            let l = ctx.lang;
            let msg = l.f(text::SMS_SENT, &[&to]);
            let row = views::row(l, &d, &session.csrf_token, &back(ctx), None, false, true);
            Ok(resp::ok_html(html! {
                (row)
                div id="alerts" aria-live="polite" hx-swap-oob="true" { (ui::alert("success", &msg)) }
            }))
        }
    }
}

async fn recover(app: &App, ctx: &Ctx, session: &Session, d: DocRow) -> Result<Resp, AppError> {
    if d.locked() {
        return Err(AppError::new(Kind::Conflict, text::LOCKED));
    }
    let (doc, patient, now, ip) = (d.id, session.patient_id, app.now(), ctx.ip.to_string());
    let lang = ctx.lang;
    let queued = app
        .db
        .write(move |tx| {
            let queued = recovery::store::request(tx, doc, lang, now)?;
            if queued {
                crate::audit::document_access(tx, now, patient, doc, "recovery_request", &ip)?;
            }
            Ok(queued)
        })
        .await?;
    if queued {
        app.jobs.wakeup.notify_one();
    }
    if !ctx.is_htmx() {
        return Ok(resp::redirect(&back(ctx)));
    }
    let d = find(app, session, &d.public_id).await?;
    Ok(row_response(app, ctx, session, &d, true))
}

async fn download(app: &App, ctx: &Ctx, session: &Session, d: &DocRow) -> Result<Resp, AppError> {
    if !matches!(d.status, Status::Ready { .. }) || d.locked() {
        return Err(AppError::new(Kind::NotFound, text::NOT_READY));
    }
    let (doc, now) = (d.id, app.now());
    let file = app
        .db
        .read(move |c| Ok(recovery::store::ready_file(c, doc, now)?))
        .await?;
    let gone = || AppError::new(Kind::NotFound, text::GONE);
    let file = file.ok_or_else(gone)?;
    if !std::path::Path::new(&file.path).is_file() {
        // Deleted behind our back (disk cleaned, restore from backup): "Da recuperare" again.
        tracing::warn!("download: file in cache mancante per il documento {doc}");
        app.db
            .write(move |tx| Ok(recovery::store::lost(tx, doc)?))
            .await?;
        return Err(gone());
    }
    // A HEAD sends no data: nothing was downloaded. The detail names the part served as
    // parsed numbers, never the header as sent (a 60 KB Range would make a 60 KB row).
    if ctx.method != hyper::Method::HEAD {
        let detail = match ctx
            .header("range")
            .and_then(|r| recovery::download::parse_range(r, file.size as u64))
        {
            Some(Ok((start, end))) => format!("document {doc} bytes {start}-{end}"),
            Some(Err(())) => format!("document {doc} range not satisfiable"),
            None => format!("document {doc}"),
        };
        let (patient, ip) = (session.patient_id, ctx.ip.to_string());
        app.db
            .write(move |tx| {
                Ok(crate::audit::log(
                    tx,
                    now,
                    &crate::audit::Entry::by(crate::audit::Actor::Patient(patient))
                        .action("document_download")
                        .document(patient, doc)
                        .detail(detail)
                        .ip(&ip),
                )?)
            })
            .await?;
    }
    recovery::download::serve_ready(&file, ctx).await
}
