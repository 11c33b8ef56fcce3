//! "Chi ha consultato i miei dati": every access to the patient's documents — by the
//! patient, by the ASL's operators, by the hospital's systems — and every action of an
//! operator or a system on the patient's data, newest first. The Garante's guidelines on
//! online reports ask that a patient can know this; the portal shows it without being asked.

use super::store::{self, Access};
use super::text;
use crate::app::App;
use crate::auth::sessions;
use crate::documents::data;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Lang;
use crate::ui::{self, Page, time};
use maud::{Markup, html};

pub const PATH: &str = "/accessi";
const PAGE: i64 = 50;

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let page_no: i64 = ctx
        .query()
        .get("pagina")
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .unwrap_or(1);
    let (patient, l) = (session.patient_id, ctx.lang);
    let mut rows = app
        .db
        .read(move |c| Ok(store::accesses(c, patient, PAGE + 1, (page_no - 1) * PAGE)?))
        .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let body = html! {
        h1 class="page-title" { (l.t(text::TITLE)) }
        p { (l.t(text::INTRO)) }
        p class="hint" { (l.t(text::HINT))
            a href="/assistenza" { (l.t(text::SUPPORT)) } "." }
        (table(l, &rows))
        nav class="pager" aria-label=(l.t(text::PAGES)) {
            @if page_no > 1 { a href={ (PATH) "?pagina=" (page_no - 1) } { (l.t(text::NEWER)) } }
            @if more { a href={ (PATH) "?pagina=" (page_no + 1) } { (l.t(text::OLDER)) } }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::TITLE),
            active: None,
        },
        body,
    )))
}

/// Who, as the patient reads it: the name of a member of staff or of a system is data.
fn who(l: Lang, a: &Access) -> Markup {
    let named = |m| html! { (l.t(m)) (data(l, &a.who)) };
    match a.actor.as_str() {
        "patient" => html! { (l.t(text::WHO_YOU)) },
        "operator" => named(text::WHO_STAFF),
        "api" => named(text::WHO_SYSTEM),
        _ if a.action.starts_with("share_")
            && a.action != "share_create"
            && a.action != "share_revoke" =>
        {
            html! { (l.t(text::WHO_LINK)) }
        }
        _ => html! { (l.t(text::WHO_PORTAL)) },
    }
}

fn table(l: Lang, rows: &[Access]) -> Markup {
    html! {
        @if rows.is_empty() {
            p class="empty" { (l.t(text::EMPTY)) }
        } @else {
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { (l.t(text::CAPTION)) }
                    thead { tr {
                        th scope="col" { (l.t(text::COL_WHEN)) }
                        th scope="col" { (l.t(text::COL_WHO)) }
                        th scope="col" { (l.t(text::COL_WHAT)) }
                        th scope="col" { (l.t(text::COL_DOCUMENT)) }
                    } }
                    tbody {
                        @for a in rows {
                            tr {
                                td { (time::datetime(a.at)) }
                                td { (who(l, a)) }
                                td { (super::label_in(l, &a.action)) }
                                td {
                                    @if a.title.is_empty() { "—" } @else {
                                        (data(l, &a.title)) br; span class="hint" { (data(l, &a.category)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
