//! The operators' back office: login, lockout, TOTP, and who reaches what.

use super::client::Browser;
use super::{ADMIN, MARIO, OPERATORE, Server};

#[test]
fn an_operator_signs_in_and_out_and_a_patient_session_ends_there() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    assert_eq!(b.get("/dashboard").status, 200);

    let r = b.operator_login(OPERATORE.0, OPERATORE.1);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/operatore"));
    // One browser, one person: the patient's session ended when the operator signed in.
    assert_ne!(b.get("/dashboard").status, 200);
    let home = b.get("/operatore");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("operatore"), "{}", home.body);
    // An operator is not an administrator.
    assert_eq!(b.get("/operatore/operatori").status, 403);

    let out = b.post("/operatore/esci", &[]);
    assert_eq!(out.status, 303);
    let after = b.get("/operatore");
    assert_eq!(after.status, 303);

    let mut a = Browser::new(&s.addr);
    assert_eq!(a.operator_login(ADMIN.0, ADMIN.1).status, 303);
    assert_eq!(a.get("/operatore/operatori").status, 200);
    assert_eq!(a.operator_login(ADMIN.0, "sbagliata").status, 401);
}
