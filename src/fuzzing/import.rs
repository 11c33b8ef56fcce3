//! What hospital systems and operators import: the back office's CSV of patients and the
//! ingest API's JSON documents. What is accepted must store, and read back as accepted.

use crate::documents::publish::{self, Published, Source};
use crate::operator::patient_form::check_person;
use crate::operator::patient_import::{self, Parsed};
use crate::patients::store;
use std::cell::RefCell;

thread_local! {
    /// One in-memory database with the whole schema per thread, emptied between inputs.
    static DB: RefCell<rusqlite::Connection> = RefCell::new(crate::db::migrate::memory());
}

/// Runs `f` in a transaction that is rolled back (every input starts from the same state).
fn in_db<T>(f: impl FnOnce(&rusqlite::Transaction) -> T) -> T {
    DB.with_borrow_mut(|c| {
        let tx = c.transaction().expect("transaction");
        f(&tx)
    })
}

/// The CSV of patients: UTF-8 input decodes to itself; accepted people are valid again by
/// the form's rules, have distinct codici fiscali, and every one stores and reads back
/// unchanged (all or nothing is the import's: it never accepts a line it cannot store);
/// refused lines have numbers within the file.
pub fn patient_csv(data: &[u8]) {
    let text = patient_import::decode(data);
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(text, s.strip_prefix('\u{feff}').unwrap_or(s));
    }
    match patient_import::parse(&text) {
        Parsed::People(people) => {
            assert!(!people.is_empty());
            let mut cfs: Vec<&str> = people.iter().map(|p| p.cf.as_str()).collect();
            cfs.sort();
            cfs.dedup();
            assert_eq!(cfs.len(), people.len(), "a codice fiscale twice");
            in_db(|tx| {
                for p in &people {
                    let again = check_person(
                        &p.cf,
                        &p.given,
                        &p.family,
                        p.mobile.as_deref().unwrap_or(""),
                    );
                    assert_eq!(again.as_ref(), Ok(p), "not valid again");
                    let (id, new) =
                        store::save(tx, &p.cf, &p.given, &p.family, p.mobile.as_deref(), 1)
                            .unwrap_or_else(|e| panic!("accepted but not stored: {e}"));
                    assert!(new);
                    let back: (String, String, String, Option<String>) = tx
                        .query_row(
                            "SELECT codice_fiscale, given_name, family_name, mobile_e164
                             FROM patients WHERE id = ?1",
                            [id],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                        )
                        .expect("read back");
                    assert_eq!(
                        back,
                        (
                            p.cf.clone(),
                            p.given.clone(),
                            p.family.clone(),
                            p.mobile.clone()
                        )
                    );
                }
            });
        }
        Parsed::Bad(bad) => {
            assert!(!bad.is_empty());
            let lines = text.split('\n').count() as u64;
            for (line, why) in &bad {
                assert!(
                    (1..=lines + 1).contains(line),
                    "line {line} of {lines}: {why}"
                );
                assert!(!why.is_empty());
            }
        }
    }
}

/// The ingest API's document (JSON; the first byte says whether with a study, as the JSON
/// route, or without, as beside a PDF): an accepted item is valid by the shared rules,
/// publishes for a known patient without a storage error, and reads back as sent; the same
/// again is `Again`, not a second document.
pub fn api_json(data: &[u8]) {
    let Some((&mode, json)) = data.split_first() else {
        return;
    };
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice::<serde_json::Value>(json)
    else {
        return;
    };
    let study = mode & 1 == 0;
    let categories = crate::config::Documents::default().categories;
    // 2026-11-28 12:00 UTC.
    let now = 1_795_867_200;
    let Ok(item) = crate::api::item::item(&categories, &obj, String::new(), study, now) else {
        return;
    };
    assert!(categories.contains(&item.category));
    assert!((0..=now + 86_400).contains(&item.at), "date {}", item.at);
    assert!(item.price.is_none_or(|p| (0..=1_000_000).contains(&p)));
    assert_eq!(item.study.is_some(), study);
    in_db(|tx| {
        let (patient, _) = store::save(tx, &item.cf, "Mario", "Rossi", None, now).expect("patient");
        let source = match &item.study {
            Some(uid) => Source::Study { uid: uid.clone() },
            None => Source::Pdf {
                reference: "aa/aabb.pdf".into(),
                sha256: "aabb".into(),
                size: 1,
                pages: Some(1),
            },
        };
        let p = item.publication(patient, source, "api:fuzz");
        let (done, _) = publish::publish(tx, &p, "", now)
            .unwrap_or_else(|e| panic!("accepted but not stored: {e}"));
        let Published::New { id, .. } = done else {
            panic!("first publication: {done:?}");
        };
        let back: (i64, String, String, String, i64, String) = tx
            .query_row(
                "SELECT patient_id, category, title, description, exchanged_at, exchange_day
                 FROM documents WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .expect("read back");
        assert_eq!(back.0, patient);
        assert_eq!(back.1, item.category);
        assert_eq!(back.2, item.title.trim());
        assert_eq!(back.3, item.description.trim());
        assert_eq!(back.4, item.at);
        assert_eq!(back.5, crate::ui::time::day_of(item.at).to_string());
        let (again, _) = publish::publish(tx, &p, "", now).expect("again");
        assert!(
            matches!(again, Published::Again { id: a, .. } if a == id),
            "{again:?}"
        );
    });
}
