//! Payments that go wrong and the poller: a failed payment retried on the same position and
//! then, once that position expired at the provider, on a new one (never two paid); the
//! poller resuming after a crash; drafts left too long.

use crate::client::{self, Browser};
use crate::orders::{
    CARTELLA, FAST_PAYMENTS, confirm, db, location, order_of, positions, sandbox, sandbox_db,
    state, wait_state,
};
use crate::{MARIO, Server};

#[test]
fn failed_payment_then_retry_on_the_same_then_on_a_new_position() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = order_of(&mut b, &s, CARTELLA);
    let ticket = confirm(&mut b, &number);
    let page = format!("/ordini/{number}");
    let r = sandbox(&mut b, &ticket, "fallisci");
    assert!(r.body.contains("non riuscito"), "{}", r.body);
    wait_state(&s, &number, "failed");
    let r = b.get(&page);
    for text in [
        "PAGAMENTO NON RIUSCITO",
        "Vai al portale per i pagamenti",
        "Richiedi assistenza",
        &format!("/assistenza?ordine={number}"),
        "Ripeti Pagamento",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    // Ripeti: the position is still payable → pending again on the same notice.
    location(&b.post(&format!("{page}/ripeti"), &[]));
    assert_eq!(state(&s, &number), "pending");
    // The poller checks every second here: the old failed attempt does not undo the retry.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert_eq!(
        state(&s, &number),
        "pending",
        "still pending after the poller's checks"
    );
    let again = b.get(&page);
    assert!(again.body.contains(&ticket));
    // Fails again; then the position expires at the provider: Ripeti makes a new one.
    sandbox(&mut b, &ticket, "fallisci");
    wait_state(&s, &number, "failed");
    sandbox_db(&s)
        .execute(
            "UPDATE positions SET due_day = '2020-01-01' WHERE notice_number = ?1",
            [&ticket],
        )
        .unwrap();
    b.get(&page);
    location(&b.post(&format!("{page}/ripeti"), &[]));
    let r = b.get(&page);
    let new_ticket = client::element_text(&r.body, "id=\"ticket\"").unwrap();
    assert_ne!(new_ticket, ticket, "a new debt position");
    assert_eq!(
        positions(&s, &number),
        [
            (ticket.clone(), "closed".into()),
            (new_ticket.clone(), "open".into())
        ]
    );
    // The old notice can no longer be paid at the sandbox; the new one can.
    b.get("/sandbox/pagamenti");
    let old = b.post(
        "/sandbox/pagamenti",
        &[
            ("ticket", &ticket),
            ("codice_fiscale", MARIO.0),
            ("azione", "paga"),
        ],
    );
    assert_eq!(old.status, 409, "{}", old.body);
    sandbox(&mut b, &new_ticket, "paga");
    wait_state(&s, &number, "completed");
    let paid: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM payment_positions p JOIN orders o ON o.id = p.order_id WHERE o.number = ?1 AND p.state = 'paid'",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(paid, 1, "never two paid positions");
}

#[test]
fn the_poller_resumes_after_a_restart_and_cancels_stale_drafts() {
    let mut s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = order_of(&mut b, &s, CARTELLA);
    let ticket = confirm(&mut b, &number);
    // Paid at the portal; the server dies before it learns it.
    sandbox_db(&s)
        .execute(
            "UPDATE positions SET state = 'processing', confirm_at = strftime('%s','now') + 3 WHERE notice_number = ?1",
            [&ticket],
        )
        .unwrap();
    s.restart();
    wait_state(&s, &number, "completed");

    // A draft left longer than payments.draft_hours is cancelled by the poller.
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let draft = order_of(&mut b, &s, "Cartella clinica – ricovero in Geriatria");
    db(&s)
        .execute(
            "UPDATE orders SET created_at = created_at - 2 * 86400 WHERE number = ?1",
            [&draft],
        )
        .unwrap();
    wait_state(&s, &draft, "cancelled");
    // Its document is free to be ordered again.
    let again = order_of(&mut b, &s, "Cartella clinica – ricovero in Geriatria");
    assert_ne!(again, draft);
}
