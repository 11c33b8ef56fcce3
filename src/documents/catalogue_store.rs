//! Queries of the "Documenti" page; every one is scoped by the patient. A document's place
//! in the purchase (in the cart, in an open order, bought) is read with it.

use rusqlite::{Connection, OptionalExtension, Row, params};

/// Where a priced document stands in the patient's orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ordered {
    /// In a completed order: "Acquistato".
    Paid(String),
    /// In a draft, pending or failed order: "In un ordine".
    Open(String),
}

/// The most relevant order of a document for its patient (a completed one first), as
/// `state:number`; `d` is the document (the query keeps to the patient's own). Shared with
/// the cart. (`d.patient_id`, not the parameter: see `db`'s note on re-prepared queries.)
pub const ORDER_OF: &str = "(SELECT o.state || ':' || o.number FROM order_items i JOIN orders o ON o.id = i.order_id
      WHERE i.document_id = d.id AND o.patient_id = d.patient_id AND o.state IN ('draft', 'pending', 'failed', 'completed')
      ORDER BY o.state = 'completed' DESC, o.id DESC LIMIT 1)";

pub fn ordered(v: Option<String>) -> Option<Ordered> {
    let (state, number) = v?
        .split_once(':')
        .map(|(s, n)| (s.to_string(), n.to_string()))?;
    Some(if state == "completed" {
        Ordered::Paid(number)
    } else {
        Ordered::Open(number)
    })
}

#[derive(Debug, Clone)]
pub struct CatalogueDoc {
    pub id: i64,
    pub public_id: String,
    pub category: String,
    pub title: String,
    pub published_at: i64,
    /// YYYY-MM-DD (Rome): where its row is in "Documenti Interscambiati".
    pub exchange_day: String,
    pub price_cents: i64,
    /// `available` or `preparing` (withdrawn documents are never read here).
    pub state: String,
    pub hidden: bool,
    pub in_cart: bool,
    pub ordered: Option<Ordered>,
}

impl CatalogueDoc {
    pub fn available(&self) -> bool {
        self.state == "available"
    }
}

const SELECT: &str =
    "SELECT d.id, d.public_id, d.category, d.title, d.published_at, d.exchange_day,
        d.price_cents, d.state, d.hidden_at IS NOT NULL,
        EXISTS (SELECT 1 FROM cart_items c WHERE c.patient_id = d.patient_id AND c.document_id = d.id)";

fn row(r: &Row) -> rusqlite::Result<CatalogueDoc> {
    Ok(CatalogueDoc {
        id: r.get(0)?,
        public_id: r.get(1)?,
        category: r.get(2)?,
        title: r.get(3)?,
        published_at: r.get(4)?,
        exchange_day: r.get(5)?,
        price_cents: r.get(6)?,
        state: r.get(7)?,
        hidden: r.get(8)?,
        in_cart: r.get(9)?,
        ordered: ordered(r.get(10)?),
    })
}

pub struct Page {
    pub rows: Vec<CatalogueDoc>,
    pub more: bool,
}

/// The patient's documents (every one, not only the online days), newest publication first.
pub fn list(
    c: &Connection,
    patient: i64,
    category: Option<&str>,
    limit: i64,
) -> rusqlite::Result<Page> {
    let sql = format!(
        "{SELECT}, {ORDER_OF} FROM documents d
         WHERE d.patient_id = ?1 + 0 AND d.state != 'withdrawn' AND (?2 IS NULL OR d.category = ?2)
         ORDER BY d.published_at DESC, d.id DESC LIMIT ?3 + 0"
    );
    let mut rows = c
        .prepare_cached(&sql)?
        .query_map(params![patient, category, limit + 1], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    Ok(Page { rows, more })
}

/// One document of the patient by its public id (not withdrawn).
pub fn get(
    c: &Connection,
    patient: i64,
    public_id: &str,
) -> rusqlite::Result<Option<CatalogueDoc>> {
    let sql = format!(
        "{SELECT}, {ORDER_OF} FROM documents d
         WHERE d.patient_id = ?1 AND d.public_id = ?2 AND d.state != 'withdrawn'"
    );
    c.prepare_cached(&sql)?
        .query_row(params![patient, public_id], row)
        .optional()
}

/// What the preview shows beyond the list's columns.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub ward: String,
    /// YYYY-MM-DD.
    pub admitted_on: Option<String>,
    pub discharged_on: Option<String>,
    pub pages: Option<i64>,
    pub size_bytes: Option<i64>,
}

pub struct Preview {
    pub doc: CatalogueDoc,
    pub details: Details,
    pub image: bool,
    pub has_thumbnail: bool,
}

pub fn preview(c: &Connection, patient: i64, public_id: &str) -> rusqlite::Result<Option<Preview>> {
    let Some(doc) = get(c, patient, public_id)? else {
        return Ok(None);
    };
    c.prepare_cached(
        "SELECT d.ward, d.admitted_on, d.discharged_on, d.pages, d.size_bytes, d.source_kind = 'dicom',
           EXISTS (SELECT 1 FROM document_thumbnails t WHERE t.document_id = d.id)
         FROM documents d WHERE d.id = ?1 AND d.patient_id = ?2",
    )?
    .query_row(params![doc.id, patient], |r| {
        Ok((
            Details {
                ward: r.get(0)?,
                admitted_on: r.get(1)?,
                discharged_on: r.get(2)?,
                pages: r.get(3)?,
                size_bytes: r.get(4)?,
            },
            r.get(5)?,
            r.get(6)?,
        ))
    })
    .optional()
    .map(|found| {
        found.map(|(details, image, has_thumbnail)| Preview {
            doc,
            details,
            image,
            has_thumbnail,
        })
    })
}

/// The thumbnail JPEG of the patient's image document.
pub fn thumbnail(
    c: &Connection,
    patient: i64,
    public_id: &str,
) -> rusqlite::Result<Option<Vec<u8>>> {
    c.prepare_cached(
        "SELECT t.jpeg FROM document_thumbnails t JOIN documents d ON d.id = t.document_id
         WHERE d.patient_id = ?1 AND d.public_id = ?2 AND d.state != 'withdrawn' AND d.source_kind = 'dicom'",
    )?
    .query_row(params![patient, public_id], |r| r.get(0))
    .optional()
}

/// The choices of "Richiedi informazioni sulla disponibilità": (public id, title, published).
pub fn choices(c: &Connection, patient: i64) -> rusqlite::Result<Vec<(String, String, i64)>> {
    c.prepare_cached(
        "SELECT public_id, title, published_at FROM documents
         WHERE patient_id = ?1 AND state != 'withdrawn' ORDER BY published_at DESC, id DESC LIMIT 200",
    )?
    .query_map([patient], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

/// Sets what the preview shows (demo, and later the ingest API).
pub fn set_details(c: &Connection, id: i64, d: &Details) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE documents SET ward = ?2, admitted_on = ?3, discharged_on = ?4, pages = ?5, size_bytes = ?6
         WHERE id = ?1",
        params![id, d.ward, d.admitted_on, d.discharged_on, d.pages, d.size_bytes],
    )
}

pub fn set_thumbnail(c: &Connection, id: i64, jpeg: &[u8]) -> rusqlite::Result<usize> {
    c.execute(
        "INSERT INTO document_thumbnails (document_id, jpeg) VALUES (?1, ?2)
         ON CONFLICT (document_id) DO UPDATE SET jpeg = excluded.jpeg",
        params![id, jpeg],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(c: &Connection, patient: i64, title: &str, kind: &str, published: i64) -> String {
        let d = crate::documents::store::NewDocument {
            patient_id: patient,
            category: if kind == "dicom" {
                "Immagini diagnostiche"
            } else {
                "Cartella clinica"
            },
            title,
            exchanged_at: published,
            source_kind: kind,
            source_ref: "x",
            price_cents: if kind == "dicom" { 0 } else { 2200 },
        };
        let public = crate::documents::store::insert(c, &d, published).unwrap();
        c.execute(
            "UPDATE documents SET published_at = ?2 WHERE public_id = ?1",
            params![public, published],
        )
        .unwrap();
        public
    }

    #[test]
    fn the_patients_documents_newest_first_with_their_purchase() {
        let c = crate::db::migrate::memory();
        let p = |cf| crate::patients::store::upsert(&c, cf, "N", "C", None, 0).unwrap();
        let (mario, laura) = (p("RSSMRA80A01A182N"), p("BNCLRA85M52A182Y"));
        let old = doc(&c, mario, "Vecchia", "pdf", 1_000);
        let new = doc(&c, mario, "Nuova", "pdf", 3_000);
        let ct = doc(&c, mario, "TC", "dicom", 2_000);
        let gone = doc(&c, mario, "Ritirata", "pdf", 4_000);
        doc(&c, laura, "Di Laura", "pdf", 5_000);
        c.execute(
            "UPDATE documents SET state = 'withdrawn' WHERE public_id = ?1",
            [&gone],
        )
        .unwrap();
        let titles = |cat: Option<&str>| -> Vec<String> {
            list(&c, mario, cat, 10)
                .unwrap()
                .rows
                .into_iter()
                .map(|d| d.title)
                .collect()
        };
        assert_eq!(titles(None), ["Nuova", "TC", "Vecchia"]);
        assert_eq!(titles(Some("Cartella clinica")), ["Nuova", "Vecchia"]);
        let page = list(&c, mario, None, 2).unwrap();
        assert!(page.more && page.rows.len() == 2);
        assert!(
            get(&c, laura, &new).unwrap().is_none(),
            "scoped by the patient"
        );
        assert!(get(&c, mario, &gone).unwrap().is_none(), "withdrawn");
        // In the cart, then in an order: read with the document.
        let id: i64 = c
            .query_row(
                "SELECT id FROM documents WHERE public_id = ?1",
                [&new],
                |r| r.get(0),
            )
            .unwrap();
        c.execute("INSERT INTO cart_items VALUES (?1, ?2, 0)", [mario, id])
            .unwrap();
        assert!(get(&c, mario, &new).unwrap().unwrap().in_cart);
        let terms = crate::orders::store::Terms {
            causale: "c",
            provider: "sandbox",
            provider_name: "p",
            payee: "ASL",
            vat_pct: 0,
        };
        let number = crate::orders::store::create(&c, mario, &[id], &terms, 0).unwrap();
        let d = get(&c, mario, &new).unwrap().unwrap();
        assert_eq!(d.ordered, Some(Ordered::Open(number.clone())));
        c.execute("UPDATE orders SET state = 'completed'", [])
            .unwrap();
        let d = get(&c, mario, &new).unwrap().unwrap();
        assert_eq!(d.ordered, Some(Ordered::Paid(number)));
        assert!(get(&c, mario, &old).unwrap().unwrap().ordered.is_none());
        // Thumbnails: only the patient's image documents.
        let ct_id: i64 = c
            .query_row(
                "SELECT id FROM documents WHERE public_id = ?1",
                [&ct],
                |r| r.get(0),
            )
            .unwrap();
        set_thumbnail(&c, ct_id, &[0xFF, 0xD8]).unwrap();
        assert_eq!(thumbnail(&c, mario, &ct).unwrap(), Some(vec![0xFF, 0xD8]));
        assert_eq!(thumbnail(&c, laura, &ct).unwrap(), None);
        let p = preview(&c, mario, &ct).unwrap().unwrap();
        assert!(p.image && p.has_thumbnail);
    }

    #[test]
    fn order_state_is_read() {
        assert_eq!(ordered(None), None);
        assert_eq!(
            ordered(Some("completed:abc".into())),
            Some(Ordered::Paid("abc".into()))
        );
        assert_eq!(
            ordered(Some("pending:abc".into())),
            Some(Ordered::Open("abc".into()))
        );
    }
}
