//! The pages of sharing: the patient's list and form, the link and code shown once, and
//! the doctor's code form, document page and "link closed" page.

use super::doctor::Zip;
use super::store::{self, Access, Closed, Share};
use super::text;
use super::{DEFAULT_DAYS, DOCTOR_PATH, MAX_DAYS, MAX_FAILURES, MIN_DAYS, PATH, VIEWER_INDEX};
use crate::app::App;
use crate::auth::sessions::Session;
use crate::documents::store::DocRow;
use crate::http::req::Ctx;
use crate::i18n::{Lang, Msg};
use crate::ui::{self, Page, time};
use maud::{Markup, html};

fn state(l: Lang, sh: &Share, now: i64) -> Markup {
    match sh.closed(now) {
        None => html! { span class="badge badge-success" { (l.t(text::ACTIVE)) } },
        Some(why) => html! { span class="badge badge-muted" { (l.t(badge(why))) } },
    }
}

fn badge(why: Closed) -> Msg {
    match why {
        Closed::Revoked => text::CLOSED_REVOKED,
        Closed::Withdrawn => text::CLOSED_WITHDRAWN,
        Closed::Blocked => text::CLOSED_BLOCKED,
        Closed::Expired => text::CLOSED_EXPIRED,
    }
}

fn what(w: &str) -> Msg {
    match w {
        store::CODE_OK => text::WHAT_CODE_OK,
        store::CODE_WRONG => text::WHAT_CODE_WRONG,
        store::BLOCKED => text::WHAT_BLOCKED,
        store::RECOVERY => text::WHAT_RECOVERY,
        store::VIEW => text::WHAT_VIEW,
        _ => text::WHAT_DOWNLOAD,
    }
}

pub fn patient_page(
    app: &App,
    ctx: &Ctx,
    s: &Session,
    doc: Option<&DocRow>,
    error: Option<&str>,
    done: &str,
    shares: &[(Share, Vec<Access>)],
) -> Markup {
    let (now, l) = (app.now(), ctx.lang);
    let body = html! {
        h1 class="page-title" { (l.t(text::PATIENT_TITLE)) }
        @if done == "revocata" { (ui::alert("success", l.t(text::REVOKED_DONE))) }
        @if let Some(d) = doc {
            section class="card" aria-labelledby="nuova" {
                h2 id="nuova" { (l.t(text::SHARE_HEADING)) }
                p { (l.t(text::DOCUMENT_IS)) strong lang="it" { (d.title) } " (" span lang="it" { (d.category) } ")" }
                p { (l.t(text::EXPLAIN)) }
                @if let Some(e) = error { (ui::alert("danger", e)) }
                form method="post" action=(PATH) {
                    (ui::csrf_field(&s.csrf_token))
                    input type="hidden" name="documento" value=(d.public_id);
                    div class="field" {
                        label for="giorni" { (l.t(text::DAYS_LABEL)) }
                        input id="giorni" name="giorni" type="number" inputmode="numeric" min=(MIN_DAYS) max=(MAX_DAYS) value=(DEFAULT_DAYS) required aria-describedby="giorni-hint";
                        p id="giorni-hint" class="hint" { (l.f(text::DAYS_HINT, &[&MIN_DAYS, &MAX_DAYS])) }
                    }
                    div class="field" {
                        label for="destinatario" { (l.t(text::RECIPIENT_LABEL)) }
                        input id="destinatario" name="destinatario" type="text" maxlength="80" autocomplete="off" aria-describedby="dest-hint";
                        p id="dest-hint" class="hint" { (l.t(text::RECIPIENT_HINT)) }
                    }
                    div class="actions" { button type="submit" class="btn btn-primary" { (l.t(text::CREATE)) } }
                }
            }
        }
        h2 { (l.t(text::YOURS)) }
        @if shares.is_empty() {
            p class="empty" { (l.t(text::NONE_YET)) }
        }
        @for (sh, accesses) in shares {
            section class="card share" aria-labelledby={ "share-" (sh.public_id) } {
                h3 id={ "share-" (sh.public_id) } { span lang="it" { (sh.title) } " " (state(l, sh, now)) }
                dl class="details" {
                    dt { (l.t(text::FOR)) } dd { @if sh.recipient.is_empty() { "—" } @else { span lang="it" { (sh.recipient) } } }
                    dt { (l.t(text::CREATED_ON)) } dd { (time::datetime_secs(sh.created_at)) }
                    dt { (l.t(text::EXPIRES_ON)) } dd { (time::datetime_secs(sh.expires_at)) }
                    dt { (l.t(text::WRONG_CODES)) } dd { (l.f(text::OF, &[&sh.failures, &MAX_FAILURES])) }
                }
                @if accesses.is_empty() {
                    p class="hint" { (l.t(text::NO_ACCESS)) }
                } @else {
                    div class="table-wrap" {
                        table class="table" {
                            caption { (l.t(text::ACCESSES)) }
                            thead { tr {
                                th scope="col" { (l.t(text::COL_WHEN)) }
                                th scope="col" { (l.t(text::COL_IP)) }
                                th scope="col" { (l.t(text::COL_WHAT)) }
                            } }
                            tbody {
                                @for (at, ip, w) in accesses {
                                    tr { td { (time::datetime_secs(*at)) } td class="mono" { (ip) } td { (l.t(what(w))) } }
                                }
                            }
                        }
                    }
                }
                @if sh.closed(now).is_none() {
                    form method="post" action={ (PATH) "/" (sh.public_id) "/revoca" } data-confirm=(l.t(text::REVOKE_CONFIRM)) {
                        (ui::csrf_field(&s.csrf_token))
                        button type="submit" class="btn btn-outline" { (l.t(text::REVOKE)) span class="visually-hidden" { ": " span lang="it" { (sh.title) } } }
                    }
                }
            }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::PATIENT_TITLE),
            active: None,
        },
        body,
    )
}

pub fn created(
    app: &App,
    ctx: &Ctx,
    d: &DocRow,
    url: &str,
    code: &str,
    expires_at: i64,
    recipient: &str,
) -> Markup {
    let l = ctx.lang;
    let body = html! {
        h1 class="page-title" { (l.t(text::CREATED_TITLE)) }
        (ui::alert("warning", l.t(text::CREATED_WARNING)))
        dl class="details card" {
            dt { (l.t(text::DOCUMENT)) } dd lang="it" { (d.title) }
            @if !recipient.is_empty() { dt { (l.t(text::FOR)) } dd lang="it" { (recipient) } }
            dt { (l.t(text::LINK)) } dd { span id="share-link" class="mono ticket" { (url) } " "
                button type="button" class="btn btn-outline btn-small" data-copy="share-link" { (l.t(text::COPY_LINK)) } }
            dt { (l.t(text::CODE)) } dd { span id="share-code" class="mono ticket share-code" { (code) } }
            dt { (l.t(text::VALID_UNTIL)) } dd { (time::datetime_secs(expires_at)) }
        }
        p { a class="btn btn-primary" href=(PATH) { (l.t(text::YOURS)) } }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::CREATED_TITLE),
            active: None,
        },
        body,
    )
}

fn shared_by(l: Lang, sh: &Share) -> Markup {
    html! {
        p { (l.t(text::SHARED_BY)) strong { (sh.patient_name) } ": " strong lang="it" { (sh.title) } " (" span lang="it" { (sh.category) } ")." }
        p class="hint" { (l.f(text::EXPIRES_HINT, &[&time::datetime_secs(sh.expires_at)])) }
    }
}

/// Before the code nothing of the document or the patient is shown.
pub fn doctor_code(app: &App, ctx: &Ctx, _sh: &Share, csrf: &str, error: Option<&str>) -> Markup {
    let l = ctx.lang;
    let body = html! {
        h1 class="page-title" { (l.t(text::DOCTOR_HEADING)) }
        p { (l.t(text::DOCTOR_INTRO)) }
        @if let Some(e) = error { (ui::alert("danger", e)) }
        form method="post" {
            (ui::csrf_field(csrf))
            input type="hidden" name="azione" value="codice";
            div class="field" {
                label for="codice" { (l.t(text::CODE_LABEL)) }
                input id="codice" name="codice" type="text" inputmode="numeric" pattern="[0-9 ]*" maxlength="7" autocomplete="one-time-code" required
                    aria-invalid=[error.map(|_| "true")];
            }
            div class="actions" { button type="submit" class="btn btn-primary" { (l.t(text::OPEN)) } }
        }
        p class="hint" { (l.f(text::BLOCK_HINT, &[&MAX_FAILURES])) }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::DOCTOR_TITLE),
            active: None,
        },
        body,
    )
}

/// A size as the download button shows it: `12,3 MB`, `12.3 MB` in English.
fn size(l: Lang, bytes: i64) -> String {
    crate::documents::size(l, bytes.max(0) as u64)
}

pub fn doctor_document(
    app: &App,
    ctx: &Ctx,
    sh: &Share,
    token: &str,
    zip: &Zip,
    csrf: &str,
) -> Markup {
    let l = ctx.lang;
    let here = format!("{DOCTOR_PATH}/{token}");
    let body = html! {
        h1 class="page-title" { (l.t(text::DOCTOR_HEADING)) }
        (shared_by(l, sh))
        @match zip {
            Zip::Ready { size: bytes } => {
                p class="actions" {
                    a class="btn btn-primary" href={ (here) "/download" } download {
                        (l.f(text::DOWNLOAD, &[&size(l, *bytes)])) }
                    @if sh.study {
                        " "
                        a class="btn btn-outline" href={ (here) "/" (VIEWER_INDEX) } { (l.t(text::VIEW_ONLINE)) }
                    }
                }
                @if sh.study {
                    p class="hint" { (l.t(text::ZIP_HINT)) }
                    p class="hint" { (l.t(text::VIEW_HINT)) }
                } @else {
                    p class="hint" { (l.t(text::ZIP_HINT_PDF)) }
                }
            }
            Zip::Preparing => {
                (ui::alert("info", l.t(text::PREPARING)))
                p { a class="btn btn-outline" href=(here) { (l.t(text::RELOAD)) } }
            }
            Zip::Failed | Zip::NotYet => {
                @if matches!(zip, Zip::Failed) { (ui::alert("danger", l.t(text::FAILED))) }
                form method="post" action=(here) {
                    (ui::csrf_field(csrf))
                    input type="hidden" name="azione" value="prepara";
                    button type="submit" class="btn btn-primary" { (l.t(text::PREPARE)) }
                }
            }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::DOCTOR_TITLE),
            active: None,
        },
        body,
    )
}

pub fn doctor_closed(app: &App, ctx: &Ctx, why: Closed) -> Markup {
    let l = ctx.lang;
    let message = match why {
        Closed::Blocked => text::GONE_BLOCKED,
        Closed::Revoked => text::GONE_REVOKED,
        Closed::Withdrawn => text::GONE_WITHDRAWN,
        Closed::Expired => text::GONE_EXPIRED,
    };
    let body = html! {
        h1 class="page-title" { (l.t(text::GONE_TITLE)) }
        (ui::alert("warning", l.t(message)))
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::GONE_TITLE),
            active: None,
        },
        body,
    )
}
