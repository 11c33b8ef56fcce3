//! The messages of "Documenti Interscambiati" and "Documenti": pages, filters, rows, their
//! htmx fragments and errors. Titles, categories and wards are data (`lang="it"`).

crate::msgs! {
    // Errors of both pages.
    NOT_FOUND = "Documento non trovato." / "Document not found.";
    NOT_FOUND_ONLINE = "Documento non trovato o non più consultabile online." / "Document not found or no longer available online.";
    BAD_DATE_FROM = "La data «dal» non è valida: usa il formato gg/mm/aaaa." / "The “from” date is not valid: use the format dd/mm/yyyy.";
    BAD_DATE_TO = "La data «al» non è valida: usa il formato gg/mm/aaaa." / "The “to” date is not valid: use the format dd/mm/yyyy.";
    FROM_AFTER_TO = "La data iniziale è successiva a quella finale: correggi l'intervallo." / "The start date is after the end date: please correct the range.";
    BAD_CATEGORY = "La categoria scelta non esiste: scegline una dall'elenco." / "The category you chose does not exist: choose one from the list.";
    KIOSK_NO_DOWNLOAD = "Al chiosco i documenti non si scaricano: usa «Invia al mio cellulare» e aprili dal tuo telefono." / "Documents cannot be downloaded at the kiosk: use “Send to my mobile” and open them on your phone.";
    LOCKED = "Questo documento è a pagamento: puoi acquistarne la copia dalla sezione Documenti." / "There is a charge for this document: you can buy a copy in the Documents section.";
    NOT_READY = "Il documento non è pronto per il download: usa «Recupera» nella pagina Documenti Interscambiati." / "The document is not ready to download: use “Retrieve” on the Exchanged Documents page.";
    GONE = "Il documento non è più disponibile: recuperalo di nuovo." / "The document is no longer available: retrieve it again.";
    SMS_SENT = "Ti abbiamo inviato un SMS al numero {} con l'indirizzo del portale: apri i documenti dal tuo telefono." / "We have sent a text message to {} with the portal's address: open the documents on your phone.";

    // Shared by the two filters.
    CATEGORY = "Categoria" / "Category";
    ALL_CATEGORIES = "Tutte le categorie" / "All categories";
    FILTER = "Filtra" / "Filter";
    MORE = "Mostra altri" / "Show more";

    // Documenti Interscambiati.
    EXCHANGED_TITLE = "Documenti Interscambiati" / "Exchanged Documents";
    EXCHANGED_INTRO = "I documenti e le immagini che l'Azienda ha scambiato con te. Un documento non ancora pronto va prima " / "The documents and images the health authority has exchanged with you. A document that is not ready yet must first be ";
    EXCHANGED_INTRO_RECOVERED = "recuperato" / "retrieved";
    EXCHANGED_INTRO_HOURS = " dall'archivio; poi resta disponibile per il download per {} ore." / " from the archive; then you can download it for {} hours.";
    FROM = "Dal" / "From";
    TO = "Al" / "To";
    SHOW_HIDDEN = "Mostra anche i documenti che ho nascosto" / "Also show the documents I have hidden";
    TODAY = "Oggi" / "Today";
    SUMMARY_DAY = "Documenti del {}" / "Documents of {}";
    SUMMARY_RANGE = "Documenti dal {} al {}" / "Documents from {} to {}";
    SUMMARY_CATEGORY = " · categoria " / " · category ";
    ONLINE_LIMIT = "I documenti restano consultabili online per {} giorni dalla data di scambio: quelli precedenti al {} non sono più elencati. Puoi richiederne una copia all'Azienda." / "Documents stay available online for {} days from the date they were exchanged: those before {} are no longer listed. You can ask the health authority for a copy.";
    NONE_IN_PERIOD = "Nessun documento in questo periodo. Prova a scegliere un intervallo di date più ampio o un'altra categoria." / "No documents in this period. Try a wider date range or another category.";
    EXCHANGED_CAPTION = "Documenti interscambiati" / "Exchanged documents";
    COL_DATE = "Data" / "Date";
    COL_DESCRIPTION = "Descrizione" / "Description";
    COL_STATUS = "Stato" / "Status";
    COL_ACTIONS = "Azioni" / "Actions";
    HIDDEN = "Nascosto" / "Hidden";
    GO_TO_DOCUMENTS = "Vai a Documenti" / "Go to Documents";
    RECOVER = "Recupera" / "Retrieve";
    RETRY = "Riprova" / "Try again";
    SEND_TO_PHONE = "Invia al mio cellulare" / "Send to my mobile";
    DOWNLOAD = "Download ({})" / "Download ({})";
    SHARE = "Condividi con il medico" / "Share with your doctor";
    SHOW_AGAIN = "Mostra di nuovo" / "Show again";
    HIDE = "Nascondi" / "Hide";
    LOCKED_BADGE = "A pagamento" / "Charge applies";
    TO_RECOVER = "Da recuperare" / "Not retrieved yet";
    IN_PROGRESS = "Recupero in corso" / "Retrieving";
    PROGRESS = "Avanzamento del recupero" / "Retrieval progress";
    PERCENT = "{} %" / "{}%";
    PROGRESS_OF = "{} % · {} di {}" / "{}% · {} of {}";
    RECEIVED = "{} ricevuti" / "{} received";
    WAITING = "In attesa…" / "Waiting…";
    AVAILABLE = "Disponibile" / "Available";
    UNTIL = " fino al " / " until ";
    FAILED = "Recupero non riuscito" / "Retrieval failed";

    // Documenti.
    CATALOGUE_TITLE = "Documenti" / "Documents";
    CATALOGUE_INTRO = "Tutti i documenti legati al tuo codice fiscale, anche quelli non più consultabili in Documenti Interscambiati. I documenti gratuiti si scaricano da Documenti Interscambiati; la copia della cartella clinica si acquista: " / "All the documents linked to your tax code (codice fiscale), including those no longer available in Exchanged Documents. Free documents are downloaded from Exchanged Documents; a copy of your medical record is bought: ";
    CATALOGUE_INTRO_THEN = ", poi " / ", then ";
    CHECKOUT = "Procedi all'ordine" / "Proceed to order";
    CATALOGUE_INTRO_END = " dal Carrello." / " from the Cart.";
    ALL_DOCUMENTS = "Tutti i documenti" / "All documents";
    SUMMARY_OF_CATEGORY = "Documenti della categoria " / "Documents in the category ";
    SUMMARY_ALL = "Tutti i tuoi documenti" / "All your documents";
    NONE_IN_CATEGORY = "Nessun documento in questa categoria. Se manca un documento che ti aspetti, usa «Richiedi informazioni sulla disponibilità» qui sotto." / "No documents in this category. If a document you expect is missing, use “Ask about availability” below.";
    FREE = "GRATUITO" / "FREE";
    PRICE_VAT = "{} IVA {} %" / "{} VAT {}%";
    BADGE_AVAILABLE = "DISPONIBILE" / "AVAILABLE";
    BADGE_PREPARING = "IN PREPARAZIONE" / "IN PREPARATION";
    PUBLISHED = "Pubblicazione: " / "Published: ";
    PREVIEW = "Anteprima" / "Preview";
    PREVIEW_OF = "Anteprima: " / "Preview: ";
    PREVIEW_TITLE = "Anteprima del documento" / "Document preview";
    GO_TO_EXCHANGED = "Vai a Documenti Interscambiati" / "Go to Exchanged Documents";
    NOT_ONLINE = "Non più consultabile online: puoi richiederne una copia con «Richiedi informazioni sulla disponibilità»." / "No longer available online: you can ask for a copy with “Ask about availability”.";
    BOUGHT = "Acquistato" / "Bought";
    SEE_ORDER = "Vedi l'ordine" / "See the order";
    OF = " di " / " for ";
    IN_AN_ORDER = "In un ordine" / "In an order";
    GO_TO_ORDER = "Vai all'ordine" / "Go to the order";
    IN_CART = "Nel carrello" / "In the cart";
    PREPARING = "In preparazione: potrai aggiungerlo al carrello quando sarà disponibile." / "Being prepared: you can add it to the cart when it is available.";
    ADD_TO_CART = "Aggiungi Carrello" / "Add to cart";
    CLOSE = "Chiudi" / "Close";
    FACT_TYPE = "Tipo" / "Type";
    FACT_WARD = "Reparto" / "Ward";
    FACT_ADMITTED = "Data di ricovero" / "Admission date";
    FACT_DISCHARGED = "Data di dimissione" / "Discharge date";
    FACT_PAGES = "Pagine" / "Pages";
    FACT_SIZE = "Dimensione" / "Size";
    FACT_PUBLISHED = "Pubblicazione" / "Published";
    FACT_PRICE = "Prezzo" / "Price";
    THUMBNAIL = "Miniatura delle immagini" / "Thumbnail of the images";
    BACK_TO_DOCUMENTS = "Torna a Documenti" / "Back to Documents";
    ASK = "Richiedi informazioni sulla disponibilità" / "Ask about availability";
    ASK_INTRO = "Non trovi un documento, per esempio la cartella clinica di un ricovero, o vuoi sapere quando sarà pronto? Scrivi all'Azienda: la risposta arriverà nella sezione Assistenza." / "Can't find a document, for example the medical record of a hospital stay, or want to know when it will be ready? Write to the health authority: the reply will arrive in the Support section.";
    ASK_DOCUMENT = "Documento (facoltativo)" / "Document (optional)";
    ASK_NOT_LISTED = "Un documento che non è nell'elenco" / "A document that is not in the list";
    ASK_PERIOD = "Periodo del ricovero o dell'esame" / "Period of the hospital stay or test";
    ASK_PERIOD_HINT = "Per esempio: ricovero in Chirurgia Generale dal 3 al 10 marzo 2026." / "For example: stay in General Surgery from 3 to 10 March 2026.";
    ASK_SUBJECT = "Oggetto" / "Subject";
    ASK_SUBJECT_VALUE = "Disponibilità di un documento" / "Availability of a document";
    ASK_MESSAGE = "Messaggio" / "Message";
    ASK_SEND = "Invia richiesta" / "Send request";
}
