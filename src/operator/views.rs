//! The back office's shell (its own header and menu, by role), its login pages, the
//! operator's profile and the home page with what waits for the ASL.

use super::auth::Current;
use super::{HOME, Role};
use crate::app::App;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui::{self, Field};
use maud::{Markup, PreEscaped, html};

const MENU: &[(&str, &str, Role)] = &[
    ("/operatore", "Riepilogo", Role::Operatore),
    ("/operatore/pazienti", "Pazienti", Role::Operatore),
    ("/operatore/richieste", "Richieste", Role::Operatore),
    ("/operatore/ordini", "Ordini", Role::Operatore),
    ("/operatore/registro", "Registro accessi", Role::Operatore),
    (
        "/operatore/riconciliazioni",
        "Riconciliazioni",
        Role::Operatore,
    ),
    ("/operatore/chiosco", "Chiosco", Role::Operatore),
    ("/operatore/listino", "Listino", Role::Amministratore),
    ("/operatore/operatori", "Operatori", Role::Amministratore),
    ("/operatore/token", "Token API", Role::Amministratore),
];

/// A back office page: `active` is the menu entry to mark.
pub fn page(app: &App, ctx: &Ctx, title: &str, active: Option<&str>, body: Markup) -> Markup {
    let o = ctx.operator.as_ref().filter(|o| o.verified);
    ui::document(
        app,
        crate::i18n::Lang::It,
        title,
        ctx.operator.as_ref().map(|o| o.csrf_token.as_str()),
        header(app, o, active),
        body,
        html! { footer class="site-footer" { div class="container" {
            p { "Back office di " (app.config.asl.name) " · ogni operazione è registrata" }
        } } },
    )
}

fn header(app: &App, o: Option<&Current>, active: Option<&str>) -> Markup {
    let asl = &app.config.asl;
    html! {
        header class="site-header back-office" {
            div class="slim-bar" { div class="container" { (asl.parent) " · Back office" } }
            div class="container brand" {
                img src="/logo" alt="" width="48" height="48";
                div {
                    p class="brand-name" {
                        span class="brand-long" { (asl.name) }
                        span class="brand-short" { (asl.short_name()) }
                    }
                    p class="brand-tagline" { "Back office degli operatori" }
                }
            }
            @if let Some(o) = o {
                nav class="main-nav" aria-label="Menu del back office" {
                    div class="container" {
                        ul {
                            @for (href, label, role) in MENU {
                                @if o.role >= *role {
                                    li { a href=(href) aria-current=[(active == Some(*href)).then_some("page")] { (label) } }
                                }
                            }
                            li { a href="/operatore/profilo" aria-current=[(active == Some("/operatore/profilo")).then_some("page")] { "Profilo" } }
                            li {
                                form method="post" action="/operatore/esci" {
                                    (ui::csrf_field(&o.csrf_token))
                                    button type="submit" class="btn-link" { "Esci" }
                                }
                            }
                        }
                        p class="nav-user" { (o.name()) " · " (o.role.label()) }
                    }
                }
            }
        }
    }
}

/// "Buongiorno" until 13, "Buon pomeriggio" until 18, then "Buonasera" (Rome time).
fn greeting(now: i64) -> &'static str {
    let hour = crate::ui::time::clock(now)
        .split(':')
        .next()
        .and_then(|h| h.parse::<u8>().ok())
        .unwrap_or(12);
    match hour {
        5..=12 => "Buongiorno",
        13..=17 => "Buon pomeriggio",
        _ => "Buonasera",
    }
}

pub fn error_page(app: &App, ctx: &Ctx, e: &AppError) -> Markup {
    page(
        app,
        ctx,
        e.title().it,
        None,
        html! {
            section class="error-page" {
                p class="error-code" aria-hidden="true" { (e.status().as_u16()) }
                h1 class="page-title" { (e.title().it) }
                p { (e.for_person().italian()) }
                p { a class="btn btn-primary" href=(HOME) { "Torna al back office" } }
            }
        },
    )
}

pub fn alert(a: Option<(&str, &str)>) -> Markup {
    html! { @if let Some((kind, msg)) = a { (ui::alert(kind, msg)) } }
}

pub fn login(
    app: &App,
    ctx: &Ctx,
    csrf: &str,
    username: &str,
    alert: Option<(&str, String)>,
) -> Markup {
    page(
        app,
        ctx,
        "Accesso operatori",
        None,
        html! {
            div class="narrow" {
                h1 class="page-title" { "Accesso operatori" }
                @if let Some((kind, msg)) = &alert { (ui::alert(kind, msg)) }
                form method="post" action="/operatore/accedi" class="card" {
                    (ui::csrf_field(csrf))
                    (ui::field(&Field { name: "username", label: "Nome utente", kind: "text", value: username,
                        hint: None, error: None, autocomplete: "username", inputmode: None, maxlength: 64 }))
                    (ui::field(&Field { name: "password", label: "Password", kind: "password", value: "",
                        hint: None, error: None, autocomplete: "current-password", inputmode: None, maxlength: 256 }))
                    button type="submit" class="btn btn-primary" { "Accedi" }
                }
                p class="hint" { "Sei un paziente? " a href="/accedi" { "Accedi al portale" } "." }
            }
        },
    )
}

/// An `otpauth://` URI as an inline SVG QR code (no script, no image request).
pub fn qr_svg(data: &str) -> Markup {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
    else {
        return html! {};
    };
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % width + 4, i / width + 4));
        }
    }
    let side = width + 8;
    PreEscaped(format!(
        "<svg class=\"qr\" role=\"img\" aria-label=\"Codice QR da inquadrare con l'app di autenticazione\" \
         xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"220\" height=\"220\" \
         shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// Enrolment: the QR code, the secret written out, and the first code.
fn enrolment(app: &App, o: &Current, signed: &str) -> Markup {
    let secret = signed.split('.').next().unwrap_or_default();
    let uri = super::totp::uri(app.config.asl.short_name(), &o.username, secret);
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    html! {
        ol {
            li { "Apri un'app di autenticazione (per esempio FreeOTP, Aegis, Google o Microsoft Authenticator)." }
            li { "Inquadra questo codice QR:" div class="qr-box" { (qr_svg(&uri)) } }
            li { "Se non puoi inquadrarlo, inserisci a mano la chiave: " code class="secret" { (grouped.join(" ")) } }
            li { "Scrivi qui sotto il codice di 6 cifre che l'app mostra." }
        }
        input type="hidden" name="segreto" value=(signed);
    }
}

fn code_field(error: Option<&str>) -> Markup {
    ui::field(&Field {
        name: "codice",
        label: "Codice di verifica (6 cifre)",
        kind: "text",
        value: "",
        hint: None,
        error,
        autocomplete: "one-time-code",
        inputmode: Some("numeric"),
        maxlength: 7,
    })
}

pub fn code(app: &App, ctx: &Ctx, o: &Current, enrol: Option<&str>, error: Option<&str>) -> Markup {
    page(
        app,
        ctx,
        "Verifica in due passaggi",
        None,
        html! {
            div class="narrow" {
                h1 class="page-title" { "Verifica in due passaggi" }
                form method="post" action="/operatore/accedi/codice" class="card" {
                    (ui::csrf_field(&o.csrf_token))
                    @if let Some(signed) = enrol {
                        p { "L'amministratore ha reso obbligatoria la verifica in due passaggi per il tuo utente. Attivala ora:" }
                        (enrolment(app, o, signed))
                    } @else {
                        p { "Inserisci il codice che l'app di autenticazione mostra per " strong { (o.username) } "." }
                    }
                    (code_field(error))
                    button type="submit" class="btn btn-primary" { "Verifica" }
                }
            }
        },
    )
}

pub fn profile(
    app: &App,
    ctx: &Ctx,
    o: &Current,
    enrol: Option<&str>,
    alert: Option<(&str, &str)>,
) -> Markup {
    let pw = |name: &'static str, label: &'static str, auto: &'static str| {
        ui::field(&Field {
            name,
            label,
            kind: "password",
            value: "",
            hint: None,
            error: None,
            autocomplete: auto,
            inputmode: None,
            maxlength: 256,
        })
    };
    page(
        app,
        ctx,
        "Profilo",
        Some("/operatore/profilo"),
        html! {
            h1 class="page-title" { "Profilo" }
            (self::alert(alert))
            p { "Utente " strong { (o.username) } " · " (o.role.label()) }
            section class="card" aria-labelledby="cambia-password" {
                h2 id="cambia-password" { "Cambia la password" }
                form method="post" action="/operatore/profilo" {
                    (ui::csrf_field(&o.csrf_token))
                    input type="hidden" name="azione" value="password";
                    (pw("attuale", "Password attuale", "current-password"))
                    (pw("nuova", "Nuova password (almeno 12 caratteri)", "new-password"))
                    (pw("conferma", "Ripeti la nuova password", "new-password"))
                    button type="submit" class="btn btn-primary" { "Cambia password" }
                }
            }
            section class="card" aria-labelledby="due-passaggi" {
                h2 id="due-passaggi" { "Verifica in due passaggi" }
                @if o.totp_enrolled {
                    p { "Attiva: a ogni accesso ti viene chiesto il codice dell'app di autenticazione." }
                    @if !o.totp_required {
                        form method="post" action="/operatore/profilo" {
                            (ui::csrf_field(&o.csrf_token))
                            input type="hidden" name="azione" value="totp_disattiva";
                            button type="submit" class="btn btn-outline" { "Disattiva" }
                        }
                    } @else {
                        p class="hint" { "Obbligatoria per il tuo utente (decisione dell'amministratore)." }
                    }
                } @else if let Some(signed) = enrol {
                    form method="post" action="/operatore/profilo" {
                        (ui::csrf_field(&o.csrf_token))
                        input type="hidden" name="azione" value="totp_attiva";
                        (enrolment(app, o, signed))
                        (code_field(None))
                        button type="submit" class="btn btn-primary" { "Attiva" }
                    }
                }
            }
        },
    )
}

/// What waits for the ASL: open requests, flagged orders, pending payments.
pub async fn home(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = super::auth::current(ctx)?.clone();
    let counts = app
        .db
        .read(|c| {
            let n = |sql: &str| -> rusqlite::Result<i64> { c.query_row(sql, [], |r| r.get(0)) };
            Ok([
                n("SELECT count(*) FROM support_requests WHERE state = 'open'")?,
                n("SELECT count(*) FROM orders WHERE flag IS NOT NULL AND flag_state IS NULL")?,
                n("SELECT count(*) FROM orders WHERE state = 'pending'")?,
                n("SELECT count(*) FROM patients")?,
            ])
        })
        .await?;
    let [open, flagged, pending, patients] = counts;
    let body = html! {
        h1 class="page-title" { "Riepilogo" }
        p { (greeting(app.now())) ", " (o.name()) "." }
        ul class="tiles" {
            li { a href="/operatore/richieste?stato=open" { strong { (open) } (if open == 1 { " richiesta da evadere" } else { " richieste da evadere" }) } }
            li { a href="/operatore/ordini?segnalati=1" { strong { (flagged) } (if flagged == 1 { " ordine segnalato da gestire" } else { " ordini segnalati da gestire" }) } }
            li { a href="/operatore/ordini?stato=pending" { strong { (pending) } (if pending == 1 { " ordine in attesa di pagamento" } else { " ordini in attesa di pagamento" }) } }
            li { a href="/operatore/pazienti" { strong { (patients) } (if patients == 1 { " paziente registrato" } else { " pazienti registrati" }) } }
        }
    };
    Ok(resp::ok_html(page(app, ctx, "Riepilogo", Some(HOME), body)))
}
