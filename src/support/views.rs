//! Views of "Assistenza": what the ASL helps with, the form for a new request, and the
//! patient's requests with their replies. The operators' replies are data, in Italian
//! (`lang="it"`); so is a linked document's title.

use super::store::{Author, Kind, Request, State};
use super::text as t;
use super::{Draft, Errors};
use crate::i18n::{Lang, Msg};
use crate::ui::{self, Field, time};
use maud::{Markup, html};

pub const PATH: &str = "/assistenza";

/// The explanation above everything else (not swapped by htmx).
pub fn intro(l: Lang) -> Markup {
    html! {
        p { (l.t(t::INTRO)) }
        ul {
            li { strong { (l.t(t::INTRO_ACCESS)) } (l.t(t::INTRO_ACCESS_TEXT)) }
            li { strong { (l.t(t::INTRO_PAYMENTS)) } (l.t(t::INTRO_PAYMENTS_TEXT)) }
            li { strong { (l.t(t::INTRO_DOCUMENTS)) } (l.t(t::INTRO_DOCUMENTS_TEXT)) }
        }
        p { (l.t(t::INTRO_REPLY))
            a href="#richieste" { (l.t(t::INTRO_REPLY_LINK)) } "." }
        p class="hint" { (l.t(t::INTRO_URGENT)) }
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
pub fn content(
    l: Lang,
    alert: Option<(&str, Msg)>,
    form: &FormView,
    requests: &[Request],
) -> Markup {
    html! {
        @if let Some((kind, msg)) = alert { (ui::alert(kind, l.t(msg))) }
        (new_request(l, form))
        (list(l, requests))
    }
}

fn kind_choice(l: Lang, draft: &Draft, kind: Kind, hint: Msg) -> Markup {
    let id = format!("f-tipo-{}", kind.form_value());
    html! {
        div class="field-check" {
            label for=(id) {
                input type="radio" id=(id) name="tipo" value=(kind.form_value())
                    checked[draft.kind == kind.form_value()];
                span { strong { (l.t(kind.msg())) } " – " (l.t(hint)) }
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

fn new_request(l: Lang, f: &FormView) -> Markup {
    let (d, e) = (f.draft, f.errors);
    let err = |m: Option<&Msg>| m.map(|m| l.t(*m));
    html! {
        section id="nuova-richiesta" class="card" aria-labelledby="nuova-richiesta-titolo" {
            h2 id="nuova-richiesta-titolo" { (l.t(t::NEW)) }
            form method="post" action=(PATH) novalidate
                hx-post=(PATH) hx-target="#assistenza" hx-swap="innerHTML show:#assistenza:top" {
                (ui::csrf_field(f.csrf))
                @if let Some(number) = f.order {
                    input type="hidden" name="ordine" value=(number);
                    div class="alert alert-info" {
                        p { (l.t(t::ABOUT_ORDER)) a href={ "/ordini/" (number) } class="mono" { (number) } "." }
                        p { a href=(PATH) { (l.t(t::NOT_ABOUT_ORDER)) } }
                    }
                }
                @if let Some(title) = f.document {
                    input type="hidden" name="documento" value=(d.document);
                    div class="alert alert-info" {
                        p { (l.t(t::ABOUT_DOCUMENT_1)) span lang="it" { (title) } (l.t(t::ABOUT_DOCUMENT_2)) }
                        p { a href=(PATH) { (l.t(t::NOT_ABOUT_DOCUMENT)) } }
                    }
                }
                fieldset class="field" aria-describedby=[e.kind.map(|_| "f-tipo-err")] {
                    legend { (l.t(t::KIND)) }
                    @if let Some(msg) = e.kind { p class="field-error" id="f-tipo-err" { (l.t(*msg)) } }
                    (kind_choice(l, d, Kind::Assistance, t::KIND_ASSISTANCE_HINT))
                    (kind_choice(l, d, Kind::Availability, t::KIND_AVAILABILITY_HINT))
                }
                (ui::field(&Field {
                    name: "oggetto",
                    label: l.t(t::SUBJECT),
                    kind: "text",
                    value: &d.subject,
                    hint: Some(l.t(t::SUBJECT_HINT)),
                    error: err(e.subject),
                    autocomplete: "off",
                    inputmode: None,
                    maxlength: super::SUBJECT_MAX as u32,
                }))
                (free_text("messaggio", l.t(t::MESSAGE), &d.message,
                    l.t(t::MESSAGE_HINT),
                    err(e.message), super::MESSAGE_MAX, true))
                (free_text("periodo", l.t(t::PERIOD), &d.period,
                    l.t(t::PERIOD_HINT),
                    err(e.period), super::PERIOD_MAX, false))
                div class="actions" { button type="submit" class="btn btn-primary" { (l.t(t::SEND)) } }
            }
        }
    }
}

pub fn list(l: Lang, requests: &[Request]) -> Markup {
    html! {
        section id="richieste" aria-labelledby="richieste-titolo" {
            h2 id="richieste-titolo" { (l.t(t::YOURS)) }
            @if requests.is_empty() {
                (ui::alert("info", l.t(t::NONE_YET)))
            } @else {
                @for r in requests { (request(l, r)) }
            }
        }
    }
}

fn badge(l: Lang, state: State) -> Markup {
    let class = match state {
        State::Open => "badge badge-warning",
        State::Answered => "badge badge-success",
        State::Closed => "badge badge-muted",
    };
    html! { span class=(class) { (l.t(state.msg())) } }
}

/// Text as typed: its lines kept; `lang` when it is known (an operator's reply: Italian).
fn text(s: &str, lang: Option<&str>) -> Markup {
    html! {
        p lang=[lang] {
            @for (i, line) in s.split('\n').enumerate() {
                @if i > 0 { br; }
                (line)
            }
        }
    }
}

fn request(l: Lang, r: &Request) -> Markup {
    let title_id = format!("richiesta-{}-titolo", r.public_id);
    html! {
        article id={ "richiesta-" (r.public_id) } class="card request" aria-labelledby=(title_id) {
            p class="muted" { (l.t(r.kind.msg())) (l.t(t::SENT_ON)) (time::datetime(r.created_at)) }
            h3 id=(title_id) { (r.subject) }
            p { (l.t(t::STATE)) (badge(l, r.state)) }
            @if let Some(number) = &r.order_number {
                p { (l.t(t::ORDER)) a href={ "/ordini/" (number) } class="mono" { (number) } }
            }
            @if let Some(title) = &r.document_title {
                p { (l.t(t::DOCUMENT)) strong lang="it" { (title) } }
            }
            @if !r.period.is_empty() {
                p { (l.t(t::PERIOD_SHORT)) (r.period) }
            }
            (text(&r.message, None))
            @for reply in &r.replies {
                div class="reply" {
                    @match reply.author {
                        Author::Operator => p { strong { (l.t(t::REPLY_ASL)) } " · " (time::datetime(reply.at)) },
                        Author::Patient => p { strong { (l.t(t::REPLY_YOURS)) } " · " (time::datetime(reply.at)) },
                    }
                    (text(&reply.body, (reply.author == Author::Operator).then_some("it")))
                }
            }
        }
    }
}
