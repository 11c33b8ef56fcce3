//! `/lingua/<it|en>?da=<path>`: the language switch on every page. A plain link (no
//! JavaScript, no form: a language is a preference, not an action to protect), which sets
//! the `cds_lang` cookie for a year and goes back to the page it was on.

use super::Lang;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};

const YEAR: i64 = 365 * 24 * 3600;

pub fn handle(ctx: &mut Ctx, code: &str) -> Result<Resp, AppError> {
    let lang = Lang::parse(code).ok_or_else(AppError::not_found)?;
    // Lax, not Strict: a doctor opening a shared link from an e-mail keeps the language.
    ctx.set_cookies.push(crate::http::cookies::set_lax(
        Lang::COOKIE,
        lang.code(),
        YEAR,
        ctx.tls,
    ));
    let back = ctx.query().get("da").to_string();
    Ok(resp::redirect(local(&back)))
}

/// Only a path of this site: `/…`, never `//host` or `/\host` (which browsers read as
/// another site), nor a control character; anything else goes to the start page.
pub fn local(path: &str) -> &str {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\');
    if ok { path } else { "/" }
}

/// The switch's link to `lang` from the page at `path` (with its query).
pub fn href(lang: Lang, path_and_query: &str) -> String {
    format!(
        "/lingua/{}?da={}",
        lang.code(),
        crate::http::req::encode(path_and_query)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn goes_back_only_to_this_site() {
        for (from, to) in [
            ("/documenti?dal=2026-01-01", "/documenti?dal=2026-01-01"),
            ("//evil.example/x", "/"),
            ("/\\evil.example", "/"),
            ("https://evil.example", "/"),
            ("/a\r\nSet-Cookie: x=1", "/"),
            ("", "/"),
        ] {
            assert_eq!(super::local(from), to, "{from:?}");
        }
        assert_eq!(
            super::href(super::Lang::En, "/ordini?x=1&y=2"),
            "/lingua/en?da=%2Fordini%3Fx%3D1%26y%3D2"
        );
    }
}
