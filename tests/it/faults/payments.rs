//! The payment providers (the contract stub behind the fault proxy) failing where
//! `payments_faults.rs` does not look: the whole host down (connection refused) at Conferma,
//! every fault at the payment redirect ("Vai al portale per i pagamenti"), at the cancel
//! of a draft and at "Ripeti Pagamento" (`ripeti.rs`), and the poller meeting a provider
//! down, slow, or answering garbage. Every
//! cell: an Italian 503, the order where it was (retried: by the patient's next click, or
//! by the poller's next round), one position per order at the provider, paid once.

use super::{FaultProxy, Mode, assert_clean};
use crate::client::Browser;
use crate::orders::{db, location, wait_state};
use crate::payments_faults::{conferma, payable, polled, positions_of};
use crate::payments_real::{Kind, draft, draft_of, env, pay, row};
use crate::payments_stub::PaymentsStub;
use crate::{MARIO, Server, eventually};

const UNAVAILABLE: &str = "Il servizio di pagamento non";
/// Mario's other paid document (the first is in the order paid above).
const OTHER: &str = "Cartella clinica – ricovero in Chirurgia Generale";

fn server(kind: Kind, stub: &PaymentsStub, proxy: &FaultProxy) -> Server {
    let owned: Vec<(String, String)> = env(kind, stub)
        .into_iter()
        .map(|(k, v)| (k, v.replace(&stub.url, &proxy.url())))
        .collect();
    let mut all: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.push(("CDS_PAYMENTS_CONNECTION_TIMEOUT_SECS", "1"));
    // A round every second: each poller cell sees two rounds quickly.
    all.push(("CDS_PAYMENTS_POLL_MAX_SECS", "1"));
    all.push(("FAILPOINTS", super::ripeti::PAUSE));
    Server::demo(&all)
}

/// Our notice as the stub names positions (`positions_of`).
fn notice_of(kind: Kind, s: &Server, number: &str) -> String {
    let (_, notice, _, provider_ref, ..) = row(s, number);
    match kind {
        Kind::PiemontePay => provider_ref.or(notice).unwrap(),
        Kind::Gpd => notice.unwrap(),
    }
}

/// The request lines of each step, by provider.
fn paths(kind: Kind) -> (&'static str, &'static str, &'static str) {
    match kind {
        // (payment redirect, status question, creation of a position)
        Kind::PiemontePay => ("/payment", "/status", "POST /epayapi/"),
        Kind::Gpd => ("/carts", "GET /gpd/", "POST /gpd/"),
    }
}

const REDIRECT_FAULTS: [Mode; 6] = [
    Mode::Down,
    Mode::Slow(1500),
    Mode::Status(500),
    Mode::Garbage,
    Mode::WrongType,
    Mode::Truncated,
];

const POLLER_FAULTS: [Mode; 5] = [
    Mode::Down,
    Mode::Slow(1500),
    Mode::Garbage,
    Mode::WrongType,
    Mode::Truncated,
];

fn provider_faults(kind: Kind) {
    let stub = PaymentsStub::start();
    let proxy = FaultProxy::to(&stub.addr);
    let s = server(kind, &stub, &proxy);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let (redirect, status, create) = paths(kind);

    // Conferma with the provider's host down: the draft stays, confirmed once it is back.
    let number = draft(&mut b, &s);
    let page = format!("/ordini/{number}");
    proxy.set(Mode::Down);
    let r = conferma(&mut b, &number);
    let cell = format!("{kind:?} conferma × down");
    assert_eq!(r.status, 503, "{cell}: {}", r.body);
    assert!(r.body.contains(UNAVAILABLE), "{cell}: {}", r.body);
    assert_clean(&cell, r.status, &r.body);
    assert_eq!(row(&s, &number).0, "draft", "{cell}");
    proxy.heal();
    assert_eq!(location(&conferma(&mut b, &number)), page, "{cell}: again");
    assert_eq!(row(&s, &number).0, "pending");

    // The payment redirect, each fault: 503 in Italian, still pending, then the redirect.
    for mode in REDIRECT_FAULTS {
        let cell = format!("{kind:?} paga × {}", mode.name());
        proxy.apply(redirect, mode);
        let r = b.post(&format!("{page}/paga"), &[]);
        if kind == Kind::Gpd && mode == Mode::Truncated {
            // Checkout's 302 carries the address in its headers: a body cut short is moot.
            assert!(location(&r).starts_with("http"), "{cell}");
            proxy.heal();
            continue;
        }
        assert_eq!(r.status, 503, "{cell}: {}", r.body);
        assert!(r.body.contains(UNAVAILABLE), "{cell}: {}", r.body);
        assert_clean(&cell, r.status, &r.body);
        assert_eq!(row(&s, &number).0, "pending", "{cell}");
        proxy.heal();
        let to = location(&b.post(&format!("{page}/paga"), &[]));
        assert!(to.starts_with("http"), "{cell}: to the provider: {to}");
    }
    let notice = notice_of(kind, &s, &number);
    assert_eq!(
        positions_of(&stub, kind, &notice).len(),
        1,
        "{kind:?}: one position for the order"
    );

    // The poller: paid at the provider while it is down, slow or garbled: nothing changes,
    // it asks again each round, and completes the order once when it answers.
    pay(kind, &stub, &s, &number);
    for mode in POLLER_FAULTS {
        let cell = format!("{kind:?} poller × {}", mode.name());
        proxy.apply(status, mode);
        // A round that began before the fault may still land: wait for two under it.
        let checks = polled(&s, &number).1;
        assert!(
            eventually(20, || polled(&s, &number).1 >= checks + 2),
            "{cell}: asked again: {:?}",
            polled(&s, &number)
        );
        let (state, _, error) = polled(&s, &number);
        assert_eq!(state, "pending", "{cell}: no change while it fails");
        let error = error.unwrap_or_default();
        assert!(!error.is_empty(), "{cell}: the reason is kept");
        assert!(!error.contains(super::SECRET), "{cell}: {error}");
        // The patient's page: still waiting, nothing technical.
        let shown = b.get(&page);
        assert_eq!(shown.status, 200, "{cell}");
        assert_clean(&cell, shown.status, &shown.body);
    }
    proxy.heal();
    wait_state(&s, &number, "completed");
    let completed: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 AND e.to_state = 'completed'",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(completed, 1, "{kind:?}: completed once");

    // Cancel of a draft whose Conferma failed: the provider is asked to cancel what it may
    // have made; while it is down or garbled the draft stays, cancelled once it answers.
    for mode in [Mode::Down, Mode::Status(500), Mode::Garbage] {
        let cell = format!("{kind:?} annulla × {}", mode.name());
        let number = draft_of(&mut b, &s, OTHER);
        stub.fault(kind.create_op(), "500", 2);
        assert_eq!(conferma(&mut b, &number).status, 503, "{cell}");
        let reserved = row(&s, &number).1.expect("a reserved notice");
        proxy.set(mode);
        let r = b.post(&format!("/ordini/{number}/annulla"), &[]);
        if kind == Kind::Gpd && mode == Mode::Garbage {
            // GPD's creation and invalidation need nothing from the body: a 2xx is done
            // (the watch of the closed order asks about the position again later).
            assert_eq!(location(&r), "/ordini", "{cell}");
            proxy.heal();
            continue;
        }
        assert_eq!(r.status, 503, "{cell}: {}", r.body);
        assert!(r.body.contains(UNAVAILABLE), "{cell}: {}", r.body);
        assert_clean(&cell, r.status, &r.body);
        assert_eq!(row(&s, &number).0, "draft", "{cell}: kept");
        proxy.heal();
        assert_eq!(
            location(&b.post(&format!("/ordini/{number}/annulla"), &[])),
            "/ordini",
            "{cell}"
        );
        assert_eq!(row(&s, &number).0, "cancelled", "{cell}");
        let made = positions_of(&stub, kind, &reserved);
        assert!(made.len() <= 1, "{cell}: {made:?}");
        for p in made {
            assert!(!payable(kind, &p), "{cell}: a payable position stayed: {p}");
        }
    }
    // "Ripeti Pagamento" of a failed order whose position expired (OTHER is free again).
    super::ripeti::ripeti_faults(kind, &stub, &proxy, &s, &mut b, OTHER, (create, status));
    stub.assert_no_violations();
    let cells = 1 + REDIRECT_FAULTS.len() + POLLER_FAULTS.len() + 3 + super::ripeti::CELLS;
    super::figures(&format!("payments-{kind:?}").to_lowercase(), cells, &proxy);
}

#[test]
fn piemontepay_faults_at_redirect_poller_cancel_and_ripeti() {
    provider_faults(Kind::PiemontePay);
}

#[test]
fn gpd_faults_at_redirect_poller_cancel_and_ripeti() {
    provider_faults(Kind::Gpd);
}
