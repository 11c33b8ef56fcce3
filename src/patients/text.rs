//! The messages of the patient registry's rules: why a codice fiscale or a mobile number
//! typed in a form (login, new PIN) is refused. The back office, the API and the command
//! line read them in Italian (`CfError`'s `Display`).

crate::msgs! {
    CF_EMPTY = "Inserisci il codice fiscale." / "Enter your tax code (codice fiscale).";
    /// How many characters were typed.
    CF_LENGTH = "Il codice fiscale ha 16 caratteri: ne sono stati inseriti {}." / "A tax code has 16 characters: you entered {}.";
    CF_CHARACTERS = "Il codice fiscale contiene solo lettere e cifre." / "A tax code has only letters and digits.";
    CF_SHAPE = "Il codice fiscale non ha la forma attesa (6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre, 1 lettera)." / "The tax code does not have the expected form (6 letters, 2 digits, 1 letter, 2 digits, 1 letter, 3 digits, 1 letter).";
    CF_MONTH = "Il carattere del mese di nascita (il nono) non è valido." / "The character for the month of birth (the 9th) is not valid.";
    CF_DAY = "Il giorno di nascita (decimo e undicesimo carattere) non è valido." / "The day of birth (the 10th and 11th characters) is not valid.";
    CF_CHECK = "Il carattere di controllo (l'ultimo) non corrisponde: verifica di aver digitato correttamente il codice fiscale." / "The check character (the last one) does not match: please make sure you typed the tax code correctly.";
    MOBILE_EMPTY = "Inserisci il numero di cellulare." / "Enter your mobile number.";
    MOBILE_INVALID = "Il numero non è un cellulare italiano valido (es. 333 1234567)." / "This is not a valid Italian mobile number (e.g. 333 1234567).";
}
