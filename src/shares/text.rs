//! The messages of sharing with a doctor: the patient's pages, the doctor's pages and the
//! errors of both.

crate::msgs! {
    // Errors.
    DOC_NOT_FOUND = "Documento non trovato." / "Document not found.";
    LOCKED = "Puoi condividere questo documento dopo averne acquistato la copia." / "You can share this document once you have bought a copy of it.";
    DAYS_RANGE = "Scegli una durata da {} a {} giorni." / "Choose a length of time from {} to {} days.";
    SHARE_NOT_FOUND = "Condivisione non trovata o già chiusa." / "Share not found, or already closed.";
    BAD_LINK = "Questo link non è valido: controlla di averlo copiato per intero." / "This link is not valid: check that you copied all of it.";
    TOO_MANY = "Troppi tentativi da questo indirizzo: riprova tra un minuto." / "Too many attempts from this address: please try again in a minute.";
    WRONG_ONE = "Codice errato: resta un solo tentativo, poi il link si blocca." / "Wrong code: one attempt left, then the link will be blocked.";
    WRONG_MANY = "Codice errato: restano {} tentativi, poi il link si blocca." / "Wrong code: {} attempts left, then the link will be blocked.";
    NOT_READY = "Lo studio non è pronto: preparalo dalla pagina del link." / "The study is not ready: prepare it from the link's page.";

    // The patient's list.
    PATIENT_TITLE = "Condivisioni con il medico" / "Sharing with your doctor";
    REVOKED_DONE = "Condivisione revocata: il link non si apre più." / "Share revoked: the link no longer opens.";
    SHARE_HEADING = "Condividi con il medico" / "Share with your doctor";
    DOCUMENT_IS = "Documento: " / "Document: ";
    EXPLAIN = "Creiamo un link che il medico apre con un codice di 6 cifre: il codice te lo mostriamo una sola volta, dallo al medico a voce o per telefono, non insieme al link." / "We create a link that your doctor opens with a 6-digit code. We show you the code only once: give it to your doctor in person or by phone, not together with the link.";
    DAYS_LABEL = "Valido per (giorni)" / "Valid for (days)";
    DAYS_HINT = "Da {} a {} giorni." / "From {} to {} days.";
    RECIPIENT_LABEL = "Per chi è (facoltativo)" / "Who it is for (optional)";
    RECIPIENT_HINT = "Ad esempio: Dott.ssa Bianchi, cardiologa. Ti serve per riconoscere la condivisione." / "For example: Dr Bianchi, cardiologist. It helps you recognise the share.";
    CREATE = "Crea il link" / "Create the link";
    YOURS = "Le tue condivisioni" / "Your shares";
    NONE_YET = "Non hai ancora condiviso documenti. Da Documenti Interscambiati scegli «Condividi con il medico» su un documento." / "You have not shared any documents yet. In Exchanged Documents, choose “Share with your doctor” on a document.";
    ACTIVE = "Attiva" / "Active";
    CLOSED_REVOKED = "Revocato" / "Revoked";
    CLOSED_WITHDRAWN = "Ritirato" / "Withdrawn";
    CLOSED_BLOCKED = "Bloccato" / "Blocked";
    CLOSED_EXPIRED = "Scaduto" / "Expired";
    FOR = "Per" / "For";
    CREATED_ON = "Creata il" / "Created on";
    EXPIRES_ON = "Scade il" / "Expires on";
    WRONG_CODES = "Codici errati" / "Wrong codes";
    OF = "{} su {}" / "{} of {}";
    NO_ACCESS = "Nessun accesso finora." / "No access so far.";
    ACCESSES = "Accessi" / "Accesses";
    COL_WHEN = "Data e ora" / "Date and time";
    COL_IP = "Indirizzo IP" / "IP address";
    COL_WHAT = "Che cosa" / "What";
    WHAT_CODE_OK = "Aperto con il codice" / "Opened with the code";
    WHAT_CODE_WRONG = "Codice errato" / "Wrong code";
    WHAT_BLOCKED = "Bloccato" / "Blocked";
    WHAT_DOWNLOAD = "Download" / "Download";
    WHAT_RECOVERY = "Preparazione richiesta" / "Preparation requested";
    WHAT_VIEW = "Visualizzazione online" / "Viewed online";
    REVOKE_CONFIRM = "Revocare la condivisione? Il link non si aprirà più." / "Revoke the share? The link will no longer open.";
    REVOKE = "Revoca subito" / "Revoke now";

    // The link and code, shown once.
    CREATED_TITLE = "Link per il medico creato" / "Link for your doctor created";
    CREATED_WARNING = "Il codice si vede solo ora: annotalo e dallo al medico separatamente dal link (a voce, per telefono). Chi ha link e codice vede il documento fino alla scadenza." / "You can see the code only now: write it down and give it to your doctor separately from the link (in person, by phone). Anyone with both the link and the code can see the document until it expires.";
    DOCUMENT = "Documento" / "Document";
    LINK = "Link" / "Link";
    COPY_LINK = "Copia il link" / "Copy the link";
    CODE = "Codice" / "Code";
    VALID_UNTIL = "Valido fino al" / "Valid until";

    // The doctor's pages.
    DOCTOR_TITLE = "Documento condiviso" / "Shared document";
    DOCTOR_HEADING = "Documento condiviso con te" / "Document shared with you";
    DOCTOR_INTRO = "Un paziente ti ha condiviso un documento. Inserisci il codice di 6 cifre che ti ha dato." / "A patient has shared a document with you. Enter the 6-digit code they gave you.";
    CODE_LABEL = "Codice di accesso" / "Access code";
    OPEN = "Apri" / "Open";
    BLOCK_HINT = "Dopo {} codici errati il link si blocca." / "After {} wrong codes the link is blocked.";
    SHARED_BY = "Documento condiviso da " / "Document shared by ";
    EXPIRES_HINT = "Il link scade il {}. Ogni accesso è registrato e il paziente lo vede." / "The link expires on {}. Every access is recorded and the patient can see it.";
    DOWNLOAD = "Scarica (ZIP, {})" / "Download (ZIP, {})";
    VIEW_ONLINE = "Visualizza online" / "View online";
    ZIP_HINT = "Lo ZIP contiene le immagini DICOM con il DICOMDIR e un visualizzatore: estrailo e apri VIEWER/index.html." / "The ZIP contains the DICOM images with the DICOMDIR and a viewer: extract it and open VIEWER/index.html.";
    VIEW_HINT = "«Visualizza online» mostra le stesse immagini nel browser, senza scaricare lo ZIP." / "“View online” shows the same images in your browser, without downloading the ZIP.";
    ZIP_HINT_PDF = "Lo ZIP contiene il documento in formato PDF." / "The ZIP contains the document as a PDF.";
    PREPARING = "Stiamo recuperando il documento dall'archivio: ricarica la pagina tra qualche istante." / "We are retrieving the document from the archive: reload the page in a few moments.";
    RELOAD = "Ricarica" / "Reload";
    FAILED = "Il recupero dall'archivio non è riuscito: riprova." / "Retrieving the document from the archive did not work: please try again.";
    PREPARE = "Prepara il documento" / "Prepare the document";
    GONE_TITLE = "Link non più valido" / "Link no longer valid";
    GONE_BLOCKED = "Questo link è stato bloccato dopo troppi codici errati. Chiedi al paziente di crearne uno nuovo." / "This link has been blocked after too many wrong codes. Ask the patient to create a new one.";
    GONE_REVOKED = "Il paziente ha revocato questa condivisione." / "The patient has revoked this share.";
    GONE_WITHDRAWN = "Il documento non è più disponibile." / "The document is no longer available.";
    GONE_EXPIRED = "Questo link è scaduto. Chiedi al paziente di crearne uno nuovo." / "This link has expired. Ask the patient to create a new one.";
}
