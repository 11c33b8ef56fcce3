//! Entering with a strong digital identity: the GET page of "Entra con SPID/CIE", the demo's
//! sandbox identity page (`/sandbox/spid`, only with `sandbox = true`, which production
//! refuses), and `enter`, which turns a checked identity into a session — for SPID/CIE and
//! the sandbox alike. A codice fiscale not yet known enters too (the identity is strong): the
//! patient is created from the claims and told that no document is there yet.

use super::oidc::claims::Identity;
use super::{LANDING, sessions, text};
use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::csrf;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Lang;
use crate::ui::{self, Page};
use maud::html;

pub const SANDBOX: &str = "/sandbox/spid";

/// GET `/accedi/spid` or `/accedi/cie`: the button again (a bookmark, a link from elsewhere).
pub fn page(app: &App, ctx: &mut Ctx, provider: &str) -> Result<Resp, AppError> {
    let l = ctx.lang;
    let name = if provider == "cie" {
        l.t(text::CIE_NAME)
    } else {
        "SPID"
    };
    let ready = app.oidc.get(provider).is_some() || app.config.sandbox;
    let token = csrf::anon_token(ctx, &app.secret, app.now());
    let body = html! {
        div class="login-box card" {
            h1 class="page-title" { (l.f(text::ACCESS_WITH, &[&name])) }
            @if ready {
                p { (l.t(text::PRESS_BUTTON)) }
                (super::views::identity_buttons(l, &token))
            } @else {
                (ui::alert("info", l.t(text::OIDC_NOT_ACTIVE)))
                @if app.config.auth.pin {
                    p { a class="btn btn-primary" href="/accedi" { (l.t(text::LOGIN_WITH_PIN)) } }
                }
            }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::ACCESS_TITLE),
            active: None,
        },
        body,
    )))
}

/// The demo's identities: its patients, and one person the portal does not know yet.
fn sandbox_people() -> Vec<Identity> {
    let mut people: Vec<Identity> = crate::demo::PATIENTS
        .iter()
        .map(|p| Identity {
            codice_fiscale: p.cf.into(),
            given_name: p.given.into(),
            family_name: p.family.into(),
        })
        .collect();
    people.push(Identity {
        codice_fiscale: "MRTMTT25D09F205Z".into(),
        given_name: "Matteo".into(),
        family_name: "Martini".into(),
    });
    people
}

/// `/sandbox/spid`: pick a demo identity (GET lists, POST enters). It plays an outside
/// provider's page, so it stays in Italian whatever the portal's language (as SPID's would);
/// the portal's own page after it (`enter`) follows the patient's language again.
pub async fn sandbox(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let people = sandbox_people();
    if ctx.method == hyper::Method::POST {
        let f = ctx.form();
        let who = f
            .get("persona")
            .parse::<usize>()
            .ok()
            .and_then(|i| people.get(i));
        let via = if f.get("via") == "cie" { "cie" } else { "spid" };
        let Some(id) = who.cloned() else {
            // The provider's own refusal: Italian, like its page.
            ctx.lang = Lang::It;
            return Err(AppError::bad_request(
                "Scegli una delle identità dimostrative.",
            ));
        };
        return enter(app, ctx, id, via, None).await;
    }
    let via = if ctx.query().get("via") == "cie" {
        "cie"
    } else {
        "spid"
    };
    let token = csrf::anon_token(ctx, &app.secret, app.now());
    // The outside provider's page: Italian, its shell too.
    ctx.lang = Lang::It;
    let body = html! {
        h1 class="page-title" { "Gestore dell'identità (simulazione)" }
        (ui::alert("info", "Ambiente dimostrativo: scegli con quale identità entrare. Nessun vero SPID o CIE è coinvolto."))
        ul class="plain-list" {
            @for (i, p) in people.iter().enumerate() {
                li {
                    form class="inline" method="post" action=(SANDBOX) {
                        (ui::csrf_field(&token))
                        input type="hidden" name="via" value=(via);
                        input type="hidden" name="persona" value=(i);
                        button type="submit" class="btn btn-outline" {
                            "Entra come " (p.given_name) " " (p.family_name)
                        }
                    }
                    " " span class="mono" { (p.codice_fiscale) }
                }
            }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: "Identità digitale (simulazione)",
            active: None,
        },
        body,
    )))
}

/// Opens a session for a checked identity. The answer is a small page that moves on by
/// itself: after the provider's cross-site redirect a 303 would carry the browser on without
/// the new SameSite=Strict session cookie.
pub async fn enter(
    app: &App,
    ctx: &mut Ctx,
    id: Identity,
    method: &'static str,
    id_token: Option<String>,
) -> Result<Resp, AppError> {
    if id.codice_fiscale.len() != 16 {
        return Err(AppError::new(Kind::Forbidden, text::CF_NOT_VALID));
    }
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let provider = id_token.as_ref().map(|_| method);
    let previous = sessions::cookie_hash(ctx);
    let (token, new) = app
        .db
        .write(move |tx| {
            if let Some(h) = previous {
                super::store::end(tx, &h)?;
            }
            let (patient, new) = crate::patients::store::from_identity(
                tx,
                &id.codice_fiscale,
                &id.given_name,
                &id.family_name,
                now,
            )?;
            let at_provider = provider.zip(id_token.as_deref());
            let token = super::store::create(tx, patient, method, at_provider, now)?;
            crate::audit::record(tx, now, Some(patient), "login", method, &ip)?;
            Ok((token, new))
        })
        .await?;
    sessions::opened(app, ctx, &token).await?;
    app.metrics
        .logins
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let l = ctx.lang;
    let body = html! {
        div class="login-box card" {
            h1 class="page-title" { (l.t(text::ENTERED)) }
            @if new {
                (ui::alert("info", l.t(text::WELCOME_NEW)))
            }
            p { a class="btn btn-primary" href=(LANDING) { (l.t(text::CONTINUE)) } }
        }
    };
    let mut r = resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::ENTERED),
            active: None,
        },
        body,
    ));
    if !new {
        r.headers_mut().insert(
            "refresh",
            hyper::header::HeaderValue::from_str(&format!("0;url={LANDING}"))
                .map_err(AppError::internal)?,
        );
    }
    Ok(r)
}
