//! Views of "Assistenza": what the ASL helps with, the form for a new request, and the
//! patient's requests with their replies.

use super::store::{Author, Kind, Request, State};
use super::{Draft, Errors};
use crate::ui::{self, Field, time};
use maud::{Markup, html};

pub const PATH: &str = "/assistenza";

/// The explanation above everything else (not swapped by htmx).
pub fn intro() -> Markup {
    html! {
        p { "Scrivi all'Azienda quando hai bisogno di aiuto con il portale. Possiamo aiutarti per:" }
        ul {
            li { strong { "l'accesso" } ": PIN, SMS non ricevuto, SPID o CIE;" }
            li { strong { "i pagamenti e gli ordini" } ": un pagamento non riuscito, un avviso di pagamento, una ricevuta;" }
            li { strong { "i documenti" } ": un documento che non trovi, che manca o che non è ancora disponibile, \
                per esempio la cartella clinica di un ricovero (scegli «Richiesta di disponibilità»)." }
        }
        p { "Le richieste ricevono risposta di norma entro pochi giorni lavorativi: la risposta compare in questa pagina, "
            a href="#richieste" { "nell'elenco delle tue richieste" } "." }
        p class="hint" { "Per le urgenze sanitarie non usare questo modulo: chiama il 112." }
    }
}

/// The form as shown: what was typed, the errors, and what it is linked to.
pub struct FormView<'a> {
    pub draft: &'a Draft,
    pub errors: &'a Errors,
    /// The linked order's number.
    pub order: Option<&'a str>,
    /// The linked document's title.
    pub document: Option<&'a str>,
    pub csrf: &'a str,
}

/// What htmx swaps (`#assistenza`): an alert, the form, the requests.
pub fn content(alert: Option<(&str, &str)>, form: &FormView, requests: &[Request]) -> Markup {
    html! {
        @if let Some((kind, msg)) = alert { (ui::alert(kind, msg)) }
        (new_request(form))
        (list(requests))
    }
}

fn kind_choice(draft: &Draft, kind: Kind, hint: &str) -> Markup {
    let id = format!("f-tipo-{}", kind.form_value());
    html! {
        div class="field-check" {
            label for=(id) {
                input type="radio" id=(id) name="tipo" value=(kind.form_value())
                    checked[draft.kind == kind.form_value()];
                span { strong { (kind.label()) } " – " (hint) }
            }
        }
    }
}

/// A labelled text area or optional text input, wired like `ui::field`.
fn free_text(
    name: &str,
    label: &str,
    value: &str,
    hint: &str,
    error: Option<&str>,
    max: usize,
    area: bool,
) -> Markup {
    let id = format!("f-{name}");
    let (hint_id, err_id) = (format!("{id}-hint"), format!("{id}-err"));
    let described = match error {
        Some(_) => format!("{hint_id} {err_id}"),
        None => hint_id.clone(),
    };
    let invalid = error.map(|_| "true");
    html! {
        div class="field" {
            label for=(id) { (label) }
            p class="hint" id=(hint_id) { (hint) }
            @if let Some(e) = error { p class="field-error" id=(err_id) { (e) } }
            @if area {
                textarea id=(id) name=(name) rows="6" maxlength=(max) required
                    aria-invalid=[invalid] aria-describedby=(described) { (value) }
            } @else {
                input type="text" id=(id) name=(name) value=(value) maxlength=(max) autocomplete="off"
                    aria-invalid=[invalid] aria-describedby=(described);
            }
        }
    }
}

fn new_request(f: &FormView) -> Markup {
    let (d, e) = (f.draft, f.errors);
    html! {
        section id="nuova-richiesta" class="card" aria-labelledby="nuova-richiesta-titolo" {
            h2 id="nuova-richiesta-titolo" { "Nuova richiesta" }
            form method="post" action=(PATH) novalidate
                hx-post=(PATH) hx-target="#assistenza" hx-swap="innerHTML show:#assistenza:top" {
                (ui::csrf_field(f.csrf))
                @if let Some(number) = f.order {
                    input type="hidden" name="ordine" value=(number);
                    div class="alert alert-info" {
                        p { "Questa richiesta riguarda l'ordine n. " a href={ "/ordini/" (number) } class="mono" { (number) } "." }
                        p { a href=(PATH) { "Scrivi invece una richiesta che non riguarda questo ordine" } }
                    }
                }
                @if let Some(title) = f.document {
                    input type="hidden" name="documento" value=(d.document);
                    div class="alert alert-info" {
                        p { "Questa richiesta riguarda il documento «" (title) "»." }
                        p { a href=(PATH) { "Scrivi invece una richiesta che non riguarda questo documento" } }
                    }
                }
                fieldset class="field" aria-describedby=[e.kind.map(|_| "f-tipo-err")] {
                    legend { "Tipo di richiesta" }
                    @if let Some(msg) = e.kind { p class="field-error" id="f-tipo-err" { (msg) } }
                    (kind_choice(d, Kind::Assistance, "accesso, pagamenti, ordini o altro"))
                    (kind_choice(d, Kind::Availability, "un documento che non trovi o non è ancora pronto"))
                }
                (ui::field(&Field {
                    name: "oggetto",
                    label: "Oggetto",
                    kind: "text",
                    value: &d.subject,
                    hint: Some("In poche parole, per esempio «Avviso di pagamento non ricevuto». Al massimo 120 caratteri."),
                    error: e.subject,
                    autocomplete: "off",
                    inputmode: None,
                    maxlength: super::SUBJECT_MAX as u32,
                }))
                (free_text("messaggio", "Messaggio", &d.message,
                    "Descrivi che cosa ti serve. Al massimo 2000 caratteri.",
                    e.message, super::MESSAGE_MAX, true))
                (free_text("periodo", "Periodo del ricovero o dell'esame (facoltativo)", &d.period,
                    "Per le richieste di disponibilità: per esempio «ricovero in Chirurgia dal 3 al 10 marzo 2026».",
                    e.period, super::PERIOD_MAX, false))
                div class="actions" { button type="submit" class="btn btn-primary" { "Invia richiesta" } }
            }
        }
    }
}

pub fn list(requests: &[Request]) -> Markup {
    html! {
        section id="richieste" aria-labelledby="richieste-titolo" {
            h2 id="richieste-titolo" { "Le tue richieste" }
            @if requests.is_empty() {
                (ui::alert("info", "Non hai ancora inviato richieste. Quando ne invierai una, la troverai qui insieme alle risposte dell'Azienda."))
            } @else {
                @for r in requests { (request(r)) }
            }
        }
    }
}

fn badge(state: State) -> Markup {
    let class = match state {
        State::Open => "badge badge-warning",
        State::Answered => "badge badge-success",
        State::Closed => "badge badge-muted",
    };
    html! { span class=(class) { (state.label()) } }
}

/// Text as typed: its lines kept.
fn text(s: &str) -> Markup {
    html! {
        p {
            @for (i, line) in s.split('\n').enumerate() {
                @if i > 0 { br; }
                (line)
            }
        }
    }
}

fn request(r: &Request) -> Markup {
    let title_id = format!("richiesta-{}-titolo", r.public_id);
    html! {
        article id={ "richiesta-" (r.public_id) } class="card request" aria-labelledby=(title_id) {
            p class="muted" { (r.kind.label()) " · inviata il " (time::datetime(r.created_at)) }
            h3 id=(title_id) { (r.subject) }
            p { "Stato: " (badge(r.state)) }
            @if let Some(number) = &r.order_number {
                p { "Ordine: " a href={ "/ordini/" (number) } class="mono" { (number) } }
            }
            @if let Some(title) = &r.document_title {
                p { "Documento: " strong { (title) } }
            }
            @if !r.period.is_empty() {
                p { "Periodo: " (r.period) }
            }
            (text(&r.message))
            @for reply in &r.replies {
                div class="reply" {
                    @match reply.author {
                        Author::Operator => p { strong { "Risposta dell'Azienda" } " · " (time::datetime(reply.at)) },
                        Author::Patient => p { strong { "Il tuo messaggio" } " · " (time::datetime(reply.at)) },
                    }
                    (text(&reply.body))
                }
            }
        }
    }
}
