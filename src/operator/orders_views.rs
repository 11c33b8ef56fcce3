//! Views of the back office's orders: filter, list, and one order's page with its items,
//! positions, receipt, events, "Ricontrolla pagamento" and the flag's handling.

use super::audit_pages::{date, text};
use super::orders::{Filter, NOTE_MAX, PATH, STATES};
use super::orders_store::{Detail as Order, Row};
use crate::orders::state::State;
use crate::orders::store::Item;
use crate::orders::views::badge;
use crate::payments::notice::NoticeNumber;
use crate::ui::{self, euro, time};
use maud::{Markup, html};

fn filters(f: &Filter) -> Markup {
    html! {
        form method="get" action=(PATH) class="card filters" {
            div class="filter-row" {
                div class="field" {
                    label for="f-stato" { "Stato" }
                    select id="f-stato" name="stato" {
                        option value="" selected[f.state.is_empty()] { "tutti" }
                        @for s in STATES { option value=(s.as_str()) selected[f.state == s.as_str()] { (s.label()) } }
                    }
                }
                div class="field" {
                    label for="f-segnalati" { "Segnalazioni" }
                    select id="f-segnalati" name="segnalati" {
                        @for (v, l) in [("", "tutti gli ordini"), ("1", "segnalati da gestire"), ("tutti", "tutti i segnalati")] {
                            option value=(v) selected[f.flagged == v] { (l) }
                        }
                    }
                }
                (text("cf", "Codice fiscale", &f.cf, 16))
                (date("dal", "Ordinati dal", &f.from))
                (date("al", "al", &f.to))
            }
            button type="submit" class="btn btn-primary" { "Cerca" }
            " " a class="btn btn-outline" href={ (PATH) ".csv?" (f.query_string()) } { "Esporta CSV" }
        }
    }
}

fn flag_cell(r: &Row) -> Markup {
    html! {
        @if r.flag.is_some() {
            @match r.flag_state.as_deref() {
                Some("refunded") => span class="badge badge-muted" { "RIMBORSATO" },
                Some(_) => span class="badge badge-muted" { "GESTITO" },
                None => span class="badge badge-danger" { "DA GESTIRE" },
            }
        }
    }
}

pub fn list(f: &Filter, rows: &[Row], error: Option<&str>, next: Option<&str>) -> Markup {
    html! {
        h1 class="page-title" { "Ordini" }
        p { "Gli ordini dei pazienti, dal più recente." }
        (filters(f))
        @if let Some(e) = error { (ui::alert("danger", e)) }
        @if rows.is_empty() { p class="empty" { "Nessun ordine." } } @else {
            div class="table-wrap" { table class="table" id="ordini" {
                caption class="visually-hidden" { "Ordini" }
                thead { tr {
                    th scope="col" { "Ordinato il" } th scope="col" { "Numero ordine" } th scope="col" { "Paziente" }
                    th scope="col" { "Stato" } th scope="col" { "Totale" } th scope="col" { "Avviso" }
                    th scope="col" { "Segnalazione" }
                } }
                tbody { @for r in rows { tr {
                    td data-label="Ordinato il" { (time::datetime(r.created_at)) }
                    td data-label="Numero ordine" { a class="mono" href={ (PATH) "/" (r.number) } { (r.number) } }
                    td data-label="Paziente" { span class="mono" { (r.cf) } br; span class="hint" { (r.name) } }
                    td data-label="Stato" { (badge(r.state)) }
                    td data-label="Totale" { (euro(r.total_cents)) }
                    td data-label="Avviso" class="mono" { (r.notice_number.as_deref().unwrap_or("—")) }
                    td data-label="Segnalazione" { (flag_cell(r)) }
                } } }
            } }
        }
        @if let Some(n) = next { p { a href={ (PATH) "?" (n) } { "Meno recenti →" } } }
    }
}

/// What the order's page needs.
pub struct Detail<'a> {
    pub order: &'a Order,
    pub items: &'a [Item],
    pub csrf: &'a str,
    pub can_recheck: bool,
    /// The note as typed (after a refused submit) or as saved.
    pub note: &'a str,
    pub error: Option<&'a str>,
}

fn opt_time(t: Option<i64>) -> String {
    t.map(time::datetime_secs)
        .unwrap_or_else(|| "—".to_string())
}

fn facts(d: &Order) -> Markup {
    let r = &d.row;
    let notice = r
        .notice_number
        .as_deref()
        .and_then(|n| NoticeNumber::parse(n).ok());
    html! {
        dl class="details card" {
            dt { "Numero ordine" } dd class="mono" { (r.number) }
            dt { "Stato" } dd { (badge(r.state)) }
            dt { "Paziente" } dd { span class="mono" { (r.cf) } " · " (r.name) }
            dt { "Ordinato il" } dd { (time::datetime_secs(r.created_at)) }
            dt { "Confermato il" } dd { (opt_time(d.confirmed_at)) }
            dt { "E-mail del pagatore" } dd { (d.payer_email.as_deref().unwrap_or("—")) }
            dt { "Modalità di pagamento" } dd { (d.provider_name) }
            dt { "Intestato a" } dd { (d.payee) }
            dt { "Causale" } dd { (d.causale) }
            dt { "Totale" } dd { strong { (euro(r.total_cents)) } " (IVA " (euro(r.vat_cents)) ")" }
            dt { "Identificativo ticket (codice avviso)" } dd {
                @if let Some(n) = &notice { span id="ticket" class="mono" { (n.as_str()) } " · " (n.grouped()) }
                @else if let Some(n) = &r.notice_number { span id="ticket" class="mono" { (n) } }
                @else { "—" }
            }
            dt { "IUV" } dd class="mono" { (r.iuv.as_deref().unwrap_or("—")) }
            dt { "Riferimento del fornitore" } dd class="mono" { (r.provider_ref.as_deref().filter(|s| !s.is_empty()).unwrap_or("—")) }
            dt { "Da pagare entro il" } dd { (d.due_at.map(|t| time::date(time::day_of(t))).unwrap_or_else(|| "—".into())) }
            dt { "Pagato il" } dd { (opt_time(r.paid_at)) }
            dt { "Ricevuta" } dd class="mono" { (r.receipt.as_deref().unwrap_or("—")) }
            dt { "Chiuso il" } dd { (opt_time(d.closed_at)) }
            dt { "Controlli del pagamento" } dd {
                (d.checks)
                @if let Some(t) = d.next_check_at { " · prossimo il " (time::datetime_secs(t)) }
                @if let Some(e) = &d.last_check_error { br; span class="hint" { "Ultimo errore: " (e) } }
            }
        }
    }
}

fn items(items: &[Item], d: &Order) -> Markup {
    html! {
        div class="table-wrap" { table class="table" {
            caption { "Documenti dell'ordine" }
            thead { tr { th scope="col" { "Documento" } th scope="col" { "Categoria" } th scope="col" { "Prezzo" } th scope="col" { "IVA" } } }
            tbody { @for i in items { tr {
                td data-label="Documento" { (i.title) }
                td data-label="Categoria" { (i.category) }
                td data-label="Prezzo" { (euro(i.price_cents)) }
                td data-label="IVA" { (i.vat_pct) " %" }
            } } }
            tfoot { tr { th scope="row" colspan="2" { "Totale" } td colspan="2" { strong { (euro(d.row.total_cents)) } } } }
        } }
    }
}

fn positions(d: &Order) -> Markup {
    html! {
        @if !d.positions.is_empty() {
            div class="table-wrap" { table class="table" {
                caption { "Posizioni debitorie presso il fornitore" }
                thead { tr {
                    th scope="col" { "Codice avviso" } th scope="col" { "IUV" } th scope="col" { "Riferimento" }
                    th scope="col" { "Importo" } th scope="col" { "Scadenza" } th scope="col" { "Stato" } th scope="col" { "Creata il" }
                } }
                tbody { @for p in &d.positions { tr {
                    td class="mono" { (p.notice_number) }
                    td class="mono" { (p.iuv) }
                    td class="mono" { (p.provider_ref) }
                    td { (euro(p.amount_cents)) }
                    td { (time::date(time::day_of(p.due_at))) }
                    td { (match p.state.as_str() { "open" => "aperta", "paid" => "pagata", _ => "chiusa" }) }
                    td { (time::datetime_secs(p.created_at)) }
                } } }
            } }
        }
    }
}

fn event_label(e: &str) -> &str {
    match e {
        "confirm" => "Conferma: avviso creato",
        "cancel" => "Annullato",
        "paid" => "Pagamento ricevuto",
        "failed" => "Pagamento non riuscito",
        "provider_cancelled" => "Avviso annullato dal fornitore",
        "expired" => "Avviso scaduto",
        "retry" => "Ripeti pagamento",
        "receipt" => "Ricevuta acquisita dalla riconciliazione",
        other => other,
    }
}

pub(super) fn state_label(s: Option<&str>) -> &'static str {
    s.map(|s| State::parse(s).label()).unwrap_or("")
}

fn events(d: &Order) -> Markup {
    html! {
        section aria-labelledby="eventi" {
            h2 id="eventi" { "Eventi dell'ordine" }
            @if d.events.is_empty() { p class="empty" { "Nessun evento." } } @else {
                ol class="timeline" id="eventi-ordine" {
                    @for e in &d.events {
                        li {
                            strong { (event_label(&e.event)) } " · " (time::datetime_secs(e.at))
                            br;
                            @match &e.to {
                                Some(to) => { (state_label(e.from.as_deref())) " → " (state_label(Some(to))) }
                                None => { "nessun cambio di stato (" (state_label(e.from.as_deref())) ")" }
                            }
                            @if !e.detail.is_empty() { br; span class="hint" { (e.detail) } }
                        }
                    }
                }
            }
        }
    }
}

fn recheck(d: &Detail) -> Markup {
    html! {
        @if d.can_recheck {
            form method="post" action={ (PATH) "/" (d.order.row.number) "/ricontrolla" } class="inline-form" {
                (ui::csrf_field(d.csrf))
                button type="submit" class="btn btn-outline" { "Ricontrolla pagamento" }
                " "
                span class="hint" { "Chiede subito al fornitore lo stato del pagamento, senza attendere il controllo automatico." }
            }
        }
    }
}

fn flag(d: &Detail) -> Markup {
    let r = &d.order.row;
    let Some(why) = &r.flag else {
        return html! {};
    };
    let refunded = r.flag_state.as_deref() == Some("refunded");
    html! {
        section class="card" aria-labelledby="segnalazione" {
            h2 id="segnalazione" { "Segnalazione" }
            (ui::alert(if r.flag_state.is_some() { "info" } else { "warning" }, why))
            @match r.flag_state.as_deref() {
                Some("refunded") => p { "Gestita: " strong { "Rimborso effettuato" } "." },
                Some(_) => p { "Gestita con una nota." },
                None => p { "Da gestire: rimborsa il pagamento o completa l'ordine a mano, poi registra qui che cosa è stato fatto." },
            }
            form method="post" action={ (PATH) "/" (r.number) "/segnalazione" } {
                (ui::csrf_field(d.csrf))
                div class="field-check" {
                    label for="f-rimborso" {
                        input type="checkbox" id="f-rimborso" name="rimborso" value="1" checked[refunded] disabled[refunded];
                        span { "Rimborso effettuato" }
                    }
                }
                div class="field" {
                    label for="f-nota" { "Nota" }
                    p class="hint" id="f-nota-hint" { "Per gli altri operatori: che cosa è stato fatto. Al massimo " (NOTE_MAX) " caratteri." }
                    @if let Some(e) = d.error { p class="field-error" id="f-nota-err" { (e) } }
                    textarea id="f-nota" name="nota" rows="3" maxlength=(NOTE_MAX)
                        aria-invalid=[d.error.map(|_| "true")]
                        aria-describedby=(if d.error.is_some() { "f-nota-hint f-nota-err" } else { "f-nota-hint" }) { (d.note) }
                }
                button type="submit" class="btn btn-primary" { "Salva" }
            }
        }
    }
}

pub fn detail(d: &Detail, alert: Option<(&str, &str)>) -> Markup {
    html! {
        p { a href=(PATH) { "← Ordini" } }
        h1 class="page-title" { "Ordine " span class="mono" { (d.order.row.number) } }
        @if let Some((kind, msg)) = alert { (ui::alert(kind, msg)) }
        (flag(d))
        (facts(d.order))
        (recheck(d))
        (items(d.items, d.order))
        (positions(d.order))
        (events(d.order))
    }
}
