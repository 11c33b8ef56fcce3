//! Every move on a real SQLite database with the real schema: twice, late, after
//! cancellation or expiry.

use super::*;
use crate::orders::store;

fn db() -> Connection {
    let c = crate::db::migrate::memory();
    c.execute(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, created_at) VALUES ('RSSMRA80A01A182N', 'Mario', 'Rossi', 0)",
        [],
    )
    .unwrap();
    c
}

fn draft(c: &Connection, price: i64) -> i64 {
    let doc = crate::documents::store::insert(
        c,
        &crate::documents::store::NewDocument {
            patient_id: 1,
            category: "Cartella clinica",
            title: "Cartella",
            exchanged_at: 0,
            source_kind: "pdf",
            source_ref: "c.pdf",
            price_cents: price,
        },
        0,
    )
    .unwrap();
    let id: i64 = c
        .query_row(
            "SELECT id FROM documents WHERE public_id = ?1",
            [doc],
            |r| r.get(0),
        )
        .unwrap();
    let terms = store::Terms {
        causale: "Download documenti clinici",
        provider: "sandbox",
        provider_name: "Piemonte Pay",
        payee: "ASL",
        vat_pct: 0,
    };
    let number = store::create(c, 1, &[id], &terms, 10).unwrap();
    store::get(c, 1, &number).unwrap().unwrap().id
}

fn position(n: u64) -> Position {
    let notice = crate::payments::notice::NoticeNumber::new("01", n).unwrap();
    Position {
        notice_number: notice.as_str().into(),
        iuv: notice.iuv().into(),
        provider_ref: String::new(),
    }
}

fn confirm(n: u64) -> Event {
    Event::Confirm {
        position: position(n),
        amount_cents: 2200,
        due_at: 1_000_000,
        next_check_at: 25,
    }
}

fn paid(amount: i64) -> Event {
    Event::Paid(Receipt {
        iur: "IUR1".into(),
        psp: "PSP".into(),
        paid_at: 50,
        amount_cents: amount,
    })
}

fn failed(at: i64) -> Event {
    Event::Failed {
        reason: "rifiutato".into(),
        at,
    }
}

fn state_of(c: &Connection, id: i64) -> (State, Option<String>, i64) {
    let events: i64 = c
        .query_row(
            "SELECT count(*) FROM order_events WHERE order_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    let (s, flag): (String, Option<String>) = c
        .query_row("SELECT state, flag FROM orders WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    (State::parse(&s), flag, events)
}

#[test]
fn prices_are_copied_into_the_order() {
    let c = db();
    let id = draft(&c, 2200);
    c.execute("UPDATE documents SET price_cents = 9900", [])
        .unwrap();
    let o = store::by_id(&c, id).unwrap();
    assert_eq!(o.total_cents, 2200);
    assert_eq!(store::items(&c, id).unwrap()[0].price_cents, 2200);
}

#[test]
fn happy_path_then_a_second_confirmation_changes_nothing() {
    let c = db();
    let id = draft(&c, 2200);
    assert_eq!(
        apply(&c, id, &confirm(1), 20).unwrap(),
        Outcome::Applied {
            from: State::Draft,
            to: State::Pending
        }
    );
    assert_eq!(apply(&c, id, &confirm(1), 21).unwrap(), Outcome::Duplicate);
    assert_eq!(
        apply(&c, id, &paid(2200), 60).unwrap(),
        Outcome::Applied {
            from: State::Pending,
            to: State::Completed
        }
    );
    assert_eq!(apply(&c, id, &paid(2200), 61).unwrap(), Outcome::Duplicate);
    let (s, flag, events) = state_of(&c, id);
    assert_eq!(
        (s, flag, events),
        (State::Completed, None, 2),
        "one event per applied move"
    );
    let o = store::by_id(&c, id).unwrap();
    assert_eq!(o.paid_at, Some(50));
    assert_eq!(o.receipt.as_deref(), Some("IUR IUR1 · PSP PSP"));
    let positions: Vec<String> = c
        .prepare("SELECT state FROM payment_positions WHERE order_id = ?1")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(positions, ["paid"]);
}

#[test]
fn late_confirmation_after_a_failure_completes_the_order() {
    let c = db();
    let id = draft(&c, 2200);
    apply(&c, id, &confirm(1), 20).unwrap();
    assert_eq!(
        apply(&c, id, &failed(30), 30).unwrap(),
        Outcome::Applied {
            from: State::Pending,
            to: State::Failed
        }
    );
    assert_eq!(apply(&c, id, &failed(30), 31).unwrap(), Outcome::Duplicate);
    // Paid later with the printed notice, at a post office: the order completes.
    assert_eq!(
        apply(&c, id, &paid(2200), 90).unwrap(),
        Outcome::Applied {
            from: State::Failed,
            to: State::Completed
        }
    );
    assert_eq!(
        apply(&c, id, &failed(91), 91).unwrap(),
        Outcome::Ignored,
        "a failure report after the payment changes nothing"
    );
    assert_eq!(state_of(&c, id).0, State::Completed);
}

#[test]
fn confirmation_after_cancellation_or_expiry_is_flagged_once() {
    for (end, label) in [
        (Event::ProviderCancelled, "ANNULLATO"),
        (Event::Expired, "SCADUTO"),
    ] {
        let c = db();
        let id = draft(&c, 2200);
        apply(&c, id, &confirm(1), 20).unwrap();
        assert!(matches!(
            apply(&c, id, &end, 30).unwrap(),
            Outcome::Applied { .. }
        ));
        let first = apply(&c, id, &paid(2200), 40).unwrap();
        let Outcome::Flagged(why) = first else {
            panic!("{first:?}")
        };
        assert!(why.contains(label), "{why}");
        assert_eq!(apply(&c, id, &paid(2200), 41).unwrap(), Outcome::Duplicate);
        let (s, flag, events) = state_of(&c, id);
        assert_ne!(s, State::Completed, "never completed by itself");
        assert!(flag.unwrap().contains("rimborsare"));
        assert_eq!(events, 3, "confirm, end, one flag");
    }
}

#[test]
fn a_wrong_amount_is_flagged_not_completed() {
    let c = db();
    let id = draft(&c, 2200);
    apply(&c, id, &confirm(1), 20).unwrap();
    assert!(matches!(
        apply(&c, id, &paid(100), 30).unwrap(),
        Outcome::Flagged(_)
    ));
    assert_eq!(state_of(&c, id).0, State::Pending);
}

#[test]
fn retry_on_a_new_position_closes_the_old_one() {
    let c = db();
    let id = draft(&c, 2200);
    apply(&c, id, &confirm(1), 20).unwrap();
    apply(&c, id, &failed(30), 30).unwrap();
    let retry = Event::Retry {
        new_position: Some((position(2), 2200, 2_000_000)),
        failure_seen_at: None,
        next_check_at: 45,
    };
    assert_eq!(
        apply(&c, id, &retry, 40).unwrap(),
        Outcome::Applied {
            from: State::Failed,
            to: State::Pending
        }
    );
    assert_eq!(apply(&c, id, &retry, 41).unwrap(), Outcome::Duplicate);
    let open: Vec<(String, String)> = c
        .prepare(
            "SELECT notice_number, state FROM payment_positions WHERE order_id = ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].1, "closed");
    assert_eq!(open[1], (position(2).notice_number, "open".to_string()));
    assert_eq!(
        store::by_id(&c, id).unwrap().notice_number,
        Some(position(2).notice_number)
    );
}

#[test]
fn drafts_cancel_but_confirmed_orders_do_not_cancel_from_the_portal() {
    let c = db();
    let id = draft(&c, 2200);
    assert!(matches!(
        apply(&c, id, &Event::Cancel("x"), 20).unwrap(),
        Outcome::Applied { .. }
    ));
    assert_eq!(apply(&c, id, &confirm(1), 21).unwrap(), Outcome::Ignored);
    let id = draft(&c, 2200);
    apply(&c, id, &confirm(2), 20).unwrap();
    assert_eq!(
        apply(&c, id, &Event::Cancel("x"), 21).unwrap(),
        Outcome::Ignored
    );
}

#[test]
fn iuv_bases_come_from_the_sequence_and_are_never_reused() {
    let c = db();
    let a = draft(&c, 2200);
    let b = draft(&c, 2200);
    let na = store::reserve_notice(&c, a, "01").unwrap();
    assert_eq!(
        store::reserve_notice(&c, a, "01").unwrap(),
        na,
        "kept on the draft"
    );
    let nb = store::reserve_notice(&c, b, "01").unwrap();
    assert_eq!(
        na,
        crate::payments::notice::NoticeNumber::new("01", 1)
            .unwrap()
            .as_str()
    );
    assert_eq!(
        nb,
        crate::payments::notice::NoticeNumber::new("01", 2)
            .unwrap()
            .as_str()
    );
    assert_eq!(store::next_iuv_base(&c).unwrap(), 3);
}

#[test]
fn a_failure_from_before_the_retry_does_not_undo_it() {
    let c = db();
    let id = draft(&c, 2200);
    apply(&c, id, &confirm(1), 20).unwrap();
    // Confirmed and failed within the same second (the provider's clock): still applied.
    apply(&c, id, &failed(20), 20).unwrap();
    assert_eq!(state_of(&c, id).0, State::Failed);
    let retry = Event::Retry {
        new_position: None,
        failure_seen_at: Some(20),
        next_check_at: 45,
    };
    apply(&c, id, &retry, 40).unwrap();
    // The provider still reports the attempt of time 20: old news.
    assert_eq!(apply(&c, id, &failed(20), 46).unwrap(), Outcome::Ignored);
    assert_eq!(state_of(&c, id).0, State::Pending);
    // A new failed attempt after the retry counts.
    assert!(matches!(
        apply(&c, id, &failed(50), 51).unwrap(),
        Outcome::Applied { .. }
    ));
}

/// (next_check_at, checks, last_check_error)
fn schedule(c: &Connection, id: i64) -> (Option<i64>, i64, Option<String>) {
    c.query_row(
        "SELECT next_check_at, checks, last_check_error FROM orders WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn unanswered_checks_back_off_and_a_rescheduled_or_closed_order_is_left_alone() {
    let c = db();
    let id = draft(&c, 2200);
    apply(&c, id, &confirm(1), 20).unwrap();
    let backoff = |d: &store::Due, error: Option<&str>, now| {
        let b = store::Backoff {
            id: d.id,
            checks: d.checks,
            seen: d.next_check_at,
            error: error.map(str::to_string),
            now,
        };
        store::backoff(&c, &b, 5, 600).unwrap();
    };
    // First check 5 s after Conferma, then twice as long each time, up to the max.
    assert!(store::due_checks(&c, 24, 32).unwrap().is_empty());
    let (mut now, mut waits) = (25, Vec::new());
    for i in 0..9 {
        let due = store::due_checks(&c, now, 32).unwrap();
        assert_eq!((due.len(), due[0].next_check_at), (1, now));
        backoff(&due[0], (i == 3).then_some("HTTP 500"), now);
        let (next, checks, error) = schedule(&c, id);
        assert_eq!((checks, error.is_some()), (i + 1, i == 3), "check {i}");
        waits.push(next.unwrap() - now);
        now = next.unwrap();
    }
    assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 600, 600]);
    // "Procedi" while a check was under way: its backoff leaves the new schedule alone.
    let due = store::due_checks(&c, now, 32).unwrap();
    store::check_soon(&c, id, now + 5).unwrap();
    backoff(&due[0], None, now + 1);
    assert_eq!(schedule(&c, id), (Some(now + 5), 0, None));
    // Paid meanwhile: no more checks.
    let due = store::due_checks(&c, now + 5, 32).unwrap();
    apply(&c, id, &paid(2200), now + 6).unwrap();
    backoff(&due[0], None, now + 7);
    assert_eq!(schedule(&c, id), (None, 0, None));
}
