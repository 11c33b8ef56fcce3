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
        "INSERT INTO patients (codice_fiscale, given_name, family_name, family_key, mobile_e164, created_at)
         VALUES (?1, ?2, ?3, ?6, ?4, ?5)
         ON CONFLICT (codice_fiscale) DO UPDATE SET given_name = ?2, family_name = ?3,
           family_key = ?6, mobile_e164 = COALESCE(?4, mobile_e164)
         RETURNING id",
        params![cf, given, family, mobile, now, surname_key(family)],
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
        "INSERT INTO patients (codice_fiscale, given_name, family_name, family_key, mobile_e164, created_at)
         VALUES (?1, ?2, ?3, ?6, ?4, ?5)
         ON CONFLICT (codice_fiscale) DO UPDATE SET given_name = ?2, family_name = ?3,
           family_key = ?6, mobile_e164 = COALESCE(?4, mobile_e164), updated_at = ?5
         RETURNING id",
        params![cf, given, family, mobile, now, surname_key(family)],
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
        "INSERT INTO patients (codice_fiscale, given_name, family_name, family_key, created_at)
         VALUES (?1, ?2, ?3, ?5, ?4)
         ON CONFLICT (codice_fiscale) DO UPDATE SET
           given_name = CASE WHEN ?2 != '' THEN ?2 ELSE given_name END,
           family_name = CASE WHEN ?3 != '' THEN ?3 ELSE family_name END,
           family_key = CASE WHEN ?3 != '' THEN ?5 ELSE family_key END
         RETURNING id",
        params![cf, given, family, now, surname_key(family)],
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

/// By exact codice fiscale (16 characters), else by the start of the surname as
/// [`surname_key`] writes it (accents, apostrophes, spaces and case aside), on the
/// `patients_family_key` index; at most `limit` rows, by surname and name.
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
    let key = surname_key(q);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    // A prefix range on the index: [key, key + U+FFFF).
    let mut st = c.prepare_cached(&format!(
        "SELECT {PATIENT} FROM patients
         WHERE family_key >= ?1 AND family_key < ?2
         ORDER BY family_key, given_name COLLATE NOCASE, id LIMIT ?3 + 0"
    ))?;
    let upper = format!("{key}\u{ffff}");
    st.query_map(params![key, upper, limit], patient_row)?
        .collect()
}

/// The surname as the back office searches it (`patients.family_key`): upper-case ASCII
/// letters and digits only, accents folded as in the download names — Nicolò, NICOLO' and
/// nicolo are NICOLO; D'Angelo and "d angelo" are DANGELO.
pub fn surname_key(family: &str) -> String {
    crate::packaging::fold(family).replace('_', "")
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
        "INSERT INTO patients (codice_fiscale, given_name, family_name, family_key, mobile_e164, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?6, ?4, ?5, ?5) ON CONFLICT (codice_fiscale) DO NOTHING RETURNING id",
        params![cf, given, family, mobile, now, surname_key(family)],
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
        "UPDATE patients SET given_name = ?2, family_name = ?3, family_key = ?6, mobile_e164 = ?4,
           updated_at = ?5
         WHERE id = ?1",
        params![id, given, family, mobile, now, surname_key(family)],
    )? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_are_found_whatever_their_accents_apostrophes_spaces_and_case() {
        let c = crate::db::migrate::memory();
        for (cf, given, family) in [
            ("DNGNCL90A01H501X", "Nicolò", "D'Angelo"),
            ("CNTLCU80A01F205X", "Luca", "Cantù"),
            ("DLCMRA70A01H501X", "Maria", "De Luca"),
            ("KVCMRK85A01Z118X", "Marko", "Kovačević"),
            ("RSSMRA80A01A182N", "Mario", "Rossi"),
        ] {
            insert(&c, cf, given, family, None, 0).unwrap().unwrap();
        }
        let found = |q: &str| -> Vec<String> {
            search(&c, q, 50)
                .unwrap()
                .into_iter()
                .map(|p| p.family)
                .collect()
        };
        for q in ["dangelo", "D'ANG", "d angelo", "D’Angelo"] {
            assert_eq!(found(q), ["D'Angelo"], "{q}");
        }
        for q in ["CANTU'", "cantu", "Cantù", "CANTÙ"] {
            assert_eq!(found(q), ["Cantù"], "{q}");
        }
        for q in ["deluca", "de lu", "DE LUCA"] {
            assert_eq!(found(q), ["De Luca"], "{q}");
        }
        assert_eq!(found("kovacevic"), ["Kovačević"]);
        assert_eq!(found("d"), ["D'Angelo", "De Luca"], "by surname");
        for q in ["'", "  ", "x", "rossa"] {
            assert!(found(q).is_empty(), "{q}");
        }
        // A codice fiscale is still an exact match, in any case.
        assert_eq!(found("rssmra80a01a182n"), ["Rossi"]);

        // Every writer of the surname writes its key: an operator's correction, the
        // registry's import, SPID/CIE (whose empty surname changes nothing).
        let nicolo = search(&c, "dangelo", 1).unwrap().remove(0).id;
        assert!(update(&c, nicolo, "Nicolò", "Dell'Acqua", None, 1).unwrap());
        assert!(found("dangelo").is_empty());
        assert_eq!(found("dellacqua"), ["Dell'Acqua"]);
        save(&c, "CNTLCU80A01F205X", "Luca", "Cantù Ferrè", None, 2).unwrap();
        assert_eq!(found("cantu ferre"), ["Cantù Ferrè"]);
        upsert(&c, "FRRGLI90A41H501X", "Giulia", "Forlì", None, 3).unwrap();
        assert_eq!(found("forli"), ["Forlì"]);
        from_identity(&c, "FRRGLI90A41H501X", "Giulia", "", 4).unwrap();
        assert_eq!(
            found("forli"),
            ["Forlì"],
            "an empty surname changes nothing"
        );
        from_identity(&c, "FRRGLI90A41H501X", "Giulia", "Forlì Gesù", 5).unwrap();
        assert_eq!(found("forligesu"), ["Forlì Gesù"]);
        from_identity(&c, "NNCRSO60A41H501X", "Rosa", "Nancì", 6).unwrap();
        assert_eq!(found("nanci"), ["Nancì"]);
    }
}
