//! What must hold after every kill and restart (issue 16 item 3): the databases intact;
//! every payment the provider took belongs to one order, which is completed (or flagged for
//! the operator when it was closed first), and no order or document is paid twice; no
//! position the provider would still take money for behind a final order; every ZIP the
//! portal serves whole, with the SHA-256 the DB records, and nothing half-written left in
//! the cache; every recovery asked for finished; nothing of one patient in another's order.

use super::flows::{Dbs, PatientPlan, Target, public_id};
use super::http::Tab;
use sha2::{Digest, Sha256};
use std::io::Read;

/// `PRAGMA integrity_check` and `foreign_key_check` of both databases (the portal's and
/// the provider's) are clean.
pub fn integrity(dbs: &Dbs, when: &str) {
    for (name, c) in [("portale", dbs.portal()), ("sandbox", dbs.sandbox())] {
        crate::backup_drill::clean(&c, &format!("{when}: {name}"));
    }
}

/// Every position at the provider: (notice, state, payable now, payer's codice fiscale).
fn positions(dbs: &Dbs) -> Vec<(String, String, bool, String)> {
    let today = crate::documents::today().to_string();
    dbs.sandbox()
        .prepare("SELECT notice_number, state, due_day, payer_cf FROM positions")
        .unwrap()
        .query_map([], |r| {
            let (n, s, due, cf): (String, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let payable = matches!(s.as_str(), "unpaid" | "failed") && due >= today;
            Ok((n, s, payable, cf))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The order (number, state, flag, patient's codice fiscale) whose notice this is, if any:
/// the order's current notice or any position it ever had.
fn order_of_notice(dbs: &Dbs, notice: &str) -> Vec<(String, String, Option<String>, String)> {
    dbs.portal()
        .prepare(
            "SELECT DISTINCT o.number, o.state, o.flag, p.codice_fiscale FROM orders o
             JOIN patients p ON p.id = o.patient_id
             LEFT JOIN payment_positions pp ON pp.order_id = o.id
             WHERE o.notice_number = ?1 OR pp.notice_number = ?1",
        )
        .unwrap()
        .query_map([notice], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// What is still to settle after a restart (jobs resuming, payments on their way): empty
/// when the run has come to rest.
pub fn unsettled(dbs: &Dbs, plans: &[PatientPlan]) -> Vec<String> {
    let db = dbs.portal();
    let mut left = Vec::new();
    for (sql, what) in [
        (
            "SELECT count(*) FROM recoveries WHERE state IN ('queued', 'running')",
            "recoveries running",
        ),
        (
            "SELECT count(*) FROM orders WHERE state = 'draft' AND notice_number IS NOT NULL",
            "Conferma cut short",
        ),
        (
            "SELECT count(*) FROM orders WHERE retry_notice IS NOT NULL",
            "Ripeti Pagamento cut short",
        ),
    ] {
        let n: i64 = db.query_row(sql, [], |r| r.get(0)).unwrap();
        if n > 0 {
            left.push(format!("{n} {what}"));
        }
    }
    for (notice, state, payable, _) in positions(dbs) {
        let orders = order_of_notice(dbs, &notice);
        if orders.is_empty() && (payable || matches!(state.as_str(), "paid" | "processing")) {
            left.push(format!("{notice} {state} at the provider, in no order"));
        }
        for (number, o_state, flag, _) in orders {
            let final_ = matches!(o_state.as_str(), "cancelled" | "expired" | "completed");
            if final_ && payable {
                left.push(format!("order {number} {o_state}: {notice} payable"));
            }
            if matches!(state.as_str(), "paid" | "processing")
                && o_state != "completed"
                && flag.is_none()
            {
                left.push(format!("order {number} {o_state}: {notice} {state}"));
            }
        }
    }
    for o in plans.iter().flat_map(|p| &p.orders) {
        let Some(number) = &o.number else { continue };
        let state: String = db
            .query_row(
                "SELECT state FROM orders WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .unwrap();
        let want = match o.target {
            Target::StaleDraft => "cancelled",
            Target::Expire if state == "pending" => "expired",
            _ => continue,
        };
        if state != want {
            left.push(format!("order {number} {state}, wanted {want}"));
        }
    }
    left
}

#[derive(Default)]
pub struct Found {
    pub payments: u64,
    pub zips: u64,
    pub double_payments: u64,
    pub leaks: u64,
}

/// The checks at rest. `tabs`: each patient signed in on the running server.
pub fn at_rest(
    dbs: &Dbs,
    plans: &[PatientPlan],
    tabs: &mut [Tab],
    cache: &std::path::Path,
) -> Found {
    let mut f = Found::default();
    let db = dbs.portal();
    integrity(dbs, "at rest");
    // Payments: each one the provider took belongs to exactly one order, for its patient,
    // which is completed or flagged; an order never has two paid positions.
    let mut paid_per_order = std::collections::HashMap::<String, u64>::new();
    for (notice, state, payable, cf) in positions(dbs) {
        let orders = order_of_notice(dbs, &notice);
        assert!(
            orders.len() <= 1,
            "notice {notice} on two orders: {orders:?}"
        );
        let Some((number, o_state, flag, owner)) = orders.into_iter().next() else {
            assert!(
                !payable && state != "paid" && state != "processing",
                "position {notice} ({state}) at the provider belongs to no order"
            );
            continue;
        };
        if cf != owner {
            f.leaks += 1;
        }
        if final_state(&o_state) {
            assert!(
                !payable,
                "order {number} {o_state}, its position {notice} still payable ({state})"
            );
        }
        if state == "paid" {
            f.payments += 1;
            *paid_per_order.entry(number.clone()).or_default() += 1;
            assert!(
                o_state == "completed" || flag.is_some(),
                "payment {notice} lost: order {number} is {o_state}, not flagged"
            );
        }
    }
    f.double_payments += paid_per_order.values().filter(|n| **n > 1).count() as u64;
    // A document is sold once; an order holds only its patient's documents.
    let sold_twice: i64 = db
        .query_row(
            "SELECT count(*) FROM (SELECT i.document_id FROM order_items i JOIN orders o ON o.id = i.order_id
             WHERE o.state = 'completed' GROUP BY i.document_id HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    f.double_payments += sold_twice as u64;
    let mixed: i64 = db
        .query_row(
            "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id
             JOIN documents d ON d.id = i.document_id WHERE d.patient_id <> o.patient_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    f.leaks += mixed as u64;
    // Orders: none lost, each where its flow left it.
    for o in plans.iter().flat_map(|p| &p.orders) {
        let Some(number) = &o.number else { continue };
        let state: String = db
            .query_row(
                "SELECT state FROM orders WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("order {number} lost: {e}"));
        if o.paid {
            assert_eq!(
                state, "completed",
                "order {number} paid at the provider ({:?})",
                o.target
            );
        }
        if o.target == Target::StaleDraft {
            assert_eq!(state, "cancelled", "stale draft {number}");
        }
    }
    // Recoveries: every one asked for finished, and its ZIP is whole.
    let live: Vec<String> = db
        .prepare("SELECT file_path FROM recoveries WHERE file_path IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for e in std::fs::read_dir(cache).unwrap().flatten() {
        let p = e.path().to_string_lossy().into_owned();
        assert!(live.contains(&p), "left in the cache, in no recovery: {p}");
    }
    for (i, p) in plans.iter().enumerate() {
        for title in &p.recover_ok {
            let (state, path, size, sha): (String, Option<String>, Option<i64>, Option<String>) =
                db.query_row(
                    "SELECT r.state, r.file_path, r.file_size, r.file_sha256 FROM recoveries r
                     JOIN documents d ON d.id = r.document_id WHERE d.title = ?1",
                    [title],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .unwrap_or_else(|e| panic!("recovery of {title} lost: {e}"));
            assert_eq!(state, "ready", "recovery of {title} did not finish");
            let (path, size, sha) = (path.unwrap(), size.unwrap(), sha.unwrap());
            let id = public_id(&db, title);
            let url = format!("/documenti-interscambiati/{id}/download");
            let (status, body) = tabs[i].download(&url).expect("server up");
            assert_eq!(status, 200, "download of {title}");
            assert_eq!(body.len() as i64, size, "{title}: served size");
            assert_eq!(
                hex(&Sha256::digest(&body)),
                sha,
                "{title}: SHA-256 of what is served"
            );
            whole_zip(&body, title);
            let on_disk = std::process::Command::new("unzip")
                .args(["-tqq", &path])
                .status();
            if let Ok(s) = on_disk {
                assert!(s.success(), "unzip -t {path} ({title})");
            }
            f.zips += 1;
            // The other patient gets nothing of it.
            for (j, other) in tabs.iter_mut().enumerate() {
                if j != i && other.download(&url).expect("server up").0 != 404 {
                    f.leaks += 1;
                }
            }
        }
    }
    f
}

fn final_state(s: &str) -> bool {
    matches!(s, "cancelled" | "expired" | "completed")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every entry read to its end (the CRC checked by the reader).
fn whole_zip(bytes: &[u8], what: &str) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{what}: not a ZIP: {e}"));
    assert!(!z.is_empty(), "{what}: empty ZIP");
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut sink = Vec::new();
        if let Err(err) = e.read_to_end(&mut sink) {
            panic!("{what}: entry {i} broken: {err}");
        }
    }
}
