//! Upgrading from the oldest shipped schemas with data in them (issue 16, item 8): the current
//! binary is started as `serve` on `tests/fixtures/schema-v1.sql` (schema step 1, the first
//! shipped: patients, PINs, sessions, SMS, audit) and on `schema-v4.sql` (step 4, the first with
//! documents, orders and pagoPA payments). Every later step must have run (the schema equals a
//! fresh database's, `user_version` is the last step, the copy `cds-portal.pre-stepN.db` was
//! saved first), every row is still there with its values, integrity and foreign keys are
//! clean, and the data is usable: Mario logs in with his PIN, his old session still opens, he
//! sees his documents and orders, and none of Laura's.

use crate::backup_drill::{clean, counts};
use crate::client::Browser;
use crate::orders::location;
use crate::{BIN, MARIO, Server, TempDir};
use rusqlite::Connection;

const SCHEMA: &str = include_str!("../../schema.sql");
/// The fixture's session cookie (its SHA-256 is the stored `token_hash`).
const SESSION: &str = "abababababababababababababababababababababababababababababababab";

fn last_step() -> u32 {
    SCHEMA
        .lines()
        .filter_map(|l| {
            l.strip_prefix("-- step ")
                .and_then(|n| n.trim().parse().ok())
        })
        .max()
        .unwrap()
}

fn schema_of(c: &Connection) -> Vec<(String, String)> {
    c.prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn version(c: &Connection) -> u32 {
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// Every row of a table, as text, in rowid order (to compare before and after).
fn rows(c: &Connection, table: &str, columns: &str) -> Vec<String> {
    c.prepare(&format!("SELECT {columns} FROM {table} ORDER BY 1"))
        .unwrap()
        .query_map([], |r| {
            let n = r.as_ref().column_count();
            Ok((0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Loads the fixture into a new data folder (its session made fresh), starts the current
/// binary on it, checks what every upgrade must hold, and returns the server.
fn upgrade(fixture: &str, from: u32) -> Server {
    let dir = TempDir::new("upgrade");
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let path = data.join("cds-portal.db");
    let mut old = Connection::open(&path).unwrap();
    old.execute_batch(fixture).unwrap();
    assert_eq!(version(&old), from);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // What the minute's housekeeping sweeps when old: the session, throttling, PIN requests.
    old.execute_batch(&format!(
        "UPDATE sessions SET created_at = {now}, last_seen_at = {now};
         UPDATE login_failures SET last_failure_at = {now};
         UPDATE pin_resets SET created_at = {now};"
    ))
    .unwrap();
    // A surname with an apostrophe and an accent, as a registry writes it: step 13 gives it
    // its search key.
    old.execute(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, created_at)
         VALUES ('DNGNCL90A01H501X', 'Nicolò', 'D''Angelo Cantù', 1767225600)",
        [],
    )
    .unwrap();
    let before = counts(&mut old);
    // The columns the fixture wrote, as they were: later steps may add columns, never change these.
    let kept: Vec<(String, Vec<String>)> = before
        .keys()
        .filter(|t| !["sessions", "iuv_sequence"].contains(&t.as_str()))
        .map(|t| {
            let cols: Vec<String> = old
                .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            (
                t.clone(),
                vec![cols.join(", "), rows(&old, t, &cols.join(", ")).join("\n")],
            )
        })
        .collect();
    drop(old);

    // Its documents are from 2026-01-01: keep them in the online window.
    let env = [("CDS_DOCUMENTS_ONLINE_DAYS", "3650")];
    let s = Server::spawn_in(dir, &BIN, "serve", &env, None);
    let mut c = Connection::open(s.db_path()).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(version(&c), last_step(), "every step ran");
    let fresh = Connection::open_in_memory().unwrap();
    // Step 13 computes a column with the binary's own cds_fold; the fresh database has no
    // rows to compute, but the statement needs the function to exist.
    fresh
        .create_scalar_function(
            "cds_fold",
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8,
            |ctx| ctx.get::<String>(0),
        )
        .unwrap();
    fresh.execute_batch(SCHEMA).unwrap();
    assert_eq!(
        schema_of(&c),
        schema_of(&fresh),
        "the upgraded schema is a fresh one's"
    );
    clean(&c, "upgraded");
    let keys: Vec<String> = c
        .prepare("SELECT family_key FROM patients ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(keys, ["ROSSI", "BIANCHI", "DANGELOCANTU"], "step 13's keys");
    // The copy taken before the first new step: the old database as it was.
    let mut saved = Connection::open(
        s.db_path()
            .with_file_name(format!("cds-portal.pre-step{}.db", from + 1)),
    )
    .unwrap();
    assert_eq!(version(&saved), from);
    assert_eq!(
        counts(&mut saved),
        before,
        "the pre-upgrade copy holds the old data"
    );
    let after = counts(&mut c);
    for (t, n) in &before {
        assert_eq!(after[t], *n, "{t}: rows before and after the upgrade");
    }
    for (t, cols_rows) in &kept {
        assert_eq!(
            rows(&c, t, &cols_rows[0]).join("\n"),
            cols_rows[1],
            "{t}: the fixture's values survive the upgrade"
        );
    }
    s
}

#[test]
fn the_first_shipped_schema_with_data_upgrades_and_serves() {
    let s = upgrade(include_str!("../fixtures/schema-v1.sql"), 1);
    // The old session opens the portal; a PIN login works; Laura (no PIN yet) cannot log in.
    let mut old = Browser::new(&s.addr);
    old.cookies.insert("cds_session".into(), SESSION.into());
    let r = old.get("/dashboard");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("Mario Rossi") || r.body.contains("Rossi"),
        "{}",
        r.body
    );
    let mut b = Browser::new(&s.addr);
    assert_eq!(
        location(&b.login(MARIO.0, MARIO.1)),
        "/documenti-interscambiati"
    );
    let mut laura = Browser::new(&s.addr);
    let r = laura.login("BNCLRA85M52A182Y", "12345678");
    assert_ne!(r.status, 303, "no PIN, no login");
    // The audit lines of before are the patient's own accesses.
    let page = b.get("/accessi");
    assert_eq!(page.status, 200);
}

#[test]
fn the_first_schema_with_orders_and_payments_upgrades_and_serves() {
    let s = upgrade(include_str!("../fixtures/schema-v4.sql"), 4);
    let mut b = Browser::new(&s.addr);
    assert_eq!(
        location(&b.login(MARIO.0, MARIO.1)),
        "/documenti-interscambiati"
    );
    let docs = b.get("/documenti-interscambiati?da=2026-01-01&a=2026-01-01");
    assert_eq!(docs.status, 200);
    for title in [
        "Referto TC torace (archivio 2026)",
        "TC torace (archivio 2026)",
    ] {
        assert!(
            docs.body.contains(title),
            "{title} in Documenti Interscambiati: {}",
            docs.body
        );
    }
    assert!(
        !docs.body.contains("Referto ecografia (archivio 2026)"),
        "not Laura's"
    );
    let catalogue = b.get("/documenti");
    assert!(catalogue.body.contains("Cartella clinica – ricovero 2025"));
    let orders = b.get("/ordini");
    assert_eq!(orders.status, 200);
    for number in ["a1".repeat(16), "b2".repeat(16), "c3".repeat(16)] {
        assert!(orders.body.contains(&number), "order {number} in /ordini");
    }
    let paid = b.get(&format!("/ordini/{}", "a1".repeat(16)));
    assert_eq!(paid.status, 200);
    for text in [
        "COMPLETATO",
        "Cartella clinica – ricovero 2025",
        "3010 0000 0000 0001 44",
    ] {
        assert!(paid.body.contains(text), "{text} on the paid order's page");
    }
    let failed = b.get(&format!("/ordini/{}", "b2".repeat(16)));
    assert!(failed.body.contains("PAGAMENTO NON RIUSCITO"));
    let support = b.get("/assistenza");
    assert!(
        support.body.contains("Ripeti Pagamento"),
        "the operator's old reply"
    );
    // Mario's old session still opens the dashboard with his last orders.
    let mut old = Browser::new(&s.addr);
    old.cookies.insert("cds_session".into(), SESSION.into());
    let dash = old.get("/dashboard");
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains(&"a1".repeat(16)));
}
