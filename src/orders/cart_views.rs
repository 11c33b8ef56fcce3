//! Views of the "Carrello": the items with their prices, the total, "Rimuovi" and
//! "Procedi all'ordine".

use super::cart_store::{Item, total};
use crate::ui;
use maud::{Markup, html};

pub const PATH: &str = "/carrello";

/// Messages after a plain (non-htmx) change, from `?esito=`: never any health data.
pub fn outcome(code: &str) -> Option<&'static str> {
    Some(match code {
        "aggiunto" => "Documento aggiunto al carrello.",
        "gia" => "Il documento è già nel carrello.",
        "rimosso" => "Documento rimosso dal carrello.",
        _ => return None,
    })
}

/// The cart section: what htmx swaps after "Rimuovi".
pub fn section(items: &[Item], csrf: &str, vat_pct: i64, message: Option<&str>) -> Markup {
    let flagged = items.iter().any(|i| i.flagged);
    html! {
        section id="carrello" class="cart" aria-labelledby="carrello-titolo" {
            h2 id="carrello-titolo" class="visually-hidden" { "Documenti nel carrello" }
            @if let Some(m) = message { (ui::alert("success", m)) }
            @if items.is_empty() {
                div class="alert alert-info" role="status" {
                    p { "Il carrello è vuoto." }
                    p { "Scegli i documenti da acquistare, come la copia della cartella clinica, nella sezione "
                        a href="/documenti" { "Documenti" } "." }
                }
            } @else {
                div class="table-wrap" {
                    table class="table" {
                        caption class="visually-hidden" { "Documenti nel carrello" }
                        thead { tr {
                            th scope="col" { "Documento" } th scope="col" { "Categoria" }
                            th scope="col" { "Prezzo" } th scope="col" { "Azioni" }
                        } }
                        tbody {
                            @for i in items { (row(i, csrf, vat_pct)) }
                        }
                        tfoot { tr class="cart-total" {
                            th scope="row" colspan="2" { "Totale (IVA inclusa)" }
                            td data-label="Totale" colspan="2" { strong { (ui::euro(total(items))) } }
                        } }
                    }
                }
                @if flagged {
                    (ui::alert("warning", "Alcuni documenti non sono più disponibili e non sono compresi nel totale: rimuovili dal carrello per procedere all'ordine."))
                } @else {
                    form method="post" action={ (PATH) "/ordina" } hx-post={ (PATH) "/ordina" } class="cart-checkout" {
                        (ui::csrf_field(csrf))
                        button type="submit" class="btn btn-primary" { "Procedi all'ordine" }
                    }
                }
                p { a href="/documenti" { "Continua a scegliere documenti" } }
            }
        }
    }
}

fn row(i: &Item, csrf: &str, vat_pct: i64) -> Markup {
    let remove = format!("{PATH}/{}/rimuovi", i.public_id);
    html! {
        tr id={ "voce-" (i.public_id) } class=[i.flagged.then_some("is-flagged")] {
            td data-label="Documento" {
                (i.title)
                @if i.flagged { p class="field-error" { "Non più disponibile: rimuovilo dal carrello" } }
            }
            td data-label="Categoria" { (i.category) }
            td data-label="Prezzo" {
                @if i.flagged { span class="muted" { "Escluso dal totale" } }
                @else { (crate::documents::catalogue_views::price(i.price_cents, vat_pct)) }
            }
            td data-label="Azioni" {
                form class="inline" method="post" action=(remove) hx-post=(remove) hx-target="#carrello" hx-swap="outerHTML" {
                    (ui::csrf_field(csrf))
                    button type="submit" class="btn btn-link" { "Rimuovi" span class="visually-hidden" { ": " (i.title) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(price: i64, flagged: bool) -> Item {
        Item {
            document_id: 1,
            public_id: "0123456789abcdef0123456789abcdef".into(),
            title: "Cartella clinica".into(),
            category: "Cartella clinica".into(),
            price_cents: price,
            flagged,
        }
    }

    #[test]
    fn flagged_items_are_out_of_the_total_and_block_the_order() {
        let ok = section(&[item(2200, false)], "t", 0, None).into_string();
        assert!(ok.contains("€ 22,00") && ok.contains("Procedi all'ordine"));
        let bad = section(&[item(2200, false), item(1500, true)], "t", 0, None).into_string();
        assert!(bad.contains("Non più disponibile: rimuovilo dal carrello"));
        assert!(bad.contains("<strong>€ 22,00</strong>") && !bad.contains("Procedi all'ordine"));
        let empty = section(&[], "t", 0, None).into_string();
        assert!(empty.contains("Il carrello è vuoto") && empty.contains("href=\"/documenti\""));
    }
}
