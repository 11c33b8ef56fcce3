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

/// Creates or updates a patient from the hospital's registry (the ingest API): names
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
