//! Views of orders: the status badge that pending orders poll, the orders table (Ordini and
//! Dashboard), and the order's page by state.

use super::state::State;
use super::store::{Item, Order};
use super::text;
use crate::i18n::{Lang, Msg};
use crate::payments::notice::NoticeNumber;
use crate::ui::{self, time};
use maud::{Markup, html};

pub const PROCESSING_NOTE: Msg = text::PROCESSING_NOTE;

/// The state's badge, in Italian: the back office's.
pub fn badge(state: State) -> Markup {
    badge_in(Lang::It, state)
}

/// The state's badge in the patient's language.
pub fn badge_in(l: Lang, state: State) -> Markup {
    let class = match state {
        State::Completed => "badge badge-success",
        State::Failed | State::Expired => "badge badge-danger",
        State::Pending => "badge badge-warning",
        State::Draft | State::Cancelled => "badge badge-muted",
    };
    html! { span class=(class) { (l.t(state.msg())) } }
}

/// A term the patient will meet in Italian elsewhere (the regional payment portal): in
/// English, the Italian follows in brackets, marked as Italian.
fn italian_term(l: Lang, m: Msg) -> Markup {
    html! {
        (l.t(m))
        @if l != Lang::It { " (" span lang="it" { (m.it) } ")" }
    }
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
    pub fn back(self) -> (&'static str, Msg) {
        match self {
            Origin::Orders => ("/ordini", text::BACK_TO_ORDERS),
            Origin::Dashboard => ("/dashboard", text::BACK_TO_DASHBOARD),
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
pub fn status(l: Lang, number: &str, state: State, view: View) -> Markup {
    if state != State::Pending {
        return html! { span class="order-status" { (badge_in(l, state)) } };
    }
    let url = format!("/ordini/{number}/stato?da=pending&vista={}", view.name());
    let target = match view {
        View::Row(_) => "closest tr",
        View::Detail => "this",
    };
    html! {
        span class="order-status" hx-get=(url) hx-trigger="every 5s" hx-target=(target) hx-swap="outerHTML" {
            (badge_in(l, state))
            span class="visually-hidden" { (l.t(text::AUTO_UPDATE)) }
        }
    }
}

pub fn row(l: Lang, o: &Order, origin: Origin) -> Markup {
    let url = origin.order_url(&o.number);
    html! {
        tr id={ "ordine-" (o.number) } {
            td data-label=(l.t(text::ORDER_NUMBER)) { a href=(url) class="mono" { (o.number) } }
            td data-label=(l.t(text::ORDERED_ON)) { (time::datetime_secs(o.created_at)) }
            td data-label=(l.t(text::ORDER_STATE)) { (status(l, &o.number, o.state, View::Row(origin))) }
            td data-label=(l.t(text::DOWNLOAD)) {
                @if o.state == State::Completed {
                    a class="btn btn-primary" href={ (url) "#documenti" } {
                        (l.t(text::DOWNLOAD)) span class="visually-hidden" { (l.t(text::ROW_ORDER)) (o.number) }
                    }
                } @else { span aria-label=(l.t(text::NOT_AVAILABLE)) { "—" } }
            }
            td data-label=(l.t(text::ORDER_TOTAL)) { (l.euro(o.total_cents)) }
        }
    }
}

pub fn table(l: Lang, orders: &[Order], caption: &str, origin: Origin) -> Markup {
    html! {
        @if orders.iter().any(|o| o.state == State::Pending) {
            (ui::alert("warning", l.t(PROCESSING_NOTE)))
        }
        @if orders.is_empty() {
            (ui::alert("info", l.t(text::NO_ORDERS)))
        } @else {
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { (caption) }
                    thead { tr {
                        th scope="col" { (l.t(text::ORDER_NUMBER)) } th scope="col" { (l.t(text::ORDERED_ON)) }
                        th scope="col" { (l.t(text::ORDER_STATE)) } th scope="col" { (l.t(text::DOWNLOAD)) }
                        th scope="col" { (l.t(text::ORDER_TOTAL)) }
                    } }
                    tbody { @for o in orders { (row(l, o, origin)) } }
                }
            }
        }
    }
}

/// The order's documents: titles and categories are the archive's (`lang="it"`).
pub fn items(l: Lang, items: &[Item], o: &Order) -> Markup {
    html! {
        div class="table-wrap" {
            table class="table" {
                caption { (l.t(text::ITEMS_CAPTION)) }
                thead { tr {
                    th scope="col" { (l.t(text::DOCUMENT)) } th scope="col" { (l.t(text::CATEGORY)) }
                    th scope="col" { (l.t(text::PRICE)) } th scope="col" { (l.t(text::VAT)) }
                } }
                tbody {
                    @for i in items {
                        tr {
                            td data-label=(l.t(text::DOCUMENT)) { span lang="it" { (i.title) } }
                            td data-label=(l.t(text::CATEGORY)) { span lang="it" { (i.category) } }
                            td data-label=(l.t(text::PRICE)) { (l.euro(i.price_cents)) }
                            td data-label=(l.t(text::VAT)) { (i.vat_pct) (percent(l)) }
                        }
                    }
                }
                tfoot {
                    tr { th scope="row" colspan="2" { (l.t(text::TOTAL)) } td colspan="2" { strong { (l.euro(o.total_cents)) } } }
                    tr { th scope="row" colspan="2" { (l.t(text::VAT_OF_WHICH)) } td colspan="2" { (l.euro(o.vat_cents)) } }
                }
            }
        }
    }
}

/// `22 %` in Italian, `22%` in English.
fn percent(l: Lang) -> &'static str {
    match l {
        Lang::It => " %",
        Lang::En => "%",
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
/// The payee (the ASL's name) and the causale are the configuration's, in Italian.
pub fn details(l: Lang, o: &Order) -> Markup {
    let ticket = ticket(o);
    let show_ticket = matches!(o.state, State::Pending | State::Failed | State::Completed);
    html! {
        dl class="details card" {
            dt { (l.t(text::ORDER_NUMBER)) } dd class="mono" { (o.number) }
            dt { (l.t(text::PAYMENT_METHOD)) } dd { (o.provider_name) }
            dt { (l.t(text::PAYEE)) } dd lang="it" { (o.payee) }
            dt { (l.t(text::CAUSALE)) } dd lang="it" { (o.causale) }
            dt { (l.t(text::ORDERED_ON)) } dd { (time::datetime_secs(o.created_at)) }
            dt { (l.t(text::ORDER_STATE)) } dd { (status(l, &o.number, o.state, View::Detail)) }
            @if let (true, Some((t, notice))) = (show_ticket, &ticket) {
                dt { (italian_term(l, text::TICKET)) }
                dd {
                    span id="ticket" class="mono ticket" { (t) }
                    " "
                    button type="button" class="btn btn-outline btn-small" data-copy="ticket" data-copied=(l.t(text::COPIED)) { (l.t(text::COPY)) }
                    p class="hint" { (l.t(text::NOTICE_CODE)) (notice) }
                }
                @if let Some(due) = o.due_at { dt { (l.t(text::DUE)) } dd { (time::date(time::day_of(due))) } }
            }
            @if let Some(p) = o.paid_at { dt { (l.t(text::PAID_ON)) } dd { (time::datetime_secs(p)) } }
            @if let Some(r) = &o.receipt { dt { (l.t(text::RECEIPT)) } dd class="mono" { (r) } }
            dt { (l.t(text::ORDER_TOTAL)) } dd { strong { (l.euro(o.total_cents)) } (l.t(text::TOTAL_VAT)) (l.euro(o.vat_cents)) ")" }
        }
    }
}

/// Consents (draft without them): "Acquista ora" is enabled by app.js once both are ticked;
/// the server refuses the step without them anyway. Their texts are the configuration's
/// (`legal.consent_*_text`, Italian: `lang="it"`).
pub fn consents_form(
    l: Lang,
    o: &Order,
    csrf: &str,
    privacy: &str,
    terms: &str,
    error: Option<&str>,
) -> Markup {
    let url = format!("/ordini/{}/acquista", o.number);
    html! {
        form class="card" method="post" action=(url) data-consents="" {
            h2 { (l.t(text::CONSENTS)) }
            (ui::csrf_field(csrf))
            @if let Some(e) = error { p class="field-error" id="consensi-err" role="alert" { (e) } }
            div class="field-check" {
                label for="consenso_privacy" {
                    input type="checkbox" id="consenso_privacy" name="consenso_privacy" value="1" required
                        aria-describedby=[error.map(|_| "consensi-err")];
                    span lang="it" { (privacy) }
                }
            }
            div class="field-check" {
                label for="consenso_condizioni" {
                    input type="checkbox" id="consenso_condizioni" name="consenso_condizioni" value="1" required
                        aria-describedby=[error.map(|_| "consensi-err")];
                    span lang="it" { (terms) }
                }
            }
            div class="actions" {
                button type="submit" class="btn btn-primary" data-consents-submit="" { (l.t(text::BUY_NOW)) }
            }
        }
    }
}

pub fn payer_form(l: Lang, o: &Order, csrf: &str, email: &str, error: Option<&str>) -> Markup {
    let url = format!("/ordini/{}/conferma", o.number);
    html! {
        form class="card" method="post" action=(url) {
            h2 { (l.t(text::PAYER)) }
            p { (l.t(text::PAYER_INTRO)) }
            (ui::csrf_field(csrf))
            (ui::field(&ui::Field {
                name: "email",
                label: l.t(text::EMAIL),
                kind: "email",
                value: email,
                hint: Some(l.t(text::EMAIL_HINT)),
                error,
                autocomplete: "email",
                inputmode: Some("email"),
                maxlength: 254,
            }))
            div class="actions" { button type="submit" class="btn btn-primary" { (l.t(text::CONFIRM)) } }
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
pub fn next_steps(l: Lang, o: &Order, csrf: &str, flagged: bool, kiosk: bool) -> Markup {
    let notice_url = format!("/ordini/{}/avviso", o.number);
    let print_url = format!("{notice_url}?stampa=1");
    let t = |m: Msg| l.t(m);
    html! {
        @match o.state {
            State::Draft => {
                div class="actions" { (post_button(o, "annulla", t(text::CANCEL_ORDER), "btn btn-link", csrf)) }
            }
            State::Pending => {
                (ui::alert("warning", t(PROCESSING_NOTE)))
                p { (t(text::PAY_HOW_1)) strong { (t(text::TICKET)) } (t(text::PAY_HOW_2)) }
                div class="actions" {
                    @if kiosk {
                        a class="btn btn-outline" href=(print_url) target="_blank" rel="noopener" { (t(text::PRINT_NOTICE)) }
                    } @else {
                        a class="btn btn-outline" href=(notice_url) download { (t(text::DOWNLOAD_NOTICE)) }
                    }
                    (post_button(o, "paga", t(text::PAY), "btn btn-primary", csrf))
                }
                div class="actions" {
                    (post_button(o, "paga", t(text::TO_PORTAL), "btn btn-outline", csrf))
                    a class="btn btn-outline" href={ "/assistenza?ordine=" (o.number) } { (t(text::ASK_HELP)) }
                }
            }
            State::Failed => {
                (ui::alert("danger", t(text::FAILED_NOTE)))
                div class="actions" {
                    (post_button(o, "paga", t(text::TO_PORTAL), "btn btn-outline", csrf))
                    a class="btn btn-outline" href={ "/assistenza?ordine=" (o.number) } { (t(text::ASK_HELP)) }
                    (post_button(o, "ripeti", t(text::RETRY), "btn btn-primary", csrf))
                }
            }
            State::Completed => {
                (ui::alert("success", t(text::COMPLETED_NOTE)))
            }
            State::Cancelled | State::Expired => {
                @if flagged {
                    (ui::alert("warning", t(text::FLAGGED_NOTE)))
                } @else if o.state == State::Expired {
                    (ui::alert("info", t(text::EXPIRED_NOTE)))
                } @else {
                    (ui::alert("info", t(text::CANCELLED_NOTE)))
                }
            }
        }
    }
}
