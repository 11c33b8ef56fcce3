//! Views of "Documenti": the category filter, the list of documents (price or GRATUITO,
//! state, preview, "Aggiungi Carrello"), the preview and the availability request.

use super::catalogue_store::{CatalogueDoc, Details, Ordered, Preview};
use super::{data, data_lang, text};
use crate::http::req::encode;
use crate::i18n::Lang;
use crate::ui::{self, time};
use maud::{Markup, PreEscaped, html};

pub const PATH: &str = "/documenti";

/// The eye of "Anteprima" (decorative: the link carries the name).
const EYE: &str = r#"<svg aria-hidden="true" focusable="false" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z"/><circle cx="12" cy="12" r="3"/></svg>"#;

/// The query string of the list with this category (and page).
pub fn query(category: Option<&str>, page: i64) -> String {
    let mut q = Vec::new();
    if let Some(c) = category {
        q.push(format!("categoria={}", encode(c)));
    }
    if page > 0 {
        q.push(format!("pagina={page}"));
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

pub fn filters(l: Lang, category: Option<&str>, categories: &[String]) -> Markup {
    html! {
        form id="filtri" class="filters card" method="get" action=(PATH)
            hx-get=(PATH) hx-target="#risultati" hx-push-url="true" hx-trigger="change, submit" {
            div class="field" {
                label for="categoria" { (l.t(text::CATEGORY)) }
                select id="categoria" name="categoria" {
                    option value="" selected[category.is_none()] { (l.t(text::ALL_CATEGORIES)) }
                    @for c in categories {
                        option value=(c) selected[category == Some(c.as_str())] lang=[data_lang(l)] { (c) }
                    }
                }
            }
            div class="actions" {
                button type="submit" class="btn btn-primary" { (l.t(text::FILTER)) }
                a class="btn btn-outline" href=(PATH) { (l.t(text::ALL_DOCUMENTS)) }
            }
        }
    }
}

/// What a row needs besides its document.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub csrf: &'a str,
    /// YYYY-MM-DD: the first exchange day still listed in "Documenti Interscambiati".
    pub first_online: &'a str,
    pub vat_pct: i64,
}

pub struct Results<'a> {
    pub category: Option<&'a str>,
    pub rows: &'a [CatalogueDoc],
    pub more: bool,
    pub page: i64,
}

pub fn results(r: &Results, c: &Ctx) -> Markup {
    let l = c.lang;
    html! {
        p class="summary" {
            @match r.category {
                Some(cat) => { (l.t(text::SUMMARY_OF_CATEGORY)) strong lang=[data_lang(l)] { (cat) } },
                None => { (l.t(text::SUMMARY_ALL)) }
            }
        }
        @if r.rows.is_empty() {
            (ui::alert("info", l.t(text::NONE_IN_CATEGORY)))
        } @else {
            ul class="doc-list" {
                @for d in r.rows { (row(d, c)) }
            }
            @if r.more {
                @let next = format!("{PATH}{}", query(r.category, r.page + 1));
                p { a class="btn btn-outline" href=(next) hx-get=(next) hx-target="#risultati" hx-push-url="true" { (l.t(text::MORE)) } }
            }
        }
    }
}

/// `€ 22,00 IVA 0 %` / `€22.00 VAT 0%`, or GRATUITO / FREE.
pub fn price_in(l: Lang, cents: i64, vat_pct: i64) -> String {
    if cents == 0 {
        l.t(text::FREE).into()
    } else {
        l.f(text::PRICE_VAT, &[&l.euro(cents), &vat_pct])
    }
}

pub fn state_badge(l: Lang, d: &CatalogueDoc) -> Markup {
    if d.available() {
        html! { span class="badge badge-success" { (l.t(text::BADGE_AVAILABLE)) } }
    } else {
        html! { span class="badge badge-warning" { (l.t(text::BADGE_PREPARING)) } }
    }
}

fn preview_url(d: &CatalogueDoc) -> String {
    format!("{PATH}/{}/anteprima", d.public_id)
}

fn row(d: &CatalogueDoc, c: &Ctx) -> Markup {
    let (preview, l) = (preview_url(d), c.lang);
    html! {
        li class="card doc-card" id={ "doc-" (d.public_id) } {
            div class="doc-head" {
                h2 class="doc-title" lang=[data_lang(l)] { (d.title) }
                (state_badge(l, d))
            }
            p class="doc-meta" {
                span class="doc-category" lang=[data_lang(l)] { (d.category) }
                " · " span class="doc-published" { (l.t(text::PUBLISHED)) (time::datetime(d.published_at)) }
            }
            p.doc-price.is-free[d.price_cents == 0] { (price_in(l, d.price_cents, c.vat_pct)) }
            div class="actions" {
                a class="btn btn-outline btn-icon" href=(preview) hx-get=(preview) hx-target="#anteprima"
                    hx-swap="innerHTML" title=(l.t(text::PREVIEW)) {
                    (PreEscaped(EYE))
                    // The name is the content, not an aria-label: the title inside is data,
                    // marked with its language (an attribute could not be).
                    span class="visually-hidden" { (l.t(text::PREVIEW_OF)) span lang=[data_lang(l)] { (d.title) } }
                }
                (cart_slot(d, c, None))
            }
        }
    }
}

/// The purchase part of a row: what htmx swaps after "Aggiungi Carrello".
pub fn cart_slot(d: &CatalogueDoc, c: &Ctx, message: Option<&str>) -> Markup {
    let l = c.lang;
    let hidden =
        |label: &str| html! { span class="visually-hidden" { (label) (data(l, &d.title)) } };
    html! {
        div class="cart-slot" id={ "carrello-" (d.public_id) } {
            @if d.price_cents == 0 {
                @if d.exchange_day.as_str() >= c.first_online {
                    @let link = format!(
                        "/documenti-interscambiati?da={0}&a={0}{1}#doc-{2}",
                        d.exchange_day, if d.hidden { "&nascosti=1" } else { "" }, d.public_id);
                    a class="btn btn-primary" href=(link) { (l.t(text::GO_TO_EXCHANGED)) (hidden(": ")) }
                } @else {
                    p class="slot-note" { (l.t(text::NOT_ONLINE)) }
                }
            } @else {
                @match &d.ordered {
                    Some(Ordered::Paid(n)) => {
                        span class="badge badge-success" { (l.t(text::BOUGHT)) }
                        a class="btn btn-link" href={ "/ordini/" (n) } { (l.t(text::SEE_ORDER)) (hidden(l.t(text::OF))) }
                    }
                    Some(Ordered::Open(n)) => {
                        span class="badge" { (l.t(text::IN_AN_ORDER)) }
                        a class="btn btn-link" href={ "/ordini/" (n) } { (l.t(text::GO_TO_ORDER)) (hidden(l.t(text::OF))) }
                    }
                    None if d.in_cart => {
                        a class="btn btn-outline" href="/carrello" { (l.t(text::IN_CART)) (hidden(": ")) }
                    }
                    None if !d.available() => {
                        p class="slot-note" { (l.t(text::PREPARING)) }
                    }
                    None => {
                        form class="inline" method="post" action="/carrello/aggiungi" hx-post="/carrello/aggiungi"
                            hx-target="closest .cart-slot" hx-swap="outerHTML" {
                            (ui::csrf_field(c.csrf))
                            input type="hidden" name="documento" value=(d.public_id);
                            button type="submit" class="btn btn-primary" { (l.t(text::ADD_TO_CART)) (hidden(": ")) }
                        }
                    }
                }
            }
            @if let Some(m) = message { p class="slot-message" role="status" { (m) } }
        }
    }
}

/// The dialog the previews open in; it holds a title and "Chiudi" until the first one.
pub fn dialog(l: Lang) -> Markup {
    html! {
        dialog id="anteprima" class="preview-dialog" aria-labelledby="anteprima-titolo" {
            h2 id="anteprima-titolo" { (l.t(text::PREVIEW_TITLE)) }
            form method="dialog" { button type="submit" class="btn btn-primary" { (l.t(text::CLOSE)) } }
        }
    }
}

fn day(d: &Option<String>) -> Option<String> {
    d.as_deref()
        .and_then(|s| jiff::civil::Date::strptime("%Y-%m-%d", s).ok())
        .map(time::date)
}

fn facts(l: Lang, p: &Preview, vat_pct: i64) -> Markup {
    let (d, x): (&CatalogueDoc, &Details) = (&p.doc, &p.details);
    html! {
        dl class="preview-facts" {
            dt { (l.t(text::FACT_TYPE)) } dd lang=[data_lang(l)] { (d.category) }
            @if !x.ward.is_empty() { dt { (l.t(text::FACT_WARD)) } dd lang=[data_lang(l)] { (x.ward) } }
            @if let Some(a) = day(&x.admitted_on) { dt { (l.t(text::FACT_ADMITTED)) } dd { (a) } }
            @if let Some(a) = day(&x.discharged_on) { dt { (l.t(text::FACT_DISCHARGED)) } dd { (a) } }
            @if let Some(n) = x.pages { dt { (l.t(text::FACT_PAGES)) } dd { (n) } }
            @if let Some(n) = x.size_bytes { dt { (l.t(text::FACT_SIZE)) } dd { (super::size(l, n.max(0) as u64)) } }
            dt { (l.t(text::FACT_PUBLISHED)) } dd { (time::datetime(d.published_at)) }
            dt { (l.t(text::FACT_PRICE)) } dd { (price_in(l, d.price_cents, vat_pct)) }
            dt { (l.t(text::COL_STATUS)) } dd { (state_badge(l, d)) }
        }
    }
}

/// The preview: inside the dialog (htmx) with "Chiudi", or as a page with a way back.
pub fn preview(l: Lang, p: &Preview, vat_pct: i64, in_dialog: bool) -> Markup {
    let d = &p.doc;
    html! {
        @if in_dialog { h2 id="anteprima-titolo" lang=[data_lang(l)] { (d.title) } }
        @else { h1 class="page-title" id="anteprima-titolo" lang=[data_lang(l)] { (d.title) } }
        div class="preview-body" {
            (facts(l, p, vat_pct))
            @if p.image && p.has_thumbnail {
                // The heading above names the document: the alt says what the picture is
                // (a title in it would be Italian data inside an English attribute).
                img class="preview-thumb" src={ (PATH) "/" (d.public_id) "/miniatura" } alt=(l.t(text::THUMBNAIL));
            }
        }
        @if in_dialog {
            form method="dialog" { button type="submit" class="btn btn-primary" autofocus { (l.t(text::CLOSE)) } }
        } @else {
            p { a class="btn btn-primary" href={ (PATH) "#doc-" (d.public_id) } { (l.t(text::BACK_TO_DOCUMENTS)) } }
        }
    }
}

/// "Richiedi informazioni sulla disponibilità": a request to the Assistenza.
pub fn availability(l: Lang, csrf: &str, choices: &[(String, String, i64)]) -> Markup {
    html! {
        details id="richiesta" class="card availability" {
            summary { (l.t(text::ASK)) }
            p { (l.t(text::ASK_INTRO)) }
            form method="post" action="/assistenza" {
                (ui::csrf_field(csrf))
                input type="hidden" name="tipo" value="disponibilita";
                div class="field" {
                    label for="r-documento" { (l.t(text::ASK_DOCUMENT)) }
                    select id="r-documento" name="documento" {
                        option value="" selected { (l.t(text::ASK_NOT_LISTED)) }
                        @for (id, title, at) in choices {
                            option value=(id) lang=[data_lang(l)] { (title) " – " (time::datetime(*at).split(' ').next().unwrap_or_default()) }
                        }
                    }
                }
                div class="field" {
                    label for="r-periodo" { (l.t(text::ASK_PERIOD)) }
                    p class="hint" id="r-periodo-hint" { (l.t(text::ASK_PERIOD_HINT)) }
                    input type="text" id="r-periodo" name="periodo" maxlength="200" autocomplete="off" aria-describedby="r-periodo-hint";
                }
                div class="field" {
                    label for="r-oggetto" { (l.t(text::ASK_SUBJECT)) }
                    input type="text" id="r-oggetto" name="oggetto" required maxlength="120" autocomplete="off"
                        value=(l.t(text::ASK_SUBJECT_VALUE));
                }
                div class="field" {
                    label for="r-messaggio" { (l.t(text::ASK_MESSAGE)) }
                    textarea id="r-messaggio" name="messaggio" required maxlength="2000" rows="5" {}
                }
                div class="actions" { button type="submit" class="btn btn-primary" { (l.t(text::ASK_SEND)) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_queries() {
        assert_eq!(price_in(Lang::It, 2200, 0), "€ 22,00 IVA 0 %");
        assert_eq!(price_in(Lang::It, 0, 22), "GRATUITO");
        assert_eq!(price_in(Lang::En, 2200, 22), "€22.00 VAT 22%");
        assert_eq!(price_in(Lang::En, 0, 22), "FREE");
        assert_eq!(query(None, 0), "");
        assert_eq!(
            query(Some("Cartella clinica"), 2),
            "?categoria=Cartella+clinica&pagina=2"
        );
    }
}
