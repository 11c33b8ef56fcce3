//! The Manuale Utente in English: each section's body, a faithful translation of the
//! function of the same name in `it.rs`. A button or menu entry is named as the English
//! page shows it, with its Italian label in parentheses the first time (`it`), marked
//! `lang="it"`: the patient may meet it on a page in Italian or hear it at the desk. The
//! shell's labels (menu, logout, the kiosk's question) come from its catalogue, so the manual
//! names them as the menu does.

use crate::config::Config;
use crate::i18n::Msg;
use crate::i18n::text::{
    KIOSK_STAY, KIOSK_TITLE, LOGOUT, NAV_CART, NAV_DASHBOARD, NAV_DOCUMENTS, NAV_EXCHANGED,
    NAV_ORDERS, NAV_SUPPORT,
};
use maud::{Markup, html};

/// The Italian label in parentheses, after its English.
fn it(label: &str) -> Markup {
    html! { " (" span lang="it" { (label) } ")" }
}

/// A label of the page shell, in bold, with its Italian in parentheses (its first mention).
fn shell(m: Msg) -> Markup {
    html! { strong { (m.en) } (it(m.it)) }
}

pub fn access(c: &Config) -> Markup {
    html! {
        ol {
            li { "Open the " strong { "Log in" } (it("Accedi")) " page." }
            li { "Choose " strong { "Log in with SPID" } (it("Entra con SPID")) " or " strong { "Log in with CIE" } (it("Entra con CIE"))
                 " to use your digital identity." }
            @if c.auth.pin {
                li { "Or enter your " strong { "tax code" } (it("Codice Fiscale")) ", 16 characters as on your health card, and the 8-digit "
                     strong { "PIN" } " you received by text message, then press " strong { "Log in" } "." }
                li { "After " (c.auth.max_failures) " wrong PINs, logging in with that tax code is blocked for "
                     (c.auth.lockout_secs / 60) " minutes: the page tells you until what time." }
            }
            li { "With SPID or CIE, the page of your identity provider opens: log in there (SPID needs level 2, for example "
                 "a password and a code in the app) and you come back here. The first time, if the health authority has no documents for you yet, the portal tells you so." }
            li { "Once you are logged in, the " (shell(NAV_EXCHANGED)) " page opens with today's documents." }
        }
        p { "On the Log in page, " strong { "Login instructions" } (it("Istruzioni per l'accesso")) " and " strong { "How do I get a PIN?" }
            (it("Come richiedere il PIN?")) " bring you back to these instructions; next to the buttons, " strong { "More information" }
            (it("Maggiori informazioni")) " and " strong { "No SPID?" } (it("Non hai SPID?"))
            " open, in a new tab, AgID's public pages about SPID and how to get it." }
        p { "On a phone the menu is gathered under the " strong { "Menu" } " button at the top, which also shows the section you are in and how many documents are in your cart: tap it to open or close it." }
        p { "To leave, press " (shell(LOGOUT)) " in the menu. After " (c.session.idle_timeout_secs / 60)
            " minutes without activity the session closes by itself." }
    }
}

pub fn new_pin(c: &Config) -> Markup {
    html! {
        @if c.auth.pin {
            ol {
                li { "On the Log in page press " strong { "I need a new PIN" } (it("Ho bisogno di un nuovo PIN")) "." }
                li { "Enter your tax code and the mobile number you gave the health authority." }
                li { "Press " strong { "Send request" } (it("Invia Richiesta")) ": if the details match, you receive a text message with your new PIN, which replaces the old one." }
            }
            p { "For your security, the page always gives the same answer, and you can ask for at most one PIN a minute and "
                (c.auth.pin_reset_max_per_day) " a day. If the text message does not arrive, ask at one of the health authority's front desks." }
        } @else {
            p { "You log in only with SPID or CIE: you do not need a PIN." }
        }
    }
}

pub fn exchanged(c: &Config) -> Markup {
    html! {
        p { "Here you find the documents and diagnostic images that the health authority has exchanged with you." }
        ol {
            li { "Normally you see " strong { "today's" } " documents. To see other days, choose the dates in the two calendars "
                 strong { "From" } (it("Dal")) " and " strong { "To" } (it("Al")) "; to see one type of document only, choose the "
                 strong { "Category" } (it("Categoria")) "." }
            li { "A document that is not ready yet is " strong { "To be retrieved" } (it("Da recuperare")) ": press " strong { "Retrieve" }
                 (it("Recupera")) ". The portal fetches it from the archive and shows its progress; you do not need to reload the page." }
            li { "Once it is " strong { "retrieved" } (it("recuperato")) ", your browser downloads the document by itself, if you pressed "
                 strong { "Retrieve" } " and the page stayed open. The " strong { "Download" }
                 " button stays available anyway: you can download the file again for "
                 (c.recovery.keep_hours) " hours; after that it has to be retrieved again." }
            li { "If " strong { "Retrieval failed" } (it("Recupero non riuscito")) " appears, read the reason and press " strong { "Try again" }
                 (it("Riprova")) " later." }
        }
        p { "You can see documents online for " (c.documents.online_days)
            " days from the date they were exchanged. " strong { "Hide" } (it("Nascondi")) " takes a document off the list; with "
            em { "Also show the documents I have hidden" } (it("Mostra anche i documenti che ho nascosto")) " you find it again and can show it again." }
    }
}

pub fn package(_c: &Config) -> Markup {
    html! {
        p { "The downloaded file already has the right name, for example " code { "MARIO_ROSSI_TC_TORACE_20261126.zip" } "." }
        ol {
            li { "Extract the ZIP file (on Windows: right-click, " em { "Extract All" } "; on a Mac and on phones just tap it)." }
            li { "Open the " strong { "VIEWER" } " folder and the file " strong { "index.html" } ": the viewer opens in your browser, with nothing to install." }
            li { "Press " strong { "Choose the study folder" } (it("Scegli la cartella dello studio")) " and choose the extracted folder (the one with "
                 strong { "DICOM" } ", " strong { "DICOMDIR" } " and " strong { "VIEWER" } "), or drag it onto the page. "
                 "If the browser asks you to confirm the upload, confirm: the files stay on your computer." }
            li { "Scroll through the images with the mouse wheel, the arrow keys or the slider; change series from the list. "
                 "Above the image you find zoom, pan, the greyscale window, distance measurement and the DICOM header." }
            li { "For your doctor: the " strong { "DICOM" } " folder and the " strong { "DICOMDIR" } " file hold the original images, to copy onto a USB stick or a CD." }
        }
        p { "The file " strong { "LEGGIMI.txt" } " (“read me”) in the package repeats these instructions in Italian." }
    }
}

pub fn dashboard(_c: &Config) -> Markup {
    html! {
        p { "The " strong { "Dashboard" } " is the " em { "summary of your latest orders and recently added documents" } ":" }
        ul {
            li { strong { "Your last five orders" } (it("Ultimi cinque ordini effettuati")) ": the number, date, status and total of each order; "
                 strong { "Download" } " appears when the order is " strong { "COMPLETED" } (it("COMPLETATO")) ". "
                 strong { "View all orders" } (it("Visualizza tutti gli ordini")) " opens the " (shell(NAV_ORDERS)) " page." }
            li { strong { "New documents" } (it("Nuovi Documenti")) ": the documents published recently, with their category and their price or the word "
                 strong { "FREE" } (it("GRATUITO")) "." }
        }
        p { "The status of an order awaiting payment updates by itself: you do not need to reload the page." }
    }
}

pub fn catalogue(c: &Config) -> Markup {
    html! {
        p { "The " (shell(NAV_DOCUMENTS)) " page lists all the documents linked to your tax code, including those no longer in "
            (NAV_EXCHANGED.en) "." }
        ol {
            li { "To see one type of document only, choose the " strong { "Category" } ", for example " em lang="it" { "Cartella clinica" } " (medical record)." }
            li { "Each document shows its publication date, its status, " strong { "AVAILABLE" } (it("DISPONIBILE")) " or " strong { "IN PREPARATION" }
                 (it("IN PREPARAZIONE")) ", and its price (for example " em { "€22.00 VAT " (c.payments.vat_pct) "%" } ") or " strong { "FREE" } "." }
            li { "The eye-shaped icon opens the " strong { "preview" } ": type, department, admission and discharge dates, pages, "
                 "size, publication date and, for images, a thumbnail." }
            li { "You download a free document from " strong { (NAV_EXCHANGED.en) } ": the link takes you to its row." }
            li { "To buy a copy of a document you pay for, press " strong { "Add to cart" } (it("Aggiungi Carrello"))
                 ": the number next to " (shell(NAV_CART)) " in the menu goes up." }
            li { "In the " strong { (NAV_CART.en) } " you see the documents you chose and the total; " strong { "Remove" } (it("Rimuovi")) " takes a document out. "
                 "A document you have already bought, or that is already in an open order, cannot be added again." }
            li { "Press " strong { "Proceed to checkout" } (it("Procedi all'ordine")) "." }
        }
        p { "If you cannot find a document (for example the record of a hospital stay), use " strong { "Ask whether a document is available" }
            (it("Richiedi informazioni sulla disponibilità"))
            ": say which document it is or when you were in hospital, and write a message. The answer arrives on the " (NAV_SUPPORT.en) " page." }
    }
}

pub fn checkout(c: &Config) -> Markup {
    let p = &c.payments;
    html! {
        ol {
            li { "The " strong { "order details" } " show the order number, the payment method (" (p.provider_name)
                 "), who the payment is made out to (" span lang="it" { (c.payee()) } "), the payment reason (" em lang="it" { (p.causale) }
                 "), the order date, the documents, the prices, VAT and the total." }
            li { "Tick the two required boxes: the " strong { "privacy notice" } (it("informativa privacy")) " and the " strong { "terms of sale" }
                 (it("condizioni di vendita")) ". Only then does the " strong { "Buy now" } (it("Acquista ora")) " button become active." }
            li { "Enter the " strong { "e-mail address" } " where you want to receive the receipt and press " strong { "Confirm" } (it("Conferma")) "." }
            li { "The order changes to " strong { "AWAITING PAYMENT" } (it("IN ATTESA DI PAGAMENTO")) " and shows the " strong { "Ticket ID" }
                 (it("Identificativo ticket")) ": the 18-digit pagoPA notice code. The " strong { "Copy" } (it("Copia")) " button copies it to the clipboard." }
            li { strong { "Download payment notice" } (it("Scarica Avviso di Pagamento")) " downloads the notice as a PDF, with its QR code: you can also pay it at a bank, "
                 "at a post office, at a tobacconist's or with your bank's app, within " (p.due_days) " days." }
            li { "Or press " strong { "Proceed" } (it("Procedi")) ": the payment portal opens. Paste the Ticket ID, enter the "
                 "tax code, press " strong lang="it" { "Cerca" } " (search) and then " strong lang="it" { "PAGA SUBITO" } " (pay now)." }
        }
        p { strong { "Please note: payments can take several minutes to be processed." }
            " The portal checks the outcome of the payment by itself, even if you close your browser." }
    }
}

pub fn orders(c: &Config) -> Markup {
    html! {
        p { "The " strong { (NAV_ORDERS.en) } " page lists all your orders with their status:" }
        ul {
            li { strong { "AWAITING PAYMENT" } ": the payment has not arrived yet; the status updates by itself. On the order's "
                 "page you find " strong { "Download payment notice" } ", " strong { "Proceed" } ", "
                 strong { "Go to the payment portal" } (it("Vai al portale per i pagamenti")) " and " strong { "Ask for help" } (it("Richiedi assistenza")) "." }
            li { strong { "COMPLETED" } ": payment received. Press " strong { "Download" } ", then " strong { "Retrieve" }
                 " on each document and, when it is available, " strong { "Download" } ": you can download the file for "
                 (c.recovery.keep_hours) " hours, and retrieve it again after that." }
            li { strong { "PAYMENT FAILED" } (it("PAGAMENTO NON RIUSCITO")) ": you can press " strong { "Retry payment" } (it("Ripeti Pagamento"))
                 ", which never makes you pay twice for the same order, " strong { "Go to the payment portal" } " or " strong { "Ask for help" } "." }
            li { strong { "EXPIRED" } (it("SCADUTO")) ": the notice was not paid in time; to buy, create a new order." }
            li { strong { "CANCELLED" } (it("ANNULLATO")) ": the order was cancelled and can no longer be paid." }
        }
        p { "On an order's page, " strong { "Back" } (it("Indietro")) " takes you back to the page you opened it from ("
            (NAV_DASHBOARD.en) " or " (NAV_ORDERS.en) ")." }
        p { "You can cancel an order you have not confirmed yet with " strong { "Cancel order" } (it("Annulla ordine")) "; after "
            (c.payments.draft_hours) " hours without confirmation it is cancelled automatically." }
    }
}

pub fn support(_c: &Config) -> Markup {
    html! {
        ol {
            li { "Open " (shell(NAV_SUPPORT)) " from the menu: there you find your requests, with their status and the health authority's replies." }
            li { "For a new request, choose its type (help, or whether a document is available), write the subject and the message and press send." }
            li { "From the page of an order awaiting payment or whose payment failed, " strong { "Ask for help" } " links the request to that order." }
        }
        p { "Do not write anything about your health in the message that the request does not need." }
    }
}

pub fn sharing(_c: &Config) -> Markup {
    html! {
        ol {
            li { "In " strong { (NAV_EXCHANGED.en) } ", on the document's row, press " strong { "Share with your doctor" } (it("Condividi con il medico"))
                 ". You can share free documents and those you have bought a copy of." }
            li { "Choose for how many days the link stays valid (1 to 30; usually 7) and, if you wish, who it is for. Press " strong { "Create the link" }
                 (it("Crea il link")) "." }
            li { "The portal shows you the " strong { "link" } " and a " strong { "6-digit code" } ". The code is shown only once: "
                 "write it down and give it to your doctor in person or by phone, not in the same message as the link." }
            li { "Your doctor opens the link, enters the code and downloads the same package that you download, without registering. "
                 "After 5 wrong codes the link is blocked." }
        }
        p { "On the " strong { "Shared with your doctor" } (it("Condivisioni con il medico")) " page (also from the " (NAV_DASHBOARD.en) ") you see each share with every time it was opened "
            "(date, time, internet address) and you can press " strong { "Revoke now" } (it("Revoca subito")) ": the link stops working at once. "
            "Every access also appears in “Who has looked at my data”" (it("Chi ha consultato i miei dati")) "." }
    }
}

pub fn kiosk(c: &Config) -> Markup {
    html! {
        p { "In the waiting rooms you can use the portal from the health authority's kiosks. It works as it does at home, with a few differences meant for whoever comes after you:" }
        ul {
            li { "If you do not touch the screen for " (c.kiosk.idle_secs) " seconds, the question " strong { "“" (KIOSK_TITLE.en) "”" }
                 (it(KIOSK_TITLE.it)) " appears: press " (shell(KIOSK_STAY)) ". If nobody answers, after " (c.kiosk.countdown_secs)
                 " seconds the portal logs out by itself and goes back to the start page." }
            li { "Documents are not downloaded on the kiosk: press " strong { "Send to my mobile" } (it("Invia al mio cellulare"))
                 " and you receive a text message, at the number registered with the health authority, with the address of the portal to open on your own phone." }
            li { "To pay at a counter or at a tobacconist's, press " strong { "Print payment notice" } (it("Stampa avviso di pagamento")) "." }
            li { "Even so, press " strong { (LOGOUT.en) } " when you have finished." }
        }
    }
}

pub fn safety(_c: &Config) -> Markup {
    html! {
        ul {
            li { "On a shared computer or at a kiosk, always press " strong { (LOGOUT.en) } " when you have finished." }
            li { "The health authority's text messages never contain information about your health, nor links." }
            li { "Every retrieval and every download is recorded, with its date and time." }
            li { "The payment reason is always generic (" em lang="it" { "Download documenti clinici" } ", “clinical documents download”): it never contains clinical information." }
            li { "Downloaded documents contain health data: keep them safe." }
        }
    }
}
