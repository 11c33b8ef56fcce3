//! Documents tied to a patient: the catalogue store, the "Documenti Interscambiati" page
//! (filter, rows, recovery, download, hide) and later the "Documenti" page.

pub mod catalogue;
pub mod exchanged;
pub mod filter;
pub mod store;
mod views;

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
