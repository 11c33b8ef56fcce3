//! Views of the inbox: the filter, the list, one request's thread and the reply form.

use super::audit_pages::{date, text};
use super::requests::{Filter, PATH, REPLY_MAX};
use super::requests_store::{Detail, Row};
use crate::support::store::{Author, Kind, State};
use crate::ui::{self, time};
use maud::{Markup, html};

pub fn state_badge(state: State) -> Markup {
    let class = match state {
        State::Open => "badge badge-warning",
        State::Answered => "badge badge-success",
        State::Closed => "badge badge-muted",
    };
    let label = match state {
        State::Open => "DA EVADERE",
        State::Answered => "RISPOSTA INVIATA",
        State::Closed => "CHIUSA",
    };
    html! { span class=(class) { (label) } }
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Assistance => "Assistenza",
        Kind::Availability => "Disponibilità",
    }
}

fn select(name: &str, label: &str, value: &str, options: &[(&str, &str)]) -> Markup {
    html! { div class="field" {
        label for={ "f-" (name) } { (label) }
        select id={ "f-" (name) } name=(name) {
            @for (v, l) in options { option value=(v) selected[value == *v] { (l) } }
        }
    } }
}

fn filters(f: &Filter) -> Markup {
    html! {
        form method="get" action=(PATH) class="card filters" {
            div class="filter-row" {
                (select("tipo", "Tipo", &f.kind, &[("", "tutte"), ("assistenza", "assistenza"), ("disponibilita", "disponibilità")]))
                (select("stato", "Stato", &f.state, &[("", "tutti"), ("open", "da evadere"), ("answered", "risposta inviata"), ("closed", "chiuse")]))
                (text("q", "Testo o codice fiscale", &f.text, 100))
                (date("dal", "Dal", &f.from))
                (date("al", "Al", &f.to))
            }
            button type="submit" class="btn btn-primary" { "Cerca" }
        }
    }
}

pub fn list(f: &Filter, rows: &[Row], error: Option<&str>, next: Option<&str>) -> Markup {
    html! {
        h1 class="page-title" { "Richieste" }
        p { "Le richieste di assistenza e di disponibilità dei pazienti, dalla più recente." }
        (filters(f))
        @if let Some(e) = error { (ui::alert("danger", e)) }
        @if rows.is_empty() { p class="empty" { "Nessuna richiesta." } } @else {
            div class="table-wrap" { table class="table" id="richieste" {
                caption class="visually-hidden" { "Richieste" }
                thead { tr {
                    th scope="col" { "Inviata il" } th scope="col" { "Tipo" } th scope="col" { "Oggetto" }
                    th scope="col" { "Paziente" } th scope="col" { "Stato" } th scope="col" { "Messaggi" }
                } }
                tbody { @for r in rows { tr {
                    td data-label="Inviata il" { (time::datetime(r.created_at)) }
                    td data-label="Tipo" { (kind_label(r.kind)) }
                    td data-label="Oggetto" { a href={ (PATH) "/" (r.public_id) } { (r.subject) } }
                    td data-label="Paziente" { span class="mono" { (r.cf) } br; span class="hint" { (r.name) } }
                    td data-label="Stato" { (state_badge(r.state)) }
                    td data-label="Messaggi" { (r.replies + 1) }
                } } }
            } }
        }
        @if let Some(n) = next { p { a href={ (PATH) "?" (n) } { "Meno recenti →" } } }
    }
}

/// Text as typed: its lines kept.
fn lines(s: &str) -> Markup {
    html! { p { @for (i, line) in s.split('\n').enumerate() { @if i > 0 { br; } (line) } } }
}

fn thread(d: &Detail) -> Markup {
    html! {
        section aria-labelledby="conversazione" {
            h2 id="conversazione" { "Conversazione" }
            article class="card request" {
                p class="muted" { strong { "Il paziente" } " · " (time::datetime(d.row.created_at)) }
                (lines(&d.message))
            }
            @for m in &d.thread {
                article class="card reply" {
                    @match m.author {
                        Author::Operator => p class="muted" {
                            strong { "Risposta dell'Azienda" }
                            @if let Some(who) = &m.operator { " (" (who) ")" }
                            " · " (time::datetime(m.at))
                        },
                        Author::Patient => p class="muted" { strong { "Il paziente" } " · " (time::datetime(m.at)) },
                    }
                    (lines(&m.body))
                }
            }
        }
    }
}

fn reply_form(d: &Detail, csrf: &str, draft: &str, error: Option<&str>) -> Markup {
    let action = format!("{PATH}/{}", d.row.public_id);
    html! {
        section class="card" aria-labelledby="rispondi" {
            h2 id="rispondi" { "Rispondi" }
            form method="post" action=(action) {
                (ui::csrf_field(csrf))
                div class="field" {
                    label for="f-risposta" { "Risposta al paziente" }
                    p class="hint" id="f-risposta-hint" {
                        "Il paziente la legge in Assistenza e riceve un SMS (al massimo uno al giorno) \
                         che non dice nulla della richiesta. Al massimo " (REPLY_MAX) " caratteri."
                    }
                    @if let Some(e) = error { p class="field-error" id="f-risposta-err" { (e) } }
                    textarea id="f-risposta" name="risposta" rows="6" maxlength=(REPLY_MAX)
                        aria-invalid=[error.map(|_| "true")]
                        aria-describedby=(if error.is_some() { "f-risposta-hint f-risposta-err" } else { "f-risposta-hint" }) { (draft) }
                }
                @if d.row.state != State::Closed {
                    div class="field-check" {
                        label for="f-chiudi" {
                            input type="checkbox" id="f-chiudi" name="chiudi" value="1";
                            span { "Chiudi la richiesta" }
                        }
                    }
                }
                div class="actions" { button type="submit" class="btn btn-primary" { "Invia" } }
            }
        }
    }
}

pub fn detail(
    d: &Detail,
    csrf: &str,
    alert: Option<(&str, &str)>,
    draft: &str,
    error: Option<&str>,
) -> Markup {
    let r = &d.row;
    html! {
        p { a href=(PATH) { "← Richieste" } }
        h1 class="page-title" { (r.subject) }
        @if let Some((kind, msg)) = alert { (ui::alert(kind, msg)) }
        dl class="details card" {
            dt { "Tipo" } dd { (r.kind.label()) }
            dt { "Stato" } dd { (state_badge(r.state)) }
            dt { "Paziente" } dd { span class="mono" { (r.cf) } " · " (r.name) }
            dt { "Inviata il" } dd { (time::datetime(r.created_at)) }
            dt { "Ultimo aggiornamento" } dd { (time::datetime(r.updated_at)) }
            @if let Some(n) = &d.order_number {
                dt { "Ordine" } dd { a class="mono" href={ "/operatore/ordini/" (n) } { (n) } }
            }
            @if let Some(t) = &d.document_title { dt { "Documento" } dd { (t) } }
            @if !d.period.is_empty() { dt { "Periodo" } dd { (d.period) } }
        }
        (thread(d))
        (reply_form(d, csrf, draft, error))
    }
}
