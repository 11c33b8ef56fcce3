//! `Set-Cookie` values: always `HttpOnly; SameSite=Strict; Path=/`, `Secure` and the
//! `__Host-` name prefix under TLS (one exception, `cds_oidc`, is Lax: see `set_lax`).

pub const SESSION: &str = "cds_session";
/// An operator's session (back office): a cookie of its own, never the patient's.
pub const OPERATOR: &str = "cds_op";
/// Anonymous browser id that binds signed CSRF tokens of anonymous forms.
pub const PRE: &str = "cds_pre";

/// The name a cookie has in the browser: under TLS with the `__Host-` prefix, which the
/// browser accepts only from this host, `Secure`, `Path=/` and without `Domain` — so a
/// sibling subdomain cannot plant it (`Ctx::cookie` reads the same name).
pub fn wire_name(name: &str, tls: bool) -> String {
    if tls {
        format!("{HOST_PREFIX}{name}")
    } else {
        name.to_string()
    }
}

pub const HOST_PREFIX: &str = "__Host-";

pub fn set(name: &str, value: &str, max_age: Option<i64>, tls: bool) -> String {
    let name = wire_name(name, tls);
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if tls {
        c.push_str("; Secure");
    }
    c
}

/// The browser binding of a SPID/CIE login: `SameSite=Lax`, because the provider sends the
/// browser back with a cross-site top-level GET, where a Strict cookie would be withheld.
pub const OIDC: &str = "cds_oidc";

pub fn set_lax(name: &str, value: &str, max_age: i64, tls: bool) -> String {
    set(name, value, Some(max_age), tls).replace("SameSite=Strict", "SameSite=Lax")
}

pub fn clear(name: &str, tls: bool) -> String {
    set(name, "", Some(0), tls)
}
