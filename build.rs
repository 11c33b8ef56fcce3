//! Build step: gzip and brotli variants of the compressible files in `assets/`, and the PNG
//! icons of the web app manifest, written to `OUT_DIR` and listed in `OUT_DIR/assets.rs`
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
    table.push_str(
        "];\n\n/// Written by build.rs: the manifest's icons, drawn from img/favicon.svg.\n",
    );
    table.push_str("pub static GENERATED: &[(&str, &[u8])] = &[\n");
    for (name, size, maskable) in icons::ICONS {
        let png = icons::png(*size, *maskable);
        let path = write(&out, name, "", &png);
        let _ = writeln!(table, "    ({name:?}, include_bytes!({path:?})),");
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

mod icons {
    //! The favicon (a rounded blue square, a white cross: assets/img/favicon.svg, 32 units)
    //! drawn at 192 and 512 px as RGBA PNGs; the maskable one fills its square (the cross
    //! stays within the safe zone, a circle of 40 % of the size).

    pub const ICONS: &[(&str, u32, bool)] = &[
        ("img/icon-192.png", 192, false),
        ("img/icon-512.png", 512, false),
        ("img/icon-maskable-512.png", 512, true),
    ];
    /// The favicon's own values (a unit test in src/http/assets.rs checks they still are).
    const BLUE: [u8; 3] = [0x00, 0x66, 0xcc];
    const RADIUS: f32 = 6.0;
    const SS: u32 = 4;

    fn in_square(x: f32, y: f32, rounded: bool) -> bool {
        if !(0.0..32.0).contains(&x) || !(0.0..32.0).contains(&y) {
            return false;
        }
        let r = if rounded { RADIUS } else { 0.0 };
        let cx = x.clamp(r, 32.0 - r);
        let cy = y.clamp(r, 32.0 - r);
        (x - cx).powi(2) + (y - cy).powi(2) <= r * r
    }

    /// `M13 6h6v7h7v6h-7v7h-6v-7H6v-6h7z`: two bars.
    fn in_cross(x: f32, y: f32) -> bool {
        ((13.0..19.0).contains(&x) && (6.0..26.0).contains(&y))
            || ((6.0..26.0).contains(&x) && (13.0..19.0).contains(&y))
    }

    fn pixel(px: u32, py: u32, size: u32, maskable: bool) -> [u8; 4] {
        let (mut square, mut cross) = (0u32, 0u32);
        for i in 0..SS * SS {
            let scale = 32.0 / size as f32;
            let x = (px as f32 + ((i % SS) as f32 + 0.5) / SS as f32) * scale;
            let y = (py as f32 + ((i / SS) as f32 + 0.5) / SS as f32) * scale;
            square += u32::from(in_square(x, y, !maskable));
            cross += u32::from(in_cross(x, y));
        }
        if square == 0 {
            return [0; 4];
        }
        let mix = |c: u8| ((u32::from(c) * (square - cross) + 255 * cross) / square) as u8;
        let alpha = (square * 255 / (SS * SS)) as u8;
        [mix(BLUE[0]), mix(BLUE[1]), mix(BLUE[2]), alpha]
    }

    pub fn png(size: u32, maskable: bool) -> Vec<u8> {
        let mut raw = Vec::with_capacity((size * (size * 4 + 1)) as usize);
        for y in 0..size {
            raw.push(0); // filter: none
            for x in 0..size {
                raw.extend_from_slice(&pixel(x, y, size, maskable));
            }
        }
        let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::best());
        let mut idat = vec![0; c.zlib_compress_bound(raw.len())];
        let n = c.zlib_compress(&raw, &mut idat).expect("zlib");
        idat.truncate(n);
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&size.to_be_bytes());
        ihdr.extend_from_slice(&size.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8 bits, RGBA
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(&mut out, b"IDAT", &idat);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = libdeflater::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
}
