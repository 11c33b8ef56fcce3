//! Build step: gzip and brotli variants of the compressible files in `assets/`, written to
//! `OUT_DIR` and listed in `OUT_DIR/assets.rs`
//! (included by `src/http/assets.rs`). Compressed once per change of `assets/`, at the
//! strongest levels: about a second for the ~150 KB of text there.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Extensions worth compressing; fonts (woff2 is brotli inside), images and PDFs are not.
const COMPRESSIBLE: &[&str] = &[
    "css",
    "js",
    "mjs",
    "svg",
    "json",
    "html",
    "txt",
    "webmanifest",
];
/// A variant is kept only when it saves more than its `Content-Encoding` header costs.
const WORTH: usize = 64;

fn main() {
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut names = Vec::new();
    walk(Path::new("assets"), "", &mut names);
    names.sort();
    let mut table =
        String::from("/// Written by build.rs.\nstatic PRECOMPRESSED: &[Precompressed] = &[\n");
    for name in names {
        let ext = name.rsplit('.').next().unwrap_or("");
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let data = std::fs::read(Path::new("assets").join(&name)).expect("read asset");
        let gz = keep(&data, gzip(&data)).map(|v| write(&out, &name, "gz", &v));
        let br = keep(&data, brotli(&data)).map(|v| write(&out, &name, "br", &v));
        let _ = writeln!(
            table,
            "    Precompressed {{ name: {name:?}, len: {}, fnv: {:#x}, gzip: {}, br: {} }},",
            data.len(),
            fnv1a(&data),
            include(gz),
            include(br)
        );
    }
    table.push_str("];\n");
    std::fs::write(out.join("assets.rs"), table).expect("write assets.rs");
}

/// Every file under `dir`, as a path relative to `assets/` with `/` separators.
fn walk(dir: &Path, prefix: &str, names: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read assets/") {
        let entry = entry.expect("dir entry");
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().expect("file type").is_dir() {
            walk(&entry.path(), &format!("{name}/"), names);
        } else {
            names.push(name);
        }
    }
}

fn keep(data: &[u8], compressed: Vec<u8>) -> Option<Vec<u8>> {
    (compressed.len() + WORTH < data.len()).then_some(compressed)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::best());
    let mut out = vec![0; c.gzip_compress_bound(data.len())];
    let n = c.gzip_compress(data, &mut out).expect("gzip");
    out.truncate(n);
    out
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("brotli");
    out
}

/// Writes `OUT_DIR/files/<name>[.ext]`; returns its path.
fn write(out: &Path, name: &str, ext: &str, data: &[u8]) -> String {
    let mut path = out.join("files").join(name);
    if !ext.is_empty() {
        path.set_file_name(format!(
            "{}.{ext}",
            path.file_name().unwrap().to_string_lossy()
        ));
    }
    std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
    std::fs::write(&path, data).expect("write variant");
    path.to_string_lossy().into_owned()
}

fn include(path: Option<String>) -> String {
    path.map(|p| format!("Some(include_bytes!({p:?}))"))
        .unwrap_or_else(|| "None".into())
}

/// FNV-1a, 64 bits: lets the server check that a variant was made from the very bytes it
/// embeds (src/http/assets.rs) without a hashing crate here.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
