//! The messages of kiosk mode a patient reads: the refusals of "Invia al mio cellulare".
//! The SMS itself stays Italian (`sms::text`); the operators' page `/operatore/chiosco` is
//! the back office, in Italian.

crate::msgs! {
    KIOSK_ONLY = "L'invio al cellulare è disponibile solo ai chioschi dell'Azienda." / "Sending to your mobile phone is only available at the health authority's kiosks.";
    PAID = "Questo documento è a pagamento: puoi acquistarne la copia dalla sezione Documenti." / "This document has a charge: you can buy a copy in the Documents section.";
    NO_MOBILE = "Non c'è un numero di cellulare registrato: rivolgiti allo sportello per aggiungerlo." / "No mobile number is registered: please ask at the front desk to add one.";
    JUST_SENT = "Ti abbiamo appena inviato un SMS: attendi qualche minuto prima di chiederne un altro." / "We have just sent you a text message: please wait a few minutes before asking for another one.";
}
