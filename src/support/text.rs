//! The messages of "Assistenza": the page, the form and its validation, the requests with
//! their kinds and states. The operators' replies are data (Italian, `lang="it"`).

crate::msgs! {
    TITLE = "Assistenza" / "Support";
    SENT = "Richiesta inviata: ti risponderemo in questa pagina." / "Request sent: we will reply on this page.";
    NOT_SENT = "La richiesta non è stata inviata: correggi i campi indicati." / "Your request has not been sent: please correct the fields shown.";
    ORDER_NOT_FOUND = "Ordine non trovato. La richiesta non è stata inviata." / "Order not found. Your request has not been sent.";
    DOCUMENT_NOT_FOUND = "Documento non trovato. La richiesta non è stata inviata." / "Document not found. Your request has not been sent.";
    TOO_MANY = "Hai inviato molte richieste nelle ultime 24 ore: attendi la risposta dell'Azienda o riprova domani." / "You have sent many requests in the last 24 hours: please wait for the health authority's reply or try again tomorrow.";

    // Kinds and states: fixed enumerations.
    KIND_ASSISTANCE = "Richiesta di assistenza" / "Request for help";
    KIND_AVAILABILITY = "Richiesta di disponibilità" / "Request for availability";
    STATE_OPEN = "APERTA" / "OPEN";
    STATE_ANSWERED = "RISPOSTA RICEVUTA" / "REPLY RECEIVED";
    STATE_CLOSED = "CHIUSA" / "CLOSED";

    // Validation, one message per field.
    ERR_KIND = "Scegli il tipo di richiesta: assistenza o disponibilità di un documento." / "Choose the type of request: help, or availability of a document.";
    ERR_SUBJECT_EMPTY = "Scrivi l'oggetto della richiesta." / "Write the subject of your request.";
    ERR_SUBJECT_LONG = "L'oggetto è troppo lungo: al massimo 120 caratteri." / "The subject is too long: 120 characters at most.";
    ERR_MESSAGE_EMPTY = "Scrivi il messaggio: descrivi che cosa ti serve." / "Write your message: describe what you need.";
    ERR_MESSAGE_LONG = "Il messaggio è troppo lungo: al massimo 2000 caratteri." / "The message is too long: 2000 characters at most.";
    ERR_PERIOD_LONG = "Il periodo è troppo lungo: al massimo 200 caratteri." / "The period is too long: 200 characters at most.";

    // The explanation above the form.
    INTRO = "Scrivi all'Azienda quando hai bisogno di aiuto con il portale. Possiamo aiutarti per:" / "Write to the health authority when you need help with the portal. We can help you with:";
    INTRO_ACCESS = "l'accesso" / "logging in";
    INTRO_ACCESS_TEXT = ": PIN, SMS non ricevuto, SPID o CIE;" / ": PIN, a text message (SMS) that did not arrive, SPID or CIE;";
    INTRO_PAYMENTS = "i pagamenti e gli ordini" / "payments and orders";
    INTRO_PAYMENTS_TEXT = ": un pagamento non riuscito, un avviso di pagamento, una ricevuta;" / ": a payment that failed, a payment notice, a receipt;";
    INTRO_DOCUMENTS = "i documenti" / "documents";
    INTRO_DOCUMENTS_TEXT = ": un documento che non trovi, che manca o che non è ancora disponibile, per esempio la cartella clinica di un ricovero (scegli «Richiesta di disponibilità»)." / ": a document you cannot find, that is missing or not available yet, for example the medical record of a hospital stay (choose “Request for availability”).";
    INTRO_REPLY = "Le richieste ricevono risposta di norma entro pochi giorni lavorativi: la risposta compare in questa pagina, " / "Requests are usually answered within a few working days: the reply appears on this page, ";
    INTRO_REPLY_LINK = "nell'elenco delle tue richieste" / "in the list of your requests";
    INTRO_URGENT = "Per le urgenze sanitarie non usare questo modulo: chiama il 112." / "Do not use this form for medical emergencies: call 112.";

    // The form.
    NEW = "Nuova richiesta" / "New request";
    ABOUT_ORDER = "Questa richiesta riguarda l'ordine n. " / "This request is about order no. ";
    NOT_ABOUT_ORDER = "Scrivi invece una richiesta che non riguarda questo ordine" / "Write a request that is not about this order instead";
    ABOUT_DOCUMENT_1 = "Questa richiesta riguarda il documento «" / "This request is about the document “";
    ABOUT_DOCUMENT_2 = "»." / "”.";
    NOT_ABOUT_DOCUMENT = "Scrivi invece una richiesta che non riguarda questo documento" / "Write a request that is not about this document instead";
    KIND = "Tipo di richiesta" / "Type of request";
    KIND_ASSISTANCE_HINT = "accesso, pagamenti, ordini o altro" / "logging in, payments, orders or anything else";
    KIND_AVAILABILITY_HINT = "un documento che non trovi o non è ancora pronto" / "a document you cannot find or that is not ready yet";
    SUBJECT = "Oggetto" / "Subject";
    SUBJECT_HINT = "In poche parole, per esempio «Avviso di pagamento non ricevuto». Al massimo 120 caratteri." / "In a few words, for example “Payment notice not received”. 120 characters at most.";
    MESSAGE = "Messaggio" / "Message";
    MESSAGE_HINT = "Descrivi che cosa ti serve. Al massimo 2000 caratteri." / "Describe what you need. 2000 characters at most.";
    PERIOD = "Periodo del ricovero o dell'esame (facoltativo)" / "Dates of the hospital stay or test (optional)";
    PERIOD_HINT = "Per le richieste di disponibilità: per esempio «ricovero in Chirurgia dal 3 al 10 marzo 2026»." / "For availability requests: for example “stay in Surgery from 3 to 10 March 2026”.";
    SEND = "Invia richiesta" / "Send request";

    // The requests.
    YOURS = "Le tue richieste" / "Your requests";
    NONE_YET = "Non hai ancora inviato richieste. Quando ne invierai una, la troverai qui insieme alle risposte dell'Azienda." / "You have not sent any requests yet. When you send one, you will find it here with the health authority's replies.";
    SENT_ON = " · inviata il " / " · sent on ";
    STATE = "Stato: " / "Status: ";
    ORDER = "Ordine: " / "Order: ";
    DOCUMENT = "Documento: " / "Document: ";
    PERIOD_SHORT = "Periodo: " / "Dates: ";
    REPLY_ASL = "Risposta dell'Azienda" / "Reply from the health authority";
    REPLY_YOURS = "Il tuo messaggio" / "Your message";
}
