//! Reconciliation, continued: a payment that reaches a cancelled order is flagged, never
//! completes it, and is flagged once; operators see the runs and their lines, only
//! administrators start one; the daily run catches up at start after a missed hour and
//! does not run twice.

use crate::client::Browser;
use crate::orders::{CARTELLA, confirm, db, location, order_of, sandbox_db, state};
use crate::reconcile::{QUIET, events, last_run, one, reconcile, runs};
use crate::{ADMIN, MARIO, OPERATORE, Server, eventually};

const RUNS: &str = "/operatore/riconciliazioni";

#[test]
fn a_late_payment_on_a_cancelled_order_is_flagged_and_operators_see_the_runs() {
    let s = Server::demo(QUIET);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = order_of(&mut b, &s, CARTELLA);
    let ticket = confirm(&mut b, &number);
    // The provider cancels the position: the run closes the order as the poller would.
    sandbox_db(&s)
        .execute(
            "UPDATE positions SET state = 'cancelled' WHERE notice_number = ?1",
            [&ticket],
        )
        .unwrap();
    let r = reconcile(&s, &[]);
    assert_eq!(r.figures(), [3, 2, 1, 0, 0], "{}", r.out);
    let line =
        format!("{number} · modificato · IN ATTESA DI PAGAMENTO → ANNULLATO · avviso annullato");
    assert!(r.out.contains(&line), "{}", r.out);
    assert_eq!(state(&s, &number), "cancelled");
    // The poller's watch of the closed order looks once now, then only hours later.
    assert!(eventually(15, || one::<i64>(
        &s,
        "SELECT checks FROM orders WHERE number = ?1",
        &number
    ) >= 1));

    // A payment still arrives: flagged for the operator, never completed.
    sandbox_db(&s)
        .execute(
            "UPDATE positions SET state = 'paid', paid_at = strftime('%s','now'), iur = 'LATE0001' WHERE notice_number = ?1",
            [&ticket],
        )
        .unwrap();
    let r = reconcile(&s, &[]);
    assert_eq!(r.figures(), [3, 2, 0, 1, 0], "{}", r.out);
    let line = format!(
        "{number} · segnalato · ANNULLATO → ANNULLATO · pagato; pagamento ricevuto con l'ordine ANNULLATO: rimborsare o completare"
    );
    assert!(r.out.contains(&line), "{}", r.out);
    assert_eq!(state(&s, &number), "cancelled");
    let flag: Option<String> = one(&s, "SELECT flag FROM orders WHERE number = ?1", &number);
    assert!(flag.unwrap().contains("rimborsare"));
    let flagged_run: i64 = db(&s)
        .query_row("SELECT max(id) FROM reconciliations", [], |r| r.get(0))
        .unwrap();
    // Again: the same flag, nothing new.
    let r = reconcile(&s, &[]);
    assert_eq!(r.figures(), [3, 3, 0, 0, 0], "{}", r.out);
    assert_eq!(events(&s, &number, "paid"), 1);
    assert_eq!(state(&s, &number), "cancelled");

    // An operatore sees the runs and their lines, and cannot start one.
    let mut op = Browser::new(&s.addr);
    assert_eq!(op.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    let list = op.get(RUNS);
    assert_eq!(list.status, 200);
    for text in [
        "href=\"/operatore/riconciliazioni\" aria-current=\"page\"",
        "<caption",
        "da riga di comando",
        &format!("href=\"{RUNS}/{flagged_run}\""),
    ] {
        assert!(list.body.contains(text), "{text}: {}", list.body);
    }
    assert!(!list.body.contains("Riconcilia ora"));
    let run = op.get(&format!("{RUNS}/{flagged_run}"));
    assert_eq!(run.status, 200);
    for text in [
        &format!("href=\"/operatore/ordini/{number}\"") as &str,
        "SEGNALATO",
        "rimborsare o completare",
        "<th scope=\"col\">Ordine</th>",
    ] {
        assert!(run.body.contains(text), "{text}: {}", run.body);
    }
    assert!(!run.body.contains(MARIO.0));
    assert_eq!(op.get(&format!("{RUNS}/9999")).status, 404);
    assert_eq!(op.post(&format!("{RUNS}/avvia"), &[]).status, 403);
    assert_eq!(runs(&s, "operator"), 0);

    // An amministratore starts one: in the background, then its page.
    let mut admin = Browser::new(&s.addr);
    assert_eq!(admin.operator_login(ADMIN.0, ADMIN.1).status, 303);
    assert!(admin.get(RUNS).body.contains("Riconcilia ora"));
    let to = location(&admin.post(&format!("{RUNS}/avvia"), &[]));
    let id = to
        .strip_prefix(&format!("{RUNS}/"))
        .and_then(|t| t.strip_suffix("?esito=avviata"))
        .unwrap_or_else(|| panic!("{to}"));
    assert!(eventually(30, || runs(&s, "operator") == 1));
    assert_eq!(last_run(&s).2, [3, 3, 0, 0, 0]);
    let page = admin.get(&to);
    assert!(
        page.body.contains(&format!("Riconciliazione n. {id}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("dal back office"), "{}", page.body);
    let audited: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'reconcile_start' AND operator_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    assert_eq!(admin.get(&format!("{RUNS}/avvia")).status, 405);
}

#[test]
fn the_daily_run_catches_up_at_start_and_never_runs_twice() {
    let mut s = Server::demo(QUIET);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(
        runs(&s, "daily"),
        0,
        "a new installation waits for the hour"
    );
    // The last daily run was two days ago: the server was down at the hour.
    db(&s)
        .execute(
            "INSERT INTO reconciliations (started_at, finished_at, trigger, days)
             VALUES (strftime('%s','now') - 2 * 86400, strftime('%s','now') - 2 * 86400, 'daily', 7)",
            [],
        )
        .unwrap();
    s.restart();
    assert!(
        eventually(30, || runs(&s, "daily") == 2),
        "caught up at start: {}",
        s.log()
    );
    let (trigger, days, figures, _, _) = last_run(&s);
    assert_eq!((trigger.as_str(), days), ("daily", 7));
    assert_eq!(figures, [2, 2, 0, 0, 0], "the demo's orders of the week");
    // Restarted after the day's run: not again.
    s.restart();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let all: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM reconciliations WHERE trigger = 'daily'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(all, 2);
}
