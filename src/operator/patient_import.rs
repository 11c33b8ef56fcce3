//! Importing patients from a CSV file `codice_fiscale;nome;cognome;cellulare` (the header
//! line names the columns, in any order; `;` or `,` between fields), in UTF-8 (with or
//! without BOM) or Windows-1252 as Excel saves it. All or nothing: one bad line and
//! nothing is written, and the page lists every bad line with its reason.

use super::patient_form::{Person, check_person};
use super::{auth, views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::patients::store;
use crate::ui;
use hyper::StatusCode;
use maud::html;
use std::collections::HashMap;

/// 5 MB: about 100,000 patients.
const MAX_FILE: u64 = 5 * 1024 * 1024;
const MAX_ROWS: usize = 100_000;
const COLUMNS: [&str; 4] = ["codice_fiscale", "nome", "cognome", "cellulare"];

/// What a file holds: the people, or the bad lines (line number, reason).
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    People(Vec<Person>),
    Bad(Vec<(u64, String)>),
}

/// The file's text, line by line: UTF-8 (a BOM dropped), else Windows-1252 (as Excel saves
/// it). Line by line, so that a file edited in two programs — most lines UTF-8, one typed
/// in Windows-1252 — keeps every accent: decoding it whole as Windows-1252 would turn the
/// UTF-8 lines' "Cantù" into "CantÃ¹".
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(line)
                    .0,
            ),
        }
    }
    out
}

/// A header cell as people write it: "Codice Fiscale", "codice-fiscale" → "codice_fiscale".
fn column(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

pub fn parse(text: &str) -> Parsed {
    if text.trim().is_empty() {
        return Parsed::Bad(vec![(1, "Il file è vuoto.".into())]);
    }
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') { b';' } else { b',' };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match r.headers() {
        Ok(h) => h.iter().map(column).collect(),
        Err(_) => return Parsed::Bad(vec![(1, "Intestazione non leggibile.".into())]),
    };
    let mut at = [0usize; 4];
    for (i, name) in COLUMNS.iter().enumerate() {
        match header.iter().position(|h| h == name) {
            Some(p) => at[i] = p,
            None => {
                return Parsed::Bad(vec![(
                    1,
                    format!(
                        "Manca la colonna «{name}»: la prima riga deve essere codice_fiscale;nome;cognome;cellulare."
                    ),
                )]);
            }
        }
    }
    let mut people = Vec::new();
    let mut bad = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in r.records() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                bad.push((line, "Riga non leggibile (virgolette non chiuse?).".into()));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| line_at(text, p.byte()));
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if people.len() + bad.len() >= MAX_ROWS {
            bad.push((
                line,
                format!("Troppe righe: al massimo {MAX_ROWS} per file."),
            ));
            break;
        }
        if rec.len() != header.len() {
            bad.push((
                line,
                format!(
                    "{} campi invece di {}: controlla il separatore.",
                    rec.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let get = |i: usize| rec.get(at[i]).unwrap_or("");
        match check_person(get(0), get(1), get(2), get(3)) {
            Ok(p) => match seen.get(&p.cf) {
                Some(before) => bad.push((
                    line,
                    format!("Codice fiscale già presente alla riga {before}."),
                )),
                None => {
                    seen.insert(p.cf.clone(), line);
                    people.push(p);
                }
            },
            Err(errors) => bad.push((
                line,
                errors
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(" "),
            )),
        }
    }
    if !bad.is_empty() {
        Parsed::Bad(bad)
    } else if people.is_empty() {
        Parsed::Bad(vec![(2, "Il file non contiene pazienti.".into())])
    } else {
        Parsed::People(people)
    }
}

/// The file's line number (from 1) of a record at a byte offset: the csv crate's own count
/// skips blank lines, an operator's editor does not.
fn line_at(text: &str, byte: u64) -> u64 {
    // A record's position may be the blank lines read before it.
    let mut end = (byte as usize).min(text.len());
    while text
        .as_bytes()
        .get(end)
        .is_some_and(|b| *b == b'\n' || *b == b'\r')
    {
        end += 1;
    }
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// "1 paziente nuovo", "2 pazienti nuovi".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    render(app, ctx, StatusCode::OK, None, &[])
}

fn render(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    alert: Option<(&str, String)>,
    bad: &[(u64, String)],
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?;
    let body = html! {
        p { a href="/operatore/pazienti" { "← Pazienti" } }
        h1 class="page-title" { "Importa pazienti da CSV" }
        @if let Some((kind, msg)) = &alert { (ui::alert(kind, msg)) }
        @if !bad.is_empty() {
            div class="table-wrap" { table class="table" {
                caption { "Righe da correggere (" (bad.len()) ")" }
                thead { tr { th scope="col" { "Riga" } th scope="col" { "Problema" } } }
                tbody { @for (line, why) in bad { tr { td { (line) } td { (why) } } } }
            } }
        }
        section class="card narrow" {
            p { "Un file di testo con la prima riga " code { "codice_fiscale;nome;cognome;cellulare" }
                " e un paziente per riga (UTF-8 o il formato di Excel). Il cellulare può restare vuoto." }
            p { "Se anche una sola riga è sbagliata non viene importato nulla: l'elenco dice quali correggere. "
                "I pazienti già registrati vengono aggiornati (nome, cognome e, se indicato, cellulare)." }
            form method="post" action="/operatore/pazienti/importa" enctype="multipart/form-data" {
                (ui::csrf_field(&me.csrf_token))
                div class="field" {
                    label for="f-file" { "File CSV" }
                    input id="f-file" type="file" name="file" accept=".csv,text/csv,text/plain" required;
                }
                button type="submit" class="btn btn-primary" { "Importa" }
            }
        }
    };
    Ok(resp::html(
        status,
        views::page(
            app,
            ctx,
            "Importa pazienti",
            Some("/operatore/pazienti"),
            body,
        ),
    ))
}

pub async fn import(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let up = super::read_upload(app, ctx, MAX_FILE).await?;
    let Some(file) = up.file else {
        return render(
            app,
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(("danger", "Scegli il file CSV da importare.".into())),
            &[],
        );
    };
    let bytes = tokio::fs::read(&file.path)
        .await
        .map_err(AppError::internal)?;
    let people = match parse(&decode(&bytes)) {
        Parsed::People(p) => p,
        Parsed::Bad(bad) => {
            return render(
                app,
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((
                    "danger",
                    "Nessun paziente importato: correggi le righe elencate e invia di nuovo il file."
                        .into(),
                )),
                &bad,
            );
        }
    };
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let (created, updated) = app
        .db
        .write(move |tx| {
            let (mut created, mut updated) = (0, 0);
            // One row per patient too: their own "Chi ha consultato i miei dati" shows it.
            let who = Entry::by(me.actor()).ip(&ip);
            for p in &people {
                let (id, new) =
                    store::save(tx, &p.cf, &p.given, &p.family, p.mobile.as_deref(), now)?;
                let action = if new {
                    created += 1;
                    "patient_create"
                } else {
                    updated += 1;
                    "patient_update"
                };
                let e = who
                    .clone()
                    .action(action)
                    .patient(id)
                    .detail("importazione CSV");
                audit::log(tx, now, &e)?;
            }
            audit::log(
                tx,
                now,
                &Entry::by(me.actor())
                    .action("patient_import")
                    .detail(format!(
                        "{}, {}",
                        plural(created, "nuovo", "nuovi"),
                        plural(updated, "aggiornato", "aggiornati")
                    ))
                    .ip(&ip),
            )?;
            Ok((created, updated))
        })
        .await?;
    render(
        app,
        ctx,
        StatusCode::OK,
        Some((
            "success",
            format!(
                "Importazione completata: {}, {}.",
                plural(created, "paziente nuovo", "pazienti nuovi"),
                plural(updated, "aggiornato", "aggiornati")
            ),
        )),
        &[],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_and_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFnome\n"), "nome\n");
        // "Nicolò" as Excel saves it in Italy.
        assert_eq!(decode(b"Nicol\xF2"), "Nicolò");
        // Mixed: UTF-8 lines stay UTF-8, the Windows-1252 one is read as such.
        let bytes = b"Zo\xC3\xAB;S\xC3\xA0lvati\nFabrizio;Niccol\xF2\n";
        assert_eq!(decode(bytes), "Zoë;Sàlvati\nFabrizio;Niccolò\n");
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_kept() {
        let csv = "codice_fiscale;nome;cognome;cellulare\n\
                   RSSMRA80A01A182N;Mario;Rossi;3331234567\n\
                   RSSMRA80A01A182X;Mario;Rossi;\n\
                   BNCLRA85M52A182Y;Laura;Bianchi\n\
                   \n\
                   RSSMRA80A01A182N;Mario;Rossi;\n";
        let Parsed::Bad(bad) = parse(csv) else {
            panic!("bad lines accepted")
        };
        let lines: Vec<u64> = bad.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [3, 4, 6]);
        assert!(bad[0].1.contains("carattere di controllo"), "{bad:?}");
        assert!(bad[1].1.contains("3 campi invece di 4"), "{bad:?}");
        assert!(bad[2].1.contains("riga 2"), "{bad:?}");
    }

    #[test]
    fn columns_in_any_order_with_commas() {
        let csv = "Cognome,Nome,cellulare,CODICE_FISCALE\nBianchi,Laura,,BNCLRA85M52A182Y\n";
        let Parsed::People(p) = parse(csv) else {
            panic!("refused")
        };
        assert_eq!(p[0].family, "Bianchi");
        assert_eq!(p[0].mobile, None);
        assert!(matches!(parse("nome;cognome\nA;B\n"), Parsed::Bad(_)));
        let spaced = "Codice Fiscale;Nome;Cognome;Cellulare\nBNCLRA85M52A182Y;Laura;Bianchi;\n";
        assert!(matches!(parse(spaced), Parsed::People(_)));
        assert_eq!(parse(""), Parsed::Bad(vec![(1, "Il file è vuoto.".into())]));
        assert!(matches!(
            parse("codice_fiscale;nome;cognome;cellulare\n"),
            Parsed::Bad(_)
        ));
    }
}
