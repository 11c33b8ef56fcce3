//! The price list (administrators): a price and a VAT rate per document category, used
//! when a document is published without a price of its own (back office, API, PACS).
//! A change applies to documents published afterwards; those already published keep theirs.

use super::{auth, views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui;
use hyper::StatusCode;
use maud::html;
use rusqlite::{Connection, params};

/// (category, price in cents, VAT %) for every configured category, free when unlisted.
pub fn list(c: &Connection, categories: &[String]) -> rusqlite::Result<Vec<(String, i64, i64)>> {
    categories
        .iter()
        .map(|cat| {
            let (p, v) = crate::documents::publish::list_price(c, cat)?;
            Ok((cat.clone(), p, v))
        })
        .collect()
}

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let cats = app.config.documents.categories.clone();
    let rows = app.db.read(move |c| Ok(list(c, &cats)?)).await?;
    let typed: Vec<(String, String, String)> = rows
        .into_iter()
        .map(|(c, p, v)| {
            (
                c,
                ui::euro(p).trim_start_matches("€ ").to_string(),
                v.to_string(),
            )
        })
        .collect();
    render(app, ctx, StatusCode::OK, None, &typed, &[])
}

fn render(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    rows: &[(String, String, String)],
    bad: &[usize],
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?;
    let body = html! {
        h1 class="page-title" { "Listino" }
        (views::alert(alert))
        p { "Il prezzo di un documento pubblicato senza un prezzo proprio (dal back office, dall'API o dal PACS). "
            "Una modifica vale per i documenti pubblicati da quel momento." }
        form method="post" action="/operatore/listino" class="card" novalidate {
            (ui::csrf_field(&me.csrf_token))
            div class="table-wrap" { table class="table" {
                caption class="visually-hidden" { "Prezzi per categoria" }
                thead { tr { th scope="col" { "Categoria" } th scope="col" { "Prezzo in euro" } th scope="col" { "IVA %" } } }
                tbody { @for (i, (cat, price, vat)) in rows.iter().enumerate() { tr {
                    th scope="row" { (cat) }
                    td {
                        label class="visually-hidden" for={ "f-prezzo-" (i) } { "Prezzo di " (cat) }
                        input id={ "f-prezzo-" (i) } name={ "prezzo_" (i) } value=(price) inputmode="decimal" maxlength="12"
                            aria-invalid=[bad.contains(&i).then_some("true")];
                    }
                    td {
                        label class="visually-hidden" for={ "f-iva-" (i) } { "IVA di " (cat) }
                        input id={ "f-iva-" (i) } name={ "iva_" (i) } value=(vat) inputmode="numeric" maxlength="3"
                            aria-invalid=[bad.contains(&i).then_some("true")];
                    }
                } } }
            } }
            button type="submit" class="btn btn-primary" { "Salva il listino" }
        }
    };
    Ok(resp::html(
        status,
        views::page(app, ctx, "Listino", Some("/operatore/listino"), body),
    ))
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let cats = app.config.documents.categories.clone();
    let form = ctx.form();
    let mut typed = Vec::new();
    let mut parsed = Vec::new();
    let mut bad = Vec::new();
    for (i, cat) in cats.iter().enumerate() {
        let price = form.get(&format!("prezzo_{i}")).trim().to_string();
        let vat = form.get(&format!("iva_{i}")).trim().to_string();
        match (
            ui::parse_euro(&price).filter(|p| *p <= 1_000_000),
            vat.parse::<i64>().ok().filter(|v| (0..=100).contains(v)),
        ) {
            (Some(p), Some(v)) => parsed.push((cat.clone(), p, v)),
            _ => bad.push(i),
        }
        typed.push((cat.clone(), price, vat));
    }
    if !bad.is_empty() {
        return render(
            app,
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((
                "danger",
                "Prezzi da 0 a 10.000,00 euro (es. 22,00) e IVA da 0 a 100: correggi le righe segnalate.",
            )),
            &typed,
            &bad,
        );
    }
    let (now, ip) = (app.now(), ctx.ip.to_string());
    app.db
        .write(move |tx| {
            for (cat, p, v) in &parsed {
                tx.execute(
                    "INSERT INTO price_list (category, price_cents, vat_pct, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (category) DO UPDATE SET price_cents = ?2, vat_pct = ?3, updated_at = ?4",
                    params![cat, p, v, now],
                )?;
            }
            let detail = parsed
                .iter()
                .map(|(c, p, v)| format!("{c}: {p} cent, IVA {v}%"))
                .collect::<Vec<_>>()
                .join("; ");
            audit::log(
                tx,
                now,
                &Entry::by(me.actor())
                    .action("prices_update")
                    .detail(detail)
                    .ip(&ip),
            )?;
            Ok(())
        })
        .await?;
    render(
        app,
        ctx,
        StatusCode::OK,
        Some(("success", "Listino salvato.")),
        &typed,
        &[],
    )
}
