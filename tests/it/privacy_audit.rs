//! The audit log names people by id (issue 16, item 7): an export of Ordini or of the Registro
//! accessi filtered by a codice fiscale is audited with the patient's id and the rest of the
//! filter, never with the codice fiscale itself (the CSV exports wrote their whole query string,
//! `cf=RSSMRA80A01A182N` included, into `audit_log.detail`).

use crate::client::Browser;
use crate::orders::db;
use crate::{ADMIN, MARIO, Server};

#[test]
fn exports_filtered_by_codice_fiscale_audit_the_patient_id_not_the_codice_fiscale() {
    let s = Server::demo(&[]);
    let mut admin = Browser::new(&s.addr);
    admin.operator_login(ADMIN.0, ADMIN.1);
    for (path, action) in [
        ("/operatore/ordini.csv", "orders_export"),
        ("/operatore/registro.csv", "audit_export"),
    ] {
        let r = admin.get(&format!("{path}?cf={}&dal=&al=", MARIO.0.to_lowercase()));
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let (patient, detail): (Option<String>, String) = db(&s)
            .query_row(
                "SELECT p.codice_fiscale, a.detail FROM audit_log a LEFT JOIN patients p ON p.id = a.patient_id
                 WHERE a.action = ?1 ORDER BY a.id DESC LIMIT 1",
                [action],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            patient.as_deref(),
            Some(MARIO.0),
            "{action}: the patient by id"
        );
        assert!(
            !detail.to_uppercase().contains(MARIO.0),
            "{action}: no codice fiscale in the detail: {detail}"
        );
    }
    let leaks: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE upper(detail) LIKE '%' || ?1 || '%'",
            [MARIO.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaks, 0);
}
