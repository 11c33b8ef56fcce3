//! Reconciliation with the payment provider, with the poller out of the way (its first
//! check a day after confirmation): only a reconciliation can learn what the sandbox knows.
//! `cds-portal reconcile` runs as its own process on the server's data folder while the
//! server runs: a payment completed, nothing done twice, the days respected, a receipt
//! restored, a provider error reported, a Conferma cut short finished. `reconcile_office.rs`:
//! late payments flagged, the back office, the daily run.

use crate::client::Browser;
use crate::orders::{CARTELLA, confirm, db, location, order_of, sandbox, sandbox_db, state};
use crate::{BIN, MARIO, Server, TempDir, eventually};
use std::process::{Command, Stdio};

const GERIATRIA: &str = "Cartella clinica – ricovero in Geriatria";

/// The sandbox confirms a payment at once; the poller would first ask a day later.
pub const QUIET: &[(&str, &str)] = &[
    ("CDS_DEMO_CT_SLICES", "12"),
    ("CDS_SANDBOX", "true"),
    ("CDS_PAYMENTS_PROVIDER", "sandbox"),
    ("CDS_PAYMENTS_ENTE_CF", "12345678901"),
    ("CDS_PAYMENTS_SANDBOX_CONFIRM_SECS", "0"),
    ("CDS_PAYMENTS_POLL_FIRST_SECS", "86400"),
    ("CDS_PAYMENTS_POLL_MAX_SECS", "86400"),
];

pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    /// The summary line's figures: checked, unchanged, changed, flagged, errors.
    pub fn figures(&self) -> [i64; 5] {
        let first = self.out.lines().next().unwrap_or("");
        let n = |name: &str| -> i64 {
            let (_, rest) = first
                .split_once(&format!("{name} "))
                .unwrap_or_else(|| panic!("{name} in {first:?}"));
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        [
            n("controllati"),
            n("invariati"),
            n("modificati"),
            n("segnalati"),
            n("errori"),
        ]
    }
}

/// `cds-portal reconcile ARGS` on the server's data folder, with `env` (60 s at most).
pub fn reconcile_with(s: &Server, env: &[(&str, &str)], args: &[&str]) -> Run {
    let dir = TempDir::new("reconcile");
    let (out, err) = (dir.0.join("out"), dir.0.join("err"));
    let mut child = Command::new(&*BIN)
        .arg("reconcile")
        .args(args)
        .arg("--data")
        .arg(s.data.0.join("data"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()))
        .spawn()
        .unwrap();
    let mut status = None;
    assert!(
        eventually(60, || {
            status = child.try_wait().unwrap();
            status.is_some()
        }),
        "cds-portal reconcile did not end"
    );
    Run {
        code: status.unwrap().code().unwrap_or(-1),
        out: std::fs::read_to_string(out).unwrap(),
        err: std::fs::read_to_string(err).unwrap(),
    }
}

pub fn reconcile(s: &Server, args: &[&str]) -> Run {
    let r = reconcile_with(s, QUIET, args);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    r
}

pub fn one<T: rusqlite::types::FromSql>(s: &Server, sql: &str, number: &str) -> T {
    db(s).query_row(sql, [number], |r| r.get(0)).unwrap()
}

fn receipt(s: &Server, number: &str) -> Option<String> {
    one(s, "SELECT receipt FROM orders WHERE number = ?1", number)
}

/// The order's events named `event`.
pub fn events(s: &Server, number: &str, event: &str) -> i64 {
    db(s)
        .query_row(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 AND e.event = ?2",
            [number, event],
            |r| r.get(0),
        )
        .unwrap()
}

/// The last run's row: trigger, days, the five figures, finished, report.
pub type Row = (String, i64, [i64; 5], bool, String);

pub fn last_run(s: &Server) -> Row {
    db(s)
        .query_row(
            "SELECT trigger, days, checked, unchanged, changed, flagged, errors, finished_at IS NOT NULL, report
             FROM reconciliations ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )
        .unwrap()
}

pub fn runs(s: &Server, trigger: &str) -> i64 {
    one(
        s,
        "SELECT count(*) FROM reconciliations WHERE trigger = ?1 AND finished_at IS NOT NULL",
        trigger,
    )
}

#[test]
fn the_command_completes_a_payment_only_the_provider_knows_while_the_server_runs() {
    let s = Server::demo(QUIET);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = order_of(&mut b, &s, CARTELLA);
    let ticket = confirm(&mut b, &number);
    assert_eq!(sandbox(&mut b, &ticket, "paga").status, 200);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(state(&s, &number), "pending", "the poller is not looking");

    // The demo's failed (6 days) and pending (2 days) orders are looked at too, unchanged.
    let r = reconcile(&s, &["--days", "7"]);
    assert_eq!(r.figures(), [3, 2, 1, 0, 0], "{}", r.out);
    let line = format!("{number} · modificato · IN ATTESA DI PAGAMENTO → COMPLETATO · pagato");
    assert_eq!(r.out.lines().nth(1), Some(line.as_str()), "{}", r.out);
    assert_eq!(r.out.lines().count(), 2, "{}", r.out);
    assert_eq!(state(&s, &number), "completed");
    let paid = receipt(&s, &number).expect("the receipt");
    assert!(paid.starts_with("IUR "), "{paid}");
    assert_eq!(events(&s, &number, "paid"), 1);
    let (trigger, days, figures, finished, report) = last_run(&s);
    assert_eq!(
        (trigger.as_str(), days, figures, finished),
        ("cli", 7, [3, 2, 1, 0, 0], true)
    );
    assert_eq!(report, line);
    for private in [MARIO.0, "Mario", "Rossi", CARTELLA, "mario.rossi"] {
        assert!(
            !r.out.contains(private) && !report.contains(private),
            "{private}"
        );
    }
    // The server, which did not ask, shows it (it reads the same database).
    assert!(eventually(5, || b
        .get(&format!("/ordini/{number}"))
        .body
        .contains("COMPLETATO")));

    // Again: nothing to change, no second payment.
    let r = reconcile(&s, &[]);
    assert_eq!(r.figures(), [2, 2, 0, 0, 0], "{}", r.out);
    assert_eq!(r.out.lines().count(), 1, "{}", r.out);
    assert_eq!(events(&s, &number, "paid"), 1);

    // An order made 10 days ago is beyond 7 days: untouched; 30 days reach it.
    let old = order_of(&mut b, &s, GERIATRIA);
    let ticket = confirm(&mut b, &old);
    sandbox(&mut b, &ticket, "paga");
    db(&s)
        .execute(
            "UPDATE orders SET created_at = created_at - 10 * 86400 WHERE number = ?1",
            [&old],
        )
        .unwrap();
    let r = reconcile(&s, &["--days", "7"]);
    assert_eq!(r.figures(), [2, 2, 0, 0, 0], "{}", r.out);
    assert_eq!(state(&s, &old), "pending");
    // 30 days: also the demo's cancelled order (20 days), still cancelled at the provider.
    let r = reconcile(&s, &["--days", "30"]);
    assert_eq!(r.figures(), [4, 3, 1, 0, 0], "{}", r.out);
    assert!(r.out.contains(&format!("{old} · modificato")), "{}", r.out);
    assert_eq!(state(&s, &old), "completed");

    // A completed order without its receipt gets it from the provider, with an event.
    db(&s)
        .execute(
            "UPDATE orders SET receipt = NULL WHERE number = ?1",
            [&number],
        )
        .unwrap();
    let r = reconcile(&s, &["--days", "7"]);
    assert_eq!(r.figures(), [3, 2, 1, 0, 0], "{}", r.out);
    let line = format!("{number} · modificato · COMPLETATO → COMPLETATO · ricevuta {paid}");
    assert!(r.out.contains(&line), "{}", r.out);
    assert_eq!(receipt(&s, &number).as_deref(), Some(paid.as_str()));
    assert_eq!(events(&s, &number, "receipt"), 1);
    assert_eq!(events(&s, &number, "paid"), 1);
    assert_eq!(runs(&s, "cli"), 5);

    // Errors: no provider configured, a wrong --days (exit 1, nothing recorded).
    let mut none = QUIET.to_vec();
    none.retain(|(k, _)| *k != "CDS_PAYMENTS_PROVIDER");
    none.push(("CDS_PAYMENTS_PROVIDER", "none"));
    let r = reconcile_with(&s, &none, &[]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.err.contains("nessun fornitore"), "{}", r.err);
    let r = reconcile_with(&s, QUIET, &["--days", "0"]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.err.contains("--days"), "{}", r.err);
    assert_eq!(runs(&s, "cli"), 5);
}

#[test]
fn a_provider_error_is_reported_and_changes_nothing() {
    let s = Server::demo(QUIET);
    let pending: String = db(&s)
        .query_row(
            "SELECT number FROM orders WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // The provider's database is held by another writer past its 5 s busy timeout.
    let held = sandbox_db(&s);
    held.execute_batch("BEGIN IMMEDIATE").unwrap();
    // 3 days: only the demo's pending order (2 days old).
    let r = reconcile(&s, &["--days", "3"]);
    held.execute_batch("ROLLBACK").unwrap();
    assert_eq!(r.figures(), [1, 0, 0, 0, 1], "{}", r.out);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.out);
    assert!(
        lines[1].starts_with(&format!(
            "{pending} · errore · IN ATTESA DI PAGAMENTO → IN ATTESA DI PAGAMENTO · "
        )),
        "{}",
        r.out
    );
    assert!(
        lines[2].starts_with("Attenzione: 1 ordini non controllati"),
        "{}",
        r.out
    );
    assert_eq!(state(&s, &pending), "pending");
    assert_eq!(last_run(&s).2, [1, 0, 0, 0, 1]);
}

#[test]
fn a_conferma_cut_short_is_finished_by_the_command() {
    let mut env = QUIET.to_vec();
    env.push(("FAILPOINTS", "confirm.reserved"));
    let mut s = Server::demo(&env);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = order_of(&mut b, &s, CARTELLA);
    let page = format!("/ordini/{number}");
    b.get(&page);
    location(&b.post(
        &format!("{page}/acquista"),
        &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
    ));
    b.get(&page);
    // The server dies between reserving the notice and asking the provider.
    let r = b.post(
        &format!("{page}/conferma"),
        &[("email", "mario.rossi@example.org")],
    );
    assert_eq!(r.status, 0);
    assert!(eventually(5, || s.exited()));
    let notice: String = one(
        &s,
        "SELECT notice_number FROM orders WHERE number = ?1",
        &number,
    );
    // Left for longer than a Conferma takes: the command (the server still down) finishes it.
    db(&s)
        .execute(
            "UPDATE orders SET updated_at = updated_at - 600 WHERE number = ?1",
            [&number],
        )
        .unwrap();
    let r = reconcile(&s, &[]);
    assert_eq!(r.figures(), [3, 2, 1, 0, 0], "{}", r.out);
    let line = format!(
        "{number} · modificato · DA CONFERMARE → IN ATTESA DI PAGAMENTO · posizione creata con l'avviso {notice} (conferma interrotta)"
    );
    assert!(r.out.contains(&line), "{}", r.out);
    assert_eq!(state(&s, &number), "pending");
    let at_provider: String = sandbox_db(&s)
        .query_row(
            "SELECT state FROM positions WHERE notice_number = ?1",
            [&notice],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(at_provider, "unpaid");
    // Restarted, the server finds nothing left to finish and shows the notice.
    s.restart_without(&["FAILPOINTS"]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let r = b.get(&page);
    assert!(r.body.contains("IN ATTESA DI PAGAMENTO") && r.body.contains(&notice));
    assert_eq!(events(&s, &number, "confirm"), 1);
}
