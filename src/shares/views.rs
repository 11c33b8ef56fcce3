//! The pages of sharing: the patient's list and form, the link and code shown once, and
//! the doctor's code form, document page and "link closed" page.

use super::doctor::Zip;
use super::store::{Access, Share};
use super::{DEFAULT_DAYS, DOCTOR_PATH, MAX_DAYS, MAX_FAILURES, MIN_DAYS, PATH};
use crate::app::App;
use crate::auth::sessions::Session;
use crate::documents::store::DocRow;
use crate::http::req::Ctx;
use crate::ui::{self, Page, time};
use maud::{Markup, html};

fn state(sh: &Share, now: i64) -> Markup {
    match sh.closed(now) {
        None => html! { span class="badge badge-success" { "Attiva" } },
        Some(why) => html! { span class="badge badge-muted" { (capitalised(why)) } },
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn what(w: &str) -> &'static str {
    match w {
        "code_ok" => "Aperto con il codice",
        "code_wrong" => "Codice errato",
        "blocked" => "Bloccato",
        _ => "Download",
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
    let now = app.now();
    let body = html! {
        h1 class="page-title" { "Condivisioni con il medico" }
        @if done == "revocata" { (ui::alert("success", "Condivisione revocata: il link non si apre più.")) }
        @if let Some(d) = doc {
            section class="card" aria-labelledby="nuova" {
                h2 id="nuova" { "Condividi con il medico" }
                p { "Documento: " strong { (d.title) } " (" (d.category) ")" }
                p { "Creiamo un link che il medico apre con un codice di 6 cifre: il codice te lo mostriamo una sola volta, dallo al medico a voce o per telefono, non insieme al link." }
                @if let Some(e) = error { (ui::alert("danger", e)) }
                form method="post" action=(PATH) {
                    (ui::csrf_field(&s.csrf_token))
                    input type="hidden" name="documento" value=(d.public_id);
                    div class="field" {
                        label for="giorni" { "Valido per (giorni)" }
                        input id="giorni" name="giorni" type="number" inputmode="numeric" min=(MIN_DAYS) max=(MAX_DAYS) value=(DEFAULT_DAYS) required aria-describedby="giorni-hint";
                        p id="giorni-hint" class="hint" { "Da " (MIN_DAYS) " a " (MAX_DAYS) " giorni." }
                    }
                    div class="field" {
                        label for="destinatario" { "Per chi è (facoltativo)" }
                        input id="destinatario" name="destinatario" type="text" maxlength="80" autocomplete="off" aria-describedby="dest-hint";
                        p id="dest-hint" class="hint" { "Ad esempio: Dott.ssa Bianchi, cardiologa. Ti serve per riconoscere la condivisione." }
                    }
                    div class="actions" { button type="submit" class="btn btn-primary" { "Crea il link" } }
                }
            }
        }
        h2 { "Le tue condivisioni" }
        @if shares.is_empty() {
            p class="empty" { "Non hai ancora condiviso documenti. Da Documenti Interscambiati scegli «Condividi con il medico» su un documento." }
        }
        @for (sh, accesses) in shares {
            section class="card share" aria-label={ "Condivisione di " (sh.title) } {
                h3 { (sh.title) " " (state(sh, now)) }
                dl class="details" {
                    dt { "Per" } dd { @if sh.recipient.is_empty() { "—" } @else { (sh.recipient) } }
                    dt { "Creata il" } dd { (time::datetime_secs(sh.created_at)) }
                    dt { "Scade il" } dd { (time::datetime_secs(sh.expires_at)) }
                    dt { "Codici errati" } dd { (sh.failures) " su " (MAX_FAILURES) }
                }
                @if accesses.is_empty() {
                    p class="hint" { "Nessun accesso finora." }
                } @else {
                    div class="table-wrap" {
                        table class="table" {
                            caption { "Accessi" }
                            thead { tr { th scope="col" { "Data e ora" } th scope="col" { "Indirizzo IP" } th scope="col" { "Che cosa" } } }
                            tbody {
                                @for (at, ip, w) in accesses {
                                    tr { td { (time::datetime_secs(*at)) } td class="mono" { (ip) } td { (what(w)) } }
                                }
                            }
                        }
                    }
                }
                @if sh.closed(now).is_none() {
                    form method="post" action={ (PATH) "/" (sh.public_id) "/revoca" } data-confirm="Revocare la condivisione? Il link non si aprirà più." {
                        (ui::csrf_field(&s.csrf_token))
                        button type="submit" class="btn btn-outline" { "Revoca subito" span class="visually-hidden" { ": " (sh.title) } }
                    }
                }
            }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Condivisioni con il medico",
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
    let body = html! {
        h1 class="page-title" { "Link per il medico creato" }
        (ui::alert("warning", "Il codice si vede solo ora: annotalo e dallo al medico separatamente dal link (a voce, per telefono). Chi ha link e codice vede il documento fino alla scadenza."))
        dl class="details card" {
            dt { "Documento" } dd { (d.title) }
            @if !recipient.is_empty() { dt { "Per" } dd { (recipient) } }
            dt { "Link" } dd { span id="share-link" class="mono ticket" { (url) } " "
                button type="button" class="btn btn-outline btn-small" data-copy="share-link" { "Copia il link" } }
            dt { "Codice" } dd { span id="share-code" class="mono ticket share-code" { (code) } }
            dt { "Valido fino al" } dd { (time::datetime_secs(expires_at)) }
        }
        p { a class="btn btn-primary" href=(PATH) { "Le tue condivisioni" } }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Link per il medico creato",
            active: None,
        },
        body,
    )
}

fn shared_by(sh: &Share) -> Markup {
    html! {
        p { "Documento condiviso da " strong { (sh.patient_name) } ": " strong { (sh.title) } " (" (sh.category) ")." }
        p class="hint" { "Il link scade il " (time::datetime_secs(sh.expires_at)) ". Ogni accesso è registrato e il paziente lo vede." }
    }
}

/// Before the code nothing of the document or the patient is shown.
pub fn doctor_code(app: &App, ctx: &Ctx, _sh: &Share, csrf: &str, error: Option<&str>) -> Markup {
    let body = html! {
        h1 class="page-title" { "Documento condiviso con te" }
        p { "Un paziente ti ha condiviso un documento. Inserisci il codice di 6 cifre che ti ha dato." }
        @if let Some(e) = error { (ui::alert("danger", e)) }
        form method="post" {
            (ui::csrf_field(csrf))
            input type="hidden" name="azione" value="codice";
            div class="field" {
                label for="codice" { "Codice di accesso" }
                input id="codice" name="codice" type="text" inputmode="numeric" pattern="[0-9 ]*" maxlength="7" autocomplete="one-time-code" required
                    aria-invalid=[error.map(|_| "true")];
            }
            div class="actions" { button type="submit" class="btn btn-primary" { "Apri" } }
        }
        p class="hint" { "Dopo " (MAX_FAILURES) " codici errati il link si blocca." }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Documento condiviso",
            active: None,
        },
        body,
    )
}

pub fn doctor_document(
    app: &App,
    ctx: &Ctx,
    sh: &Share,
    token: &str,
    zip: &Zip,
    csrf: &str,
) -> Markup {
    let here = format!("{DOCTOR_PATH}/{token}");
    let body = html! {
        h1 class="page-title" { "Documento condiviso con te" }
        (shared_by(sh))
        @match zip {
            Zip::Ready { size } => {
                p { a class="btn btn-primary" href={ (here) "/download" } download {
                    "Scarica (ZIP, " (crate::documents::size_label(*size as u64)) ")" } }
                p class="hint" { "Lo ZIP contiene le immagini DICOM con il DICOMDIR e un visualizzatore: estrailo e apri VIEWER/index.html." }
            }
            Zip::Preparing => {
                (ui::alert("info", "Stiamo recuperando il documento dall'archivio: ricarica la pagina tra qualche istante."))
                p { a class="btn btn-outline" href=(here) { "Ricarica" } }
            }
            Zip::Failed | Zip::NotYet => {
                @if matches!(zip, Zip::Failed) { (ui::alert("danger", "Il recupero dall'archivio non è riuscito: riprova.")) }
                form method="post" action=(here) {
                    (ui::csrf_field(csrf))
                    input type="hidden" name="azione" value="prepara";
                    button type="submit" class="btn btn-primary" { "Prepara il documento" }
                }
            }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Documento condiviso",
            active: None,
        },
        body,
    )
}

pub fn doctor_closed(app: &App, ctx: &Ctx, why: &str) -> Markup {
    let text = match why {
        "bloccato" => {
            "Questo link è stato bloccato dopo troppi codici errati. Chiedi al paziente di crearne uno nuovo."
        }
        "revocato" => "Il paziente ha revocato questa condivisione.",
        "ritirato" => "Il documento non è più disponibile.",
        _ => "Questo link è scaduto. Chiedi al paziente di crearne uno nuovo.",
    };
    let body = html! {
        h1 class="page-title" { "Link non più valido" }
        (ui::alert("warning", text))
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Link non più valido",
            active: None,
        },
        body,
    )
}
