//! Writing the download ZIP with the `zip` crate, compressed in parallel: each DICOM file
//! becomes a one-entry archive in memory on a worker thread (deflate level 2, or stored
//! when deflate saves less than 10 %), which the writer copies raw into the package —
//! no second compression. Files too large for memory are streamed by the writer.

use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Seek, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

pub type ZipResult<T> = Result<T, String>;

/// A one-entry ZIP in memory, ready to be copied raw.
pub struct Prepared(Vec<u8>);

/// zlib-rs level 1 is zlib-ng's "quick" strategy: on CT slices it keeps 64 % of the bytes
/// where zlib's level 1 keeps 42 %. Level 2 is the fast strategy proper (see
/// bench/documents.sh, which compares with Orthanc's level 6).
const DEFLATE_LEVEL: i64 = 2;

/// Deflate must save at least this share of the bytes, or the entry is stored.
const MIN_SAVING: f64 = 0.10;

fn options(time: zip::DateTime, method: CompressionMethod, large: bool) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(if method == CompressionMethod::Deflated {
            Some(DEFLATE_LEVEL)
        } else {
            None
        })
        .last_modified_time(time)
        .unix_permissions(0o644)
        .large_file(large)
}

fn one_entry(
    name: &str,
    data: &[u8],
    time: zip::DateTime,
    method: CompressionMethod,
) -> ZipResult<Vec<u8>> {
    let mut w = ZipWriter::new(Cursor::new(Vec::with_capacity(data.len() / 2 + 256)));
    w.start_file(name, options(time, method, false))
        .map_err(|e| e.to_string())?;
    w.write_all(data).map_err(|e| e.to_string())?;
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Compresses one entry (runs on a worker thread).
pub fn prepare(
    name: &str,
    data: &[u8],
    time: zip::DateTime,
    try_deflate: bool,
) -> ZipResult<Prepared> {
    if try_deflate && data.len() > 512 {
        let deflated = one_entry(name, data, time, CompressionMethod::Deflated)?;
        if (deflated.len() as f64) <= data.len() as f64 * (1.0 - MIN_SAVING) {
            return Ok(Prepared(deflated));
        }
    }
    Ok(Prepared(one_entry(
        name,
        data,
        time,
        CompressionMethod::Stored,
    )?))
}

pub struct ZipOut<W: Write + Seek> {
    w: ZipWriter<W>,
    pub time: zip::DateTime,
}

/// Now, in Rome: the entries' modification time.
pub fn now_rome() -> zip::DateTime {
    let z = jiff::Timestamp::now().to_zoned(crate::ui::time::rome().clone());
    zip::DateTime::from_date_and_time(
        z.year() as u16,
        z.month() as u8,
        z.day() as u8,
        z.hour() as u8,
        z.minute() as u8,
        z.second() as u8,
    )
    .unwrap_or_default()
}

impl ZipOut<BufWriter<File>> {
    pub fn create(path: &Path) -> ZipResult<Self> {
        let f = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(ZipOut {
            w: ZipWriter::new(BufWriter::with_capacity(1 << 20, f)),
            time: now_rome(),
        })
    }

    /// Writes the central directory and flushes the file to disk.
    pub fn finish(self) -> ZipResult<()> {
        let buf = self.w.finish().map_err(|e| e.to_string())?;
        let file = buf.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())
    }
}

impl<W: Write + Seek> ZipOut<W> {
    /// An archive in memory (the tests read it back).
    #[cfg(test)]
    pub fn new(w: W) -> Self {
        ZipOut {
            w: ZipWriter::new(w),
            time: now_rome(),
        }
    }

    pub fn add_prepared(&mut self, p: Prepared) -> ZipResult<()> {
        let mut mini = ZipArchive::new(Cursor::new(p.0)).map_err(|e| e.to_string())?;
        let entry = mini.by_index_raw(0).map_err(|e| e.to_string())?;
        self.w.raw_copy_file(entry).map_err(|e| e.to_string())
    }

    /// A small file (DICOMDIR, viewer, LEGGIMI.txt), compressed when worth it.
    pub fn add_bytes(&mut self, name: &str, data: &[u8]) -> ZipResult<()> {
        let p = prepare(name, data, self.time, true)?;
        self.add_prepared(p)
    }

    /// A file too large to hold in memory, streamed; the first MiB decides whether to deflate.
    pub fn add_file_streaming(&mut self, name: &str, path: &Path) -> ZipResult<()> {
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let size = std::fs::metadata(path).map_err(io)?.len();
        let mut f = File::open(path).map_err(io)?;
        let mut sample = vec![0u8; (1 << 20).min(size as usize)];
        f.read_exact(&mut sample).map_err(io)?;
        let method = if probe_deflates(&sample, self.time)? {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        f.rewind().map_err(io)?;
        self.w
            .start_file(
                name,
                options(self.time, method, size >= u32::MAX as u64 - (1 << 20)),
            )
            .map_err(|e| e.to_string())?;
        std::io::copy(&mut f, &mut self.w).map_err(io)?;
        Ok(())
    }

    #[cfg(test)]
    pub fn into_inner(self) -> ZipResult<W> {
        self.w.finish().map_err(|e| e.to_string())
    }
}

fn probe_deflates(sample: &[u8], time: zip::DateTime) -> ZipResult<bool> {
    let deflated = one_entry("probe", sample, time, CompressionMethod::Deflated)?;
    let stored = one_entry("probe", sample, time, CompressionMethod::Stored)?;
    Ok((deflated.len() as f64) <= stored.len() as f64 * (1.0 - MIN_SAVING))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(bytes: Vec<u8>) -> ZipArchive<Cursor<Vec<u8>>> {
        ZipArchive::new(Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn stores_what_does_not_compress_and_deflates_the_rest() {
        let mut out = ZipOut::new(Cursor::new(Vec::new()));
        let text = b"DICOM ".repeat(10_000);
        let mut noise = vec![0u8; 100_000];
        getrandom::fill(&mut noise).unwrap();
        out.add_prepared(prepare("DICOM/S0001/I0001", &text, out.time, true).unwrap())
            .unwrap();
        out.add_prepared(prepare("DICOM/S0001/I0002", &noise, out.time, true).unwrap())
            .unwrap();
        let mut z = read_back(out.into_inner().unwrap().into_inner());
        assert_eq!(
            z.by_name("DICOM/S0001/I0001").unwrap().compression(),
            CompressionMethod::Deflated
        );
        assert_eq!(
            z.by_name("DICOM/S0001/I0002").unwrap().compression(),
            CompressionMethod::Stored
        );
        let mut back = Vec::new();
        z.by_name("DICOM/S0001/I0002")
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, noise);
    }

    #[test]
    fn zip64_beyond_65535_entries() {
        let mut out = ZipOut::new(Cursor::new(Vec::new()));
        for i in 0..65_600 {
            out.add_prepared(
                prepare(&format!("DICOM/S0001/I{i:07}"), b"x", out.time, true).unwrap(),
            )
            .unwrap();
        }
        let z = read_back(out.into_inner().unwrap().into_inner());
        assert_eq!(z.len(), 65_600);
    }
}
