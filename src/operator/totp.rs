//! The operators' second factor: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps) through
//! the `totp-rs` crate, enrolled by scanning an `otpauth://` QR code with any authenticator
//! app. A code is accepted one step early or late (clock drift), and never twice: the step
//! accepted is stored and only a later one counts next time.

use totp_rs::{Algorithm, Builder, Secret, Totp};

const DIGITS: usize = 6;
const STEP: u64 = 30;

/// A new random secret (160 bits), base32 as authenticator apps show it.
pub fn new_secret() -> String {
    base32(&crate::crypto::random_bytes::<20>())
}

fn totp(secret: &str) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS as u8)
        .with_skew(1)
        .with_step_duration(STEP)
        .with_secret(Secret::try_from_base32(secret).ok()?)
        .build()
        .ok()
}

/// The time step of `code` at `now` (one step of drift either way), if it is right.
pub fn matching_step(secret: &str, code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) || now < 0 {
        return None;
    }
    // One step of drift either way (`with_skew(1)`); the step matched, for replay checks.
    totp(secret)?.check(&code, now as u64).map(|s| s as i64)
}

/// The code of `secret` at `now`.
#[cfg(test)]
pub fn code_at(secret: &str, now: i64) -> Option<String> {
    Some(totp(secret)?.generate(now.max(0) as u64).to_string())
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn uri(issuer: &str, account: &str, secret: &str) -> String {
    let enc = |s: &str| -> String {
        form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// RFC 4648 base32 without padding.
fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(ALPHABET[((bits >> (35 - i * 5)) & 31) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = base32(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(&secret, t).as_deref(), Some(code), "{t}");
        }
    }

    #[test]
    fn drift_of_one_step_and_bad_codes() {
        let s = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&s, now - 30).unwrap();
        assert_eq!(matching_step(&s, &code, now), Some(now / 30 - 1));
        let old = code_at(&s, now - 90).unwrap();
        assert_eq!(matching_step(&s, &old, now), None);
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(matching_step(&s, bad, now), None, "{bad}");
        }
        let spaced = code_at(&s, now).unwrap();
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert_eq!(matching_step(&s, &spaced, now), Some(now / 30));
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let u = uri("ASL Demo", "mario.bianchi", "ABC");
        assert_eq!(
            u,
            "otpauth://totp/ASL%20Demo:mario.bianchi?secret=ABC&issuer=ASL%20Demo&algorithm=SHA1&digits=6&period=30"
        );
    }
}
