//! The back office's orders: the list filtered by state, codice fiscale and flag; an
//! order's page with its notice and events; "Ricontrolla pagamento" completing a payment
//! the poller has not looked at yet; a payment after expiry flagged, then handled with
//! "Rimborso effettuato" and a "Nota" (saved, audited); the CSV export of the filter.

use crate::client::{Browser, form};
use crate::orders::{CARTELLA, confirm, db, location, order_of, sandbox, sandbox_db, state};
use crate::{LAURA, MARIO, OPERATORE, Server};

const ORDERS: &str = "/operatore/ordini";
const GERIATRIA: &str = "Cartella clinica – ricovero in Geriatria";

/// The sandbox confirms a payment at once, but the poller would first look in an hour:
/// only "Ricontrolla" can complete an order within the test.
const SLOW_POLLER: &[(&str, &str)] = &[
    ("CDS_DEMO_CT_SLICES", "12"),
    ("CDS_SANDBOX", "true"),
    ("CDS_PAYMENTS_PROVIDER", "sandbox"),
    ("CDS_PAYMENTS_ENTE_CF", "12345678901"),
    ("CDS_PAYMENTS_SANDBOX_CONFIRM_SECS", "0"),
    ("CDS_PAYMENTS_POLL_FIRST_SECS", "3600"),
    ("CDS_PAYMENTS_POLL_MAX_SECS", "3600"),
];

fn audited(s: &Server, action: &str) -> Vec<(Option<i64>, Option<i64>, String)> {
    db(s)
        .prepare(
            "SELECT operator_id, patient_id, detail FROM audit_log WHERE action = ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The number of the (one) demo order in `state`.
fn in_state(s: &Server, state: &str) -> String {
    db(s)
        .query_row(
            "SELECT number FROM orders WHERE state = ?1 ORDER BY id LIMIT 1",
            [state],
            |r| r.get(0),
        )
        .unwrap()
}

fn recheck(op: &mut Browser, number: &str) -> String {
    let page = format!("{ORDERS}/{number}");
    op.get(&page);
    location(&op.post(&format!("{page}/ricontrolla"), &[]))
}

#[test]
fn operators_list_recheck_handle_flags_and_export_orders() {
    let s = Server::demo(SLOW_POLLER);
    let mut mario = Browser::new(&s.addr);
    mario.login(MARIO.0, MARIO.1);
    let paid = order_of(&mut mario, &s, CARTELLA);
    let ticket = confirm(&mut mario, &paid);
    let r = sandbox(&mut mario, &ticket, "paga");
    assert_eq!(r.status, 200, "{}", r.body);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(state(&s, &paid), "pending", "the poller has not looked yet");

    let mut op = Browser::new(&s.addr);
    assert_eq!(op.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    // Filters: state, codice fiscale.
    let (demo_completed, demo_expired) = (in_state(&s, "completed"), in_state(&s, "expired"));
    let pending = op.get(&format!("{ORDERS}?stato=pending"));
    assert_eq!(pending.status, 200);
    assert!(pending.body.contains(&paid), "{}", pending.body);
    assert!(!pending.body.contains(&demo_completed), "{}", pending.body);
    let expired = op.get(&format!("{ORDERS}?stato=expired"));
    assert!(expired.body.contains(&demo_expired) && !expired.body.contains(&paid));
    let laura = op.get(&format!("{ORDERS}?cf={}", LAURA.0));
    assert!(laura.body.contains("Nessun ordine."), "{}", laura.body);
    assert!(
        op.get(&format!("{ORDERS}?cf={}", MARIO.0))
            .body
            .contains(&paid)
    );
    assert_eq!(op.get(&format!("{ORDERS}?stato=boh")).status, 422);
    assert_eq!(op.get(&format!("{ORDERS}?dal=31/02/2026")).status, 422);

    // The order's page: notice number, provider references, events.
    let page = format!("{ORDERS}/{paid}");
    let r = op.get(&page);
    assert_eq!(r.status, 200);
    for text in [
        &ticket as &str,
        MARIO.0,
        "IN ATTESA DI PAGAMENTO",
        "Conferma: avviso creato",
        "Ricontrolla pagamento",
        "Posizioni debitorie",
        "€ 22,00",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    // Ricontrolla: the provider says paid → completed now, with the receipt.
    let to = recheck(&mut op, &paid);
    assert_eq!(to, format!("{page}?esito=pagato"));
    assert_eq!(state(&s, &paid), "completed");
    let r = op.get(&to);
    for text in [
        "COMPLETATO",
        "Pagamento ricevuto",
        "IUR ",
        "ordine è completato",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    assert!(!r.body.contains("name=\"rimborso\""), "not flagged");

    // A second order whose notice expires; then a payment still arrives: flagged.
    let late = order_of(&mut mario, &s, GERIATRIA);
    let notice = confirm(&mut mario, &late);
    sandbox_db(&s)
        .execute(
            "UPDATE positions SET due_day = '2020-01-01' WHERE notice_number = ?1",
            [&notice],
        )
        .unwrap();
    assert!(recheck(&mut op, &late).ends_with("?esito=aggiornato"));
    assert_eq!(state(&s, &late), "expired");
    sandbox_db(&s)
        .execute(
            "UPDATE positions SET state = 'paid', paid_at = strftime('%s','now'), iur = 'LATE0001' WHERE notice_number = ?1",
            [&notice],
        )
        .unwrap();
    assert!(recheck(&mut op, &late).ends_with("?esito=segnalato"));
    assert_eq!(
        state(&s, &late),
        "expired",
        "a flag never changes the state"
    );
    let home = op.get("/operatore");
    assert!(
        home.body
            .contains("<strong>1</strong> ordine segnalato da gestire"),
        "{}",
        home.body
    );
    let flagged = op.get(&format!("{ORDERS}?segnalati=1"));
    assert!(flagged.body.contains(&late) && !flagged.body.contains(&paid));
    assert!(flagged.body.contains("DA GESTIRE"));
    let late_page = format!("{ORDERS}/{late}");
    let r = op.get(&late_page);
    for text in [
        "Segnalazione",
        "rimborsare",
        "Rimborso effettuato",
        "name=\"nota\"",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }

    // Handling it: neither box nor note → 422; no CSRF token → 403; then saved.
    let flag = format!("{late_page}/segnalazione");
    assert_eq!(op.post(&flag, &[("nota", " ")]).status, 422);
    let forged = op.send("POST", &flag, &[], &form(&[("rimborso", "1")]));
    assert_eq!(forged.status, 403);
    let flag_state = |s: &Server| -> (Option<String>, Option<String>) {
        db(s)
            .query_row(
                "SELECT flag_state, flag_note FROM orders WHERE number = ?1",
                [&late],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(flag_state(&s), (None, None));
    let note = "Rimborsato; bonifico \"n. 42\"";
    op.get(&late_page);
    let to = location(&op.post(&flag, &[("rimborso", "1"), ("nota", note)]));
    assert!(to.ends_with("?esito=segnalazione"), "{to}");
    assert_eq!(flag_state(&s), (Some("refunded".into()), Some(note.into())));
    let r = op.get(&to);
    assert!(r.body.contains("Segnalazione aggiornata"), "{}", r.body);
    assert!(
        r.body.contains("Rimborsato; bonifico &quot;n. 42&quot;"),
        "{}",
        r.body
    );
    let flagged = op.get(&format!("{ORDERS}?segnalati=1"));
    assert!(!flagged.body.contains(&late), "handled");
    assert!(
        op.get(&format!("{ORDERS}?segnalati=tutti"))
            .body
            .contains(&late)
    );
    // A flag on an order that has none: 409.
    op.get(&page);
    let r = op.post(&format!("{page}/segnalazione"), &[("nota", "x")]);
    assert_eq!(r.status, 409);

    // Audited, by the operator, about Mario; the note's text is not in the log.
    let mario_id: i64 = db(&s)
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [MARIO.0],
            |r| r.get(0),
        )
        .unwrap();
    let flags = audited(&s, "order_flag");
    assert_eq!(flags.len(), 1);
    assert!(flags[0].0.is_some() && flags[0].1 == Some(mario_id));
    assert!(flags[0].2.contains(&late) && !flags[0].2.contains("bonifico"));
    assert_eq!(audited(&s, "order_recheck").len(), 3);
    assert!(!audited(&s, "order_view").is_empty());

    // CSV of the flagged orders: a header, that one row, the note quoted.
    let csv = op.get(&format!("{ORDERS}.csv?segnalati=tutti"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("ordini.csv")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    // A BOM first, so that a spreadsheet reads the accents as UTF-8.
    assert!(
        lines[0].starts_with("\u{feff}numero_ordine;ordinato_il;codice_fiscale;"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with(&format!("{late};")), "{}", lines[1]);
    assert!(lines[1].contains(";22,00;"), "{}", lines[1]);
    assert!(lines[1].contains(&notice), "{}", lines[1]);
    assert!(
        lines[1].ends_with(";Rimborso effettuato;\"Rimborsato; bonifico \"\"n. 42\"\"\""),
        "{}",
        lines[1]
    );
    // Completed: the paid one and the demo's, never the flagged one.
    let csv = op.get(&format!("{ORDERS}.csv?stato=completed"));
    assert!(csv.body.contains(&paid) && csv.body.contains(&demo_completed));
    assert!(!csv.body.contains(&late));
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    assert_eq!(audited(&s, "orders_export").len(), 2);
}
