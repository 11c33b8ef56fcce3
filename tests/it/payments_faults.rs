//! The real providers failing at each step, against the contract stub: nothing lost, nothing
//! twice. At "Conferma" every failure the stub can play (refusals, 5xx, a proxy's HTML page,
//! a cut or malformed answer, a reset connection, an answer past the timeout after the work
//! was done) leaves the order a draft that can be confirmed again, with an Italian message
//! and never a 500, and never two positions for one order; while polling, an unreachable
//! provider changes nothing and is asked again later; a payment reported after the order
//! closed is flagged for a refund; a server killed (SIGKILL) between "position created at
//! the provider" and "order updated" finishes the Conferma at restart with the same position.

use crate::client::Browser;
use crate::orders::{db, location, wait_state};
use crate::payments_real::{Kind, draft, pay, row, server};
use crate::payments_stub::PaymentsStub;
use crate::{MARIO, eventually};
use serde_json::Value;

/// The stub's positions for one order (by our notice: identificativoPagamento / iupd).
pub(crate) fn positions_of(stub: &PaymentsStub, kind: Kind, reserved: &str) -> Vec<Value> {
    let all = stub.positions();
    let (list, key, want) = match kind {
        Kind::PiemontePay => (
            &all["piemontepay"],
            "identificativoPagamento",
            reserved.to_string(),
        ),
        Kind::Gpd => (&all["gpd"], "iupd", format!("CDS-{reserved}")),
    };
    list.as_array()
        .unwrap()
        .iter()
        .filter(|p| p[key].as_str() == Some(want.as_str()))
        .cloned()
        .collect()
}

/// Whether the stub would still take money for a position.
pub(crate) fn payable(kind: Kind, p: &Value) -> bool {
    match kind {
        Kind::PiemontePay => p["state"] == "unpaid",
        Kind::Gpd => matches!(p["status"].as_str(), Some("VALID" | "PUBLISHED")),
    }
}

/// The reserved notice of a draft (our proposed one).
fn reserved(s: &crate::Server, number: &str) -> String {
    row(s, number).1.expect("a reserved notice")
}

pub(crate) fn conferma(b: &mut Browser, number: &str) -> crate::client::Response {
    b.post(
        &format!("/ordini/{number}/conferma"),
        &[("email", "mario.rossi@example.org")],
    )
}

fn faults_at_conferma(kind: Kind) {
    let stub = PaymentsStub::start();
    let s = server(kind, &stub, &[]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    // (fault, attempts it takes: one retry of a repeatable call after a transient failure)
    let mut failing = vec![
        ("401", 1),
        ("403", 1),
        ("404", 1),
        ("422", 1),
        ("500", 2),
        ("502", 2),
        ("html", 2),
        ("reset", 2),
    ];
    // Done by the provider but the answer lost (past the timeout; the connection reset
    // after the work): the retry gets the same position. GPD's creation needs nothing from
    // its answer's body, so a malformed one is the same case there.
    let mut answered_lost = vec!["slow", "reset-after"];
    match kind {
        Kind::PiemontePay => failing.extend([("malformed", 1), ("esito", 1)]),
        Kind::Gpd => answered_lost.push("malformed"),
    }
    for (fault, attempts) in failing {
        let number = draft(&mut b, &s);
        let before = stub.count(kind.create_op());
        stub.fault(kind.create_op(), fault, attempts);
        let r = conferma(&mut b, &number);
        assert_eq!(r.status, 503, "{kind:?} {fault}: {}", r.body);
        assert!(
            r.body.contains("Il servizio di pagamento non"),
            "{kind:?} {fault}: an Italian message: {}",
            r.body
        );
        assert_eq!(
            stub.count(kind.create_op()),
            before + attempts as usize,
            "{kind:?} {fault}"
        );
        let (state, ..) = row(&s, &number);
        assert_eq!(state, "draft", "{kind:?} {fault}: the order stays");
        let notice = reserved(&s, &number);
        // The patient gives up: the draft is cancelled, and whatever the provider made
        // (a malformed answer may hide a made position) is cancelled with it.
        let r = b.post(&format!("/ordini/{number}/annulla"), &[]);
        assert_eq!(location(&r), "/ordini", "{kind:?} {fault}");
        for p in positions_of(&stub, kind, &notice) {
            assert!(
                !payable(kind, &p),
                "{kind:?} {fault}: a payable position stayed behind: {p}"
            );
        }
    }

    for fault in answered_lost {
        let number = draft(&mut b, &s);
        let page = format!("/ordini/{number}");
        if fault == "slow" {
            stub.fault_slow(kind.create_op(), 3000, 1);
        } else {
            stub.fault(kind.create_op(), fault, 1);
        }
        let notice = {
            // The notice is reserved inside Conferma: read it after.
            let r = conferma(&mut b, &number);
            assert_eq!(location(&r), page, "{kind:?} {fault}");
            row(&s, &number)
        };
        assert_eq!(notice.0, "pending", "{kind:?} {fault}");
        let reserved_notice = match kind {
            Kind::PiemontePay => notice.3.clone().unwrap(),
            Kind::Gpd => notice.1.clone().unwrap(),
        };
        assert_eq!(
            positions_of(&stub, kind, &reserved_notice).len(),
            1,
            "{kind:?} {fault}: one position"
        );
        // The position expires unpaid: the order is SCADUTO and the document free again.
        let id = match kind {
            Kind::PiemontePay => notice.2.clone().unwrap(),
            Kind::Gpd => notice.1.clone().unwrap(),
        };
        stub.expire(&id);
        wait_state(&s, &number, "expired");
    }
    // A failure, then Conferma again.
    let b = &mut b;
    let number = draft(b, &s);
    let page = format!("/ordini/{number}");
    stub.fault(kind.create_op(), "500", 2);
    assert_eq!(conferma(b, &number).status, 503);
    let notice = reserved(&s, &number);
    assert_eq!(location(&conferma(b, &number)), page, "confirmed again");
    assert_eq!(row(&s, &number).0, "pending");
    assert_eq!(positions_of(&stub, kind, &notice).len(), 1);
    pay(kind, &stub, &s, &number);
    wait_state(&s, &number, "completed");
    stub.assert_no_violations();
}

#[test]
fn piemontepay_faults_at_conferma_lose_nothing_and_make_nothing_twice() {
    faults_at_conferma(Kind::PiemontePay);
}

#[test]
fn gpd_faults_at_conferma_lose_nothing_and_make_nothing_twice() {
    faults_at_conferma(Kind::Gpd);
}

/// (state, checks, last_check_error)
pub(crate) fn polled(s: &crate::Server, number: &str) -> (String, i64, Option<String>) {
    db(s)
        .query_row(
            "SELECT state, checks, last_check_error FROM orders WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn provider_down_while_polling(kind: Kind) {
    let stub = PaymentsStub::start();
    let s = server(kind, &stub, &[]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = draft(&mut b, &s);
    let status_op = match kind {
        Kind::PiemontePay => "getDebtPositionStatus",
        Kind::Gpd => "getOrganizationDebtPositionByIUPD",
    };
    // Down for every status question, then paid meanwhile.
    stub.fault(status_op, "500", -1);
    assert_eq!(
        location(&conferma(&mut b, &number)),
        format!("/ordini/{number}")
    );
    pay(kind, &stub, &s, &number);
    assert!(
        eventually(20, || polled(&s, &number).1 >= 3),
        "{kind:?}: asked again and again: {:?}",
        polled(&s, &number)
    );
    let (state, _, error) = polled(&s, &number);
    assert_eq!(
        state, "pending",
        "{kind:?}: no state change while it is down"
    );
    assert!(error.is_some_and(|e| e.contains("HTTP 500")), "{kind:?}");
    // Back up: the next check completes the order, once.
    stub.clear_faults();
    wait_state(&s, &number, "completed");
    let paid_events: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 AND e.to_state = 'completed'",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(paid_events, 1);
    stub.assert_no_violations();
}

#[test]
fn piemontepay_down_while_polling_changes_nothing_until_it_answers() {
    provider_down_while_polling(Kind::PiemontePay);
}

#[test]
fn gpd_down_while_polling_changes_nothing_until_it_answers() {
    provider_down_while_polling(Kind::Gpd);
}

fn paid_after_expiry(kind: Kind) {
    let stub = PaymentsStub::start();
    let s = server(kind, &stub, &[]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = draft(&mut b, &s);
    assert_eq!(
        location(&conferma(&mut b, &number)),
        format!("/ordini/{number}")
    );
    let (_, notice, iuv, ..) = row(&s, &number);
    // The provider closes the position (past its due date), the poller sees it expired…
    let id = match kind {
        Kind::PiemontePay => iuv.unwrap(),
        Kind::Gpd => notice.unwrap(),
    };
    stub.expire(&id);
    wait_state(&s, &number, "expired");
    // …and a payment that still comes in is flagged for a refund, never dropped.
    let (status, answer) = stub.control(
        "POST",
        "pay",
        Some(serde_json::json!({"id": id, "force": true})),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        eventually(30, || row(&s, &number).4.is_some()),
        "{kind:?}: the late payment is flagged"
    );
    let (state, .., flag, _) = row(&s, &number);
    assert_eq!(state, "expired");
    assert!(flag.unwrap().contains("rimborsare"));
    stub.assert_no_violations();
}

#[test]
fn piemontepay_payment_after_expiry_is_flagged() {
    paid_after_expiry(Kind::PiemontePay);
}

#[test]
fn gpd_payment_after_expiry_is_flagged() {
    paid_after_expiry(Kind::Gpd);
}

fn killed_between_created_and_recorded(kind: Kind) {
    let stub = PaymentsStub::start();
    let mut s = server(
        kind,
        &stub,
        &[("FAILPOINTS", "confirm.created=pause:30000")],
    );
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = draft(&mut b, &s);
    let mut tab = Browser {
        addr: b.addr.clone(),
        cookies: b.cookies.clone(),
        csrf: b.csrf.clone(),
    };
    let n = number.clone();
    let held = std::thread::spawn(move || conferma(&mut tab, &n).status);
    assert!(
        eventually(10, || stub.count(kind.create_op()) == 1),
        "{kind:?}: the provider made the position"
    );
    s.signal("-KILL");
    assert_eq!(
        held.join().unwrap(),
        0,
        "the connection died with the server"
    );
    assert_eq!(row(&s, &number).0, "draft", "{kind:?}: not recorded yet");
    let notice = reserved(&s, &number);
    s.restart_without(&["FAILPOINTS"]);
    wait_state(&s, &number, "pending");
    assert_eq!(
        positions_of(&stub, kind, &notice).len(),
        1,
        "{kind:?}: the same position"
    );
    pay(kind, &stub, &s, &number);
    wait_state(&s, &number, "completed");
    stub.assert_no_violations();
}

#[test]
fn piemontepay_sigkill_between_creation_and_record_is_reconciled_at_restart() {
    killed_between_created_and_recorded(Kind::PiemontePay);
}

#[test]
fn gpd_sigkill_between_creation_and_record_is_reconciled_at_restart() {
    killed_between_created_and_recorded(Kind::Gpd);
}
