//! Views of "Documenti Interscambiati": the filter form, the results, one row.

use super::filter::{Filter, display};
use super::size_label;
use super::store::DocRow;
use crate::recovery::Status;
use crate::ui::{self, time};
use maud::{Markup, html};

pub const PATH: &str = "/documenti-interscambiati";

pub fn filters(f: &Filter, categories: &[String]) -> Markup {
    html! {
        form id="filtri" class="filters card" method="get" action=(PATH)
            hx-get=(PATH) hx-target="#risultati" hx-push-url="true" hx-trigger="change, submit" {
            div class="grid-3" {
                div class="field" {
                    label for="da" { "Dal" }
                    input type="date" id="da" name="da" value=(f.from.to_string()) required;
                }
                div class="field" {
                    label for="a" { "Al" }
                    input type="date" id="a" name="a" value=(f.to.to_string()) required;
                }
                div class="field" {
                    label for="categoria" { "Categoria" }
                    select id="categoria" name="categoria" {
                        option value="" selected[f.category.is_none()] { "Tutte le categorie" }
                        @for c in categories {
                            option value=(c) selected[f.category.as_deref() == Some(c.as_str())] { (c) }
                        }
                    }
                }
            }
            div class="field-check" {
                label for="nascosti" {
                    input type="checkbox" id="nascosti" name="nascosti" value="1" checked[f.hidden];
                    "Mostra anche i documenti che ho nascosto"
                }
            }
            div class="actions" {
                button type="submit" class="btn btn-primary" { "Filtra" }
                a class="btn btn-outline" href=(PATH) { "Oggi" }
            }
        }
    }
}

pub struct Results<'a> {
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
    let f = r.filter;
    let back = format!("{PATH}?{}", f.query());
    html! {
        p class="summary" {
            @if f.from == f.to { "Documenti del " (display(f.from)) } @else { "Documenti dal " (display(f.from)) " al " (display(f.to)) }
            @if let Some(c) = &f.category { " · categoria " strong { (c) } }
        }
        @if f.from < r.first_online {
            (ui::alert("info", &format!(
                "I documenti restano consultabili online per {} giorni dalla data di scambio: quelli precedenti al {} non sono più elencati. Puoi richiederne una copia all'Azienda.",
                r.online_days, display(r.first_online))))
        }
        @if r.rows.is_empty() {
            (ui::alert("info", "Nessun documento in questo periodo. Prova a scegliere un intervallo di date più ampio o un'altra categoria."))
        } @else {
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { "Documenti interscambiati" }
                    thead { tr {
                        th scope="col" { "Data" } th scope="col" { "Categoria" } th scope="col" { "Descrizione" }
                        th scope="col" { "Stato" } th scope="col" { "Azioni" }
                    } }
                    tbody id="righe" {
                        @for d in r.rows { (row(d, r.csrf, &back, (r.progress)(d.id), false, r.kiosk)) }
                    }
                }
            }
            @if r.more {
                @let next = format!("{PATH}?{}&pagina={}", f.query(), r.page + 1);
                p { a class="btn btn-outline" href=(next) hx-get=(next) hx-target="#risultati" hx-push-url="true" { "Mostra altri" } }
            }
        }
    }
}

fn action(d: &DocRow, verb: &str, label: &str, csrf: &str, back: &str, class: &str) -> Markup {
    let url = format!("{PATH}/{}/{verb}", d.public_id);
    html! {
        form class="inline" method="post" action=(url) hx-post=(url) hx-target="closest tr" hx-swap="outerHTML" {
            (ui::csrf_field(csrf))
            input type="hidden" name="ritorno" value=(back);
            button type="submit" class=(class) { (label) span class="visually-hidden" { ": " (d.title) } }
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
    html! {
        tr id={ "doc-" (d.public_id) } class=[d.hidden.then_some("is-hidden")]
            hx-get=[polling.then_some(row_url.as_str())] hx-trigger=[polling.then_some("every 1500ms")] hx-swap=[polling.then_some("outerHTML")] {
            td data-label="Data" { (time::datetime(d.exchanged_at).split(' ').next().unwrap_or_default()) }
            td data-label="Categoria" { (d.category) }
            td data-label="Descrizione" {
                (d.title)
                @if d.hidden { " " span class="badge badge-muted" { "Nascosto" } }
            }
            td data-label="Stato" { (state(d, progress)) }
            td data-label="Azioni" {
                div class="actions" {
                    @if d.locked() {
                        a class="btn btn-outline" href="/documenti" { "Vai a Documenti" }
                    } @else {
                        @match &d.status {
                            Status::ToRecover => (action(d, "recupera", "Recupera", csrf, back, "btn btn-primary")),
                            Status::Failed { .. } => (action(d, "recupera", "Riprova", csrf, back, "btn btn-primary")),
                            Status::Ready { .. } if kiosk => {
                                (action(d, "invia-cellulare", "Invia al mio cellulare", csrf, back, "btn btn-primary"))
                            }
                            Status::Ready { size, .. } => {
                                a class="btn btn-primary" href={ (PATH) "/" (d.public_id) "/download" } download
                                    data-auto-download=[auto_download.then_some("1")] {
                                    "Download (" (size_label(*size as u64)) ")" span class="visually-hidden" { ": " (d.title) }
                                }
                            }
                            Status::InProgress => {}
                        }
                    }
                    @if !d.locked() && !kiosk {
                        a class="btn btn-link" href={ (crate::shares::PATH) "?documento=" (d.public_id) } {
                            "Condividi con il medico" span class="visually-hidden" { ": " (d.title) }
                        }
                    }
                    @if d.hidden { (action(d, "mostra", "Mostra di nuovo", csrf, back, "btn btn-link")) }
                    @else { (action(d, "nascondi", "Nascondi", csrf, back, "btn btn-link")) }
                }
            }
        }
    }
}

fn state(d: &DocRow, progress: Option<(u64, Option<u64>)>) -> Markup {
    if d.locked() {
        return html! { span class="badge badge-warning" { "A pagamento" } " " (crate::ui::euro(d.price_cents)) };
    }
    match &d.status {
        Status::ToRecover => html! { span class="badge badge-muted" { "Da recuperare" } },
        Status::InProgress => {
            let (done, total) = progress.unwrap_or((0, None));
            html! {
                span class="badge" { "Recupero in corso" }
                @match total {
                    Some(t) if t > 0 => {
                        @let pct = (done.min(t) * 100 / t) as u32;
                        progress value=(done.min(t)) max=(t) aria-label="Avanzamento del recupero" { (pct) " %" }
                        span class="progress-label" { (pct) " % · " (size_label(done)) " di " (size_label(t)) }
                    }
                    _ => {
                        progress aria-label="Avanzamento del recupero" {}
                        span class="progress-label" { @if done > 0 { (size_label(done)) " ricevuti" } @else { "In attesa…" } }
                    }
                }
            }
        }
        Status::Ready { expires_at, .. } => html! {
            span class="badge badge-success" { "Disponibile" } " fino al " (time::datetime(*expires_at))
        },
        Status::Failed { reason } => html! {
            span class="badge badge-danger" { "Recupero non riuscito" }
            p class="field-error" { (reason) }
        },
    }
}
