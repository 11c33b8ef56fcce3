//! The messages of payments a patient reads: the provider down or refusing a request (at
//! "Conferma", "Procedi", "Ripeti Pagamento"), online payment not set up. The printed
//! notice (`avviso`) stays Italian, a legal document; the causale sent to the provider too.

crate::msgs! {
    NOT_ACTIVE = "Il pagamento online non è ancora attivo: rivolgiti agli sportelli dell'Azienda." / "Online payment is not available yet: please go to one of the health authority's service desks.";
    UNAVAILABLE = "Il servizio di pagamento non risponde: riprova tra qualche minuto." / "The payment service is not responding: please try again in a few minutes.";
    REFUSED = "Il servizio di pagamento non ha accettato la richiesta: riprova più tardi; se il problema continua, scrivi all'Assistenza." / "The payment service did not accept the request: please try again later; if the problem continues, write to Support.";
    /// Shown on the sandbox's portal (always Italian) to a patient who reads in English.
    SANDBOX_ITALIAN_ONLY = "Questo è il portale del fornitore dei pagamenti (simulazione): è disponibile solo in italiano." / "This is the payment provider's portal (a simulation): it is only available in Italian.";
}
