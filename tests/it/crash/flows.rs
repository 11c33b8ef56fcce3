//! The flows a crash run drives through HTTP, each able to start again from whatever a kill
//! left: a patient's recoveries (Documenti Interscambiati → "Recupera") and orders, each
//! order toward a target (paid; failed then retried and paid; failed, expired at the
//! provider, retried on a new position and paid; cancelled; cancelled while its Conferma
//! runs; expired at the provider; a draft left to the 24-hour sweeper; left
//! pending). A step reads the order's state from the DB and does the next thing a patient
//! would; it returns `None` as soon as the server is gone.

use super::http::Tab;
use rusqlite::{Connection, OptionalExtension};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    Paid,
    FailThenPaid,
    /// Failed, then past its due date at the provider: "Ripeti" makes a new position.
    RetryExpired,
    Cancel,
    CancelRace,
    Expire,
    StaleDraft,
    Pending,
}

pub const TARGETS: &[Target] = &[
    Target::Paid,
    Target::FailThenPaid,
    Target::RetryExpired,
    Target::Cancel,
    Target::CancelRace,
    Target::Expire,
    Target::StaleDraft,
    Target::Pending,
];

/// One order of a run: the document it buys and where it should end.
#[derive(Clone, Debug)]
pub struct OrderPlan {
    pub title: &'static str,
    pub target: Target,
    pub number: Option<String>,
    /// The provider took "PAGA SUBITO" for it: the money is on its way.
    pub paid: bool,
    pub failed_once: bool,
    /// Its failed position was made past due at the provider (`RetryExpired`).
    pub expired_once: bool,
}

/// A patient of a run: credentials, documents to recover, orders.
#[derive(Clone, Debug)]
pub struct PatientPlan {
    pub cf: &'static str,
    pub pin: &'static str,
    pub recover: Vec<&'static str>,
    /// The recoveries the portal accepted (answered 200): they must end ready.
    pub recover_ok: Vec<&'static str>,
    pub orders: Vec<OrderPlan>,
}

/// Paths of the run's data folder (they stay the same across restarts).
#[derive(Clone)]
pub struct Dbs {
    pub portal: PathBuf,
    pub sandbox: PathBuf,
}

impl Dbs {
    pub fn portal(&self) -> Connection {
        open(&self.portal)
    }
    pub fn sandbox(&self) -> Connection {
        open(&self.sandbox)
    }
}

pub fn open(p: &std::path::Path) -> Connection {
    let c = Connection::open(p).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

pub fn public_id(db: &Connection, title: &str) -> String {
    db.query_row(
        "SELECT public_id FROM documents WHERE title = ?1",
        [title],
        |r| r.get(0),
    )
    .unwrap()
}

/// (state, consents given, notice) of an order.
fn order_state(db: &Connection, number: &str) -> (String, bool, Option<String>) {
    db.query_row(
        "SELECT state, consents_at IS NOT NULL, notice_number FROM orders WHERE number = ?1",
        [number],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

/// The run's order holding `title`, if one was made (its answer may have been lost).
fn existing_order(db: &Connection, title: &str) -> Option<String> {
    db.query_row(
        "SELECT o.number FROM orders o JOIN order_items i ON i.order_id = o.id
         JOIN documents d ON d.id = i.document_id WHERE d.title = ?1 ORDER BY o.id DESC LIMIT 1",
        [title],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

/// An order's events and its positions at the provider, for a failure's message.
pub fn describe(dbs: &Dbs, o: &OrderPlan) -> String {
    let Some(number) = &o.number else {
        return "no order".into();
    };
    let events: Vec<String> = dbs
        .portal()
        .prepare(
            "SELECT e.event || ' ' || e.from_state || '>' || coalesce(e.to_state, '-') || ' ' || e.detail
             FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 ORDER BY e.id",
        )
        .unwrap()
        .query_map([number], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (state, _, notice) = order_state(&dbs.portal(), number);
    let at = notice.as_deref().and_then(|n| sandbox_state(dbs, n));
    format!("order {state}, notice {notice:?} at the provider {at:?}, events {events:?}")
}

fn sandbox_state(dbs: &Dbs, notice: &str) -> Option<String> {
    dbs.sandbox()
        .query_row(
            "SELECT state FROM positions WHERE notice_number = ?1",
            [notice],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
}

/// Drives one patient: sign in, ask for the recoveries, then each order toward its target.
/// `None`: the server died on the way (the plan keeps what was done).
pub fn drive(addr: &str, dbs: &Dbs, p: &mut PatientPlan, deadline: Instant) -> Option<()> {
    let mut tab = Tab::new(addr);
    tab.login(p.cf, p.pin)?;
    for title in p.recover.clone() {
        let id = public_id(&dbs.portal(), title);
        tab.get("/documenti-interscambiati")?;
        let r = tab.hx_post(&format!("/documenti-interscambiati/{id}/recupera"))?;
        assert_eq!(r.status, 200, "recupera {title}: {}", r.body);
        if !p.recover_ok.contains(&title) {
            p.recover_ok.push(title);
        }
    }
    for o in &mut p.orders {
        while !step(&mut tab, dbs, p.cf, o)? {
            if Instant::now() > deadline {
                panic!(
                    "order {o:?} did not reach its target in time: {}",
                    describe(dbs, o)
                );
            }
        }
    }
    Some(())
}

/// One step of an order toward its target: `Some(true)` when nothing more is to be done.
fn step(tab: &mut Tab, dbs: &Dbs, cf: &str, o: &mut OrderPlan) -> Option<bool> {
    let db = dbs.portal();
    if o.number.is_none() {
        o.number = existing_order(&db, o.title);
    }
    let Some(number) = o.number.clone() else {
        tab.get("/documenti")?;
        let id = public_id(&db, o.title);
        let r = tab.post("/carrello/aggiungi", &[("documento", &id)])?;
        assert!(
            matches!(r.status, 200 | 303),
            "aggiungi: {} {}",
            r.status,
            r.body
        );
        tab.get("/carrello")?;
        let r = tab.post("/carrello/ordina", &[])?;
        assert_eq!(r.status, 303, "ordina: {}", r.body);
        let to = r.header("location").unwrap_or_default();
        o.number = to.strip_prefix("/ordini/").map(str::to_string);
        return Some(false);
    };
    let page = format!("/ordini/{number}");
    let (state, consents, notice) = order_state(&db, &number);
    let conferma = |tab: &mut Tab| {
        tab.post(
            &format!("{page}/conferma"),
            &[("email", "mario.rossi@example.org")],
        )
    };
    match state.as_str() {
        "draft" if !consents => {
            tab.get(&page)?;
            let r = tab.post(
                &format!("{page}/acquista"),
                &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
            )?;
            assert_eq!(r.status, 303, "acquista: {}", r.body);
        }
        "draft" => match o.target {
            Target::Cancel => {
                tab.get(&page)?;
                let r = tab.post(&format!("{page}/annulla"), &[])?;
                assert!(
                    matches!(r.status, 303 | 409),
                    "annulla: {} {}",
                    r.status,
                    r.body
                );
            }
            Target::StaleDraft if notice.is_none() => {
                // Left for two days: the poller's sweeper cancels it.
                db.execute(
                    "UPDATE orders SET created_at = created_at - 2 * 86400 WHERE number = ?1",
                    [&number],
                )
                .unwrap();
                return Some(true);
            }
            Target::CancelRace if notice.is_none() => {
                // "Conferma" in one tab and "Annulla ordine" in another at the same moment.
                tab.get(&page)?;
                let mut other = Tab::new(&tab.addr);
                other.login(cf, super::pin_of(cf))?;
                other.get(&page)?;
                let p2 = page.clone();
                let t = std::thread::spawn(move || {
                    other.post(&format!("{p2}/annulla"), &[]).map(|r| r.status)
                });
                let mine = conferma(tab).map(|r| r.status);
                let theirs = t.join().unwrap();
                for s in [mine, theirs].into_iter().flatten() {
                    assert!(matches!(s, 303 | 409), "race: {s}");
                }
                mine?;
                theirs?;
                return Some(true);
            }
            _ => {
                tab.get(&page)?;
                let r = conferma(tab)?;
                assert!(
                    matches!(r.status, 303 | 409),
                    "conferma: {} {}",
                    r.status,
                    r.body
                );
            }
        },
        "pending" | "failed" => {
            let notice = notice.expect("a pending order has its notice");
            let at = sandbox_state(dbs, &notice);
            match o.target {
                Target::Paid | Target::FailThenPaid | Target::RetryExpired if state == "failed" => {
                    if o.target == Target::RetryExpired && !o.expired_once {
                        // The provider's calendar passes the failed position's due date.
                        dbs.sandbox()
                            .execute(
                                "UPDATE positions SET due_day = '2000-01-01' WHERE notice_number = ?1",
                                [&notice],
                            )
                            .unwrap();
                        o.expired_once = true;
                    }
                    tab.get(&page)?;
                    let r = tab.post(&format!("{page}/ripeti"), &[])?;
                    assert_eq!(r.status, 303, "ripeti: {}", r.body);
                }
                Target::FailThenPaid | Target::RetryExpired
                    if !o.failed_once && at.as_deref() == Some("unpaid") =>
                {
                    if sandbox(tab, &notice, cf, "fallisci")? {
                        o.failed_once = true;
                    }
                }
                Target::Paid | Target::FailThenPaid | Target::RetryExpired => match at.as_deref() {
                    Some("unpaid" | "failed") => {
                        if sandbox(tab, &notice, cf, "paga")? {
                            o.paid = true;
                        }
                    }
                    // On its way (processing), or paid and not yet read by the poller: the
                    // order page asks for its state, as it does every few seconds.
                    _ => {
                        std::thread::sleep(Duration::from_millis(200));
                        tab.get(&format!("{page}/stato"))?;
                    }
                },
                Target::Expire => {
                    // The provider's calendar passes the due date.
                    dbs.sandbox()
                        .execute(
                            "UPDATE positions SET due_day = '2000-01-01' WHERE notice_number = ?1",
                            [&notice],
                        )
                        .unwrap();
                    return Some(true);
                }
                _ => return Some(true),
            }
        }
        _ => return Some(true),
    }
    Some(false)
}

/// The sandbox payment portal: `azione` ("paga", "fallisci") on the notice; true when taken.
fn sandbox(tab: &mut Tab, notice: &str, cf: &str, azione: &str) -> Option<bool> {
    tab.get("/sandbox/pagamenti")?;
    let r = tab.post(
        "/sandbox/pagamenti",
        &[
            ("ticket", notice),
            ("codice_fiscale", cf),
            ("azione", azione),
        ],
    )?;
    assert_eq!(r.status, 200, "sandbox {azione}: {}", r.body);
    Some(if azione == "paga" {
        r.body.contains("Pagamento in elaborazione")
    } else {
        true
    })
}
