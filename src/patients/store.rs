//! Queries on the patients table.

use rusqlite::{Connection, OptionalExtension, params};

pub struct Credentials {
    pub id: i64,
    pub pin_hash: Option<String>,
    pub mobile_e164: Option<String>,
}

pub fn credentials(c: &Connection, cf: &str) -> rusqlite::Result<Option<Credentials>> {
    c.query_row(
        "SELECT id, pin_hash, mobile_e164 FROM patients WHERE codice_fiscale = ?1",
        [cf],
        |r| {
            Ok(Credentials {
                id: r.get(0)?,
                pin_hash: r.get(1)?,
                mobile_e164: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Inserts or updates a patient by codice fiscale; returns its id.
pub fn upsert(
    c: &Connection,
    cf: &str,
    given: &str,
    family: &str,
    mobile: Option<&str>,
    now: i64,
) -> rusqlite::Result<i64> {
    c.query_row(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, mobile_e164, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (codice_fiscale) DO UPDATE SET given_name = ?2, family_name = ?3,
           mobile_e164 = COALESCE(?4, mobile_e164)
         RETURNING id",
        params![cf, given, family, mobile, now],
        |r| r.get(0),
    )
}

/// Creates or updates a patient from the hospital's registry (the ingest API, the back
/// office's CSV import): names
/// replaced, the mobile number kept when none is given, `updated_at` set on an update.
/// Returns the id and whether the patient is new.
pub fn save(
    c: &Connection,
    cf: &str,
    given: &str,
    family: &str,
    mobile: Option<&str>,
    now: i64,
) -> rusqlite::Result<(i64, bool)> {
    let existed = credentials(c, cf)?.is_some();
    let id = c.query_row(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, mobile_e164, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (codice_fiscale) DO UPDATE SET given_name = ?2, family_name = ?3,
           mobile_e164 = COALESCE(?4, mobile_e164), updated_at = ?5
         RETURNING id",
        params![cf, given, family, mobile, now],
        |r| r.get(0),
    )?;
    Ok((id, !existed))
}

/// The payer of a debt position: the patient's codice fiscale and names.
pub struct Payer {
    pub cf: String,
    pub given: String,
    pub family: String,
}

pub fn payer(c: &Connection, patient: i64) -> rusqlite::Result<Payer> {
    c.query_row(
        "SELECT codice_fiscale, given_name, family_name FROM patients WHERE id = ?1",
        [patient],
        |r| {
            Ok(Payer {
                cf: r.get(0)?,
                given: r.get(1)?,
                family: r.get(2)?,
            })
        },
    )
}

/// A patient identified by SPID/CIE: created when the codice fiscale is new (the claims'
/// names are the registry's; empty ones do not blank a record). Returns the id and whether
/// the patient is new.
pub fn from_identity(
    c: &Connection,
    cf: &str,
    given: &str,
    family: &str,
    now: i64,
) -> rusqlite::Result<(i64, bool)> {
    let existed = credentials(c, cf)?.is_some();
    let id = c.query_row(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (codice_fiscale) DO UPDATE SET
           given_name = CASE WHEN ?2 != '' THEN ?2 ELSE given_name END,
           family_name = CASE WHEN ?3 != '' THEN ?3 ELSE family_name END
         RETURNING id",
        params![cf, given, family, now],
        |r| r.get(0),
    )?;
    Ok((id, !existed))
}

/// Sets a new PIN and ends every session of the patient: a new PIN is what a patient asks
/// for when the old one leaked, so nobody stays in with it (the new-PIN page, an operator's
/// reset, the demo's start).
pub fn set_pin_hash(c: &Connection, id: i64, hash: &str, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE patients SET pin_hash = ?2, pin_set_at = ?3 WHERE id = ?1",
        params![id, hash, now],
    )?;
    c.execute("DELETE FROM sessions WHERE patient_id = ?1", [id])?;
    Ok(())
}

/// A patient as the back office shows it.
#[derive(Debug, Clone)]
pub struct Patient {
    pub id: i64,
    pub cf: String,
    pub given: String,
    pub family: String,
    pub mobile: Option<String>,
    pub has_pin: bool,
    pub pin_set_at: Option<i64>,
    pub notify_sms: bool,
    pub created_at: i64,
}

const PATIENT: &str =
    "id, codice_fiscale, given_name, family_name, mobile_e164, pin_hash IS NOT NULL,
    pin_set_at, notify_sms, created_at";

fn patient_row(r: &rusqlite::Row) -> rusqlite::Result<Patient> {
    Ok(Patient {
        id: r.get(0)?,
        cf: r.get(1)?,
        given: r.get(2)?,
        family: r.get(3)?,
        mobile: r.get(4)?,
        has_pin: r.get(5)?,
        pin_set_at: r.get(6)?,
        notify_sms: r.get::<_, i64>(7)? != 0,
        created_at: r.get(8)?,
    })
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Patient>> {
    c.query_row(
        &format!("SELECT {PATIENT} FROM patients WHERE id = ?1"),
        [id],
        patient_row,
    )
    .optional()
}

/// By exact codice fiscale (16 characters), else by surname prefix (case-insensitive, on
/// the `patients_family` index); at most `limit` rows, by surname and name.
pub fn search(c: &Connection, q: &str, limit: i64) -> rusqlite::Result<Vec<Patient>> {
    let q = q.trim();
    if q.len() == 16 && q.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let mut st = c.prepare_cached(&format!(
            "SELECT {PATIENT} FROM patients WHERE codice_fiscale = ?1"
        ))?;
        return st
            .query_map([q.to_ascii_uppercase()], patient_row)?
            .collect();
    }
    // A prefix range on the NOCASE index: [q, q + U+FFFF).
    let mut st = c.prepare_cached(&format!(
        "SELECT {PATIENT} FROM patients
         WHERE family_name >= ?1 COLLATE NOCASE AND family_name < ?2 COLLATE NOCASE
         ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id LIMIT ?3 + 0"
    ))?;
    let upper = format!("{q}\u{ffff}");
    st.query_map(params![q, upper, limit], patient_row)?
        .collect()
}

/// A new patient; `None` when the codice fiscale is already registered.
pub fn insert(
    c: &Connection,
    cf: &str,
    given: &str,
    family: &str,
    mobile: Option<&str>,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, mobile_e164, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (codice_fiscale) DO NOTHING RETURNING id",
        params![cf, given, family, mobile, now],
        |r| r.get(0),
    )
    .optional()
}

/// Names and mobile as an operator corrected them (`None` clears the mobile).
pub fn update(
    c: &Connection,
    id: i64,
    given: &str,
    family: &str,
    mobile: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(c.execute(
        "UPDATE patients SET given_name = ?2, family_name = ?3, mobile_e164 = ?4, updated_at = ?5
         WHERE id = ?1",
        params![id, given, family, mobile, now],
    )? == 1)
}
