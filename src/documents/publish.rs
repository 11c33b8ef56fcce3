//! Publishing and withdrawing documents: the one set of rules the back office, the ingest
//! API and the PACS auto-publish share. A publication names its patient, category, title,
//! exchange time and source (a PDF already stored by its SHA-256, or a study in the
//! archive); its price comes from the price list unless given. With an external id it is
//! idempotent per origin: the same id again returns the document already published (or a
//! conflict when the content differs). Publishing queues the patient's daily SMS notice.

use crate::sms::notify::{self, Notice};
use crate::ui::time;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A PDF in the document store: its path under `archive.pdf_root`, hash and size.
    Pdf {
        reference: String,
        sha256: String,
        size: i64,
        pages: Option<i64>,
    },
    /// A study in the archive, by StudyInstanceUID.
    Study { uid: String },
}

impl Source {
    fn kind(&self) -> &'static str {
        match self {
            Source::Pdf { .. } => "pdf",
            Source::Study { .. } => "dicom",
        }
    }

    fn reference(&self) -> &str {
        match self {
            Source::Pdf { reference, .. } => reference,
            Source::Study { uid } => uid,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Publication {
    pub patient_id: i64,
    pub category: String,
    pub title: String,
    pub description: String,
    pub exchanged_at: i64,
    /// `None`: the price list's price for the category.
    pub price_cents: Option<i64>,
    pub source: Source,
    /// "operatore", "pacs", "api:<client>" (or "demo").
    pub origin: String,
    pub external_id: Option<String>,
    pub published_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    New {
        id: i64,
        public_id: String,
    },
    /// The same external id was published before with the same content.
    Again {
        id: i64,
        public_id: String,
    },
    /// The same external id was published before with something else.
    Conflict {
        public_id: String,
    },
}

/// Field errors of a publication, in Italian, by field name.
pub type FieldErrors = Vec<(&'static str, String)>;

/// Checks what a person or a system typed (before the source is stored).
pub fn check(
    categories: &[String],
    category: &str,
    title: &str,
    description: &str,
    exchanged_at: i64,
    price_cents: Option<i64>,
    now: i64,
) -> FieldErrors {
    let mut e = FieldErrors::new();
    if !categories.iter().any(|c| c == category) {
        e.push((
            "category",
            format!(
                "Categoria non prevista: scegli tra {}.",
                categories.join(", ")
            ),
        ));
    }
    let t = title.trim();
    if t.is_empty() {
        e.push(("title", "Inserisci il titolo del documento.".into()));
    } else if t.chars().count() > 200 {
        e.push((
            "title",
            "Il titolo è troppo lungo (al massimo 200 caratteri).".into(),
        ));
    }
    if description.chars().count() > 2000 {
        e.push((
            "description",
            "La descrizione è troppo lunga (al massimo 2000 caratteri).".into(),
        ));
    }
    // 1 January 1970 to one day ahead (a clock a little fast at the sender).
    if exchanged_at > now + 86_400 {
        e.push((
            "exchanged_at",
            "La data del documento non può essere nel futuro.".into(),
        ));
    } else if exchanged_at < 0 {
        e.push((
            "exchanged_at",
            "La data del documento è troppo lontana nel passato (prima del 1970).".into(),
        ));
    }
    if let Some(p) = price_cents
        && !(0..=1_000_000).contains(&p)
    {
        e.push((
            "price_cents",
            "Prezzo non valido (da 0 a 10.000,00 euro).".into(),
        ));
    }
    e
}

/// The price list's price and VAT for a category (free when it is not listed).
pub fn list_price(c: &Connection, category: &str) -> rusqlite::Result<(i64, i64)> {
    Ok(c.query_row(
        "SELECT price_cents, vat_pct FROM price_list WHERE category = ?1",
        [category],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .unwrap_or((0, 0)))
}

/// Publishes in the caller's transaction; `sms` is the notice's text (queued at most once a
/// day; "" when notices are off). Returns whether a notice was queued too, to wake the SMS
/// sender.
pub fn publish(
    c: &Connection,
    p: &Publication,
    sms: &str,
    now: i64,
) -> rusqlite::Result<(Published, bool)> {
    let (list, vat) = list_price(c, &p.category)?;
    let price = p.price_cents.unwrap_or(list);
    if let Some(ext) = &p.external_id {
        let before: Option<Previous> = c
            .query_row(
                "SELECT id, public_id, patient_id, category, title, source_ref, exchanged_at, state
                 FROM documents WHERE origin = ?1 AND external_id = ?2",
                params![p.origin, ext],
                |r| {
                    Ok(Previous {
                        id: r.get(0)?,
                        public_id: r.get(1)?,
                        patient: r.get(2)?,
                        category: r.get(3)?,
                        title: r.get(4)?,
                        reference: r.get(5)?,
                        at: r.get(6)?,
                        state: r.get(7)?,
                    })
                },
            )
            .optional()?;
        if let Some(b) = before {
            let same = b.patient == p.patient_id
                && b.category == p.category
                && b.title == p.title.trim()
                && b.reference == p.source.reference()
                && b.at == p.exchanged_at
                && b.state != "withdrawn";
            let public_id = b.public_id;
            return Ok((
                if same {
                    Published::Again {
                        id: b.id,
                        public_id,
                    }
                } else {
                    Published::Conflict { public_id }
                },
                false,
            ));
        }
    }
    let public_id = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    let day = time::day_of(p.exchanged_at).to_string();
    let (sha, size, pages) = match &p.source {
        Source::Pdf {
            sha256,
            size,
            pages,
            ..
        } => (Some(sha256.as_str()), Some(*size), *pages),
        Source::Study { .. } => (None, None, None),
    };
    c.execute(
        "INSERT INTO documents (public_id, patient_id, category, title, description, exchanged_at, exchange_day,
           published_at, source_kind, source_ref, price_cents, vat_pct, origin, external_id, sha256, size_bytes,
           pages, published_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?8)",
        params![
            public_id,
            p.patient_id,
            p.category,
            p.title.trim(),
            p.description.trim(),
            p.exchanged_at,
            day,
            now,
            p.source.kind(),
            p.source.reference(),
            price,
            vat,
            p.origin,
            p.external_id,
            sha,
            size,
            pages,
            p.published_by,
        ],
    )?;
    let id = c.last_insert_rowid();
    let queued = !sms.is_empty() && notify::queue(c, p.patient_id, Notice::Documents, sms, now)?;
    Ok((Published::New { id, public_id }, queued))
}

/// A document published before under the same external id.
struct Previous {
    id: i64,
    public_id: String,
    patient: i64,
    category: String,
    title: String,
    reference: String,
    at: i64,
    state: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    /// No longer listed nor downloadable.
    Done,
    /// Bought by the patient: kept for them, flagged, no longer for sale.
    KeptForBuyer,
    /// In an order waiting for its payment: withdraw it after the order ends.
    InPendingOrder,
    Already,
}

/// Withdraws a document (by row id) in the caller's transaction.
pub fn withdraw(c: &Connection, document: i64, now: i64) -> rusqlite::Result<Withdrawal> {
    let (state, withdrawn_at): (String, Option<i64>) = c.query_row(
        "SELECT state, withdrawn_at FROM documents WHERE id = ?1",
        [document],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if state == "withdrawn" || withdrawn_at.is_some() {
        return Ok(Withdrawal::Already);
    }
    let orders = |states: &str| -> rusqlite::Result<bool> {
        c.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id
                 WHERE i.document_id = ?1 AND o.state IN ({states}))"
            ),
            [document],
            |r| r.get(0),
        )
    };
    if orders("'draft', 'pending'")? {
        return Ok(Withdrawal::InPendingOrder);
    }
    if orders("'completed'")? {
        c.execute(
            "UPDATE documents SET withdrawn_at = ?2 WHERE id = ?1",
            params![document, now],
        )?;
        c.execute("DELETE FROM cart_items WHERE document_id = ?1", [document])?;
        return Ok(Withdrawal::KeptForBuyer);
    }
    c.execute(
        "UPDATE documents SET state = 'withdrawn', withdrawn_at = ?2 WHERE id = ?1",
        params![document, now],
    )?;
    c.execute("DELETE FROM cart_items WHERE document_id = ?1", [document])?;
    Ok(Withdrawal::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication(patient: i64, ext: Option<&str>) -> Publication {
        Publication {
            patient_id: patient,
            category: "Cartella clinica".into(),
            title: "Cartella clinica ricovero".into(),
            description: String::new(),
            exchanged_at: 1_780_000_000,
            price_cents: None,
            source: Source::Study {
                uid: "1.2.3".into(),
            },
            origin: "api:RIS".into(),
            external_id: ext.map(String::from),
            published_by: None,
        }
    }

    #[test]
    fn idempotent_by_external_id_priced_from_the_list_and_notified_once() {
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(
            &c,
            "RSSMRA80A01A182N",
            "Mario",
            "Rossi",
            Some("+393331234567"),
            1,
        )
        .unwrap();
        let now = 1_780_000_100;
        let (first, queued) = publish(&c, &publication(p, Some("A1")), "x", now).unwrap();
        assert!(queued);
        let Published::New { id, public_id } = first else {
            panic!("{first:?}")
        };
        let price: i64 = c
            .query_row(
                "SELECT price_cents FROM documents WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(price, 2200, "Cartella clinica from the price list");
        let (again, queued) = publish(&c, &publication(p, Some("A1")), "x", now).unwrap();
        assert_eq!(
            again,
            Published::Again {
                id,
                public_id: public_id.clone()
            }
        );
        assert!(!queued);
        let mut changed = publication(p, Some("A1"));
        changed.title = "Altro".into();
        assert_eq!(
            publish(&c, &changed, "x", now).unwrap().0,
            Published::Conflict { public_id }
        );
        let (second, queued) = publish(&c, &publication(p, Some("A2")), "x", now + 5).unwrap();
        assert!(matches!(second, Published::New { .. }));
        assert!(!queued, "one notice a day");
    }

    #[test]
    fn a_bought_document_is_kept_for_its_buyer() {
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(&c, "RSSMRA80A01A182N", "Mario", "Rossi", None, 1)
            .unwrap();
        let (Published::New { id: sold, .. }, _) =
            publish(&c, &publication(p, Some("S")), "x", 1).unwrap()
        else {
            panic!()
        };
        let (Published::New { id: free, .. }, _) =
            publish(&c, &publication(p, Some("F")), "x", 1).unwrap()
        else {
            panic!()
        };
        c.execute_batch(&format!(
            "INSERT INTO orders (id, number, patient_id, state, total_cents, causale, provider, provider_name, payee, created_at, updated_at)
               VALUES (1, 'n1', {p}, 'completed', 2200, 'c', 'sandbox', 's', 'p', 1, 1);
             INSERT INTO order_items (order_id, document_id, title, category, price_cents) VALUES (1, {sold}, 't', 'c', 2200);"
        ))
        .unwrap();
        assert_eq!(withdraw(&c, sold, 9).unwrap(), Withdrawal::KeptForBuyer);
        assert_eq!(withdraw(&c, free, 9).unwrap(), Withdrawal::Done);
        assert_eq!(withdraw(&c, free, 10).unwrap(), Withdrawal::Already);
        let state: String = c
            .query_row("SELECT state FROM documents WHERE id = ?1", [sold], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(state, "available");
    }

    #[test]
    fn bad_fields_are_named() {
        let cats = vec!["Referto".to_string()];
        let e = check(
            &cats,
            "Ricetta",
            " ",
            "",
            10_000_000_000,
            Some(-1),
            1_780_000_000,
        );
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["category", "title", "exchanged_at", "price_cents"]);
        assert!(
            check(
                &cats,
                "Referto",
                "Referto RX",
                "",
                1_779_000_000,
                None,
                1_780_000_000
            )
            .is_empty()
        );
    }
}
