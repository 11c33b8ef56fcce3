//! Views of "Documenti": the category filter, the list of documents (price or GRATUITO,
//! state, preview, "Aggiungi Carrello"), the preview and the availability request.

use super::catalogue_store::{CatalogueDoc, Details, Ordered, Preview};
use crate::http::req::encode;
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

pub fn filters(category: Option<&str>, categories: &[String]) -> Markup {
    html! {
        form id="filtri" class="filters card" method="get" action=(PATH)
            hx-get=(PATH) hx-target="#risultati" hx-push-url="true" hx-trigger="change, submit" {
            div class="field" {
                label for="categoria" { "Categoria" }
                select id="categoria" name="categoria" {
                    option value="" selected[category.is_none()] { "Tutte le categorie" }
                    @for c in categories {
                        option value=(c) selected[category == Some(c.as_str())] { (c) }
                    }
                }
            }
            div class="actions" {
                button type="submit" class="btn btn-primary" { "Filtra" }
                a class="btn btn-outline" href=(PATH) { "Tutti i documenti" }
            }
        }
    }
}

/// What a row needs besides its document.
pub struct Ctx<'a> {
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
    html! {
        p class="summary" {
            @match r.category { Some(cat) => { "Documenti della categoria " strong { (cat) } }, None => { "Tutti i tuoi documenti" } }
        }
        @if r.rows.is_empty() {
            (ui::alert("info", "Nessun documento in questa categoria. Se manca un documento che ti aspetti, usa «Richiedi informazioni sulla disponibilità» qui sotto."))
        } @else {
            ul class="doc-list" {
                @for d in r.rows { (row(d, c)) }
            }
            @if r.more {
                @let next = format!("{PATH}{}", query(r.category, r.page + 1));
                p { a class="btn btn-outline" href=(next) hx-get=(next) hx-target="#risultati" hx-push-url="true" { "Mostra altri" } }
            }
        }
    }
}

pub fn price(cents: i64, vat_pct: i64) -> String {
    if cents == 0 {
        "GRATUITO".into()
    } else {
        format!("{} IVA {vat_pct} %", ui::euro(cents))
    }
}

pub fn state_badge(d: &CatalogueDoc) -> Markup {
    if d.available() {
        html! { span class="badge badge-success" { "DISPONIBILE" } }
    } else {
        html! { span class="badge badge-warning" { "IN PREPARAZIONE" } }
    }
}

fn preview_url(d: &CatalogueDoc) -> String {
    format!("{PATH}/{}/anteprima", d.public_id)
}

fn row(d: &CatalogueDoc, c: &Ctx) -> Markup {
    let preview = preview_url(d);
    html! {
        li class="card doc-card" id={ "doc-" (d.public_id) } {
            div class="doc-head" {
                h2 class="doc-title" { (d.title) }
                (state_badge(d))
            }
            p class="doc-meta" {
                span class="doc-category" { (d.category) }
                " · " span class="doc-published" { "Pubblicazione: " (time::datetime(d.published_at)) }
            }
            p.doc-price.is-free[d.price_cents == 0] { (price(d.price_cents, c.vat_pct)) }
            div class="actions" {
                a class="btn btn-outline btn-icon" href=(preview) hx-get=(preview) hx-target="#anteprima"
                    hx-swap="innerHTML" aria-label={ "Anteprima: " (d.title) } title="Anteprima" {
                    (PreEscaped(EYE))
                }
                (cart_slot(d, c, None))
            }
        }
    }
}

/// The purchase part of a row: what htmx swaps after "Aggiungi Carrello".
pub fn cart_slot(d: &CatalogueDoc, c: &Ctx, message: Option<&str>) -> Markup {
    let hidden = |label: &str| html! { span class="visually-hidden" { (label) (d.title) } };
    html! {
        div class="cart-slot" id={ "carrello-" (d.public_id) } {
            @if d.price_cents == 0 {
                @if d.exchange_day.as_str() >= c.first_online {
                    @let link = format!(
                        "/documenti-interscambiati?da={0}&a={0}{1}#doc-{2}",
                        d.exchange_day, if d.hidden { "&nascosti=1" } else { "" }, d.public_id);
                    a class="btn btn-primary" href=(link) { "Vai a Documenti Interscambiati" (hidden(": ")) }
                } @else {
                    p class="slot-note" { "Non più consultabile online: puoi richiederne una copia con «Richiedi informazioni sulla disponibilità»." }
                }
            } @else {
                @match &d.ordered {
                    Some(Ordered::Paid(n)) => {
                        span class="badge badge-success" { "Acquistato" }
                        a class="btn btn-link" href={ "/ordini/" (n) } { "Vedi l'ordine" (hidden(" di ")) }
                    }
                    Some(Ordered::Open(n)) => {
                        span class="badge" { "In un ordine" }
                        a class="btn btn-link" href={ "/ordini/" (n) } { "Vai all'ordine" (hidden(" di ")) }
                    }
                    None if d.in_cart => {
                        a class="btn btn-outline" href="/carrello" { "Nel carrello" (hidden(": ")) }
                    }
                    None if !d.available() => {
                        p class="slot-note" { "In preparazione: potrai aggiungerlo al carrello quando sarà disponibile." }
                    }
                    None => {
                        form class="inline" method="post" action="/carrello/aggiungi" hx-post="/carrello/aggiungi"
                            hx-target="closest .cart-slot" hx-swap="outerHTML" {
                            (ui::csrf_field(c.csrf))
                            input type="hidden" name="documento" value=(d.public_id);
                            button type="submit" class="btn btn-primary" { "Aggiungi Carrello" (hidden(": ")) }
                        }
                    }
                }
            }
            @if let Some(m) = message { p class="slot-message" role="status" { (m) } }
        }
    }
}

/// The dialog the previews open in; it holds a title and "Chiudi" until the first one.
pub fn dialog() -> Markup {
    html! {
        dialog id="anteprima" class="preview-dialog" aria-labelledby="anteprima-titolo" {
            h2 id="anteprima-titolo" { "Anteprima del documento" }
            form method="dialog" { button type="submit" class="btn btn-primary" { "Chiudi" } }
        }
    }
}

fn day(d: &Option<String>) -> Option<String> {
    d.as_deref()
        .and_then(|s| jiff::civil::Date::strptime("%Y-%m-%d", s).ok())
        .map(time::date)
}

fn facts(p: &Preview, vat_pct: i64) -> Markup {
    let (d, x): (&CatalogueDoc, &Details) = (&p.doc, &p.details);
    html! {
        dl class="preview-facts" {
            dt { "Tipo" } dd { (d.category) }
            @if !x.ward.is_empty() { dt { "Reparto" } dd { (x.ward) } }
            @if let Some(a) = day(&x.admitted_on) { dt { "Data di ricovero" } dd { (a) } }
            @if let Some(a) = day(&x.discharged_on) { dt { "Data di dimissione" } dd { (a) } }
            @if let Some(n) = x.pages { dt { "Pagine" } dd { (n) } }
            @if let Some(n) = x.size_bytes { dt { "Dimensione" } dd { (super::size_label(n.max(0) as u64)) } }
            dt { "Pubblicazione" } dd { (time::datetime(d.published_at)) }
            dt { "Prezzo" } dd { (price(d.price_cents, vat_pct)) }
            dt { "Stato" } dd { (state_badge(d)) }
        }
    }
}

/// The preview: inside the dialog (htmx) with "Chiudi", or as a page with a way back.
pub fn preview(p: &Preview, vat_pct: i64, in_dialog: bool) -> Markup {
    let d = &p.doc;
    html! {
        @if in_dialog { h2 id="anteprima-titolo" { (d.title) } } @else { h1 class="page-title" id="anteprima-titolo" { (d.title) } }
        div class="preview-body" {
            (facts(p, vat_pct))
            @if p.image && p.has_thumbnail {
                img class="preview-thumb" src={ (PATH) "/" (d.public_id) "/miniatura" } alt={ "Miniatura di " (d.title) };
            }
        }
        @if in_dialog {
            form method="dialog" { button type="submit" class="btn btn-primary" autofocus { "Chiudi" } }
        } @else {
            p { a class="btn btn-primary" href={ (PATH) "#doc-" (d.public_id) } { "Torna a Documenti" } }
        }
    }
}

/// "Richiedi informazioni sulla disponibilità": a request to the Assistenza.
pub fn availability(csrf: &str, choices: &[(String, String, i64)]) -> Markup {
    html! {
        details id="richiesta" class="card availability" {
            summary { "Richiedi informazioni sulla disponibilità" }
            p { "Non trovi un documento, per esempio la cartella clinica di un ricovero, o vuoi sapere quando sarà pronto? "
                "Scrivi all'Azienda: la risposta arriverà nella sezione Assistenza." }
            form method="post" action="/assistenza" {
                (ui::csrf_field(csrf))
                input type="hidden" name="tipo" value="disponibilita";
                div class="field" {
                    label for="r-documento" { "Documento (facoltativo)" }
                    select id="r-documento" name="documento" {
                        option value="" selected { "Un documento che non è nell'elenco" }
                        @for (id, title, at) in choices {
                            option value=(id) { (title) " – " (time::datetime(*at).split(' ').next().unwrap_or_default()) }
                        }
                    }
                }
                div class="field" {
                    label for="r-periodo" { "Periodo del ricovero o dell'esame" }
                    p class="hint" id="r-periodo-hint" { "Per esempio: ricovero in Chirurgia Generale dal 3 al 10 marzo 2026." }
                    input type="text" id="r-periodo" name="periodo" maxlength="200" autocomplete="off" aria-describedby="r-periodo-hint";
                }
                div class="field" {
                    label for="r-oggetto" { "Oggetto" }
                    input type="text" id="r-oggetto" name="oggetto" required maxlength="120" autocomplete="off"
                        value="Disponibilità di un documento";
                }
                div class="field" {
                    label for="r-messaggio" { "Messaggio" }
                    textarea id="r-messaggio" name="messaggio" required maxlength="2000" rows="5" {}
                }
                div class="actions" { button type="submit" class="btn btn-primary" { "Invia richiesta" } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_queries() {
        assert_eq!(price(2200, 0), "€ 22,00 IVA 0 %");
        assert_eq!(price(0, 22), "GRATUITO");
        assert_eq!(query(None, 0), "");
        assert_eq!(
            query(Some("Cartella clinica"), 2),
            "?categoria=Cartella+clinica&pagina=2"
        );
    }
}
