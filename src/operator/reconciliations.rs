//! "Riconciliazioni" in the back office: the runs of the reconciliation with the payment
//! provider (`orders::reconciliation`), newest first a page at a time, each with its
//! figures and its lines linking to the orders; "Riconcilia ora" (administrators) starts
//! one in the background, audited, and sends the browser to it.

use super::auth;
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::orders::reconciliation::store::{self, Run};
use crate::orders::reconciliation::{self as recon, Trigger};
use crate::ui::{self, time};
use maud::{Markup, html};

pub const PATH: &str = "/operatore/riconciliazioni";

fn status(r: &Run) -> Markup {
    html! {
        @match r.finished_at {
            Some(t) => { "conclusa il " (time::datetime(t)) }
            None => span class="badge badge-muted" { "IN CORSO O INTERROTTA" },
        }
    }
}

fn figures(r: &Run) -> [(&'static str, i64); 5] {
    [
        ("Controllati", r.checked),
        ("Invariati", r.unchanged),
        ("Modificati", r.changed),
        ("Segnalati", r.flagged),
        ("Errori", r.errors),
    ]
}

fn table(runs: &[Run]) -> Markup {
    html! {
        @if runs.is_empty() { p class="empty" { "Nessuna riconciliazione." } } @else {
            div class="table-wrap" { table class="table" id="riconciliazioni" {
                caption class="visually-hidden" { "Riconciliazioni, dalla più recente" }
                thead { tr {
                    th scope="col" { "Avviata il" } th scope="col" { "Tipo" } th scope="col" { "Giorni" }
                    @for (label, _) in figures(&runs[0]) { th scope="col" { (label) } }
                    th scope="col" { "Stato" }
                } }
                tbody { @for r in runs { tr {
                    td data-label="Avviata il" { a href={ (PATH) "/" (r.id) } { (time::datetime(r.started_at)) } }
                    td data-label="Tipo" { (Trigger::label(&r.trigger)) }
                    td data-label="Giorni" { (r.days) }
                    @for (label, n) in figures(r) { td data-label=(label) { (n) } }
                    td data-label="Stato" { (status(r)) }
                } } }
            } }
        }
    }
}

fn start_form(csrf: &str) -> Markup {
    html! {
        form method="post" action={ (PATH) "/avvia" } class="inline-form" {
            (ui::csrf_field(csrf))
            button type="submit" class="btn btn-primary" { "Riconcilia ora" }
            " "
            span class="hint" { "Chiede subito al fornitore lo stato degli ordini recenti, senza attendere la riconciliazione giornaliera." }
        }
    }
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let q = ctx.query();
    let before = super::cursor(q.get("prima").trim());
    let runs = app
        .db
        .read(move |c| Ok(store::list(c, before, super::PAGE + 1)?))
        .await?;
    let (runs, next) = super::keyset_page(runs, "", |r| (r.started_at, r.id));
    let next = next.map(|n| n.trim_start_matches('&').to_string());
    let cfg = &app.config.payments;
    let body = html! {
        h1 class="page-title" { "Riconciliazioni" }
        p {
            "Ogni giorno alle " (format!("{:02}:00", cfg.reconcile_hour)) " il portale chiede di nuovo al fornitore di pagamento "
            "lo stato degli ordini degli ultimi " (cfg.reconcile_days) " giorni non ancora conclusi, delle conferme interrotte, "
            "degli ordini completati senza ricevuta e di quelli chiusi con un avviso, e applica le risposte: "
            "un pagamento arrivato dopo la chiusura viene segnalato, mai applicato da solo."
        }
        @if app.payments.is_none() {
            (ui::alert("info", "Nessun fornitore di pagamento configurato: la riconciliazione non è attiva."))
        } @else if o.role >= super::Role::Amministratore {
            (start_form(&o.csrf_token))
        }
        (table(&runs))
        @if let Some(n) = next { p { a href={ (PATH) "?" (n) } { "Meno recenti →" } } }
    };
    Ok(resp::ok_html(super::views::page(
        app,
        ctx,
        "Riconciliazioni",
        Some(PATH),
        body,
    )))
}

/// A report line: `number · kind · before → after · what the provider said`.
fn line(l: &str) -> Markup {
    let mut parts = l.splitn(4, " · ");
    let (number, kind, states, said) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let badge = match kind {
        "errore" => "badge badge-danger",
        "segnalato" => "badge badge-warning",
        _ => "badge badge-success",
    };
    html! { tr {
        td data-label="Ordine" {
            @if crate::public_id::PublicId::parse(number).is_some() {
                a class="mono" href={ (super::orders::PATH) "/" (number) } { (number) }
            } @else { (number) }
        }
        td data-label="Esito" { span class=(badge) { (kind.to_uppercase()) } }
        td data-label="Stato prima → dopo" { (states) }
        td data-label="Risposta del fornitore" { (said) }
    } }
}

pub async fn show(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    auth::current(ctx)?;
    let r = app
        .db
        .read(move |c| Ok(store::get(c, id)?))
        .await?
        .ok_or_else(|| AppError::missing("Riconciliazione non trovata."))?;
    let started = ctx.query().get("esito") == "avviata";
    let body = html! {
        p { a href=(PATH) { "← Riconciliazioni" } }
        h1 class="page-title" { "Riconciliazione n. " (r.id) }
        @if started && r.finished_at.is_none() {
            (ui::alert("success", "Riconciliazione avviata: ricarica la pagina per vederne il resoconto."))
        }
        dl class="details card" {
            dt { "Avviata il" } dd { (time::datetime_secs(r.started_at)) }
            dt { "Tipo" } dd { (Trigger::label(&r.trigger)) }
            dt { "Ordini degli ultimi" } dd { (r.days) " giorni" }
            dt { "Stato" } dd { (status(&r)) }
            @for (label, n) in figures(&r) { dt { (label) } dd { (n) } }
        }
        section aria-labelledby="resoconto" {
            h2 id="resoconto" { "Resoconto" }
            @if r.report.is_empty() {
                p class="empty" { @if r.finished_at.is_some() { "Nessun ordine cambiato, segnalato o in errore." } @else { "Nessuna riga per ora." } }
            } @else {
                div class="table-wrap" { table class="table" id="righe" {
                    caption class="visually-hidden" { "Ordini cambiati, segnalati o in errore" }
                    thead { tr {
                        th scope="col" { "Ordine" } th scope="col" { "Esito" }
                        th scope="col" { "Stato prima → dopo" } th scope="col" { "Risposta del fornitore" }
                    } }
                    tbody { @for l in r.report.lines() { (line(l)) } }
                } }
            }
        }
    };
    Ok(resp::ok_html(super::views::page(
        app,
        ctx,
        "Riconciliazione",
        Some(PATH),
        body,
    )))
}

/// `POST …/avvia` ("Riconcilia ora"): a run of `payments.reconcile_days` in the background.
pub async fn start(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let Some(running) = recon::exclusive() else {
        return Err(AppError::new(
            Kind::Conflict,
            "Una riconciliazione è già in corso: attendi che finisca.",
        ));
    };
    let days = app.config.payments.reconcile_days;
    let id = recon::start(app, Trigger::Operator, days).await?;
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let detail = format!("riconciliazione n. {id}, ordini degli ultimi {days} giorni");
    app.db
        .write(move |tx| {
            let e = Entry::by(o.actor()).action("reconcile_start");
            Ok(audit::log(tx, now, &e.detail(detail).ip(&ip))?)
        })
        .await?;
    let bg = app.clone();
    tokio::spawn(async move {
        let _running = running;
        match recon::process(&bg, id, days).await {
            Ok(s) => tracing::info!("{}", s.line()),
            Err(e) => tracing::warn!("riconciliazione n. {id} non riuscita: {e}"),
        }
    });
    Ok(resp::go_to(ctx, &format!("{PATH}/{id}?esito=avviata")))
}
