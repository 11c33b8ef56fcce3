//! Fuzz targets: each takes arbitrary bytes and checks properties of one parser — what it
//! accepts is right (re-encoded identically, stored without error, inside the file), not only
//! that it does not panic. A failed property panics. The same functions run under libFuzzer
//! (`fuzz/`, `make soak`) and, bounded, in the unit tests (`runner`, `make test`).
//! Inputs longer than `MAX_INPUT` are cut: no target may allocate beyond a few times its input.

mod bytes;
mod import;
mod parsers;
#[cfg(test)]
mod runner;

/// The longest input a target reads (longer ones are cut).
pub const MAX_INPUT: usize = 64 * 1024;

/// A target: arbitrary bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// The targets, by the name of their corpus folder `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("codice_fiscale", parsers::codice_fiscale),
    ("filter_dates", parsers::filter_dates),
    ("form_urlencoded", parsers::form_urlencoded),
    ("range", bytes::range),
    ("multipart_form", bytes::multipart_form),
    ("dicomweb_multipart", bytes::dicomweb_multipart),
    ("dicom_header", bytes::dicom_header),
    ("patient_csv", import::patient_csv),
    ("api_json", import::api_json),
];

/// Runs the target `name` on `data` (panics on a broken property); `false` for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, f)) => {
            f(&data[..data.len().min(MAX_INPUT)]);
            true
        }
        None => false,
    }
}

/// A one-thread tokio runtime per thread, for the async parsers.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    thread_local! {
        static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
    }
    RT.with(|rt| rt.block_on(f))
}

/// A scratch folder of this process for the targets that write files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cds-fuzz-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}
