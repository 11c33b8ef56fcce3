//! "Ripeti Pagamento" (src/orders/retry.rs) with the payment provider failing: at the
//! status question about the old position, and at the creation of the new one. Every cell:
//! an Italian 503, the order still failed, no payable position but the one reserved on it
//! (`orders.retry_notice`), the same reservation on every try; the provider back, Ripeti
//! leaves one payable position, recorded on the order, and paying it completes the order
//! once. PiemontePay and GPD never report a failed attempt (only the sandbox does): the
//! order is put in `failed` as the sandbox's report would, then its position expires.

use super::{FaultProxy, Mode, assert_clean};
use crate::client::Browser;
use crate::orders::{db, location, wait_state};
use crate::payments_faults::{conferma, payable, positions_of};
use crate::payments_real::{Kind, draft_of, pay, row};
use crate::payments_stub::PaymentsStub;
use crate::{Server, eventually};

/// The failpoint the server of `payments.rs` arms: Ripeti waits there after reserving the
/// notice, so that the host can go down between the status question and the creation.
pub const PAUSE: &str = "retry.reserved=pause:800";

pub const CELLS: usize = 4 + 3 + 1;

const STATUS_FAULTS: [Mode; 4] = [
    Mode::Down,
    Mode::Slow(1500),
    Mode::Status(500),
    Mode::Garbage,
];

fn retry_notice(s: &Server, number: &str) -> Option<String> {
    db(s)
        .query_row(
            "SELECT retry_notice FROM orders WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

/// Our notice of every position the stub would take money for now.
fn payable_notices(stub: &PaymentsStub, kind: Kind) -> Vec<String> {
    let all = stub.positions();
    let (list, key) = match kind {
        Kind::PiemontePay => (&all["piemontepay"], "identificativoPagamento"),
        Kind::Gpd => (&all["gpd"], "iupd"),
    };
    list.as_array()
        .unwrap()
        .iter()
        .filter(|p| payable(kind, p))
        .map(|p| {
            p[key]
                .as_str()
                .unwrap_or("")
                .trim_start_matches("CDS-")
                .to_string()
        })
        .collect()
}

/// The Ripeti under one fault: a 503 in Italian, the order failed, nothing payable but the
/// reservation's position, and the reservation the one seen before (if any).
fn refused(
    cell: &str,
    r: &crate::client::Response,
    (s, stub, kind, number): (&Server, &PaymentsStub, Kind, &str),
    reserved: &Option<String>,
) -> Option<String> {
    assert_eq!(r.status, 503, "{cell}: {}", r.body);
    assert!(
        r.body.contains("Il servizio di pagamento non"),
        "{cell}: {}",
        r.body
    );
    assert_clean(cell, r.status, &r.body);
    assert_eq!(row(s, number).0, "failed", "{cell}");
    let now = retry_notice(s, number);
    if reserved.is_some() {
        assert_eq!(&now, reserved, "{cell}: no second reservation");
    }
    for p in payable_notices(stub, kind) {
        assert_eq!(
            Some(&p),
            now.as_ref(),
            "{cell}: a payable position outside the order"
        );
    }
    now
}

pub fn ripeti_faults(
    kind: Kind,
    stub: &PaymentsStub,
    proxy: &FaultProxy,
    s: &Server,
    b: &mut Browser,
    title: &str,
    (create, status): (&str, &str),
) {
    let number = draft_of(b, s, title);
    let page = format!("/ordini/{number}");
    assert_eq!(location(&conferma(b, &number)), page);
    let (_, notice, iuv, ..) = row(s, &number);
    let old = match kind {
        Kind::PiemontePay => iuv.unwrap(),
        Kind::Gpd => notice.unwrap(),
    };
    // A failed attempt, then the position expires: Ripeti must make a new one.
    let c = db(s);
    c.execute(
        "INSERT INTO order_events (order_id, at, from_state, to_state, event, detail)
         SELECT id, strftime('%s','now'), 'pending', 'failed', 'failed', 'rifiutato' FROM orders WHERE number = ?1 AND state = 'pending'",
        [&number],
    )
    .unwrap();
    let n = c
        .execute(
            "UPDATE orders SET state = 'failed' WHERE number = ?1 AND state = 'pending'",
            [&number],
        )
        .unwrap();
    assert_eq!(n, 1, "{kind:?}: pending, then failed");
    stub.expire(&old);
    let ripeti = |b: &mut Browser| {
        b.get(&page);
        b.post(&format!("{page}/ripeti"), &[])
    };
    let at = (s, stub, kind, number.as_str());

    // The status question about the old position fails: nothing reserved, nothing made.
    for mode in STATUS_FAULTS {
        let cell = format!("{kind:?} ripeti: stato × {}", mode.name());
        proxy.apply(status, mode);
        let r = ripeti(b);
        proxy.heal();
        assert_eq!(
            refused(&cell, &r, at, &None),
            None,
            "{cell}: nothing reserved"
        );
    }

    // The host goes down between the status question and the creation: the notice is
    // reserved, the creation refused.
    let cell = format!("{kind:?} ripeti: creazione × down");
    let mut tab = Browser {
        addr: b.addr.clone(),
        cookies: b.cookies.clone(),
        csrf: b.csrf.clone(),
    };
    tab.get(&page);
    let p = page.clone();
    let held = std::thread::spawn(move || tab.post(&format!("{p}/ripeti"), &[]));
    assert!(
        eventually(10, || retry_notice(s, &number).is_some()),
        "{cell}: reserved"
    );
    proxy.set(Mode::Down);
    let r = held.join().unwrap();
    proxy.heal();
    let reserved = refused(&cell, &r, at, &None);
    assert!(reserved.is_some(), "{cell}: the reservation stays");

    // The creation fails (a slow one is made by the provider, its answer lost).
    let mut creation = vec![Mode::Slow(1500), Mode::Status(500)];
    if kind == Kind::PiemontePay {
        // GPD's creation needs nothing from the body: a 2xx is done.
        creation.push(Mode::Garbage);
    }
    for mode in creation {
        let cell = format!("{kind:?} ripeti: creazione × {}", mode.name());
        proxy.set_for(create, mode);
        let r = ripeti(b);
        proxy.heal();
        refused(&cell, &r, at, &reserved);
    }

    // Back: one payable position, the reserved one, recorded on the order; paid once.
    let cell = format!("{kind:?} ripeti: di nuovo");
    assert_eq!(location(&ripeti(b)), page, "{cell}");
    assert_eq!(row(s, &number).0, "pending", "{cell}");
    assert_eq!(retry_notice(s, &number), None, "{cell}: settled");
    let reserved = reserved.unwrap();
    assert_eq!(
        payable_notices(stub, kind),
        std::slice::from_ref(&reserved),
        "{cell}"
    );
    assert_eq!(positions_of(stub, kind, &reserved).len(), 1, "{cell}");
    let (_, notice, _, provider_ref, ..) = row(s, &number);
    let recorded = match kind {
        Kind::PiemontePay => provider_ref.or(notice),
        Kind::Gpd => notice,
    };
    assert_eq!(recorded.as_deref(), Some(reserved.as_str()), "{cell}");
    // A second Ripeti of a pending order makes nothing.
    assert_eq!(location(&ripeti(b)), page, "{cell}: again");
    assert_eq!(
        payable_notices(stub, kind),
        std::slice::from_ref(&reserved),
        "{cell}"
    );
    pay(kind, stub, s, &number);
    wait_state(s, &number, "completed");
    let completed: i64 = db(s)
        .query_row(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 AND e.to_state = 'completed'",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(completed, 1, "{cell}: completed once");
    assert!(payable_notices(stub, kind).is_empty(), "{cell}");
}
