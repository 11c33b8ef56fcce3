//! The messages of the Manuale Utente's frame: its index and its sections' titles (the
//! bodies are whole paragraphs, in `it.rs` and `en.rs`).

crate::msgs! {
    TOC = "Indice del manuale" / "Contents of the manual";

    ACCESS = "1. Accedere al portale" / "1. Logging in to the portal";
    NEW_PIN = "2. Richiedere un nuovo PIN" / "2. Asking for a new PIN";
    DASHBOARD = "3. Dashboard" / "3. Dashboard";
    EXCHANGED = "4. Documenti Interscambiati" / "4. Exchanged Documents";
    PACKAGE = "5. Aprire il pacchetto scaricato" / "5. Opening the downloaded package";
    CATALOGUE = "6. Documenti e Carrello" / "6. Documents and Cart";
    CHECKOUT = "7. Ordine e pagamento con pagoPA" / "7. Ordering and paying with pagoPA";
    ORDERS = "8. Ordini: stato, download, pagamento non riuscito" / "8. Orders: status, download, failed payment";
    SUPPORT = "9. Assistenza" / "9. Support";
    SHARING = "10. Condividere un documento con il medico" / "10. Sharing a document with your doctor";
    KIOSK = "11. Usare il portale da un chiosco in ospedale" / "11. Using the portal from a kiosk in the hospital";
    SAFETY = "12. Sicurezza e riservatezza" / "12. Security and privacy";
}
