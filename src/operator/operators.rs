//! Operators, for administrators: create one (a random password shown once), change a
//! role, disable or enable, give a new password, require the second factor or reset it.
//! The last active administrator can be neither disabled nor demoted.

use super::auth::{self, Current};
use super::{Role, store, views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui::{self, Field, time};
use hyper::StatusCode;
use maud::html;

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    render_list(app, ctx, StatusCode::OK, None, None).await
}

async fn render_list(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    created: Option<(&str, &str)>,
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let all = app.db.read(|c| Ok(store::list(c)?)).await?;
    let body = html! {
        h1 class="page-title" { "Operatori" }
        (views::alert(alert))
        @if let Some((user, password)) = created {
            div class="alert alert-warning" role="alert" {
                p { "Password iniziale di " strong { (user) } ": comunicala all'operatore, che la cambierà dal suo Profilo. Non sarà più mostrata." }
                p { code class="secret" { (password) } }
            }
        }
        div class="table-wrap" { table class="table" {
            caption class="visually-hidden" { "Operatori" }
            thead { tr { th scope="col" { "Utente" } th scope="col" { "Nome" } th scope="col" { "Ruolo" }
                th scope="col" { "Verifica in due passaggi" } th scope="col" { "Stato" } } }
            tbody { @for o in &all { tr {
                td { a href={ "/operatore/operatori/" (o.id) } { (o.username) } }
                td { (o.display_name) }
                td { (o.role.label()) }
                td { @if o.totp_secret.is_some() { "attiva" } @else if o.totp_required { "richiesta, non ancora attivata" } @else { "no" } }
                td { @if o.disabled_at.is_some() { "disattivato" } @else if o.locked_until.is_some_and(|u| u > app.now()) { "bloccato" } @else { "attivo" } }
            } } }
        } }
        section class="card" aria-labelledby="nuovo-operatore" {
            h2 id="nuovo-operatore" { "Nuovo operatore" }
            form method="post" action="/operatore/operatori" {
                (ui::csrf_field(&me.csrf_token))
                (ui::field(&Field { name: "username", label: "Nome utente", kind: "text", value: "",
                    hint: Some("Da 3 a 64 caratteri: lettere, cifre, punto, trattino, trattino basso."), error: None,
                    autocomplete: "off", inputmode: None, maxlength: 64 }))
                (ui::field(&Field { name: "nome", label: "Nome e cognome", kind: "text", value: "",
                    hint: None, error: None, autocomplete: "off", inputmode: None, maxlength: 100 }))
                (role_select(Role::Operatore))
                button type="submit" class="btn btn-primary" { "Crea operatore" }
            }
        }
    };
    Ok(resp::html(
        status,
        views::page(app, ctx, "Operatori", Some("/operatore/operatori"), body),
    ))
}

fn role_select(selected: Role) -> maud::Markup {
    html! {
        div class="field" {
            label for="f-ruolo" { "Ruolo" }
            select id="f-ruolo" name="ruolo" {
                @for r in [Role::Operatore, Role::Amministratore] {
                    option value=(r.as_db()) selected[r == selected] { (r.label()) }
                }
            }
        }
    }
}

/// A username as typed: 3–64 of letters, digits, `.`, `-`, `_`.
pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

pub async fn create(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let form = ctx.form();
    let username = form.get("username").trim().to_string();
    let name = form.get("nome").trim().to_string();
    let Some(role) = Role::parse(form.get("ruolo")) else {
        return Err(AppError::bad_request("Ruolo non valido."));
    };
    let wrong = if !valid_username(&username) {
        Some(
            "Nome utente non valido: da 3 a 64 caratteri tra lettere, cifre, punto, trattino, trattino basso.",
        )
    } else if name.is_empty() || name.chars().count() > 100 {
        Some("Inserisci nome e cognome dell'operatore (al massimo 100 caratteri).")
    } else {
        None
    };
    if let Some(msg) = wrong {
        return render_list(
            app,
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(("danger", msg)),
            None,
        )
        .await;
    }
    let password = auth::random_password();
    let hash = app.hasher.hash(password.clone()).await?;
    let (now, ip, user) = (app.now(), ctx.ip.to_string(), username.clone());
    let created = app
        .db
        .write(move |tx| {
            let id = store::insert(tx, &user, &name, role, &hash, now)?;
            if let Some(id) = id {
                audit::log(
                    tx,
                    now,
                    &Entry::by(me.actor())
                        .action("operator_create")
                        .detail(format!("operatore {id} ({user}, {})", role.as_db()))
                        .ip(&ip),
                )?;
            }
            Ok(id)
        })
        .await?;
    if created.is_none() {
        return render_list(
            app,
            ctx,
            StatusCode::CONFLICT,
            Some(("danger", "Esiste già un operatore con questo nome utente.")),
            None,
        )
        .await;
    }
    render_list(app, ctx, StatusCode::OK, None, Some((&username, &password))).await
}

pub async fn show(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    render_one(app, ctx, id, StatusCode::OK, None, None).await
}

async fn render_one(
    app: &App,
    ctx: &Ctx,
    id: i64,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    password: Option<&str>,
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let o = app
        .db
        .read(move |c| Ok(store::get(c, id)?))
        .await?
        .ok_or_else(|| AppError::missing("Operatore non trovato."))?;
    let action = |value: &str, label: &str| {
        html! {
            form method="post" action={ "/operatore/operatori/" (o.id) } class="inline-form" {
                (ui::csrf_field(&me.csrf_token))
                input type="hidden" name="azione" value=(value);
                button type="submit" class="btn btn-outline" { (label) }
            }
        }
    };
    let body = html! {
        p { a href="/operatore/operatori" { "← Operatori" } }
        h1 class="page-title" { "Operatore " (o.username) }
        (views::alert(alert))
        @if let Some(p) = password {
            div class="alert alert-warning" role="alert" {
                p { "Nuova password: comunicala all'operatore. Non sarà più mostrata." }
                p { code class="secret" { (p) } }
            }
        }
        dl class="details" {
            dt { "Nome" } dd { (o.display_name) }
            dt { "Ruolo" } dd { (o.role.label()) }
            dt { "Creato il" } dd { (time::datetime(o.created_at)) }
            dt { "Stato" } dd {
                @if o.disabled_at.is_some() { "disattivato" }
                @else if let Some(until) = o.locked_until.filter(|u| *u > app.now()) { "bloccato fino alle " (time::clock(until)) }
                @else { "attivo" }
            }
            dt { "Tentativi errati di seguito" } dd { (o.failures) }
            dt { "Verifica in due passaggi" } dd {
                @if o.totp_secret.is_some() { "attiva" } @else { "non attiva" }
                @if o.totp_required { " (obbligatoria)" }
            }
        }
        section class="card" aria-labelledby="ruolo" {
            h2 id="ruolo" { "Ruolo" }
            form method="post" action={ "/operatore/operatori/" (o.id) } {
                (ui::csrf_field(&me.csrf_token))
                input type="hidden" name="azione" value="ruolo";
                (role_select(o.role))
                button type="submit" class="btn btn-primary" { "Salva il ruolo" }
            }
        }
        section class="card" aria-labelledby="azioni" {
            h2 id="azioni" { "Azioni" }
            div class="actions" {
                (action("password", "Genera una nuova password"))
                @if o.totp_required { (action("totp_facoltativa", "Rendi facoltativa la verifica in due passaggi")) }
                @else { (action("totp_obbligatoria", "Rendi obbligatoria la verifica in due passaggi")) }
                @if o.totp_secret.is_some() { (action("totp_azzera", "Azzera la verifica in due passaggi (telefono perso)")) }
                @if o.disabled_at.is_some() { (action("attiva", "Riattiva")) } @else { (action("disattiva", "Disattiva")) }
            }
        }
    };
    Ok(resp::html(
        status,
        views::page(app, ctx, "Operatore", Some("/operatore/operatori"), body),
    ))
}

pub async fn act(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    let me: Current = auth::current(ctx)?.clone();
    let form = ctx.form();
    let action = form.get("azione").to_string();
    let role = Role::parse(form.get("ruolo"));
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let mut password = None;
    let hash = if action == "password" {
        let p = auth::random_password();
        let h = app.hasher.hash(p.clone()).await?;
        password = Some(p);
        Some(h)
    } else {
        None
    };
    let myself = me.id == id;
    let outcome = app
        .db
        .write(move |tx| -> Result<Result<&'static str, &'static str>, AppError> {
            let Some(o) = store::get(tx, id)? else {
                return Err(AppError::missing("Operatore non trovato."));
            };
            let last_admin = o.role == Role::Amministratore
                && o.disabled_at.is_none()
                && store::active_admins(tx)? <= 1;
            let done = match action.as_str() {
                "ruolo" => {
                    let Some(r) = role else {
                        return Err(AppError::bad_request("Ruolo non valido."));
                    };
                    if r != Role::Amministratore && last_admin {
                        return Ok(Err("È l'ultimo amministratore attivo: nomina prima un altro amministratore."));
                    }
                    store::set_role(tx, id, r)?;
                    "Ruolo salvato."
                }
                "disattiva" => {
                    if myself {
                        return Ok(Err("Non puoi disattivare il tuo stesso utente."));
                    }
                    if last_admin {
                        return Ok(Err("È l'ultimo amministratore attivo: non può essere disattivato."));
                    }
                    store::set_disabled(tx, id, Some(now))?;
                    "Operatore disattivato: le sue sessioni sono state chiuse."
                }
                "attiva" => {
                    store::set_disabled(tx, id, None)?;
                    "Operatore riattivato."
                }
                "password" if myself => {
                    return Ok(Err("Per la tua password usa la pagina Profilo."));
                }
                "password" => {
                    store::set_password(tx, id, hash.as_deref().unwrap_or_default(), now)?;
                    "Nuova password generata: le sessioni dell'operatore sono state chiuse."
                }
                "totp_obbligatoria" => {
                    store::set_totp_required(tx, id, true)?;
                    "Verifica in due passaggi obbligatoria: sarà chiesta (o attivata) al prossimo accesso."
                }
                "totp_facoltativa" => {
                    store::set_totp_required(tx, id, false)?;
                    "Verifica in due passaggi resa facoltativa."
                }
                "totp_azzera" => {
                    store::set_totp_secret(tx, id, None, None)?;
                    store::end_all(tx, id)?;
                    "Verifica in due passaggi azzerata: l'operatore la attiverà di nuovo."
                }
                _ => return Err(AppError::bad_request("Azione non valida.")),
            };
            audit::log(
                tx,
                now,
                &Entry::by(me.actor())
                    .action("operator_update")
                    .detail(format!("operatore {id}: {action}"))
                    .ip(&ip),
            )?;
            Ok(Ok(done))
        })
        .await?;
    match outcome {
        Ok(msg) => {
            render_one(
                app,
                ctx,
                id,
                StatusCode::OK,
                Some(("success", msg)),
                password.as_deref(),
            )
            .await
        }
        Err(msg) => {
            render_one(
                app,
                ctx,
                id,
                StatusCode::CONFLICT,
                Some(("danger", msg)),
                None,
            )
            .await
        }
    }
}
