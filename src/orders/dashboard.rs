//! "Dashboard": the last five orders (their state polls while pending; Download once
//! COMPLETATO), and "Nuovi Documenti": documents published in the last days.

use super::{store, text, views};
use crate::app::App;
use crate::auth::sessions;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Msg;
use crate::ui::{self, Page, time};
use maud::html;

/// Documents published this many days ago or later are "new".
pub const NEW_DAYS: i64 = 30;
const SHOWN: i64 = 5;

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let (patient, since) = (session.patient_id, app.now() - NEW_DAYS * 86_400);
    let now = app.now();
    let (orders, total_orders, (docs, total_docs), (notices, mobile), shares) = app
        .db
        .read(move |c| {
            Ok((
                store::list(c, patient, SHOWN)?,
                store::count(c, patient)?,
                crate::documents::store::new_documents(c, patient, since, SHOWN)?,
                crate::sms::notify::enabled(c, patient)?,
                crate::shares::store::open_of_patient(c, patient, now, SHOWN)?,
            ))
        })
        .await?;
    let l = ctx.lang;
    let t = |m: Msg| l.t(m);
    let alert = match ctx.query().get("avvisi") {
        "1" => Some(t(text::SMS_ON)),
        "0" => Some(t(text::SMS_OFF)),
        _ => None,
    };
    let body = html! {
        h1 class="page-title" { (t(text::DASHBOARD)) }
        p class="lead" { (t(text::DASH_LEAD)) }
        p { (l.f(text::WELCOME, &[&session.given_name, &session.family_name])) }
        section class="card" aria-labelledby="ultimi-ordini" {
            h2 id="ultimi-ordini" { (t(text::LAST_ORDERS)) }
            (views::table(l, &orders, t(text::LAST_ORDERS), views::Origin::Dashboard))
            @if total_orders > 0 {
                p { a class="btn btn-outline" href="/ordini" { (t(text::ALL_ORDERS)) } " (" (total_orders) ")" }
            }
        }
        section class="card" aria-labelledby="nuovi-documenti" {
            h2 id="nuovi-documenti" { (t(text::NEW_DOCS)) }
            p class="summary" { (l.f(text::NEW_DOCS_SUMMARY, &[&docs.len(), &total_docs, &NEW_DAYS])) }
            @if docs.is_empty() {
                (ui::alert("info", t(text::NO_NEW_DOCS)))
            } @else {
                ul class="plain-list" {
                    @for d in &docs {
                        li {
                            strong lang="it" { (d.title) } br;
                            span { span lang="it" { (d.category) } (t(text::PUBLISHED_ON)) (time::datetime(d.published_at)) " · " }
                            @if d.price_cents > 0 { span { (l.euro(d.price_cents)) } } @else { span class="badge badge-success" { (t(crate::documents::text::FREE)) } }
                        }
                    }
                }
            }
            p { a class="btn btn-outline" href="/documenti" { (t(text::TO_DOCUMENTS)) } }
        }
        section class="card" aria-labelledby="condivisioni" {
            h2 id="condivisioni" { (t(text::SHARES)) }
            @if shares.is_empty() {
                p { (t(text::NO_SHARES)) }
            } @else {
                ul class="plain-list" {
                    @for sh in &shares {
                        li {
                            strong lang="it" { (sh.title) }
                            @if !sh.recipient.is_empty() { (t(text::SHARE_FOR)) span lang="it" { (sh.recipient) } }
                            br; span { (t(text::SHARE_UNTIL)) (time::datetime_secs(sh.expires_at)) }
                        }
                    }
                }
            }
            p { a class="btn btn-outline" href=(crate::shares::PATH) { (t(text::MANAGE_SHARES)) } }
        }
        section class="card" aria-labelledby="i-tuoi-dati" {
            h2 id="i-tuoi-dati" { (t(text::MY_DATA)) }
            @if let Some(msg) = alert { (ui::alert("success", msg)) }
            p { a href=(crate::audit::pages::PATH) { (t(text::WHO_VIEWED)) } }
            @if mobile {
                form method="post" action="/dashboard/avvisi" {
                    (ui::csrf_field(&session.csrf_token))
                    p { (t(text::SMS_TEXT))
                        strong { @if notices { (t(text::SMS_STATE_ON)) } @else { (t(text::SMS_STATE_OFF)) } } "." }
                    @if notices {
                        input type="hidden" name="attivi" value="0";
                        button type="submit" class="btn btn-outline" { (t(text::SMS_TURN_OFF)) }
                    } @else {
                        input type="hidden" name="attivi" value="1";
                        button type="submit" class="btn btn-outline" { (t(text::SMS_TURN_ON)) }
                    }
                }
            } @else {
                p class="hint" { (t(text::SMS_NO_MOBILE)) }
            }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: t(text::DASHBOARD),
            active: Some("/dashboard"),
        },
        body,
    )))
}

/// `POST /dashboard/avvisi`: the patient turns SMS notices on (`attivi=1`) or off.
pub async fn notices(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let on = match ctx.form().get("attivi") {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::bad_request(text::BAD_CHOICE)),
    };
    let (patient, now, ip) = (session.patient_id, app.now(), ctx.ip.to_string());
    app.db
        .write(move |tx| {
            crate::sms::notify::set_enabled(tx, patient, on)?;
            let detail = if on { "attivati" } else { "disattivati" };
            crate::audit::record(tx, now, Some(patient), "notifications", detail, &ip)?;
            Ok(())
        })
        .await?;
    Ok(resp::go_to(
        ctx,
        if on {
            "/dashboard?avvisi=1#i-tuoi-dati"
        } else {
            "/dashboard?avvisi=0#i-tuoi-dati"
        },
    ))
}
