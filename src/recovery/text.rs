//! The messages of a document's recovery a patient reads: why it failed, a file gone.

use crate::i18n::Msg;

crate::msgs! {
    NOT_IN_ARCHIVE = "Il documento non è stato trovato nell'archivio dell'Azienda. Rivolgiti all'Assistenza." / "The document was not found in the health authority's archive. Please contact Support.";
    ARCHIVE_DOWN = "L'archivio dell'Azienda non risponde in questo momento. Riprova più tardi." / "The health authority's archive is not responding at the moment. Please try again later.";
    ARCHIVE_CORRUPT = "L'archivio ha inviato dati incompleti o danneggiati. Riprova più tardi." / "The archive sent incomplete or damaged data. Please try again later.";
    PACKAGING_FAILED = "Non è stato possibile preparare il pacchetto da scaricare. Riprova più tardi." / "We could not prepare the package to download. Please try again later.";
    FAILED = "Errore durante il recupero." / "Something went wrong while retrieving the document.";
    FILE_GONE = "Il file non è più disponibile: recuperalo di nuovo." / "The file is no longer available: retrieve it again.";
}

/// The reasons a failed recovery keeps (in Italian, in `recoveries.error`).
const REASONS: [Msg; 5] = [
    NOT_IN_ARCHIVE,
    ARCHIVE_DOWN,
    ARCHIVE_CORRUPT,
    PACKAGING_FAILED,
    FAILED,
];

/// The message of a stored reason, to show it in the page's language; `None` for a text
/// that is not one of them (shown as it is, in Italian).
pub fn reason(stored: &str) -> Option<Msg> {
    REASONS.into_iter().find(|m| m.it == stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_stored_reason_reads_in_english() {
        let stored = super::super::archive::ArchiveError::Unavailable("x".into())
            .reason()
            .it;
        assert_eq!(
            reason(stored).map(|m| Lang::En.t(m)),
            Some(
                "The health authority's archive is not responding at the moment. Please try again later."
            )
        );
        assert_eq!(reason("archivio non raggiungibile"), None);
    }
}
