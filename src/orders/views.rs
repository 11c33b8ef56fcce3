//! Views of orders: the status badge that pending orders poll, the orders table (Ordini and
//! Dashboard), and the order's page by state.

use super::state::State;
use super::store::{Item, Order};
use crate::payments::notice::NoticeNumber;
use crate::ui::{self, euro, time};
use maud::{Markup, html};

pub const PROCESSING_NOTE: &str =
    "Attenzione: L'elaborazione dei pagamenti potrebbe richiedere svariati minuti";

pub fn badge(state: State) -> Markup {
    let class = match state {
        State::Completed => "badge badge-success",
        State::Failed | State::Expired => "badge badge-danger",
        State::Pending => "badge badge-warning",
        State::Draft | State::Cancelled => "badge badge-muted",
    };
    html! { span class=(class) { (state.label()) } }
}

/// The page an order row is listed on; the order's page leads "Indietro" back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Orders,
    Dashboard,
}

impl Origin {
    /// From `?origine=` of the order's page (anything else is Ordini).
    pub fn decode(s: &str) -> Origin {
        if s == "dashboard" {
            Origin::Dashboard
        } else {
            Origin::Orders
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Origin::Orders => "ordini",
            Origin::Dashboard => "dashboard",
        }
    }

    /// Where "Indietro" leads, and the page's name after it for screen readers.
    pub fn back(self) -> (&'static str, &'static str) {
        match self {
            Origin::Orders => ("/ordini", "a Ordini"),
            Origin::Dashboard => ("/dashboard", "alla Dashboard"),
        }
    }

    /// The order's page as linked from this list.
    pub fn order_url(self, number: &str) -> String {
        match self {
            Origin::Orders => format!("/ordini/{number}"),
            Origin::Dashboard => format!("/ordini/{number}?origine=dashboard"),
        }
    }
}

/// Where an order's state is shown: the order's page, or a row of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Detail,
    Row(Origin),
}

impl View {
    /// `vista=` of the status fragment's URL ("riga", from pages rendered before rows named
    /// their list, is a row of Ordini).
    pub fn decode(s: &str) -> View {
        match s {
            "ordini" | "riga" => View::Row(Origin::Orders),
            "dashboard" => View::Row(Origin::Dashboard),
            _ => View::Detail,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            View::Detail => "dettaglio",
            View::Row(o) => o.name(),
        }
    }
}

/// The order's state. A pending one asks `/ordini/<n>/stato` every 5 s; the answer is
/// `204` while the state is unchanged, and once it changes an element of the kind its
/// target is: the whole row (`closest tr`) in a list, a page reload (`HX-Refresh`) on
/// the order's page, whose buttons change with the state.
pub fn status(number: &str, state: State, view: View) -> Markup {
    if state != State::Pending {
        return html! { span class="order-status" { (badge(state)) } };
    }
    let url = format!("/ordini/{number}/stato?da=pending&vista={}", view.name());
    let target = match view {
        View::Row(_) => "closest tr",
        View::Detail => "this",
    };
    html! {
        span class="order-status" hx-get=(url) hx-trigger="every 5s" hx-target=(target) hx-swap="outerHTML" {
            (badge(state))
            span class="visually-hidden" { " (aggiornamento automatico)" }
        }
    }
}

pub fn row(o: &Order, origin: Origin) -> Markup {
    let url = origin.order_url(&o.number);
    html! {
        tr id={ "ordine-" (o.number) } {
            td data-label="Numero ordine" { a href=(url) class="mono" { (o.number) } }
            td data-label="Ordinato il" { (time::datetime_secs(o.created_at)) }
            td data-label="Stato Ordine" { (status(&o.number, o.state, View::Row(origin))) }
            td data-label="Download" {
                @if o.state == State::Completed {
                    a class="btn btn-primary" href={ (url) "#documenti" } {
                        "Download" span class="visually-hidden" { ": ordine " (o.number) }
                    }
                } @else { span aria-label="Non disponibile" { "—" } }
            }
            td data-label="Totale ordine" { (euro(o.total_cents)) }
        }
    }
}

pub fn table(orders: &[Order], caption: &str, origin: Origin) -> Markup {
    html! {
        @if orders.iter().any(|o| o.state == State::Pending) {
            (ui::alert("warning", PROCESSING_NOTE))
        }
        @if orders.is_empty() {
            (ui::alert("info", "Non hai ancora effettuato ordini. Puoi acquistare la copia della cartella clinica dalla sezione Documenti."))
        } @else {
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { (caption) }
                    thead { tr {
                        th scope="col" { "Numero ordine" } th scope="col" { "Ordinato il" }
                        th scope="col" { "Stato Ordine" } th scope="col" { "Download" } th scope="col" { "Totale ordine" }
                    } }
                    tbody { @for o in orders { (row(o, origin)) } }
                }
            }
        }
    }
}

pub fn items(items: &[Item], o: &Order) -> Markup {
    html! {
        div class="table-wrap" {
            table class="table" {
                caption { "Documenti dell'ordine" }
                thead { tr {
                    th scope="col" { "Documento" } th scope="col" { "Categoria" }
                    th scope="col" { "Prezzo" } th scope="col" { "IVA" }
                } }
                tbody {
                    @for i in items {
                        tr {
                            td data-label="Documento" { (i.title) }
                            td data-label="Categoria" { (i.category) }
                            td data-label="Prezzo" { (euro(i.price_cents)) }
                            td data-label="IVA" { (i.vat_pct) " %" }
                        }
                    }
                }
                tfoot {
                    tr { th scope="row" colspan="2" { "Totale" } td colspan="2" { strong { (euro(o.total_cents)) } } }
                    tr { th scope="row" colspan="2" { "di cui IVA" } td colspan="2" { (euro(o.vat_cents)) } }
                }
            }
        }
    }
}

/// "Identificativo ticket" and "Codice avviso pagoPA" as the provider made them: an
/// intermediary that makes its own IUV (PiemontePay) names the position by it, and its
/// codice avviso is shown as it came; our own notice numbers are both, grouped by four.
fn ticket(o: &Order) -> Option<(&str, String)> {
    let notice = o.notice_number.as_deref()?;
    let iuv = o.iuv.as_deref().unwrap_or("");
    let ticket = if !iuv.is_empty() && !notice.ends_with(iuv) {
        iuv
    } else {
        notice
    };
    let shown = NoticeNumber::parse(notice)
        .map(|n| n.grouped())
        .unwrap_or_else(|_| notice.to_string());
    Some((ticket, shown))
}

/// Numero ordine, Modalità di pagamento, Intestato a, Causale, Ordinato il, Stato, ticket.
pub fn details(o: &Order) -> Markup {
    let ticket = ticket(o);
    let show_ticket = matches!(o.state, State::Pending | State::Failed | State::Completed);
    html! {
        dl class="details card" {
            dt { "Numero ordine" } dd class="mono" { (o.number) }
            dt { "Modalità di pagamento" } dd { (o.provider_name) }
            dt { "Intestato a" } dd { (o.payee) }
            dt { "Causale" } dd { (o.causale) }
            dt { "Ordinato il" } dd { (time::datetime_secs(o.created_at)) }
            dt { "Stato Ordine" } dd { (status(&o.number, o.state, View::Detail)) }
            @if let (true, Some((t, notice))) = (show_ticket, &ticket) {
                dt { "Identificativo ticket" }
                dd {
                    span id="ticket" class="mono ticket" { (t) }
                    " "
                    button type="button" class="btn btn-outline btn-small" data-copy="ticket" { "Copia" }
                    p class="hint" { "Codice avviso pagoPA: " (notice) }
                }
                @if let Some(due) = o.due_at { dt { "Da pagare entro il" } dd { (time::date(time::day_of(due))) } }
            }
            @if let Some(p) = o.paid_at { dt { "Pagato il" } dd { (time::datetime_secs(p)) } }
            @if let Some(r) = &o.receipt { dt { "Ricevuta" } dd class="mono" { (r) } }
            dt { "Totale ordine" } dd { strong { (euro(o.total_cents)) } " (IVA " (euro(o.vat_cents)) ")" }
        }
    }
}

/// Consents (draft without them): "Acquista ora" is enabled by app.js once both are ticked;
/// the server refuses the step without them anyway.
pub fn consents_form(
    o: &Order,
    csrf: &str,
    privacy: &str,
    terms: &str,
    error: Option<&str>,
) -> Markup {
    let url = format!("/ordini/{}/acquista", o.number);
    html! {
        form class="card" method="post" action=(url) data-consents="" {
            h2 { "Consensi obbligatori" }
            (ui::csrf_field(csrf))
            @if let Some(e) = error { p class="field-error" id="consensi-err" role="alert" { (e) } }
            div class="field-check" {
                label for="consenso_privacy" {
                    input type="checkbox" id="consenso_privacy" name="consenso_privacy" value="1" required
                        aria-describedby=[error.map(|_| "consensi-err")];
                    (privacy)
                }
            }
            div class="field-check" {
                label for="consenso_condizioni" {
                    input type="checkbox" id="consenso_condizioni" name="consenso_condizioni" value="1" required
                        aria-describedby=[error.map(|_| "consensi-err")];
                    (terms)
                }
            }
            div class="actions" {
                button type="submit" class="btn btn-primary" data-consents-submit="" { "Acquista ora" }
            }
        }
    }
}

pub fn payer_form(o: &Order, csrf: &str, email: &str, error: Option<&str>) -> Markup {
    let url = format!("/ordini/{}/conferma", o.number);
    html! {
        form class="card" method="post" action=(url) {
            h2 { "Dati per il pagamento" }
            p { "Riceverai la ricevuta del pagamento a questo indirizzo." }
            (ui::csrf_field(csrf))
            (ui::field(&ui::Field {
                name: "email",
                label: "E-mail",
                kind: "email",
                value: email,
                hint: Some("Esempio: nome.cognome@esempio.it"),
                error,
                autocomplete: "email",
                inputmode: Some("email"),
                maxlength: 254,
            }))
            div class="actions" { button type="submit" class="btn btn-primary" { "Conferma" } }
        }
    }
}

fn post_button(o: &Order, verb: &str, label: &str, class: &str, csrf: &str) -> Markup {
    let url = format!("/ordini/{}/{verb}", o.number);
    html! {
        form class="inline" method="post" action=(url) {
            (ui::csrf_field(csrf))
            button type="submit" class=(class) { (label) }
        }
    }
}

/// What the patient can do next, by state. At a kiosk the notice opens for its printer
/// ("Stampa avviso di pagamento") instead of being saved on the shared machine.
pub fn next_steps(o: &Order, csrf: &str, flagged: bool, kiosk: bool) -> Markup {
    let notice_url = format!("/ordini/{}/avviso", o.number);
    let print_url = format!("{notice_url}?stampa=1");
    html! {
        @match o.state {
            State::Draft => {
                div class="actions" { (post_button(o, "annulla", "Annulla ordine", "btn btn-link", csrf)) }
            }
            State::Pending => {
                (ui::alert("warning", PROCESSING_NOTE))
                p { "Copia l'" strong { "Identificativo ticket" } " e incollalo nel portale dei pagamenti, oppure paga con l'avviso presso un prestatore di servizi di pagamento (banca, ufficio postale, tabaccheria)." }
                div class="actions" {
                    @if kiosk {
                        a class="btn btn-outline" href=(print_url) target="_blank" rel="noopener" { "Stampa avviso di pagamento" }
                    } @else {
                        a class="btn btn-outline" href=(notice_url) download { "Scarica Avviso di Pagamento" }
                    }
                    (post_button(o, "paga", "Procedi", "btn btn-primary", csrf))
                }
                div class="actions" {
                    (post_button(o, "paga", "Vai al portale per i pagamenti", "btn btn-outline", csrf))
                    a class="btn btn-outline" href={ "/assistenza?ordine=" (o.number) } { "Richiedi assistenza" }
                }
            }
            State::Failed => {
                (ui::alert("danger", "Il pagamento non è riuscito. Puoi ripeterlo: l'ordine resta valido e non paghi due volte."))
                div class="actions" {
                    (post_button(o, "paga", "Vai al portale per i pagamenti", "btn btn-outline", csrf))
                    a class="btn btn-outline" href={ "/assistenza?ordine=" (o.number) } { "Richiedi assistenza" }
                    (post_button(o, "ripeti", "Ripeti Pagamento", "btn btn-primary", csrf))
                }
            }
            State::Completed => {
                (ui::alert("success", "Pagamento ricevuto: puoi scaricare i documenti dell'ordine qui sotto."))
            }
            State::Cancelled | State::Expired => {
                @if flagged {
                    (ui::alert("warning", "Abbiamo ricevuto un pagamento per questo ordine: l'Azienda lo sta verificando e ti contatterà."))
                } @else if o.state == State::Expired {
                    (ui::alert("info", "L'avviso di pagamento è scaduto. Per acquistare i documenti crea un nuovo ordine dalla sezione Documenti."))
                } @else {
                    (ui::alert("info", "Questo ordine è stato annullato."))
                }
            }
        }
    }
}
