//! The steps after "Procedi all'ordine": the two consents ("Acquista ora"), the payer's
//! e-mail and "Conferma" (the provider creates the debt position), "Procedi" to the payment
//! portal and the printed notice ("Ripeti Pagamento" is in `retry`).

use super::pages::{FormError, show};
use super::state::{Event, Outcome, State, apply};
use super::store::{self, Order};
use super::text;
use crate::app::App;
use crate::auth::sessions::Session;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Msg;
use crate::payments::notice::NoticeNumber;
use crate::payments::provider::{NewPosition, Position, Provider, ProviderError};
use std::sync::Arc;

fn conflict(msg: Msg) -> AppError {
    AppError::new(Kind::Conflict, msg)
}

pub fn provider(app: &App) -> Result<Arc<dyn Provider>, AppError> {
    app.payments
        .clone()
        .ok_or_else(|| AppError::new(Kind::Unavailable, crate::payments::text::NOT_ACTIVE))
}

/// Runs a provider call on a blocking thread; its failures speak to the patient in their
/// language (`failure`).
pub async fn call<T: Send + 'static>(
    p: Arc<dyn Provider>,
    f: impl FnOnce(&dyn Provider) -> Result<T, ProviderError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(move || f(p.as_ref()))
        .await
        .map_err(AppError::internal)?
        .map_err(failure)
}

/// A provider's failure, as the patient reads it (the provider's words kept as its cause).
pub fn failure(e: ProviderError) -> AppError {
    AppError::new(Kind::Unavailable, e.for_patient()).because(e)
}

pub async fn buy(app: &App, ctx: &Ctx, session: &Session, o: Order) -> Result<Resp, AppError> {
    if o.state != State::Draft {
        return Err(conflict(text::ALREADY_CONFIRMED));
    }
    let f = ctx.form();
    if f.get("consenso_privacy") != "1" || f.get("consenso_condizioni") != "1" {
        let msg = text::CONSENTS_REQUIRED;
        if ctx.is_htmx() {
            return Err(AppError::new(Kind::Unprocessable, msg));
        }
        return show(app, ctx, session, &o, Some(FormError::Consents(msg))).await;
    }
    let (id, now) = (o.id, app.now());
    app.db
        .write(move |tx| Ok(store::set_consents(tx, id, now)?))
        .await?;
    Ok(resp::go_to(ctx, &format!("/ordini/{}", o.number)))
}

/// A plausible e-mail address: what a receipt can be sent to.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// The last day a position can be paid, and its end as unix time (Rome).
fn due(app: &App) -> (jiff::civil::Date, i64) {
    let day = crate::ui::time::today()
        .checked_add(jiff::Span::new().days(app.config.payments.due_days))
        .unwrap_or_else(|_| crate::ui::time::today());
    let end = day
        .at(23, 59, 59, 0)
        .to_zoned(crate::ui::time::rome().clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0);
    (day, end)
}

/// Asks the provider for a position on `notice` (safe to repeat with the same notice).
pub(super) async fn create_position(
    app: &App,
    p: Arc<dyn Provider>,
    o: &Order,
    patient: i64,
    notice: String,
    email: String,
) -> Result<(Position, i64), AppError> {
    let payer = app
        .db
        .read(move |c| Ok(crate::patients::store::payer(c, patient)?))
        .await?;
    let proposed = NoticeNumber::parse(&notice).map_err(AppError::internal)?;
    let (day, due_at) = due(app);
    let (amount, causale) = (o.total_cents, o.causale.clone());
    let position = call(p, move |p| {
        p.create(&NewPosition {
            proposed: &proposed,
            amount_cents: amount,
            causale: &causale,
            due: day,
            payer_cf: &payer.cf,
            payer_given: &payer.given,
            payer_family: &payer.family,
            payer_email: &email,
        })
    })
    .await?;
    Ok((position, due_at))
}

pub async fn confirm(app: &App, ctx: &Ctx, session: &Session, o: Order) -> Result<Resp, AppError> {
    let to_order = format!("/ordini/{}", o.number);
    if o.state == State::Pending {
        return Ok(resp::go_to(ctx, &to_order));
    }
    if o.state != State::Draft {
        return Err(conflict(text::CANNOT_CONFIRM));
    }
    if o.consents_at.is_none() {
        return Err(conflict(text::CONSENTS_BEFORE_CONFIRM));
    }
    let email = ctx.form().get("email").trim().to_string();
    if !valid_email(&email) {
        let msg = text::EMAIL_INVALID;
        if ctx.is_htmx() {
            return Err(AppError::new(Kind::Unprocessable, msg));
        }
        return show(app, ctx, session, &o, Some(FormError::Email(&email, msg))).await;
    }
    provider(app)?;
    let (id, now, seg, mail) = (
        o.id,
        app.now(),
        app.config.payments.segregation_code.clone(),
        email.clone(),
    );
    app.db
        .write(move |tx| {
            store::set_email(tx, id, &mail, now)?;
            Ok(store::reserve_notice(tx, id, &seg)?)
        })
        .await?;
    crate::failpoint::hit("confirm.reserved").await;
    finish_confirm(app, id, &ctx.ip.to_string()).await?;
    Ok(resp::go_to(ctx, &to_order))
}

/// The second half of "Conferma", for a draft whose notice is reserved: the provider creates
/// the position (safe to repeat with the same notice) and the order records it, pending.
/// Also what finishes a Conferma cut short by a crash or a dropped connection
/// (`reconcile::resume_confirms`). `ip` goes to the audit log.
pub async fn finish_confirm(app: &App, id: i64, ip: &str) -> Result<Outcome, AppError> {
    let p = provider(app)?;
    let (o, patient) = app
        .db
        .read(move |c| Ok((store::by_id(c, id)?, store::patient_of(c, id)?)))
        .await?;
    let (Some(notice), State::Draft) = (o.notice_number.clone(), o.state) else {
        return Ok(Outcome::Ignored);
    };
    let email = o.payer_email.clone().unwrap_or_default();
    let (position, due_at) = create_position(app, p.clone(), &o, patient, notice, email).await?;
    crate::failpoint::hit("confirm.created").await;
    let made = position.clone();
    let (amount, first, ip) = (
        o.total_cents,
        app.config.payments.poll_first_secs,
        ip.to_string(),
    );
    let outcome = app
        .db
        .write(move |tx| {
            let now = crate::app::unix_now();
            let ev = Event::Confirm {
                position,
                amount_cents: amount,
                due_at,
                next_check_at: now + first,
            };
            let outcome = apply(tx, id, &ev, now)?;
            if let Outcome::Applied { .. } = outcome {
                crate::audit::record(
                    tx,
                    now,
                    Some(patient),
                    "order_confirm",
                    &format!("order {id}"),
                    &ip,
                )?;
            }
            Ok(outcome)
        })
        .await?;
    if outcome == Outcome::Ignored {
        // Cancelled while the provider was making the position: it must not stay payable.
        // (Should this fail, the watch of the cancelled order cancels it again.)
        if let Err(e) = call(p, move |p| p.cancel(&made)).await {
            tracing::warn!("ordine {id}: annullamento dell'avviso: {e}");
        }
    }
    app.payments_wakeup.notify_one();
    Ok(outcome)
}

/// The order's current debt position, as the provider knows it.
pub(super) async fn position_of(app: &App, o: &Order) -> Result<Position, AppError> {
    let id = o.id;
    app.db
        .read(move |c| Ok(store::position(c, id)?))
        .await?
        .ok_or_else(|| conflict(text::NO_NOTICE_YET))
}

/// "Procedi" / "Vai al portale per i pagamenti": the provider's portal; the poller starts
/// asking again soon, since a payment is likely on its way.
pub async fn pay(app: &App, ctx: &Ctx, _session: &Session, o: Order) -> Result<Resp, AppError> {
    if !matches!(o.state, State::Pending | State::Failed) {
        return Ok(resp::go_to(ctx, &format!("/ordini/{}", o.number)));
    }
    let p = provider(app)?;
    let position = position_of(app, &o).await?;
    let back = format!("/ordini/{}", o.number);
    let url = call(p, move |p| p.payment_url(&position, &back)).await?;
    let (id, now, first) = (o.id, app.now(), app.config.payments.poll_first_secs);
    app.db
        .write(move |tx| Ok(store::check_soon(tx, id, now + first)?))
        .await?;
    Ok(resp::go_to(ctx, &url))
}

/// "Scarica Avviso di Pagamento": the A4 notice with its QR code (SPECS.md §2).
pub async fn notice_pdf(
    app: &App,
    ctx: &Ctx,
    session: &Session,
    o: &Order,
) -> Result<Resp, AppError> {
    if !matches!(o.state, State::Pending | State::Failed) {
        return Err(conflict(text::NOTICE_ONLY_PENDING));
    }
    let patient = session.patient_id;
    let (ip, now, id) = (ctx.ip.to_string(), app.now(), o.id);
    let audit = move |tx: &rusqlite::Transaction| {
        crate::audit::record(
            tx,
            now,
            Some(patient),
            "notice_pdf",
            &format!("order {id}"),
            &ip,
        )
    };
    // The provider's own notice when it offers one (PiemontePay), ours otherwise.
    let position = position_of(app, o).await?;
    let file = format!("avviso-pagamento-{}.pdf", position.notice_number);
    // At a kiosk the notice opens in the browser, for its printer ("Stampa avviso").
    let print = ctx.kiosk && ctx.query().get("stampa") == "1";
    let disposition = move |r: &mut Resp| {
        if print {
            resp::inline(r, &file);
        } else {
            resp::attachment(r, &file);
        }
    };
    if let Some(pdf) = call(provider(app)?, move |p| p.notice_pdf(&position)).await? {
        app.db.write(move |tx| Ok(audit(tx)?)).await?;
        let mut r = resp::with_type(hyper::StatusCode::OK, "application/pdf", pdf);
        disposition(&mut r);
        return Ok(r);
    }
    let notice = o
        .notice_number
        .as_deref()
        .and_then(|n| NoticeNumber::parse(n).ok())
        .ok_or_else(|| conflict(text::NOTICE_MISSING))?;
    let payer = app
        .db
        .read(move |c| Ok(crate::patients::store::payer(c, patient)?))
        .await?;
    let cfg = &app.config.payments;
    let name = format!("{} {}", payer.given, payer.family);
    let pdf = crate::payments::avviso::pdf(&crate::payments::avviso::Avviso {
        ente_name: app.config.payee(),
        ente_cf: &cfg.ente_cf,
        settore: &cfg.office,
        cbill: (!cfg.cbill.is_empty()).then_some(cfg.cbill.as_str()),
        payer_name: &name,
        payer_cf: &payer.cf,
        subject: &o.causale,
        amount_cents: o.total_cents,
        due: crate::ui::time::day_of(o.due_at.unwrap_or(now)),
        notice: &notice,
    })
    .map_err(AppError::internal)?;
    app.db.write(move |tx| Ok(audit(tx)?)).await?;
    let mut r = resp::with_type(hyper::StatusCode::OK, "application/pdf", pdf);
    disposition(&mut r);
    Ok(r)
}
