//! The Manuale Utente in Italian: each section's body, by the name `SECTIONS` gives it
//! (`super`); its English is the function of the same name in `en.rs`.

use crate::config::Config;
use maud::{Markup, html};

pub fn access(c: &Config) -> Markup {
    html! {
        ol {
            li { "Apri la pagina " strong { "Accedi" } "." }
            li { "Scegli " strong { "Entra con SPID" } " o " strong { "Entra con CIE" } " per usare la tua identità digitale." }
            @if c.auth.pin {
                li { "Oppure inserisci il " strong { "Codice Fiscale" } " (16 caratteri, come sulla tessera sanitaria) e il "
                     strong { "PIN" } " di 8 cifre ricevuto via SMS, poi premi " strong { "Accedi" } "." }
                li { "Dopo " (c.auth.max_failures) " PIN errati l'accesso con quel codice fiscale si blocca per "
                     (c.auth.lockout_secs / 60) " minuti: la pagina indica fino a che ora." }
            }
            li { "Con SPID o CIE si apre la pagina del tuo gestore dell'identità: accedi (con SPID serve il livello 2, ad esempio "
                 "password e codice sull'app) e torni qui. La prima volta, se l'Azienda non ha ancora documenti per te, il portale te lo dice." }
            li { "Dopo l'accesso si apre la pagina " strong { "Documenti Interscambiati" } " con i documenti di oggi." }
        }
        p { "Nella pagina Accedi, " strong { "Istruzioni per l'accesso" } " e " strong { "Come richiedere il PIN?" }
            " riportano a queste istruzioni; accanto ai pulsanti, " strong { "Maggiori informazioni" } " e "
            strong { "Non hai SPID?" } " aprono in una nuova scheda le pagine pubbliche di AgID su SPID e su come ottenerlo." }
        p { "Sul telefono il menu è raccolto sotto il pulsante " strong { "Menu" } " in alto, che mostra anche la sezione in cui ti trovi e quanti documenti hai nel carrello: toccalo per aprirlo o chiuderlo." }
        p { "Per uscire premi " strong { "Logout" } " nel menu. Dopo " (c.session.idle_timeout_secs / 60)
            " minuti senza attività la sessione si chiude da sola." }
    }
}

pub fn new_pin(c: &Config) -> Markup {
    html! {
        @if c.auth.pin {
            ol {
                li { "Nella pagina Accedi premi " strong { "Ho bisogno di un nuovo PIN" } "." }
                li { "Inserisci il codice fiscale e il numero di cellulare che hai comunicato all'Azienda." }
                li { "Premi " strong { "Invia Richiesta" } ": se i dati corrispondono ricevi un SMS con il nuovo PIN, che sostituisce il precedente." }
            }
            p { "Per sicurezza la pagina risponde sempre allo stesso modo e si può chiedere al massimo un PIN al minuto e "
                (c.auth.pin_reset_max_per_day) " al giorno. Se l'SMS non arriva, rivolgiti agli sportelli dell'Azienda." }
        } @else {
            p { "L'accesso avviene solo con SPID o CIE: non servono PIN." }
        }
    }
}

pub fn exchanged(c: &Config) -> Markup {
    html! {
        p { "Qui trovi i documenti e le immagini diagnostiche che l'Azienda ha scambiato con te." }
        ol {
            li { "Di norma vedi i documenti di " strong { "oggi" } ". Per vedere altri giorni scegli le date nei due calendari "
                 strong { "Dal" } " e " strong { "Al" } "; per un solo tipo di documento scegli la " strong { "Categoria" } "." }
            li { "Un documento non ancora pronto è " strong { "Da recuperare" } ": premi " strong { "Recupera" }
                 ". Il portale lo prende dall'archivio e mostra l'avanzamento; non serve ricaricare la pagina." }
            li { "Una volta " strong { "recuperato" } ", il documento verrà scaricato dal browser da solo, se hai premuto "
                 strong { "Recupera" } " e la pagina è rimasta aperta. Il pulsante " strong { "Download" }
                 " resta comunque disponibile: il file si può scaricare di nuovo per "
                 (c.recovery.keep_hours) " ore, poi va recuperato di nuovo." }
            li { "Se compare " strong { "Recupero non riuscito" } ", leggi il motivo e premi " strong { "Riprova" } " più tardi." }
        }
        p { "I documenti restano consultabili online per " (c.documents.online_days)
            " giorni dalla data di scambio. Con " strong { "Nascondi" } " togli un documento dall'elenco; con "
            em { "Mostra anche i documenti che ho nascosto" } " lo ritrovi e puoi mostrarlo di nuovo." }
    }
}

pub fn package(_c: &Config) -> Markup {
    html! {
        p { "Il file scaricato ha già il nome giusto, ad esempio " code { "MARIO_ROSSI_TC_TORACE_20261126.zip" } "." }
        ol {
            li { "Estrai il file ZIP (su Windows: tasto destro, " em { "Estrai tutto" } "; su Mac e sui telefoni basta toccarlo)." }
            li { "Apri la cartella " strong { "VIEWER" } " e il file " strong { "index.html" } ": il visualizzatore si apre nel browser, senza installare nulla." }
            li { "Premi " strong { "Scegli la cartella dello studio" } " e scegli la cartella estratta (quella con "
                 strong { "DICOM" } ", " strong { "DICOMDIR" } " e " strong { "VIEWER" } "), oppure trascinala nella pagina. "
                 "Se il browser chiede di confermare il caricamento, conferma: i file restano sul tuo computer." }
            li { "Scorri le immagini con la rotella del mouse, i tasti freccia o il cursore; cambia serie dall'elenco. "
                 "Sopra l'immagine trovi zoom, spostamento, finestra dei grigi, misura delle distanze e intestazione DICOM." }
            li { "Per il medico: la cartella " strong { "DICOM" } " e il file " strong { "DICOMDIR" } " contengono le immagini originali, da copiare su chiavetta o CD." }
        }
        p { "Il file " strong { "LEGGIMI.txt" } " nel pacchetto ripete queste istruzioni." }
    }
}

pub fn dashboard(_c: &Config) -> Markup {
    html! {
        p { "La " strong { "Dashboard" } " è il " em { "riepilogo ultimi ordini effettuati e documenti aggiunti di recente" } ":" }
        ul {
            li { strong { "Ultimi cinque ordini effettuati" } ": numero, data, stato e totale di ogni ordine; "
                 strong { "Download" } " compare quando l'ordine è " strong { "COMPLETATO" } ". "
                 strong { "Visualizza tutti gli ordini" } " apre la pagina Ordini." }
            li { strong { "Nuovi Documenti" } ": i documenti pubblicati di recente, con la categoria e il prezzo o la scritta "
                 strong { "GRATUITO" } "." }
        }
        p { "Lo stato di un ordine in attesa di pagamento si aggiorna da solo: non serve ricaricare la pagina." }
    }
}

pub fn catalogue(c: &Config) -> Markup {
    html! {
        p { "La pagina " strong { "Documenti" } " elenca tutti i documenti legati al tuo codice fiscale, anche quelli non più in "
            "Documenti Interscambiati." }
        ol {
            li { "Per vedere un solo tipo di documento scegli la " strong { "Categoria" } ", ad esempio " em { "Cartella clinica" } "." }
            li { "Ogni documento mostra la data di pubblicazione, lo stato (" strong { "DISPONIBILE" } ", " strong { "IN PREPARAZIONE" }
                 ") e il prezzo (ad esempio " em { "€ 22,00 IVA " (c.payments.vat_pct) " %" } ") oppure " strong { "GRATUITO" } "." }
            li { "L'icona a forma di occhio apre l'" strong { "anteprima" } ": tipo, reparto, date di ricovero e dimissione, pagine, "
                 "dimensione, data di pubblicazione e, per le immagini, una miniatura." }
            li { "Un documento gratuito si scarica da " strong { "Documenti Interscambiati" } ": il link porta alla sua riga." }
            li { "Per acquistare la copia di un documento a pagamento premi " strong { "Aggiungi Carrello" }
                 ": il numero accanto a " strong { "Carrello" } " nel menu aumenta." }
            li { "Nel " strong { "Carrello" } " vedi i documenti scelti e il totale; " strong { "Rimuovi" } " toglie un documento. "
                 "Un documento già acquistato o già in un ordine aperto non si può aggiungere di nuovo." }
            li { "Premi " strong { "Procedi all'ordine" } "." }
        }
        p { "Se non trovi un documento (ad esempio la cartella di un ricovero) usa " strong { "Richiedi informazioni sulla disponibilità" }
            ": indica il documento o il periodo del ricovero e scrivi un messaggio. La risposta arriva nella pagina Assistenza." }
    }
}

pub fn checkout(c: &Config) -> Markup {
    let p = &c.payments;
    html! {
        ol {
            li { "Il " strong { "dettaglio dell'ordine" } " mostra il Numero ordine, la Modalità di pagamento (" (p.provider_name)
                 "), a chi è intestato (" (c.payee()) "), la causale (" em { (p.causale) } "), la data dell'ordine, i documenti, i prezzi, l'IVA e il totale." }
            li { "Spunta le due caselle obbligatorie: l'" strong { "informativa privacy" } " e le " strong { "condizioni di vendita" }
                 ". Solo allora il pulsante " strong { "Acquista ora" } " si attiva." }
            li { "Inserisci l'" strong { "e-mail" } " a cui ricevere la ricevuta e premi " strong { "Conferma" } "." }
            li { "L'ordine passa a " strong { "IN ATTESA DI PAGAMENTO" } " e mostra l'" strong { "Identificativo ticket" }
                 ": il codice avviso pagoPA di 18 cifre. Il pulsante " strong { "Copia" } " lo copia negli appunti." }
            li { strong { "Scarica Avviso di Pagamento" } " scarica l'avviso in PDF, con il codice QR: puoi pagarlo anche in banca, "
                 "all'ufficio postale, in tabaccheria o con l'app della tua banca, entro " (p.due_days) " giorni." }
            li { "Oppure premi " strong { "Procedi" } ": si apre il portale dei pagamenti. Incolla l'Identificativo ticket, inserisci il "
                 "codice fiscale, premi " strong { "Cerca" } " e poi " strong { "PAGA SUBITO" } "." }
        }
        p { strong { "Attenzione: L'elaborazione dei pagamenti potrebbe richiedere svariati minuti." }
            " Il portale controlla da solo l'esito del pagamento, anche se chiudi il browser." }
    }
}

pub fn orders(c: &Config) -> Markup {
    html! {
        p { "La pagina " strong { "Ordini" } " elenca tutti i tuoi ordini con il loro stato:" }
        ul {
            li { strong { "IN ATTESA DI PAGAMENTO" } ": il pagamento non è ancora arrivato; lo stato si aggiorna da solo. Nella pagina "
                 "dell'ordine trovi " strong { "Scarica Avviso di Pagamento" } ", " strong { "Procedi" } ", "
                 strong { "Vai al portale per i pagamenti" } " e " strong { "Richiedi assistenza" } "." }
            li { strong { "COMPLETATO" } ": pagamento ricevuto. Premi " strong { "Download" } ", poi " strong { "Recupera" }
                 " su ogni documento e, quando è disponibile, " strong { "Download" } ": il file resta scaricabile per "
                 (c.recovery.keep_hours) " ore e si può recuperare di nuovo." }
            li { strong { "PAGAMENTO NON RIUSCITO" } ": puoi premere " strong { "Ripeti Pagamento" } " (non paghi mai due volte lo stesso ordine), "
                 strong { "Vai al portale per i pagamenti" } " oppure " strong { "Richiedi assistenza" } "." }
            li { strong { "SCADUTO" } ": l'avviso non è stato pagato in tempo; per acquistare crea un nuovo ordine." }
            li { strong { "ANNULLATO" } ": l'ordine è stato annullato e non si può più pagare." }
        }
        p { "Nella pagina di un ordine, " strong { "Indietro" } " riporta alla pagina da cui l'hai aperta (Dashboard o Ordini)." }
        p { "Un ordine non ancora confermato si annulla con " strong { "Annulla ordine" } "; dopo "
            (c.payments.draft_hours) " ore senza conferma si annulla da solo." }
    }
}

pub fn support(_c: &Config) -> Markup {
    html! {
        ol {
            li { "Apri " strong { "Assistenza" } " dal menu: trovi le tue richieste, con lo stato e le risposte dell'Azienda." }
            li { "Per una nuova richiesta scegli il tipo (assistenza o disponibilità di un documento), scrivi l'oggetto e il messaggio e premi invia." }
            li { "Dalla pagina di un ordine in attesa di pagamento o con pagamento non riuscito, " strong { "Richiedi assistenza" } " collega la richiesta a quell'ordine." }
        }
        p { "Non scrivere nel messaggio informazioni sulla tua salute che non servono alla richiesta." }
    }
}

pub fn sharing(_c: &Config) -> Markup {
    html! {
        ol {
            li { "In " strong { "Documenti Interscambiati" } ", sulla riga del documento, premi " strong { "Condividi con il medico" }
                 ". Puoi condividere i documenti gratuiti e quelli di cui hai acquistato la copia." }
            li { "Scegli per quanti giorni il link resta valido (da 1 a 30; di solito 7) e, se vuoi, per chi è. Premi " strong { "Crea il link" } "." }
            li { "Il portale ti mostra il " strong { "link" } " e un " strong { "codice di 6 cifre" } ". Il codice si vede una volta sola: "
                 "annotalo e dallo al medico a voce o per telefono, non nello stesso messaggio del link." }
            li { "Il medico apre il link, scrive il codice e scarica lo stesso pacchetto che scarichi tu, senza registrarsi. "
                 "Dopo 5 codici sbagliati il link si blocca." }
        }
        p { "Nella pagina " strong { "Condivisioni con il medico" } " (anche dalla Dashboard) vedi ogni condivisione con i suoi accessi "
            "(data, ora, indirizzo) e puoi premere " strong { "Revoca subito" } ": il link smette di funzionare immediatamente. "
            "Ogni accesso compare anche in «Chi ha consultato i miei dati»." }
    }
}

pub fn kiosk(c: &Config) -> Markup {
    html! {
        p { "Nelle sale d'attesa puoi usare il portale dai chioschi dell'Azienda. Funziona come a casa, con alcune differenze pensate per chi viene dopo di te:" }
        ul {
            li { "Se non tocchi lo schermo per " (c.kiosk.idle_secs) " secondi compare la domanda " strong { "«Sei ancora lì?»" }
                 ": premi " strong { "Sì, continuo" } ". Se nessuno risponde, dopo " (c.kiosk.countdown_secs)
                 " secondi il portale esce da solo e torna alla pagina iniziale." }
            li { "I documenti non si scaricano sul chiosco: premi " strong { "Invia al mio cellulare" }
                 " e ricevi un SMS, al numero registrato presso l'Azienda, con l'indirizzo del portale da aprire dal tuo telefono." }
            li { "Per pagare allo sportello o in tabaccheria premi " strong { "Stampa avviso di pagamento" } "." }
            li { "Alla fine premi comunque " strong { "Logout" } "." }
        }
    }
}

pub fn safety(_c: &Config) -> Markup {
    html! {
        ul {
            li { "Su un computer condiviso o in un chiosco premi sempre " strong { "Logout" } " alla fine." }
            li { "Gli SMS dell'Azienda non contengono mai informazioni sulla tua salute né link." }
            li { "Ogni recupero e ogni download è registrato, con data e ora." }
            li { "La causale del pagamento è sempre generica (" em { "Download documenti clinici" } "): non contiene mai informazioni cliniche." }
            li { "I documenti scaricati contengono dati sanitari: conservali con cura." }
        }
    }
}
