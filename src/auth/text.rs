//! The messages of authentication: the login page, the new-PIN page, the SPID/CIE pages and
//! every refusal a patient can read (throttling, sessions, SPID/CIE). The demo's sandbox
//! identity page plays an outside provider and stays Italian (`identity::sandbox`); the SMS
//! with the PIN stays Italian too (`pin_reset::sms_text`).

crate::msgs! {
    // The SPID/CIE buttons and AgID's help links.
    ENTER_SPID = "Entra con SPID" / "Log in with SPID";
    ENTER_CIE = "Entra con CIE" / "Log in with CIE";
    SPID_HELP_LABEL = "Informazioni su SPID" / "About SPID";
    SPID_MORE = "Maggiori informazioni" / "More information";
    SPID_MORE_HIDDEN = " su SPID (si apre in una nuova scheda)" / " about SPID (opens in a new tab)";
    SPID_NONE = "Non hai SPID?" / "Don't have SPID?";
    NEW_TAB = " (si apre in una nuova scheda)" / " (opens in a new tab)";

    // The login page.
    LOGIN = "Accedi" / "Log in";
    LOGIN_DIGITAL = "Accedi con la tua identità digitale:" / "Log in with your digital identity:";
    OR = "oppure" / "or";
    CF_LABEL = "Codice Fiscale" / "Tax code (codice fiscale)";
    CF_HINT = "16 caratteri, come sulla tessera sanitaria." / "16 characters, as on your health insurance card.";
    PIN_LABEL = "PIN" / "PIN";
    PIN_HINT = "Il PIN di 8 cifre ricevuto via SMS." / "The 8-digit PIN you received by text message.";
    NEED_PIN = "Ho bisogno di un nuovo PIN" / "I need a new PIN";
    HELP_LABEL = "Aiuto per l'accesso" / "Help with logging in";
    HELP_LOGIN = "Istruzioni per l'accesso" / "How to log in";
    HELP_PIN = "Come richiedere il PIN?" / "How do I get a PIN?";
    SESSION_EXPIRED = "La sessione è scaduta per inattività: accedi di nuovo." / "Your session ended because you were inactive: please log in again.";
    LOGGED_OUT = "Sei uscito dal portale. Per sicurezza chiudi il browser se il dispositivo è condiviso." / "You have logged out. For your safety, close the browser if other people use this device.";
    LOGIN_TOO_MANY = "Troppi tentativi di accesso da questa connessione. Attendi un minuto e riprova." / "Too many login attempts from this connection. Wait a minute and try again.";
    PIN_EMPTY = "Inserisci il PIN." / "Enter your PIN.";
    PIN_DIGITS = "Il PIN è composto da 8 cifre." / "The PIN is 8 digits long.";
    /// Attempts before the lock, minutes of the lock, attempts left.
    WRONG_PIN = "Codice fiscale o PIN non corretti. Dopo {} tentativi errati l'accesso viene bloccato per {} minuti (tentativi rimasti: {})." / "The tax code or PIN is not correct. After {} wrong attempts, logging in is blocked for {} minutes (attempts left: {}).";
    /// Time, then date.
    LOCKED = "Troppi tentativi errati: l'accesso con questo codice fiscale è bloccato fino alle {} del {}. Se hai dimenticato il PIN puoi richiederne uno nuovo." / "Too many wrong attempts: logging in with this tax code is blocked until {} on {}. If you have forgotten your PIN, you can ask for a new one.";
    HASHING_BUSY = "Troppi accessi in corso. Riprova tra qualche secondo." / "Too many people are logging in right now. Try again in a few seconds.";
    LOGIN_TO_CONTINUE = "Accedi per continuare." / "Please log in to continue.";

    // The new-PIN page.
    NEW_PIN_TITLE = "Nuovo PIN" / "New PIN";
    NEW_PIN_HEADING = "Richiedi un nuovo PIN" / "Ask for a new PIN";
    NEW_PIN_INTRO = "Inserisci il codice fiscale e il numero di cellulare che hai comunicato all'Azienda: riceverai via SMS un nuovo PIN che sostituisce il precedente." / "Enter your tax code and the mobile number you gave the health authority: we will send you a new PIN by text message, and your old PIN will stop working.";
    MOBILE_LABEL = "Cellulare" / "Mobile number";
    MOBILE_HINT = "Esempio: 333 1234567 oppure +39 333 1234567." / "For example: 333 1234567 or +39 333 1234567.";
    SEND_REQUEST = "Invia Richiesta" / "Send request";
    BACK_TO_LOGIN = "Torna all'accesso" / "Back to login";
    NEW_PIN_TOO_MANY = "Troppe richieste da questa connessione. Attendi un minuto e riprova." / "Too many requests from this connection. Wait a minute and try again.";
    NEW_PIN_SAME_ANSWER = "Richiesta ricevuta. Se il codice fiscale e il cellulare corrispondono a quelli registrati presso l'Azienda, riceverai a breve un SMS con il nuovo PIN. Se non lo ricevi entro qualche minuto, rivolgiti agli sportelli dell'Azienda." / "Request received. If the tax code and mobile number match the ones registered with the health authority, you will soon get a text message with your new PIN. If it does not arrive within a few minutes, please ask at one of the health authority's front desks.";

    // SPID and CIE.
    ACCESS_TITLE = "Accesso" / "Log in";
    /// The provider's name.
    ACCESS_WITH = "Accesso con {}" / "Log in with {}";
    CIE_NAME = "CIE (Carta d'Identità Elettronica)" / "CIE (Italian electronic identity card)";
    PRESS_BUTTON = "Premi il pulsante: si apre la pagina del tuo gestore dell'identità digitale; dopo l'accesso torni qui." / "Press the button: the page of your digital identity provider opens, and after logging in you come back here.";
    OIDC_NOT_ACTIVE = "L'accesso con SPID e CIE non è ancora attivo su questo portale." / "Logging in with SPID and CIE is not available on this portal yet.";
    LOGIN_WITH_PIN = "Accedi con codice fiscale e PIN" / "Log in with tax code and PIN";
    CF_NOT_VALID = "Codice fiscale non valido." / "The tax code is not valid.";
    ENTERED = "Accesso effettuato" / "You are logged in";
    WELCOME_NEW = "Benvenuto nel portale. Per il tuo codice fiscale non ci sono ancora documenti: quando l'Azienda ne pubblicherà, li troverai qui." / "Welcome to the portal. There are no documents for your tax code yet: when the health authority publishes some, you will find them here.";
    CONTINUE = "Continua" / "Continue";
    OIDC_TOO_MANY = "Troppi tentativi di accesso da questa rete. Riprova tra un minuto." / "Too many login attempts from this network. Try again in a minute.";
    OIDC_NO_PROVIDER = "Provider non più configurato." / "This identity provider is no longer set up.";

    // Refused SPID/CIE logins (`oidc::Refusal`).
    OIDC_UNAVAILABLE = "Il servizio di accesso con SPID/CIE non risponde. Riprova tra qualche minuto." / "The SPID/CIE login service is not answering. Try again in a few minutes.";
    /// Why (one of the `WHY_` reasons).
    OIDC_TOKEN = "Non è stato possibile verificare la tua identità digitale ({}). Torna alla pagina di accesso e riprova." / "We could not check your digital identity ({}). Go back to the login page and try again.";
    OIDC_REPLAY = "La richiesta di accesso non è valida, è scaduta o è già stata usata. Torna alla pagina di accesso e riprova." / "This login request is not valid, has expired or has already been used. Go back to the login page and try again.";
    /// The SPID level.
    OIDC_LEVEL = "Per consultare documenti sanitari serve un'identità SPID di livello {} o superiore, oppure la CIE." / "To see health documents you need a SPID identity of level {} or higher, or a CIE.";
    OIDC_NO_FISCAL = "Il gestore dell'identità non ha comunicato il tuo codice fiscale: senza non possiamo trovare i tuoi documenti." / "Your identity provider did not send us your tax code (codice fiscale): without it we cannot find your documents.";
    OIDC_BAD_FISCAL = "Il codice fiscale comunicato dal gestore dell'identità non è valido." / "The tax code sent by your identity provider is not valid.";
    OIDC_OTHER_BROWSER = "La richiesta di accesso non proviene da questo browser. Torna alla pagina di accesso e riprova." / "This login request did not start in this browser. Go back to the login page and try again.";
    OIDC_CANCELLED = "L'accesso è stato annullato o non è riuscito presso il gestore dell'identità. Torna alla pagina di accesso e riprova." / "The login was cancelled, or it did not work at your identity provider. Go back to the login page and try again.";

    // Why an identity could not be checked (inside `OIDC_TOKEN`; the Italian goes to the log).
    WHY_OTHER_ISSUER = "risposta di un altro gestore" / "an answer from another provider";
    WHY_NONCE = "nonce non corrispondente" / "the nonce does not match";
    WHY_UNKNOWN_KEY = "chiave di firma sconosciuta" / "unknown signing key";
    WHY_UNREADABLE = "token illeggibile" / "unreadable token";
    WHY_ALGORITHM = "algoritmo di firma non ammesso" / "signing algorithm not allowed";
    WHY_EXPIRED = "token scaduto" / "expired token";
    WHY_AUDIENCE = "token destinato a un altro servizio" / "token meant for another service";
    WHY_ISSUER = "token emesso da un altro gestore" / "token issued by another provider";
    WHY_SIGNATURE = "firma del token non valida" / "invalid token signature";
    WHY_INCOMPLETE = "token incompleto" / "incomplete token";
    WHY_INVALID = "token non valido" / "invalid token";
    /// The provider's error code.
    WHY_EXCHANGE = "scambio del codice rifiutato ({})" / "code exchange refused ({})";
    WHY_NO_ID_TOKEN = "risposta senza id_token" / "answer without an id_token";
    WHY_USERINFO = "userinfo illeggibile" / "unreadable userinfo";
}
