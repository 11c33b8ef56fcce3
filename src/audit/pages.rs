//! "Chi ha consultato i miei dati": every access to the patient's documents — by the
//! patient, by the ASL's operators, by the hospital's systems — and every action of an
//! operator or a system on the patient's data, newest first. The Garante's guidelines on
//! online reports ask that a patient can know this; the portal shows it without being asked.

use super::store::{self, Access};
use crate::app::App;
use crate::auth::sessions;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui::{self, Page, time};
use maud::{Markup, html};

pub const PATH: &str = "/accessi";
const PAGE: i64 = 50;

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let page_no: i64 = ctx
        .query()
        .get("pagina")
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .unwrap_or(1);
    let patient = session.patient_id;
    let mut rows = app
        .db
        .read(move |c| Ok(store::accesses(c, patient, PAGE + 1, (page_no - 1) * PAGE)?))
        .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let body = html! {
        h1 class="page-title" { "Chi ha consultato i miei dati" }
        p { "Qui trovi ogni accesso ai tuoi documenti — tuo, del personale dell'Azienda e dei sistemi \
             dell'ospedale — e ogni operazione del personale sui tuoi dati, dalla più recente." }
        p class="hint" { "Se un accesso non ti sembra giustificato, scrivici da "
            a href="/assistenza" { "Assistenza" } "." }
        (table(&rows))
        nav class="pager" aria-label="Pagine" {
            @if page_no > 1 { a href={ (PATH) "?pagina=" (page_no - 1) } { "← Più recenti" } }
            @if more { a href={ (PATH) "?pagina=" (page_no + 1) } { "Meno recenti →" } }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: "Chi ha consultato i miei dati",
            active: None,
        },
        body,
    )))
}

/// Who, as the patient reads it.
fn who(a: &Access) -> String {
    match a.actor.as_str() {
        "patient" => "Tu".to_string(),
        "operator" => format!("Personale dell'Azienda: {}", a.who),
        "api" => format!("Sistema dell'ospedale: {}", a.who),
        _ if a.action.starts_with("share_")
            && a.action != "share_create"
            && a.action != "share_revoke" =>
        {
            "Chi ha il link che hai condiviso".to_string()
        }
        _ => "Il portale".to_string(),
    }
}

fn table(rows: &[Access]) -> Markup {
    html! {
        @if rows.is_empty() {
            p class="empty" { "Nessun accesso registrato." }
        } @else {
            div class="table-wrap" {
                table class="table" {
                    caption class="visually-hidden" { "Accessi ai tuoi dati" }
                    thead { tr {
                        th scope="col" { "Data e ora" }
                        th scope="col" { "Chi" }
                        th scope="col" { "Che cosa" }
                        th scope="col" { "Documento" }
                    } }
                    tbody {
                        @for a in rows {
                            tr {
                                td { (time::datetime(a.at)) }
                                td { (who(a)) }
                                td { (super::label(&a.action)) }
                                td {
                                    @if a.title.is_empty() { "—" } @else {
                                        (a.title) br; span class="hint" { (a.category) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
