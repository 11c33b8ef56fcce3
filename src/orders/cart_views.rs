//! Views of the "Carrello": the items with their prices, the total, "Rimuovi" and
//! "Procedi all'ordine".

use super::cart_store::{Item, total};
use super::text;
use crate::i18n::{Lang, Msg};
use crate::ui;
use maud::{Markup, html};

pub const PATH: &str = "/carrello";

/// Messages after a plain (non-htmx) change, from `?esito=`: never any health data.
pub fn outcome(code: &str) -> Option<Msg> {
    Some(match code {
        "aggiunto" => text::CART_ADDED_PLAIN,
        "gia" => text::CART_ALREADY,
        "rimosso" => text::CART_REMOVED,
        _ => return None,
    })
}

/// The cart section: what htmx swaps after "Rimuovi".
pub fn section(l: Lang, items: &[Item], csrf: &str, vat_pct: i64, message: Option<&str>) -> Markup {
    let flagged = items.iter().any(|i| i.flagged);
    html! {
        section id="carrello" class="cart" aria-labelledby="carrello-titolo" {
            h2 id="carrello-titolo" class="visually-hidden" { (l.t(text::CART_HEADING)) }
            @if let Some(m) = message { (ui::alert("success", m)) }
            @if items.is_empty() {
                div class="alert alert-info" role="status" {
                    p { (l.t(text::CART_EMPTY)) }
                    p { (l.t(text::CART_EMPTY_HINT))
                        a href="/documenti" { (l.t(text::DOCUMENTS)) } "." }
                }
            } @else {
                div class="table-wrap" {
                    table class="table" {
                        caption class="visually-hidden" { (l.t(text::CART_HEADING)) }
                        thead { tr {
                            th scope="col" { (l.t(text::DOCUMENT)) } th scope="col" { (l.t(text::CATEGORY)) }
                            th scope="col" { (l.t(text::PRICE)) } th scope="col" { (l.t(text::ACTIONS)) }
                        } }
                        tbody {
                            @for i in items { (row(l, i, csrf, vat_pct)) }
                        }
                        tfoot { tr class="cart-total" {
                            th scope="row" colspan="2" { (l.t(text::CART_TOTAL)) }
                            td data-label=(l.t(text::TOTAL)) colspan="2" { strong { (l.euro(total(items))) } }
                        } }
                    }
                }
                @if flagged {
                    (ui::alert("warning", l.t(text::CART_FLAGGED)))
                } @else {
                    form method="post" action={ (PATH) "/ordina" } hx-post={ (PATH) "/ordina" } class="cart-checkout" {
                        (ui::csrf_field(csrf))
                        button type="submit" class="btn btn-primary" { (l.t(text::CART_CHECKOUT)) }
                    }
                }
                p { a href="/documenti" { (l.t(text::CART_MORE)) } }
            }
        }
    }
}

/// One item: its title and category are the archive's (Italian, `lang="it"`).
fn row(l: Lang, i: &Item, csrf: &str, vat_pct: i64) -> Markup {
    let remove = format!("{PATH}/{}/rimuovi", i.public_id);
    html! {
        tr id={ "voce-" (i.public_id) } class=[i.flagged.then_some("is-flagged")] {
            td data-label=(l.t(text::DOCUMENT)) {
                span lang="it" { (i.title) }
                @if i.flagged { p class="field-error" { (l.t(text::CART_ITEM_FLAGGED)) } }
            }
            td data-label=(l.t(text::CATEGORY)) { span lang="it" { (i.category) } }
            td data-label=(l.t(text::PRICE)) {
                @if i.flagged { span class="muted" { (l.t(text::CART_EXCLUDED)) } }
                @else { (crate::documents::catalogue_views::price_in(l, i.price_cents, vat_pct)) }
            }
            td data-label=(l.t(text::ACTIONS)) {
                form class="inline" method="post" action=(remove) hx-post=(remove) hx-target="#carrello" hx-swap="outerHTML" {
                    (ui::csrf_field(csrf))
                    button type="submit" class="btn btn-link" { (l.t(text::CART_REMOVE)) span class="visually-hidden" { ": " span lang="it" { (i.title) } } }
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
        let ok = section(Lang::It, &[item(2200, false)], "t", 0, None).into_string();
        assert!(ok.contains("€ 22,00") && ok.contains("Procedi all'ordine"));
        let bad = section(
            Lang::It,
            &[item(2200, false), item(1500, true)],
            "t",
            0,
            None,
        )
        .into_string();
        assert!(bad.contains("Non più disponibile: rimuovilo dal carrello"));
        assert!(bad.contains("<strong>€ 22,00</strong>") && !bad.contains("Procedi all'ordine"));
        let empty = section(Lang::It, &[], "t", 0, None).into_string();
        assert!(empty.contains("Il carrello è vuoto") && empty.contains("href=\"/documenti\""));
    }

    #[test]
    fn in_english_with_english_amounts() {
        let en = section(Lang::En, &[item(123_400, false)], "t", 22, None).into_string();
        assert!(en.contains("Continue to order") && en.contains("Total (VAT included)"));
        assert!(en.contains("€1,234.00 VAT 22%") && en.contains("<strong>€1,234.00</strong>"));
        assert!(!en.contains("Procedi") && !en.contains("Rimuovi"));
        let it = section(Lang::It, &[item(123_400, false)], "t", 22, None).into_string();
        assert!(it.contains("€ 1.234,00 IVA 22 %"), "the Italian as before");
    }
}
