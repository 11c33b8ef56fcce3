//! CSRF tokens. A session has its own token (stored with it); an anonymous form gets a
//! signed token bound to the `cds_pre` cookie, so anonymous page views write nothing.

use crate::crypto;
use crate::http::cookies;
use crate::http::req::Ctx;

const ANON_TTL_SECS: i64 = 2 * 3600;

/// The token to embed in an anonymous form; sets the `cds_pre` cookie when missing.
pub fn anon_token(ctx: &mut Ctx, secret: &[u8], now: i64) -> String {
    let pre = match ctx.cookie(cookies::PRE) {
        Some(p) if p.len() == 32 && p.bytes().all(|b| b.is_ascii_hexdigit()) => p.to_string(),
        _ => {
            let p = crypto::hex(&crypto::random_bytes::<16>());
            ctx.set_cookies
                .push(cookies::set(cookies::PRE, &p, None, ctx.tls));
            // Later in this request the new cookie counts as the browser's.
            ctx.headers.append(
                hyper::header::COOKIE,
                hyper::header::HeaderValue::from_str(&format!(
                    "{}={p}",
                    cookies::wire_name(cookies::PRE, ctx.tls)
                ))
                .expect("hex is a valid header"),
            );
            p
        }
    };
    sign(secret, &pre, now)
}

fn sign(secret: &[u8], pre: &str, ts: i64) -> String {
    let mac = crypto::hmac(secret, format!("csrf|{pre}|{ts}").as_bytes());
    format!("{ts}.{}", crypto::hex(&mac))
}

fn anon_valid(ctx: &Ctx, secret: &[u8], token: &str, now: i64) -> bool {
    let (Some(pre), Some((ts, _))) = (ctx.cookie(cookies::PRE), token.split_once('.')) else {
        return false;
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return false;
    };
    (now - ANON_TTL_SECS..=now + 60).contains(&ts) && crypto::same(&sign(secret, pre, ts), token)
}

/// The token a state-changing request carries: `X-CSRF-Token` header (htmx) or `csrf` field.
pub fn presented(ctx: &Ctx) -> String {
    match ctx.header("x-csrf-token") {
        Some(t) => t.to_string(),
        None => ctx.form().get("csrf").to_string(),
    }
}

/// True when the request carries the session's token (`session`: the patient's, or the
/// operator's on the back office); or, on the anonymous forms' routes (`anonymous_form`:
/// login, new PIN, the sandboxes), a valid anonymous token. With a session anywhere else
/// only the session's own token counts: an anonymous token bound to a `cds_pre` cookie
/// someone planted cannot act for the patient.
pub fn verify(
    ctx: &Ctx,
    secret: &[u8],
    now: i64,
    anonymous_form: bool,
    session: Option<&str>,
) -> bool {
    let token = presented(ctx);
    verify_token(ctx, secret, now, anonymous_form, session, &token)
}

/// `verify` for a token read elsewhere (the first field of a multipart upload).
pub fn verify_token(
    ctx: &Ctx,
    secret: &[u8],
    now: i64,
    anonymous_form: bool,
    session: Option<&str>,
    token: &str,
) -> bool {
    if token.is_empty() {
        return false;
    }
    match session {
        Some(s) if crypto::same(s, token) => true,
        Some(_) if !anonymous_form => false,
        _ => anon_valid(ctx, secret, token, now),
    }
}
