//! "Condividi con il medico": a patient gives a doctor one study (or document) without an
//! account. The patient makes a link valid 1–30 days (default 7) for a document that is
//! not for sale or is paid; a 6-digit code is shown once to the patient, never in the link.
//! The doctor opens the link, types the code, and downloads the same ZIP the patient gets
//! (recovered from the archive if the cache no longer has it), or views a study online with
//! the ZIP's own viewer (`viewer`). Five wrong codes block the
//! link; the patient sees every share with its accesses (time, IP) and revokes it at once;
//! every access is in the audit log ("Chi ha consultato i miei dati") and in
//! `share_accesses`. The link's token is stored only as its hash, the code as an HMAC with
//! the portal's secret; the doctor's browser holds a signed cookie for an hour.

pub mod doctor;
pub mod patient;
pub mod store;
pub(crate) mod text;
pub mod viewer;
mod views;

/// A share lasts 1 to 30 days; 7 unless the patient chooses.
pub const MIN_DAYS: i64 = 1;
pub const MAX_DAYS: i64 = 30;
pub const DEFAULT_DAYS: i64 = 7;
/// Wrong codes that block a link.
pub const MAX_FAILURES: i64 = 5;
/// How long a doctor's browser stays in after the code.
pub const SESSION_SECS: i64 = 3600;
/// The doctor's cookie.
pub const COOKIE: &str = "cds_share";
/// Patient-side pages, and the doctor's.
pub const PATH: &str = "/condivisioni";
pub const DOCTOR_PATH: &str = "/condivisi";
/// The online viewer's page, after `/condivisi/<token>/` (`viewer::serve`).
pub const VIEWER_INDEX: &str = "viewer/VIEWER/index.html";

/// The code's MAC: the share's public id binds it to one share.
pub fn code_mac(secret: &[u8], public_id: &str, code: &str) -> String {
    crate::crypto::hex(&crate::crypto::hmac(
        secret,
        format!("share-code|{public_id}|{code}").as_bytes(),
    ))
}

fn cookie_sig(secret: &[u8], public_id: &str, issued: i64) -> String {
    crate::crypto::hex(&crate::crypto::hmac(
        secret,
        format!("share-session|{public_id}|{issued}").as_bytes(),
    ))
}

/// The doctor's cookie for one share: `<public id>.<issued>.<mac>`.
pub fn cookie_value(secret: &[u8], public_id: &str, now: i64) -> String {
    format!("{public_id}.{now}.{}", cookie_sig(secret, public_id, now))
}

/// Whether the cookie opens `public_id` now.
pub fn cookie_opens(secret: &[u8], value: &str, public_id: &str, now: i64) -> bool {
    let mut parts = value.splitn(3, '.');
    let (Some(id), Some(issued), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return false;
    };
    id == public_id
        && (now - SESSION_SECS..=now + 60).contains(&issued)
        && crate::crypto::same(sig, &cookie_sig(secret, public_id, issued))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_cookies_are_bound_to_one_share() {
        let s = b"segreto";
        assert_eq!(code_mac(s, "a", "123456"), code_mac(s, "a", "123456"));
        assert_ne!(code_mac(s, "a", "123456"), code_mac(s, "b", "123456"));
        assert_ne!(code_mac(s, "a", "123456"), code_mac(s, "a", "123457"));
        let c = cookie_value(s, "a", 1000);
        assert!(cookie_opens(s, &c, "a", 1000 + SESSION_SECS - 1));
        assert!(!cookie_opens(s, &c, "a", 1000 + SESSION_SECS + 1));
        assert!(!cookie_opens(s, &c, "b", 1001));
        assert!(!cookie_opens(b"altro", &c, "a", 1001));
        assert!(!cookie_opens(s, "a.1000.00", "a", 1001));
    }
}
