//! The page shell's messages and the errors every feature shares.

crate::msgs! {
    SKIP = "Vai al contenuto principale" / "Skip to main content";
    SANDBOX_LONG = "Ambiente dimostrativo: dati fittizi, SMS e pagamenti simulati." / "Demo environment: fictitious data, simulated text messages and payments.";
    SANDBOX_SHORT = "Ambiente dimostrativo: dati fittizi" / "Demo environment: fictitious data";
    TAGLINE = "Ritiro online di referti, immagini e cartella clinica" / "Collect your reports, images and medical record online";
    MENU_LABEL = "Menu principale" / "Main menu";
    MENU = "Menu" / "Menu";
    CURRENT_SECTION = ", sezione attuale: " / ", current section: ";
    LOGOUT = "Logout" / "Log out";
    USER = "Utente: " / "User: ";
    CART_ONE = "{} documento nel carrello" / "{} document in the cart";
    CART_MANY = "{} documenti nel carrello" / "{} documents in the cart";
    NAV_DASHBOARD = "Dashboard" / "Dashboard";
    NAV_DOCUMENTS = "Documenti" / "Documents";
    NAV_EXCHANGED = "Documenti Interscambiati" / "Exchanged Documents";
    NAV_ORDERS = "Ordini" / "Orders";
    NAV_CART = "Carrello" / "Cart";
    NAV_SUPPORT = "Assistenza" / "Support";
    NAV_MANUAL = "Manuale Utente" / "User Manual";
    PRIVACY = "Informativa privacy" / "Privacy notice";
    ACCESSIBILITY = "Dichiarazione di accessibilità" / "Accessibility statement";
    LANGUAGE = "Lingua" / "Language";
    HOME_BACK = "Torna alla pagina iniziale" / "Back to the start page";
    KIOSK_TITLE = "Sei ancora lì?" / "Are you still there?";
    KIOSK_TEXT_1 = "Per proteggere i tuoi dati, tra " / "To protect your data, in ";
    KIOSK_SECONDS = " secondi" / " seconds";
    KIOSK_TEXT_LOGOUT = " usciremo dal portale e " / " we will log you out and ";
    KIOSK_TEXT_2 = "torneremo alla pagina iniziale." / "go back to the start page.";
    KIOSK_STAY = "Sì, continuo" / "Yes, I'm still here";
    KIOSK_LEAVE = "Esci ora" / "Log out now";

    ERR_INTERNAL = "Si è verificato un errore imprevisto. Riprova tra qualche minuto." / "Something unexpected went wrong. Please try again in a few minutes.";
    ERR_NOT_FOUND = "La pagina richiesta non esiste." / "The page you asked for does not exist.";
    ERR_METHOD = "Operazione non consentita su questa pagina." / "This operation is not allowed on this page.";
    ERR_CSRF = "La richiesta è scaduta o non proviene da questo portale. Ricarica la pagina e riprova." / "The request has expired or did not come from this portal. Reload the page and try again.";
    ERR_TOO_LARGE = "I dati inviati sono troppo grandi." / "The data you sent is too large.";
    ERR_SLOW = "Invio dei dati troppo lento: riprova." / "Sending the data took too long: please try again.";
    ERR_INCOMPLETE = "Richiesta incompleta." / "Incomplete request.";

    TITLE_BAD_REQUEST = "Richiesta non valida" / "Invalid request";
    TITLE_LOGIN = "Accesso richiesto" / "Login required";
    TITLE_FORBIDDEN = "Operazione non consentita" / "Operation not allowed";
    TITLE_NOT_FOUND = "Pagina non trovata" / "Page not found";
    TITLE_CONFLICT = "Operazione non possibile" / "Operation not possible";
    TITLE_TOO_LARGE = "Dati troppo grandi" / "Data too large";
    TITLE_TOO_MANY = "Troppe richieste" / "Too many requests";
    TITLE_TIMEOUT = "Tempo scaduto" / "Time out";
    TITLE_UNAVAILABLE = "Servizio momentaneamente non disponibile" / "Service temporarily unavailable";
    TITLE_INTERNAL = "Errore del servizio" / "Service error";
}
