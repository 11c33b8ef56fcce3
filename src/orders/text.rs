//! The messages of orders: the cart, the orders list, an order's page and its steps
//! (consents, payer's e-mail, payment), the order statuses, the Dashboard, and the errors a
//! patient reads. The provider's refusals are `payments::text`'s.

crate::msgs! {
    // Order statuses ("Stato Ordine"): a fixed enumeration.
    STATE_DRAFT = "DA CONFERMARE" / "TO BE CONFIRMED";
    STATE_PENDING = "IN ATTESA DI PAGAMENTO" / "AWAITING PAYMENT";
    STATE_COMPLETED = "COMPLETATO" / "COMPLETED";
    STATE_FAILED = "PAGAMENTO NON RIUSCITO" / "PAYMENT FAILED";
    STATE_CANCELLED = "ANNULLATO" / "CANCELLED";
    STATE_EXPIRED = "SCADUTO" / "EXPIRED";

    // Errors a patient reads.
    NOT_FOUND = "Ordine non trovato." / "Order not found.";
    DOC_NOT_FOUND = "Documento non trovato." / "Document not found.";
    CART_FREE = "Questo documento è gratuito: non serve acquistarlo, lo trovi in Documenti Interscambiati." / "This document is free: you do not need to buy it, you will find it in Exchanged Documents.";
    CART_NOT_AVAILABLE = "Il documento è in preparazione: potrai aggiungerlo al carrello quando sarà disponibile." / "This document is being prepared: you can add it to your cart once it is available.";
    CART_PAID = "Hai già acquistato questo documento: lo trovi nella sezione Ordini." / "You have already bought this document: you will find it under Orders.";
    CART_IN_ORDER = "Il documento è già in un ordine in corso: completalo, o annullalo, dalla sezione Ordini." / "This document is already in an open order: complete or cancel that order under Orders.";
    CART_EMPTY_ORDER = "Il carrello è vuoto: aggiungi un documento dalla sezione Documenti." / "Your cart is empty: add a document from the Documents section.";
    CART_FLAGGED_ORDER = "Alcuni documenti del carrello non sono più disponibili: rimuovili dal carrello e riprova." / "Some documents in your cart are no longer available: remove them from the cart and try again.";
    ALREADY_CONFIRMED = "L'ordine è già stato confermato." / "This order has already been confirmed.";
    CANNOT_CONFIRM = "L'ordine non può più essere confermato." / "This order can no longer be confirmed.";
    CONSENTS_REQUIRED = "Per procedere devi accettare l'informativa privacy e le condizioni di vendita." / "To continue you need to accept the privacy notice and the terms of sale.";
    CONSENTS_BEFORE_CONFIRM = "Prima di confermare devi accettare l'informativa privacy e le condizioni di vendita." / "Before confirming you need to accept the privacy notice and the terms of sale.";
    EMAIL_INVALID = "Inserisci un indirizzo e-mail valido, ad esempio nome.cognome@esempio.it." / "Enter a valid email address, for example name.surname@example.com.";
    NO_NOTICE_YET = "L'ordine non ha ancora un avviso di pagamento." / "This order does not have a payment notice yet.";
    RETRY_ONLY_FAILED = "Solo un pagamento non riuscito si può ripetere." / "Only a failed payment can be retried.";
    NOTICE_ONLY_PENDING = "L'avviso di pagamento è disponibile solo per gli ordini in attesa di pagamento." / "The payment notice is only available for orders awaiting payment.";
    NOTICE_MISSING = "L'avviso di pagamento non è disponibile: usa l'Identificativo ticket sul portale dei pagamenti." / "The payment notice is not available: use the Ticket ID on the payment portal.";
    CANCEL_CONFIRMED = "Un ordine già confermato non si annulla dal portale: se non vuoi pagarlo, lascia scadere l'avviso." / "An order that has been confirmed cannot be cancelled on the portal: if you do not want to pay it, let the notice expire.";
    CANCEL_PAID = "Il pagamento di questo ordine risulta già effettuato o in corso: l'ordine non può essere annullato." / "This order has already been paid, or a payment is under way: it cannot be cancelled.";
    BAD_CHOICE = "Scelta non valida." / "Invalid choice.";

    // Cart ("Carrello").
    CART_TITLE = "Carrello" / "Cart";
    CART_INTRO_1 = "I documenti che hai scelto di acquistare. Con " / "The documents you have chosen to buy. Select ";
    CART_INTRO_2 = " prepari l'ordine: nella pagina seguente dai i consensi richiesti e ricevi l'avviso di pagamento pagoPA." / " to prepare your order: on the next page you give the required consents and get the pagoPA payment notice.";
    CART_CHECKOUT = "Procedi all'ordine" / "Continue to order";
    CART_ADDED = "Aggiunto al carrello." / "Added to your cart.";
    CART_ALREADY = "Il documento è già nel carrello." / "This document is already in your cart.";
    CART_ADDED_PLAIN = "Documento aggiunto al carrello." / "Document added to your cart.";
    CART_REMOVED = "Documento rimosso dal carrello." / "Document removed from your cart.";
    CART_HEADING = "Documenti nel carrello" / "Documents in your cart";
    CART_EMPTY = "Il carrello è vuoto." / "Your cart is empty.";
    CART_EMPTY_HINT = "Scegli i documenti da acquistare, come la copia della cartella clinica, nella sezione " / "Choose the documents you want to buy, such as a copy of your medical record, in the section ";
    DOCUMENTS = "Documenti" / "Documents";
    DOCUMENT = "Documento" / "Document";
    CATEGORY = "Categoria" / "Category";
    PRICE = "Prezzo" / "Price";
    ACTIONS = "Azioni" / "Actions";
    CART_TOTAL = "Totale (IVA inclusa)" / "Total (VAT included)";
    TOTAL = "Totale" / "Total";
    CART_FLAGGED = "Alcuni documenti non sono più disponibili e non sono compresi nel totale: rimuovili dal carrello per procedere all'ordine." / "Some documents are no longer available and are not included in the total: remove them from your cart to place the order.";
    CART_MORE = "Continua a scegliere documenti" / "Carry on choosing documents";
    CART_ITEM_FLAGGED = "Non più disponibile: rimuovilo dal carrello" / "No longer available: remove it from your cart";
    CART_EXCLUDED = "Escluso dal totale" / "Not included in the total";
    CART_REMOVE = "Rimuovi" / "Remove";

    // Orders list ("Ordini") and its rows.
    ORDERS_TITLE = "Ordini" / "Orders";
    ORDERS_INTRO = "I tuoi ordini di copia della documentazione sanitaria. Lo stato di un ordine in attesa di pagamento si aggiorna da solo." / "Your orders for copies of your health records. The status of an order awaiting payment updates by itself.";
    ORDERS_ALL = "Tutti gli ordini" / "All orders";
    PROCESSING_NOTE = "Attenzione: L'elaborazione dei pagamenti potrebbe richiedere svariati minuti" / "Please note: processing a payment can take several minutes";
    NO_ORDERS = "Non hai ancora effettuato ordini. Puoi acquistare la copia della cartella clinica dalla sezione Documenti." / "You have not placed any orders yet. You can buy a copy of your medical record from the Documents section.";
    ORDER_NUMBER = "Numero ordine" / "Order number";
    ORDERED_ON = "Ordinato il" / "Ordered on";
    ORDER_STATE = "Stato Ordine" / "Order status";
    DOWNLOAD = "Download" / "Download";
    ORDER_TOTAL = "Totale ordine" / "Order total";
    ROW_ORDER = ": ordine " / ": order ";
    NOT_AVAILABLE = "Non disponibile" / "Not available";
    AUTO_UPDATE = " (aggiornamento automatico)" / " (updates automatically)";
    BACK_TO_ORDERS = "a Ordini" / "to Orders";
    BACK_TO_DASHBOARD = "alla Dashboard" / "to the Dashboard";

    // An order's page ("Dettaglio ordine").
    ORDER_TITLE = "Dettaglio ordine" / "Order details";
    BACK = "← Indietro" / "← Back";
    ITEMS_CAPTION = "Documenti dell'ordine" / "Documents in this order";
    VAT = "IVA" / "VAT";
    VAT_OF_WHICH = "di cui IVA" / "of which VAT";
    PAYMENT_METHOD = "Modalità di pagamento" / "Payment method";
    PAYEE = "Intestato a" / "Payable to";
    CAUSALE = "Causale" / "Payment reference";
    TICKET = "Identificativo ticket" / "Ticket ID";
    COPY = "Copia" / "Copy";
    COPIED = "Copiato" / "Copied";
    NOTICE_CODE = "Codice avviso pagoPA: " / "pagoPA notice code: ";
    DUE = "Da pagare entro il" / "Pay by";
    PAID_ON = "Pagato il" / "Paid on";
    RECEIPT = "Ricevuta" / "Receipt";
    TOTAL_VAT = " (IVA " / " (VAT ";
    CONSENTS = "Consensi obbligatori" / "Required consents";
    BUY_NOW = "Acquista ora" / "Buy now";
    PAYER = "Dati per il pagamento" / "Payment details";
    PAYER_INTRO = "Riceverai la ricevuta del pagamento a questo indirizzo." / "We will send the payment receipt to this address.";
    EMAIL = "E-mail" / "Email";
    EMAIL_HINT = "Esempio: nome.cognome@esempio.it" / "For example: name.surname@example.com";
    CONFIRM = "Conferma" / "Confirm";
    CANCEL_ORDER = "Annulla ordine" / "Cancel order";
    PAY_HOW_1 = "Copia l'" / "Copy the ";
    PAY_HOW_2 = " e incollalo nel portale dei pagamenti, oppure paga con l'avviso presso un prestatore di servizi di pagamento (banca, ufficio postale, tabaccheria)." / " and paste it into the payment portal, or pay with the notice at a payment service provider (bank, post office, tobacconist).";
    PRINT_NOTICE = "Stampa avviso di pagamento" / "Print the payment notice";
    DOWNLOAD_NOTICE = "Scarica Avviso di Pagamento" / "Download the payment notice";
    PAY = "Procedi" / "Pay now";
    TO_PORTAL = "Vai al portale per i pagamenti" / "Go to the payment portal";
    ASK_HELP = "Richiedi assistenza" / "Ask for help";
    FAILED_NOTE = "Il pagamento non è riuscito. Puoi ripeterlo: l'ordine resta valido e non paghi due volte." / "The payment did not go through. You can try again: the order is still valid and you will not pay twice.";
    RETRY = "Ripeti Pagamento" / "Retry payment";
    COMPLETED_NOTE = "Pagamento ricevuto: puoi scaricare i documenti dell'ordine qui sotto." / "Payment received: you can download the documents in this order below.";
    FLAGGED_NOTE = "Abbiamo ricevuto un pagamento per questo ordine: l'Azienda lo sta verificando e ti contatterà." / "We have received a payment for this order: the health authority is checking it and will contact you.";
    EXPIRED_NOTE = "L'avviso di pagamento è scaduto. Per acquistare i documenti crea un nuovo ordine dalla sezione Documenti." / "The payment notice has expired. To buy the documents, place a new order from the Documents section.";
    CANCELLED_NOTE = "Questo ordine è stato annullato." / "This order has been cancelled.";
    BOUGHT = "Documenti acquistati" / "Purchased documents";
    BOUGHT_INTRO = "Recupera ciascun documento dall'archivio, poi scaricalo: resta disponibile per {} ore." / "Retrieve each document from the archive, then download it: it stays available for {} hours.";
    DATE = "Data" / "Date";
    DESCRIPTION = "Descrizione" / "Description";
    STATUS = "Stato" / "Status";

    // Dashboard.
    DASHBOARD = "Dashboard" / "Dashboard";
    DASH_LEAD = "Riepilogo ultimi ordini effettuati e documenti aggiunti di recente" / "A summary of your latest orders and recently added documents";
    WELCOME = "Benvenuto, {} {}." / "Welcome, {} {}.";
    LAST_ORDERS = "Ultimi cinque ordini effettuati" / "Your last five orders";
    ALL_ORDERS = "Visualizza tutti gli ordini" / "View all orders";
    NEW_DOCS = "Nuovi Documenti" / "New Documents";
    NEW_DOCS_SUMMARY = "{} di {} documenti pubblicati negli ultimi {} giorni" / "{} of {} documents published in the last {} days";
    NO_NEW_DOCS = "Nessun nuovo documento." / "No new documents.";
    PUBLISHED_ON = " · pubblicato il " / " · published on ";
    TO_DOCUMENTS = "Vai a Documenti" / "Go to Documents";
    SHARES = "Condivisioni con il medico" / "Shared with your doctor";
    NO_SHARES = "Nessun documento condiviso in questo momento." / "No documents are shared at the moment.";
    SHARE_FOR = " · per " / " · for ";
    SHARE_UNTIL = "fino al " / "until ";
    MANAGE_SHARES = "Gestisci le condivisioni" / "Manage shared documents";
    MY_DATA = "I tuoi dati e gli avvisi" / "Your data and notices";
    WHO_VIEWED = "Chi ha consultato i miei dati" / "Who has viewed my data";
    SMS_ON = "Avvisi SMS attivati." / "SMS notices turned on.";
    SMS_OFF = "Avvisi SMS disattivati." / "SMS notices turned off.";
    SMS_TEXT = "Avvisi via SMS quando ci sono nuovi documenti o una risposta dell'Azienda (al massimo uno al giorno, senza alcun dettaglio sanitario): " / "Text message (SMS) notices when there are new documents or a reply from the health authority (at most one a day, with no health details): ";
    SMS_STATE_ON = "attivi" / "on";
    SMS_STATE_OFF = "disattivati" / "off";
    SMS_TURN_OFF = "Disattiva gli avvisi SMS" / "Turn off SMS notices";
    SMS_TURN_ON = "Attiva gli avvisi SMS" / "Turn on SMS notices";
    SMS_NO_MOBILE = "Per ricevere avvisi via SMS serve un numero di cellulare: chiedilo all'Azienda da Assistenza." / "To get SMS notices we need your mobile number: ask the health authority for this through Support.";
}
