//! Kiosk mode: the portal on a shared browser in a waiting room (`[kiosk]`). A browser is a
//! kiosk when its address is in `kiosk.networks`, or when an operator marked it from the
//! back office (`/operatore/chiosco`: a signed cookie, `cds_kiosk`). There the pages are
//! built for touch and for the next person in the queue:
//! - after `kiosk.idle_secs` without input a dialog asks "Sei ancora lì?", and after
//!   `kiosk.countdown_secs` more the patient is logged out and the start page comes back
//!   (app.js; the server's own idle timeout still applies);
//! - forms do not autofill (`autocomplete="off"`), pages are `no-store` and a page restored
//!   from the back/forward cache reloads;
//! - touch targets are at least 48 px (`body.kiosk` in site.css);
//! - instead of **Download**, "Invia al mio cellulare" (an SMS with the portal's address to
//!   the patient's registered mobile: `sms.rs`), and the payment notice opens for printing.

pub mod pages;
pub mod sms;
pub mod text;

use crate::app::App;
use crate::http::req::Ctx;
use std::net::IpAddr;

/// The cookie an operator sets on a kiosk browser.
pub const COOKIE: &str = "cds_kiosk";
/// How long a marked browser stays a kiosk (the browsers' longest cookie life).
pub const MARK_SECS: i64 = 400 * 86_400;

/// `10.1.2.0/24`, `10.1.2.7`, `fd00::/8` → (network, prefix length).
pub fn parse_network(s: &str) -> Result<(IpAddr, u8), String> {
    let (addr, len) = match s.trim().split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s.trim(), None),
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("kiosk.networks: {s:?} non è un indirizzo IP o una rete"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len =
        match len {
            None => max,
            Some(l) => l.parse::<u8>().ok().filter(|l| *l <= max).ok_or_else(|| {
                format!("kiosk.networks: {s:?}: lunghezza del prefisso non valida")
            })?,
        };
    Ok((ip, len))
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u32::from(v4) as u128, 32),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (u32::from(v4) as u128, 32),
            None => (u128::from(v6), 128),
        },
    }
}

/// Whether `ip` is in the network `(net, len)`.
pub fn contains((net, len): (IpAddr, u8), ip: IpAddr) -> bool {
    let ((n, width), (a, w)) = (bits(net), bits(ip));
    if width != w {
        return false;
    }
    let shift = u32::from(width - len);
    (n >> shift) == (a >> shift) || len == 0
}

fn signature(secret: &[u8], issued: i64) -> String {
    crate::crypto::hex(&crate::crypto::hmac(
        secret,
        format!("kiosk|{issued}").as_bytes(),
    ))
}

/// The value of a new mark: `<issued>.<hmac>`.
pub fn mark(secret: &[u8], now: i64) -> String {
    format!("{now}.{}", signature(secret, now))
}

/// A mark made by this portal and not older than `MARK_SECS`.
pub fn valid_mark(secret: &[u8], value: &str, now: i64) -> bool {
    let Some((issued, sig)) = value.split_once('.') else {
        return false;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return false;
    };
    (now - MARK_SECS..=now + 60).contains(&issued)
        && crate::crypto::same(sig, &signature(secret, issued))
}

/// Whether this request comes from a kiosk.
pub fn detect(app: &App, ctx: &Ctx) -> bool {
    app.config
        .kiosk
        .networks
        .iter()
        .filter_map(|n| parse_network(n).ok())
        .any(|n| contains(n, ctx.ip))
        || ctx
            .cookie(COOKIE)
            .is_some_and(|v| valid_mark(&app.secret, v, app.now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_addresses() {
        let net = parse_network("10.1.2.0/24").unwrap();
        assert!(contains(net, "10.1.2.77".parse().unwrap()));
        assert!(!contains(net, "10.1.3.1".parse().unwrap()));
        assert!(contains(net, "::ffff:10.1.2.5".parse().unwrap()));
        let one = parse_network("192.168.0.9").unwrap();
        assert!(contains(one, "192.168.0.9".parse().unwrap()));
        assert!(!contains(one, "192.168.0.8".parse().unwrap()));
        let v6 = parse_network("fd00::/8").unwrap();
        assert!(contains(v6, "fd12::1".parse().unwrap()));
        assert!(!contains(v6, "10.0.0.1".parse().unwrap()));
        assert!(contains(
            parse_network("0.0.0.0/0").unwrap(),
            "8.8.8.8".parse().unwrap()
        ));
        for bad in ["10.1.2.0/33", "chiosco", "10.1.2.0/x", ""] {
            assert!(parse_network(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn marks_are_signed_and_expire() {
        let secret = b"segreto-di-prova";
        let m = mark(secret, 1_000_000);
        assert!(valid_mark(secret, &m, 1_000_100));
        assert!(!valid_mark(b"altro segreto", &m, 1_000_100));
        assert!(!valid_mark(secret, &m, 1_000_000 + MARK_SECS + 1));
        assert!(!valid_mark(
            secret,
            &m.replace("1000000.", "1000001."),
            1_000_100
        ));
        assert!(!valid_mark(secret, "1", 1_000_100));
    }
}
