//! Views of "Documenti Interscambiati": the filter form, the results, one row.

use super::filter::{Filter, display};
use super::store::DocRow;
use super::{data, data_lang, size, text};
use crate::i18n::Lang;
use crate::recovery::Status;
use crate::ui::{self, time};
use maud::{Markup, html};

pub const PATH: &str = "/documenti-interscambiati";

pub fn filters(l: Lang, f: &Filter, categories: &[String]) -> Markup {
    html! {
        form id="filtri" class="filters card" method="get" action=(PATH)
            hx-get=(PATH) hx-target="#risultati" hx-push-url="true" hx-trigger="change, submit" {
            div class="grid-3" {
                div class="field" {
                    label for="da" { (l.t(text::FROM)) }
                    input type="date" id="da" name="da" value=(f.from.to_string()) required;
                }
                div class="field" {
                    label for="a" { (l.t(text::TO)) }
                    input type="date" id="a" name="a" value=(f.to.to_string()) required;
                }
                div class="field" {
                    label for="categoria" { (l.t(text::CATEGORY)) }
                    select id="categoria" name="categoria" {
                        option value="" selected[f.category.is_none()] { (l.t(text::ALL_CATEGORIES)) }
                        @for c in categories {
                            option value=(c) selected[f.category.as_deref() == Some(c.as_str())] lang=[data_lang(l)] { (c) }
                        }
                    }
                }
            }
            div class="field-check" {
                label for="nascosti" {
                    input type="checkbox" id="nascosti" name="nascosti" value="1" checked[f.hidden];
                    (l.t(text::SHOW_HIDDEN))
                }
            }
            div class="actions" {
                button type="submit" class="btn btn-primary" { (l.t(text::FILTER)) }
                a class="btn btn-outline" href=(PATH) { (l.t(text::TODAY)) }
            }
        }
    }
}

pub struct Results<'a> {
    pub lang: Lang,
    pub filter: &'a Filter,
    pub rows: &'a [DocRow],
    pub more: bool,
    pub page: i64,
    pub first_online: jiff::civil::Date,
    pub online_days: i64,
    pub csrf: &'a str,
    pub progress: &'a dyn Fn(i64) -> Option<(u64, Option<u64>)>,
    /// At a kiosk: "Invia al mio cellulare" instead of Download.
    pub kiosk: bool,
}

pub fn results(r: &Results) -> Markup {
    let (f, l) = (r.filter, r.lang);
    let back = format!("{PATH}?{}", f.query());
    html! {
        p class="summary" {
            @if f.from == f.to { (l.f(text::SUMMARY_DAY, &[&display(f.from)])) }
            @else { (l.f(text::SUMMARY_RANGE, &[&display(f.from), &display(f.to)])) }
            @if let Some(c) = &f.category { (l.t(text::SUMMARY_CATEGORY)) strong lang=[data_lang(l)] { (c) } }
        }
        @if f.from < r.first_online {
            (ui::alert("info", &l.f(text::ONLINE_LIMIT, &[&r.online_days, &display(r.first_online)])))
        }
        @if r.rows.is_empty() {
            (ui::alert("info", l.t(text::NONE_IN_PERIOD)))
        } @else {
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { (l.t(text::EXCHANGED_CAPTION)) }
                    (head(l))
                    tbody id="righe" {
                        @for d in r.rows { (row(l, d, r.csrf, &back, (r.progress)(d.id), false, r.kiosk)) }
                    }
                }
            }
            @if r.more {
                @let next = format!("{PATH}?{}&pagina={}", f.query(), r.page + 1);
                p { a class="btn btn-outline" href=(next) hx-get=(next) hx-target="#risultati" hx-push-url="true" { (l.t(text::MORE)) } }
            }
        }
    }
}

/// The head of a table of `row`s.
pub fn head(l: Lang) -> Markup {
    html! {
        thead { tr {
            th scope="col" { (l.t(text::COL_DATE)) } th scope="col" { (l.t(text::CATEGORY)) }
            th scope="col" { (l.t(text::COL_DESCRIPTION)) }
            th scope="col" { (l.t(text::COL_STATUS)) } th scope="col" { (l.t(text::COL_ACTIONS)) }
        } }
    }
}

/// The document's title after a button's words, for screen readers only.
fn named(l: Lang, d: &DocRow) -> Markup {
    html! { span class="visually-hidden" lang=[data_lang(l)] { ": " (d.title) } }
}

struct Act<'a> {
    l: Lang,
    d: &'a DocRow,
    csrf: &'a str,
    back: &'a str,
}

fn action(a: &Act, verb: &str, label: crate::i18n::Msg, class: &str) -> Markup {
    let (l, d) = (a.l, a.d);
    let url = format!("{PATH}/{}/{verb}", d.public_id);
    html! {
        form class="inline" method="post" action=(url) hx-post=(url) hx-target="closest tr" hx-swap="outerHTML" {
            (ui::csrf_field(a.csrf))
            input type="hidden" name="ritorno" value=(a.back);
            button type="submit" class=(class) { (l.t(label)) (named(l, d)) }
        }
    }
}

/// One document's row. While its recovery runs the row asks for itself again every 1.5 s.
/// With `auto_download` (a recovery the patient started on the open page: the "Recupera"
/// answer and the polls it leads to carry `?scarica=1`) the row that turns Disponibile
/// marks its Download link `data-auto-download`, which app.js clicks once; a row rendered
/// by a page load never has it, so a later visit does not download again. At a kiosk
/// (`kiosk`) the available document offers "Invia al mio cellulare" instead of Download.
pub fn row(
    l: Lang,
    d: &DocRow,
    csrf: &str,
    back: &str,
    progress: Option<(u64, Option<u64>)>,
    auto_download: bool,
    kiosk: bool,
) -> Markup {
    let polling = d.status == Status::InProgress;
    let row_url = if auto_download {
        format!("{PATH}/{}/riga?scarica=1", d.public_id)
    } else {
        format!("{PATH}/{}/riga", d.public_id)
    };
    let a = Act { l, d, csrf, back };
    html! {
        tr id={ "doc-" (d.public_id) } class=[d.hidden.then_some("is-hidden")]
            hx-get=[polling.then_some(row_url.as_str())] hx-trigger=[polling.then_some("every 1500ms")] hx-swap=[polling.then_some("outerHTML")] {
            td data-label=(l.t(text::COL_DATE)) { (time::datetime(d.exchanged_at).split(' ').next().unwrap_or_default()) }
            td data-label=(l.t(text::CATEGORY)) { (data(l, &d.category)) }
            td data-label=(l.t(text::COL_DESCRIPTION)) {
                (data(l, &d.title))
                @if d.hidden { " " span class="badge badge-muted" { (l.t(text::HIDDEN)) } }
            }
            td data-label=(l.t(text::COL_STATUS)) { (state(l, d, progress)) }
            td data-label=(l.t(text::COL_ACTIONS)) {
                div class="actions" {
                    @if d.locked() {
                        a class="btn btn-outline" href="/documenti" { (l.t(text::GO_TO_DOCUMENTS)) }
                    } @else {
                        @match &d.status {
                            Status::ToRecover => (action(&a, "recupera", text::RECOVER, "btn btn-primary")),
                            Status::Failed { .. } => (action(&a, "recupera", text::RETRY, "btn btn-primary")),
                            Status::Ready { .. } if kiosk => {
                                (action(&a, "invia-cellulare", text::SEND_TO_PHONE, "btn btn-primary"))
                            }
                            Status::Ready { size: bytes, .. } => {
                                a class="btn btn-primary" href={ (PATH) "/" (d.public_id) "/download" } download
                                    data-auto-download=[auto_download.then_some("1")] {
                                    (l.f(text::DOWNLOAD, &[&size(l, *bytes as u64)])) (named(l, d))
                                }
                            }
                            Status::InProgress => {}
                        }
                    }
                    @if !d.locked() && !kiosk {
                        a class="btn btn-link" href={ (crate::shares::PATH) "?documento=" (d.public_id) } {
                            (l.t(text::SHARE)) (named(l, d))
                        }
                    }
                    @if d.hidden { (action(&a, "mostra", text::SHOW_AGAIN, "btn btn-link")) }
                    @else { (action(&a, "nascondi", text::HIDE, "btn btn-link")) }
                }
            }
        }
    }
}

fn state(l: Lang, d: &DocRow, progress: Option<(u64, Option<u64>)>) -> Markup {
    if d.locked() {
        return html! { span class="badge badge-warning" { (l.t(text::LOCKED_BADGE)) } " " (l.euro(d.price_cents)) };
    }
    match &d.status {
        Status::ToRecover => html! { span class="badge badge-muted" { (l.t(text::TO_RECOVER)) } },
        Status::InProgress => {
            let (done, total) = progress.unwrap_or((0, None));
            html! {
                span class="badge" { (l.t(text::IN_PROGRESS)) }
                @match total {
                    Some(t) if t > 0 => {
                        @let pct = (done.min(t) * 100 / t) as u32;
                        progress value=(done.min(t)) max=(t) aria-label=(l.t(text::PROGRESS)) { (l.f(text::PERCENT, &[&pct])) }
                        span class="progress-label" { (l.f(text::PROGRESS_OF, &[&pct, &size(l, done), &size(l, t)])) }
                    }
                    _ => {
                        progress aria-label=(l.t(text::PROGRESS)) {}
                        span class="progress-label" {
                            @if done > 0 { (l.f(text::RECEIVED, &[&size(l, done)])) } @else { (l.t(text::WAITING)) }
                        }
                    }
                }
            }
        }
        Status::Ready { expires_at, .. } => html! {
            span class="badge badge-success" { (l.t(text::AVAILABLE)) } (l.t(text::UNTIL)) (time::datetime(*expires_at))
        },
        Status::Failed { reason } => {
            let known = crate::recovery::text::reason(reason);
            html! {
                span class="badge badge-danger" { (l.t(text::FAILED)) }
                @match known {
                    Some(m) => p class="field-error" { (l.t(m)) },
                    None => p class="field-error" lang=[data_lang(l)] { (reason) },
                }
            }
        }
    }
}
