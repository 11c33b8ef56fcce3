//! Documents tied to a patient: the "Documenti Interscambiati" page (filter, rows, recovery,
//! download, hide) and the "Documenti" page (every document, price, preview, cart).

/// A document that is not the patient's, or no longer there.
pub const NOT_FOUND: &str = "Documento non trovato.";
/// Documenti Interscambiati lists the documents of the last `online_days` only.
pub const NOT_FOUND_ONLINE: &str = "Documento non trovato o non più consultabile online.";

pub mod catalogue;
pub mod catalogue_store;
pub(crate) mod catalogue_views;
pub mod exchanged;
pub mod filter;
pub mod publish;
pub mod store;
pub(crate) mod views;

/// `12,3 MB` (Italian decimal comma; 1 MB = 1,000,000 bytes as phones and PCs show).
pub fn size_label(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    let s = if mb >= 100.0 {
        format!("{mb:.0} MB")
    } else if mb >= 0.1 {
        format!("{mb:.1} MB")
    } else {
        format!("{} kB", bytes.div_ceil(1000))
    };
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_in_italian() {
        assert_eq!(super::size_label(12_345_678), "12,3 MB");
        assert_eq!(super::size_label(263_000_000), "263 MB");
        assert_eq!(super::size_label(5_000), "5 kB");
    }
}
