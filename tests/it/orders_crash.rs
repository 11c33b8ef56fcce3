//! "Conferma" cut short: the server killed at each point of it (the notice reserved, the
//! provider's position made) is restarted and finishes the confirmation by itself; a
//! cancellation racing a Conferma held at each point leaves no payable position; a payment
//! that still arrives for the cancelled order is flagged, and the document is sold once.
//! A "Ripeti Pagamento" cut short the same way is finished too, or its position cancelled.
//! The points are the binary's own `FAILPOINTS` (src/failpoint.rs).

use crate::client::Browser;
use crate::orders::{
    CARTELLA, FAST_PAYMENTS, confirm, db, location, order_of, positions, sandbox, sandbox_db,
    wait_state,
};
use crate::{MARIO, Server, eventually};

const POINTS: &[&str] = &["confirm.reserved", "confirm.created"];

fn server(failpoints: &str) -> Server {
    let mut env = FAST_PAYMENTS.to_vec();
    env.push(("FAILPOINTS", failpoints));
    Server::demo(&env)
}

/// A draft of the cartella clinica with both consents: its number.
fn draft_with_consents(b: &mut Browser, s: &Server) -> String {
    let number = order_of(b, s, CARTELLA);
    let page = format!("/ordini/{number}");
    b.get(&page);
    location(&b.post(
        &format!("{page}/acquista"),
        &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
    ));
    b.get(&page);
    number
}

fn order_row(s: &Server, number: &str) -> (String, Option<String>, Option<String>) {
    db(s)
        .query_row(
            "SELECT state, notice_number, flag FROM orders WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

/// The sandbox provider's state of the position for `notice` (None: it has none).
fn at_provider(s: &Server, notice: &str) -> Option<String> {
    sandbox_db(s)
        .query_row(
            "SELECT state FROM positions WHERE notice_number = ?1",
            [notice],
            |r| r.get(0),
        )
        .ok()
}

/// Completed orders holding the cartella clinica: it is sold at most once.
fn sold(s: &Server) -> i64 {
    db(s)
        .query_row(
            "SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id
             JOIN documents d ON d.id = i.document_id WHERE d.title = ?1 AND o.state = 'completed'",
            [CARTELLA],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_conferma_cut_short_by_a_crash_is_finished_at_restart() {
    for point in POINTS {
        let mut s = server(point);
        let mut b = Browser::new(&s.addr);
        b.login(MARIO.0, MARIO.1);
        let number = draft_with_consents(&mut b, &s);
        let r = b.post(
            &format!("/ordini/{number}/conferma"),
            &[("email", "mario.rossi@example.org")],
        );
        assert_eq!(
            r.status, 0,
            "{point}: the server died in the middle of Conferma"
        );
        assert!(eventually(5, || s.exited()), "{point}: aborted");
        let (state, notice, _) = order_row(&s, &number);
        let notice = notice.expect("the notice was reserved before the crash");
        assert_eq!(state, "draft", "{point}");
        let made = at_provider(&s, &notice);
        assert_eq!(
            made.is_some(),
            *point == "confirm.created",
            "{point}: {made:?}"
        );

        // Restarted: the poller's first pass finishes the Conferma with the same notice.
        s.restart_without(&["FAILPOINTS"]);
        wait_state(&s, &number, "pending");
        let (_, again, _) = order_row(&s, &number);
        assert_eq!(
            again.as_deref(),
            Some(notice.as_str()),
            "{point}: the same notice"
        );
        let positions: i64 = db(&s)
            .query_row(
                "SELECT count(*) FROM payment_positions p JOIN orders o ON o.id = p.order_id WHERE o.number = ?1 AND p.state = 'open'",
                [&number],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(positions, 1, "{point}: one open position");
        assert_eq!(
            at_provider(&s, &notice).as_deref(),
            Some("unpaid"),
            "{point}"
        );
        // The patient finds it IN ATTESA DI PAGAMENTO with its ticket, and pays it once.
        let mut b = Browser::new(&s.addr);
        b.login(MARIO.0, MARIO.1);
        let page = b.get(&format!("/ordini/{number}"));
        assert!(page.body.contains("IN ATTESA DI PAGAMENTO") && page.body.contains(&notice));
        sandbox(&mut b, &notice, "paga");
        wait_state(&s, &number, "completed");
        assert_eq!(sold(&s), 1, "{point}");
        // Informational lines reach stderr within 100 ms (src/log.rs).
        assert!(
            eventually(2, || s.log().contains("conferma interrotta completata")),
            "{point}"
        );
    }
}

#[test]
fn cancelling_during_conferma_leaves_nothing_payable_and_a_late_payment_is_flagged() {
    for point in POINTS {
        let s = server(&format!("{point}=pause:1500"));
        let mut b = Browser::new(&s.addr);
        b.login(MARIO.0, MARIO.1);
        let number = draft_with_consents(&mut b, &s);
        // Conferma in one tab, held at the point; "Annulla ordine" in another meanwhile.
        let mut tab = Browser {
            addr: b.addr.clone(),
            cookies: b.cookies.clone(),
            csrf: b.csrf.clone(),
        };
        let n = number.clone();
        let conferma = std::thread::spawn(move || {
            tab.post(
                &format!("/ordini/{n}/conferma"),
                &[("email", "mario.rossi@example.org")],
            )
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        let r = b.post(&format!("/ordini/{number}/annulla"), &[]);
        assert_eq!(location(&r), "/ordini", "{point}: cancelled");
        let r = conferma.join().unwrap();
        assert_eq!(
            r.status, 303,
            "{point}: the held Conferma ends normally: {}",
            r.body
        );
        let (state, notice, _) = order_row(&s, &number);
        assert_eq!(state, "cancelled", "{point}: the cancellation stands");
        let notice = notice.unwrap();
        // Whatever the provider got, it cannot be paid. The cancellation asked for the
        // reserved notice's position again (only the provider knows its IUV when it makes
        // its own) and cancelled it; the held Conferma then found the order cancelled.
        let at = at_provider(&s, &notice);
        assert_eq!(at.as_deref(), Some("cancelled"), "{point}: {at:?}");
        assert!(
            !sandbox_pay(&mut b, &notice),
            "{point}: the payment portal refuses it"
        );

        {
            // A payment that crossed the cancellation still arrives: flagged, not completed.
            sandbox_db(&s)
                .execute(
                    "UPDATE positions SET state = 'paid', paid_at = strftime('%s','now'), iur = 'LATE0001' WHERE notice_number = ?1",
                    [&notice],
                )
                .unwrap();
            assert!(
                eventually(30, || order_row(&s, &number).2.is_some()),
                "{point}: the late payment is flagged for the operator"
            );
            let (state, _, flag) = order_row(&s, &number);
            assert_eq!(state, "cancelled");
            assert!(flag.unwrap().contains("rimborsare"), "{point}");
        }
        // The document is free again: bought in a new order, paid, sold once.
        let again = order_of(&mut b, &s, CARTELLA);
        let ticket = confirm(&mut b, &again);
        sandbox(&mut b, &ticket, "paga");
        wait_state(&s, &again, "completed");
        assert_eq!(sold(&s), 1, "{point}: sold once");
        assert_eq!(order_row(&s, &number).0, "cancelled");
    }
}

/// "Cerca" and "PAGA SUBITO" on the sandbox portal: true when it took the payment.
fn sandbox_pay(b: &mut Browser, notice: &str) -> bool {
    b.get("/sandbox/pagamenti");
    let r = b.post(
        "/sandbox/pagamenti",
        &[
            ("ticket", notice),
            ("codice_fiscale", MARIO.0),
            ("azione", "paga"),
        ],
    );
    r.body.contains("Pagamento in elaborazione")
}

/// The sandbox's notices (`payable`: only those it would take a payment for now: unpaid or
/// failed, not past due), but those in `except` (the demo's own orders have some).
fn notices(s: &Server, payable: bool, except: &[String]) -> Vec<String> {
    let only = if payable {
        "WHERE state IN ('unpaid', 'failed') AND due_day >= date('now')"
    } else {
        ""
    };
    sandbox_db(s)
        .prepare(&format!(
            "SELECT notice_number FROM positions {only} ORDER BY notice_number"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|n| !except.contains(n))
        .collect()
}

/// "Ripeti Pagamento" after the position expired, killed once the provider made the new
/// position and before the order recorded it (`retry.created`). Restarted, the server
/// finishes the Ripeti: the order names the one payable position, a second Ripeti makes no
/// other, and paying it completes the order once. When the old notice turns out paid
/// meanwhile, the order completes and the Ripeti's position is cancelled: nothing payable.
#[test]
fn a_ripeti_cut_short_by_a_crash_leaves_no_position_outside_the_order() {
    for old_paid in [false, true] {
        let mut s = server("retry.created");
        let mut b = Browser::new(&s.addr);
        b.login(MARIO.0, MARIO.1);
        let number = order_of(&mut b, &s, CARTELLA);
        let ticket = confirm(&mut b, &number);
        let page = format!("/ordini/{number}");
        sandbox(&mut b, &ticket, "fallisci");
        wait_state(&s, &number, "failed");
        sandbox_db(&s)
            .execute(
                "UPDATE positions SET due_day = '2020-01-01' WHERE notice_number = ?1",
                [&ticket],
            )
            .unwrap();
        // Every position but this order's: the demo's own orders have some.
        let others: Vec<String> = notices(&s, false, &[])
            .into_iter()
            .filter(|n| *n != ticket)
            .collect();
        let payable = |s: &Server| notices(s, true, &others);
        b.get(&page);
        let r = b.post(&format!("{page}/ripeti"), &[]);
        assert_eq!(r.status, 0, "the server died in the middle of Ripeti");
        assert!(eventually(5, || s.exited()), "aborted");
        // The provider made the new position; the order does not name it yet.
        let made = payable(&s);
        assert_eq!(made.len(), 1, "{made:?}");
        let new = made[0].clone();
        assert_ne!(new, ticket);
        assert_eq!(order_row(&s, &number).1.as_deref(), Some(ticket.as_str()));
        if old_paid {
            // A payment of the old notice under way when it expired, confirmed meanwhile.
            sandbox_db(&s)
                .execute(
                    "UPDATE positions SET state = 'paid', paid_at = strftime('%s','now'), iur = 'LATE0002' WHERE notice_number = ?1",
                    [&ticket],
                )
                .unwrap();
        }
        s.restart_without(&["FAILPOINTS"]);
        if old_paid {
            wait_state(&s, &number, "completed");
            assert!(
                eventually(30, || payable(&s).is_empty()),
                "the Ripeti's position stays payable behind a completed order: {:?}",
                payable(&s)
            );
            assert_eq!(at_provider(&s, &new).as_deref(), Some("cancelled"));
            assert_eq!(sold(&s), 1);
            continue;
        }
        wait_state(&s, &number, "pending");
        assert_eq!(
            order_row(&s, &number).1.as_deref(),
            Some(new.as_str()),
            "the order records the Ripeti's position"
        );
        assert_eq!(
            payable(&s),
            std::slice::from_ref(&new),
            "one payable position"
        );
        // A second Ripeti makes no other position.
        let mut b = Browser::new(&s.addr);
        b.login(MARIO.0, MARIO.1);
        b.get(&page);
        location(&b.post(&format!("{page}/ripeti"), &[]));
        assert_eq!(
            notices(&s, false, &others),
            [ticket.clone(), new.clone()],
            "the expired one and the Ripeti's, no third"
        );
        sandbox(&mut b, &new, "paga");
        wait_state(&s, &number, "completed");
        assert_eq!(sold(&s), 1);
        assert_eq!(
            positions(&s, &number),
            [(ticket.clone(), "closed".into()), (new, "paid".into())]
        );
    }
}
