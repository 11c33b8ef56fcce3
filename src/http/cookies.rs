//! `Set-Cookie` values: always `HttpOnly; SameSite=Strict; Path=/`, `Secure` under TLS.

pub const SESSION: &str = "cds_session";
/// Anonymous browser id that binds signed CSRF tokens of anonymous forms.
pub const PRE: &str = "cds_pre";

pub fn set(name: &str, value: &str, max_age: Option<i64>, tls: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if tls {
        c.push_str("; Secure");
    }
    c
}

pub fn clear(name: &str, tls: bool) -> String {
    set(name, "", Some(0), tls)
}
