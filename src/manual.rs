//! "Manuale Utente": this portal's own manual, in Italian, step by step. Each section
//! describes what the portal does today; sections grow with the features.

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui::{self, Page};
use maud::{Markup, html};

struct Section {
    id: &'static str,
    title: &'static str,
    body: fn(&App) -> Markup,
}

const SECTIONS: &[Section] = &[
    Section {
        id: "accesso",
        title: "1. Accedere al portale",
        body: access,
    },
    Section {
        id: "nuovo-pin",
        title: "2. Richiedere un nuovo PIN",
        body: new_pin,
    },
    Section {
        id: "interscambiati",
        title: "3. Documenti Interscambiati",
        body: exchanged,
    },
    Section {
        id: "pacchetto",
        title: "4. Aprire il pacchetto scaricato",
        body: package,
    },
    Section {
        id: "sicurezza",
        title: "5. Sicurezza e riservatezza",
        body: safety,
    },
];

fn access(app: &App) -> Markup {
    html! {
        ol {
            li { "Apri la pagina " strong { "Accedi" } "." }
            li { "Scegli " strong { "Entra con SPID" } " o " strong { "Entra con CIE" } " per usare la tua identità digitale." }
            @if app.config.auth.pin {
                li { "Oppure inserisci il " strong { "Codice Fiscale" } " (16 caratteri, come sulla tessera sanitaria) e il "
                     strong { "PIN" } " di 8 cifre ricevuto via SMS, poi premi " strong { "Accedi" } "." }
                li { "Dopo " (app.config.auth.max_failures) " PIN errati l'accesso con quel codice fiscale si blocca per "
                     (app.config.auth.lockout_secs / 60) " minuti: la pagina indica fino a che ora." }
            }
            li { "Dopo l'accesso si apre la pagina " strong { "Documenti Interscambiati" } " con i documenti di oggi." }
        }
        p { "Per uscire premi " strong { "Logout" } " nel menu. Dopo " (app.config.session.idle_timeout_secs / 60)
            " minuti senza attività la sessione si chiude da sola." }
    }
}

fn new_pin(app: &App) -> Markup {
    html! {
        @if app.config.auth.pin {
            ol {
                li { "Nella pagina Accedi premi " strong { "Ho bisogno di un nuovo PIN" } "." }
                li { "Inserisci il codice fiscale e il numero di cellulare che hai comunicato all'Azienda." }
                li { "Premi " strong { "Invia Richiesta" } ": se i dati corrispondono ricevi un SMS con il nuovo PIN, che sostituisce il precedente." }
            }
            p { "Per sicurezza la pagina risponde sempre allo stesso modo e si può chiedere al massimo un PIN al minuto e "
                (app.config.auth.pin_reset_max_per_day) " al giorno. Se l'SMS non arriva, rivolgiti agli sportelli dell'Azienda." }
        } @else {
            p { "L'accesso avviene solo con SPID o CIE: non servono PIN." }
        }
    }
}

fn exchanged(app: &App) -> Markup {
    html! {
        p { "Qui trovi i documenti e le immagini diagnostiche che l'Azienda ha scambiato con te." }
        ol {
            li { "Di norma vedi i documenti di " strong { "oggi" } ". Per vedere altri giorni scegli le date nei due calendari "
                 strong { "Dal" } " e " strong { "Al" } "; per un solo tipo di documento scegli la " strong { "Categoria" } "." }
            li { "Un documento non ancora pronto è " strong { "Da recuperare" } ": premi " strong { "Recupera" }
                 ". Il portale lo prende dall'archivio e mostra l'avanzamento; non serve ricaricare la pagina." }
            li { "Quando è " strong { "Disponibile" } " premi " strong { "Download" } ": il file resta scaricabile per "
                 (app.config.recovery.keep_hours) " ore, poi va recuperato di nuovo." }
            li { "Se compare " strong { "Recupero non riuscito" } ", leggi il motivo e premi " strong { "Riprova" } " più tardi." }
        }
        p { "I documenti restano consultabili online per " (app.config.documents.online_days)
            " giorni dalla data di scambio. Con " strong { "Nascondi" } " togli un documento dall'elenco; con "
            em { "Mostra anche i documenti che ho nascosto" } " lo ritrovi e puoi mostrarlo di nuovo." }
    }
}

fn package(_app: &App) -> Markup {
    html! {
        p { "Il file scaricato ha già il nome giusto, ad esempio " code { "MARIO_ROSSI_TC_TORACE_20261126.zip" } "." }
        ol {
            li { "Estrai il file ZIP (su Windows: tasto destro, " em { "Estrai tutto" } "; su Mac e sui telefoni basta toccarlo)." }
            li { "Apri la cartella " strong { "VIEWER" } " e il file " strong { "index.html" } ": le immagini si aprono nel browser, senza installare nulla." }
            li { "Scorri le immagini con la rotella del mouse, i tasti freccia o trascinando il dito; cambia serie dall'elenco." }
            li { "Per il medico: la cartella " strong { "DICOM" } " e il file " strong { "DICOMDIR" } " contengono le immagini originali, da copiare su chiavetta o CD." }
        }
        p { "Il file " strong { "LEGGIMI.txt" } " nel pacchetto ripete queste istruzioni." }
    }
}

fn safety(_app: &App) -> Markup {
    html! {
        ul {
            li { "Su un computer condiviso o in un chiosco premi sempre " strong { "Logout" } " alla fine." }
            li { "Gli SMS dell'Azienda non contengono mai informazioni sulla tua salute né link." }
            li { "Ogni recupero e ogni download è registrato, con data e ora." }
            li { "I documenti scaricati contengono dati sanitari: conservali con cura." }
        }
    }
}

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let body = html! {
        h1 class="page-title" { "Manuale Utente" }
        nav aria-label="Indice del manuale" {
            ol class="toc" { @for s in SECTIONS { li { a href={ "#" (s.id) } { (s.title) } } } }
        }
        @for s in SECTIONS {
            section id=(s.id) class="card manual-section" aria-labelledby={ (s.id) "-t" } {
                h2 id={ (s.id) "-t" } { (s.title) }
                ((s.body)(app))
            }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: "Manuale Utente",
            active: Some("/manuale"),
        },
        body,
    )))
}
