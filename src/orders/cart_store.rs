//! The cart in SQLite, scoped by the patient. The rules of what may be bought are checked
//! here, inside the write transaction of the change (add, checkout).

use crate::documents::catalogue_store::{ORDER_OF, Ordered, ordered};
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone)]
pub struct Item {
    pub document_id: i64,
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub price_cents: i64,
    /// Withdrawn, no longer available, free now, or already in an order: it cannot be
    /// ordered and does not count in the total.
    pub flagged: bool,
}

/// The patient's cart, in the order the documents were added.
pub fn items(c: &Connection, patient: i64) -> rusqlite::Result<Vec<Item>> {
    let sql = format!(
        "SELECT d.id, d.public_id, d.title, d.category, d.price_cents, d.state, {ORDER_OF}
         FROM cart_items ci JOIN documents d ON d.id = ci.document_id
         WHERE ci.patient_id = ?1 AND d.patient_id = ?1 ORDER BY ci.added_at, d.id"
    );
    c.prepare_cached(&sql)?
        .query_map([patient], |r| {
            let (price, state, order): (i64, String, Option<String>) =
                (r.get(4)?, r.get(5)?, r.get(6)?);
            Ok(Item {
                document_id: r.get(0)?,
                public_id: r.get(1)?,
                title: r.get(2)?,
                category: r.get(3)?,
                price_cents: price,
                flagged: state != "available" || price == 0 || order.is_some(),
            })
        })?
        .collect()
}

/// The total of the items that can be ordered.
pub fn total(items: &[Item]) -> i64 {
    items
        .iter()
        .filter(|i| !i.flagged)
        .map(|i| i.price_cents)
        .sum()
}

pub fn count(c: &Connection, patient: i64) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT count(*) FROM cart_items WHERE patient_id = ?1")?
        .query_row([patient], |r| r.get(0))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    Added,
    /// Already in the cart: nothing changes.
    Already,
}

/// Why a document cannot go into the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not the patient's, or withdrawn.
    NotFound,
    Free,
    NotAvailable,
    /// In a completed order (the order number).
    Paid(String),
    /// In a draft, pending or failed order.
    InOrder(String),
}

/// Adds the patient's document to the cart if it may be bought.
pub fn add(
    c: &Connection,
    patient: i64,
    public_id: &str,
    now: i64,
) -> rusqlite::Result<Result<Added, Refused>> {
    let sql = format!(
        "SELECT d.id, d.price_cents, d.state,
           EXISTS (SELECT 1 FROM cart_items ci WHERE ci.patient_id = ?1 AND ci.document_id = d.id),
           {ORDER_OF}
         FROM documents d WHERE d.patient_id = ?1 AND d.public_id = ?2 AND d.state != 'withdrawn'"
    );
    let found = c
        .prepare_cached(&sql)?
        .query_row(params![patient, public_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                ordered(r.get(4)?),
            ))
        })
        .optional()?;
    let Some((id, price, state, in_cart, order)) = found else {
        return Ok(Err(Refused::NotFound));
    };
    match order {
        Some(Ordered::Paid(n)) => return Ok(Err(Refused::Paid(n))),
        Some(Ordered::Open(n)) => return Ok(Err(Refused::InOrder(n))),
        None => {}
    }
    if in_cart {
        return Ok(Ok(Added::Already));
    }
    if price == 0 {
        return Ok(Err(Refused::Free));
    }
    if state != "available" {
        return Ok(Err(Refused::NotAvailable));
    }
    c.execute(
        "INSERT INTO cart_items (patient_id, document_id, added_at) VALUES (?1, ?2, ?3)",
        params![patient, id, now],
    )?;
    Ok(Ok(Added::Added))
}

/// Removes the document from the patient's cart; false when it was not there.
pub fn remove(c: &Connection, patient: i64, public_id: &str) -> rusqlite::Result<bool> {
    let n = c.execute(
        "DELETE FROM cart_items WHERE patient_id = ?1
           AND document_id IN (SELECT id FROM documents WHERE patient_id = ?1 AND public_id = ?2)",
        params![patient, public_id],
    )?;
    Ok(n > 0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutRefused {
    Empty,
    /// Some item is flagged: the patient must remove it first.
    Flagged,
}

/// "Procedi all'ordine": a draft order of the cart's documents, then an empty cart; the
/// order number. Call inside one write transaction.
pub fn checkout(
    c: &Connection,
    patient: i64,
    terms: &super::store::Terms,
    now: i64,
) -> rusqlite::Result<Result<String, CheckoutRefused>> {
    let items = items(c, patient)?;
    if items.is_empty() {
        return Ok(Err(CheckoutRefused::Empty));
    }
    if items.iter().any(|i| i.flagged) {
        return Ok(Err(CheckoutRefused::Flagged));
    }
    let ids: Vec<i64> = items.iter().map(|i| i.document_id).collect();
    let number = super::store::create(c, patient, &ids, terms, now)?;
    c.execute("DELETE FROM cart_items WHERE patient_id = ?1", [patient])?;
    Ok(Ok(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (Connection, i64, i64) {
        let c = crate::db::migrate::memory();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        let mut patients = Vec::new();
        for cf in ["RSSMRA80A01A182N", "BNCLRA85M52A182Y"] {
            patients
                .push(crate::patients::store::upsert(&c, cf, "Nome", "Cognome", None, 0).unwrap());
        }
        (c, patients[0], patients[1])
    }

    fn doc(c: &Connection, patient: i64, price: i64) -> (i64, String) {
        let d = crate::documents::store::NewDocument {
            patient_id: patient,
            category: "Cartella clinica",
            title: "Cartella clinica",
            exchanged_at: 1_700_000_000,
            source_kind: "pdf",
            source_ref: "cartella.pdf",
            price_cents: price,
        };
        let public = crate::documents::store::insert(c, &d, 1_700_000_000).unwrap();
        (c.last_insert_rowid(), public)
    }

    const TERMS: super::super::store::Terms = super::super::store::Terms {
        causale: "Download documenti clinici",
        provider: "sandbox",
        provider_name: "Piemonte Pay",
        payee: "ASL",
        vat_pct: 0,
    };

    #[test]
    fn rules_of_the_cart() {
        let (c, mario, laura) = db();
        let (id, paid) = doc(&c, mario, 2200);
        let (_, free) = doc(&c, mario, 0);
        let (_, other) = doc(&c, laura, 2200);
        assert_eq!(add(&c, mario, &paid, 1).unwrap(), Ok(Added::Added));
        assert_eq!(add(&c, mario, &paid, 2).unwrap(), Ok(Added::Already));
        assert_eq!(add(&c, mario, &free, 3).unwrap(), Err(Refused::Free));
        assert_eq!(add(&c, mario, &other, 4).unwrap(), Err(Refused::NotFound));
        assert_eq!(count(&c, mario).unwrap(), 1);
        assert_eq!(total(&items(&c, mario).unwrap()), 2200);
        // Withdrawn since: flagged, out of the total, the checkout refused.
        c.execute(
            "UPDATE documents SET state = 'withdrawn' WHERE id = ?1",
            [id],
        )
        .unwrap();
        let it = items(&c, mario).unwrap();
        assert!(it[0].flagged);
        assert_eq!(total(&it), 0);
        assert_eq!(
            checkout(&c, mario, &TERMS, 5).unwrap(),
            Err(CheckoutRefused::Flagged)
        );
        c.execute(
            "UPDATE documents SET state = 'available' WHERE id = ?1",
            [id],
        )
        .unwrap();
        let number = checkout(&c, mario, &TERMS, 6).unwrap().unwrap();
        assert_eq!(number.len(), 32);
        assert_eq!(count(&c, mario).unwrap(), 0);
        assert_eq!(
            checkout(&c, mario, &TERMS, 7).unwrap(),
            Err(CheckoutRefused::Empty)
        );
        // In an open order: refused with the order; paid: refused too.
        assert_eq!(
            add(&c, mario, &paid, 8).unwrap(),
            Err(Refused::InOrder(number.clone()))
        );
        c.execute("UPDATE orders SET state = 'completed'", [])
            .unwrap();
        assert_eq!(
            add(&c, mario, &paid, 9).unwrap(),
            Err(Refused::Paid(number))
        );
        // A cancelled order frees the document again.
        c.execute("UPDATE orders SET state = 'cancelled'", [])
            .unwrap();
        assert_eq!(add(&c, mario, &paid, 10).unwrap(), Ok(Added::Added));
        assert!(remove(&c, mario, &paid).unwrap());
        assert!(!remove(&c, mario, &paid).unwrap());
    }
}
