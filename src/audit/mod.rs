//! Who saw or did what, when, from where. Details never hold health data or secrets.

use rusqlite::{Connection, params};

pub fn record(
    c: &Connection,
    at: i64,
    patient_id: Option<i64>,
    action: &str,
    detail: &str,
    ip: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO audit_log (at, patient_id, action, detail, ip) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, patient_id, action, detail, ip],
    )?;
    Ok(())
}
