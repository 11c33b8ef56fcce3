//! The backup and restore drill (issue 16, item 8), as README "Backups" tells an ASL to run it:
//! `cds-portal backup FILE` while the portal is busy, the copy put in place as
//! `<data_dir>/cds-portal.db` of a new folder, `serve` started on it.
//!
//! Under load — threads placing and cancelling orders (Mario and Laura), posting assistance
//! requests, and an operator searching patients (each search an audit line), all over HTTP —
//! three backups are taken. Each copy must be a transactionally consistent snapshot: integrity
//! and foreign keys clean; every order in it with its lines and its events (the order's own
//! trail), every confirmed order with its payment position, every cancelled one with the event
//! that cancelled it; every order, cancellation, request and search acknowledged to a client
//! before the backup started is in it; and each table's count lies between the live counts
//! just before the backup started and just after it ended (a copy from one moment). Then the
//! last copy is restored into a new folder and served: every table's count and the latest
//! order are what the copy holds, and Mario logs in and finds that order.

use crate::client::Browser;
use crate::orders::{FAST_PAYMENTS, db, doc_id, location};
use crate::{BIN, LAURA, MARIO, OPERATORE, Server, TempDir};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const ORTOPEDIA: &str = "Cartella clinica – ricovero in Ortopedia";
const MEDICINA: &str = "Cartella clinica – ricovero in Medicina Interna";

/// What the clients were told, and when: (kind, key, acknowledged at).
type Acks = Arc<Mutex<Vec<(&'static str, String, Instant)>>>;

fn open_ro(path: &Path) -> Connection {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    c
}

pub fn tables(c: &Connection) -> Vec<String> {
    c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every table's row count, read in one transaction (one moment).
pub fn counts(c: &mut Connection) -> BTreeMap<String, i64> {
    let tx = c.transaction().unwrap();
    let names = tables(&tx);
    let out = names
        .into_iter()
        .map(|t| {
            let n = tx
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect();
    tx.finish().unwrap();
    out
}

/// `PRAGMA integrity_check` says ok and `foreign_key_check` finds nothing.
pub fn clean(c: &Connection, what: &str) {
    let integrity: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "{what}");
    let fk: Vec<String> = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| {
            Ok(format!(
                "{}:{:?}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(fk.is_empty(), "{what}: foreign keys {fk:?}");
}

fn strings(c: &Connection, sql: &str) -> Vec<String> {
    c.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn one(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The orders of a copy whose trail is not whole.
fn broken_orders(c: &Connection) -> Vec<String> {
    strings(
        c,
        "SELECT o.number || ' ' || o.state FROM orders o WHERE
            NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)
         OR (o.state NOT IN ('draft', 'cancelled')
             AND NOT EXISTS (SELECT 1 FROM payment_positions p WHERE p.order_id = o.id))
         OR (o.state = 'cancelled' AND o.confirmed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.to_state = 'cancelled'))
         OR (o.total_cents != (SELECT coalesce(sum(price_cents), 0) FROM order_items i WHERE i.order_id = o.id))",
    )
}

/// A patient who orders a cartella clinica and cancels the draft, again and again.
fn orders_loop(
    addr: String,
    who: (&str, &str),
    doc: String,
    acks: Acks,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
) {
    let mut b = Browser::new(&addr);
    location(&b.login(who.0, who.1));
    for _ in 0..1000 {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        b.get("/documenti");
        let r = b.post("/carrello/aggiungi", &[("documento", &doc)]);
        assert!(
            r.status == 303 || r.status == 200,
            "{}: {}",
            r.status,
            r.body
        );
        let to = location(&b.post("/carrello/ordina", &[]));
        let number = to.strip_prefix("/ordini/").unwrap().to_string();
        acks.lock()
            .unwrap()
            .push(("order", number.clone(), Instant::now()));
        b.get(&to);
        location(&b.post(&format!("{to}/annulla"), &[]));
        acks.lock()
            .unwrap()
            .push(("cancelled", number, Instant::now()));
        done.fetch_add(1, Ordering::SeqCst);
    }
}

fn support_loop(addr: String, acks: Acks, stop: Arc<AtomicBool>, done: Arc<AtomicUsize>) {
    let mut b = Browser::new(&addr);
    location(&b.login(MARIO.0, MARIO.1));
    // Fewer than the 20 a patient may send in a day, paced to last through the backups.
    for i in 0..15 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if stop.load(Ordering::SeqCst) {
            break;
        }
        b.get("/assistenza");
        let subject = format!("Richiesta di prova n. {i}");
        let r = b.post(
            "/assistenza",
            &[
                ("tipo", "assistenza"),
                ("oggetto", &subject),
                ("messaggio", "Un messaggio qualsiasi."),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        acks.lock()
            .unwrap()
            .push(("request", subject, Instant::now()));
        done.fetch_add(1, Ordering::SeqCst);
    }
}

fn operator_loop(addr: String, acks: Acks, stop: Arc<AtomicBool>, done: Arc<AtomicUsize>) {
    let mut op = Browser::new(&addr);
    location(&op.operator_login(OPERATORE.0, OPERATORE.1));
    op.get("/operatore/pazienti");
    for i in 0..5000 {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let r = op.post(
            "/operatore/pazienti",
            &[("q", if i % 2 == 0 { "Rossi" } else { "Bianchi" })],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        acks.lock()
            .unwrap()
            .push(("search", i.to_string(), Instant::now()));
        done.fetch_add(1, Ordering::SeqCst);
    }
}

fn backup(data: &Path, to: &Path) {
    let out = Command::new(&*BIN)
        .arg("backup")
        .arg(to)
        .arg("--data")
        .arg(data)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "backup: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn backup_under_load_is_a_consistent_snapshot_and_restores_into_a_new_folder() {
    let s = Server::demo(FAST_PAYMENTS);
    let data = s.data.0.join("data");
    let (medicina, ortopedia) = (doc_id(&s, MEDICINA), doc_id(&s, ORTOPEDIA));
    let acks: Acks = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let progress: Vec<Arc<AtomicUsize>> = (0..4).map(|_| Arc::default()).collect();
    let threads = vec![
        {
            let (a, k, st, d) = (
                s.addr.clone(),
                acks.clone(),
                stop.clone(),
                progress[0].clone(),
            );
            std::thread::spawn(move || orders_loop(a, (MARIO.0, MARIO.1), medicina, k, st, d))
        },
        {
            let (a, k, st, d) = (
                s.addr.clone(),
                acks.clone(),
                stop.clone(),
                progress[1].clone(),
            );
            std::thread::spawn(move || orders_loop(a, (LAURA.0, LAURA.1), ortopedia, k, st, d))
        },
        {
            let (a, k, st, d) = (
                s.addr.clone(),
                acks.clone(),
                stop.clone(),
                progress[2].clone(),
            );
            std::thread::spawn(move || support_loop(a, k, st, d))
        },
        {
            let (a, k, st, d) = (
                s.addr.clone(),
                acks.clone(),
                stop.clone(),
                progress[3].clone(),
            );
            std::thread::spawn(move || operator_loop(a, k, st, d))
        },
    ];
    let mut live = db(&s);
    let backups = TempDir::new("backups");
    let mut last = None;
    for round in 0..3 {
        // The order and operator threads have written since the last round (the support
        // thread stops at the day's limit): the copy is taken amid writes.
        let marks: Vec<usize> = progress.iter().map(|p| p.load(Ordering::SeqCst)).collect();
        let busy = crate::eventually(60, || {
            [0, 1, 3]
                .iter()
                .all(|&i| progress[i].load(Ordering::SeqCst) > marks[i])
        });
        assert!(busy, "every load thread keeps writing (round {round})");
        let before = counts(&mut live);
        let started = Instant::now();
        let file = backups.0.join(format!("cds-{round}.db"));
        backup(&data, &file);
        let after = counts(&mut live);

        let mut copy = open_ro(&file);
        clean(&copy, &format!("backup {round}"));
        let snap = counts(&mut copy);
        for (t, n) in &snap {
            // Sessions and throttling rows come and go; the rest only grows while it runs.
            if [
                "sessions",
                "operator_sessions",
                "cart_items",
                "login_failures",
            ]
            .contains(&t.as_str())
            {
                continue;
            }
            assert!(
                before[t] <= *n && *n <= after[t],
                "backup {round}: {t} has {n} rows, live had {} before and {} after",
                before[t],
                after[t]
            );
        }
        assert_eq!(broken_orders(&copy), Vec::<String>::new(), "backup {round}");
        let told: Vec<(&str, String)> = acks
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, at)| *at < started)
            .map(|(k, v, _)| (*k, v.clone()))
            .collect();
        assert!(
            told.iter().any(|(k, _)| *k == "order"),
            "orders were acknowledged before backup {round}"
        );
        let searches = one(
            &copy,
            "SELECT count(*) FROM audit_log WHERE action = 'patient_search'",
        );
        let told_searches = told.iter().filter(|(k, _)| *k == "search").count() as i64;
        assert!(
            searches >= told_searches,
            "backup {round}: {searches} searches in it, {told_searches} acknowledged"
        );
        for (kind, key) in &told {
            let found = match *kind {
                "order" => one(
                    &copy,
                    &format!("SELECT count(*) FROM orders WHERE number = '{key}'"),
                ),
                "cancelled" => one(
                    &copy,
                    &format!(
                        "SELECT count(*) FROM orders WHERE number = '{key}' AND state = 'cancelled'"
                    ),
                ),
                "request" => one(
                    &copy,
                    &format!("SELECT count(*) FROM support_requests WHERE subject = '{key}'"),
                ),
                _ => 1,
            };
            assert_eq!(
                found, 1,
                "backup {round}: the {kind} {key} was acknowledged before the backup began"
            );
        }
        last = Some((file, snap));
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().expect("a load thread failed");
    }
    let (file, snap) = last.unwrap();

    // Restore as the README says: the copy in place as <data_dir>/cds-portal.db of a new folder
    // (the payment provider's own state, here the sandbox's file, lives outside the portal).
    let copy = open_ro(&file);
    let latest: (String, String, i64) = copy
        .query_row(
            "SELECT number, state, total_cents FROM orders ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let owner: String = copy
        .query_row(
            "SELECT p.codice_fiscale FROM orders o JOIN patients p ON p.id = o.patient_id ORDER BY o.id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(copy);
    let restored = TempDir::new("restored");
    let into = restored.0.join("data");
    std::fs::create_dir_all(&into).unwrap();
    std::fs::copy(&file, into.join("cds-portal.db")).unwrap();
    Connection::open(data.join("sandbox-pagopa.db"))
        .unwrap()
        .execute(
            "VACUUM INTO ?1",
            [into.join("sandbox-pagopa.db").to_string_lossy()],
        )
        .unwrap();
    let (root, pdf) = crate::shared_archive();
    let mut env = FAST_PAYMENTS.to_vec();
    env.extend([
        ("CDS_ARCHIVE_ROOT", root.as_str()),
        ("CDS_ARCHIVE_PDF_ROOT", pdf.as_str()),
    ]);
    drop(live);
    // The requests the load and the checks sent, as the server logged them.
    let requests = s.log().matches(" route=").count();
    drop(s);
    let r = Server::spawn_in(restored, &BIN, "serve", &env, None);
    let mut served = Connection::open(r.db_path()).unwrap();
    served
        .busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    clean(&served, "restored");
    assert_eq!(
        counts(&mut served),
        snap,
        "every table of the restored portal as the backup captured it"
    );
    let now: (String, String, i64) = served
        .query_row(
            "SELECT number, state, total_cents FROM orders ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(now, latest);

    // The restored portal serves it: the owner logs in and finds the latest order.
    let pin = if owner == MARIO.0 { MARIO.1 } else { LAURA.1 };
    let mut b = Browser::new(&r.addr);
    assert_eq!(location(&b.login(&owner, pin)), "/documenti-interscambiati");
    let page = b.get("/ordini");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&latest.0),
        "the latest order {} in /ordini",
        latest.0
    );
    let health = b.get("/healthz");
    assert_eq!(health.status, 200, "{}", health.body);
    crate::soak::write(
        "backup_drill",
        &[("requests", requests as u64), ("runs", 1)],
    );
}
