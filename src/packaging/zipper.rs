//! Writing the download ZIP, compressed in parallel: each DICOM file becomes a one-entry
//! archive in memory on a worker thread — deflated by libdeflate (level 2: its output is a
//! little smaller than zlib's level 6, Orthanc's, at about twice zlib's level-2 speed), or
//! stored when deflate saves less than 10 % — which the `zip` crate's writer copies raw
//! into the package: no second compression. The `zip` crate takes no precompressed data,
//! so `one_entry` writes those small archives itself (local header, data, central
//! directory, end record; the tests read them back with the `zip` crate, `unzip -t` and
//! `zipinfo`). Files too large for memory are streamed by the `zip` crate's writer.

use libdeflater::{CompressionLvl, Compressor, Crc};
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Seek, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

pub type ZipResult<T> = Result<T, String>;

/// A one-entry ZIP in memory, ready to be copied raw.
pub struct Prepared(Vec<u8>);

/// libdeflate's level for the DICOM files (`recovery.deflate_level`). On a CT, level 2
/// writes a little less than zlib's level 6 (Orthanc's) and level 1 about 2 % more, in
/// two-thirds of the time (bench/documents.sh measures both against Orthanc).
pub const DEFAULT_LEVEL: i32 = 2;

/// zlib-rs level for what the `zip` crate streams itself (files over the in-memory size).
const STREAM_LEVEL: i64 = 2;

/// Deflate must save at least this share of the bytes, or the entry is stored.
const MIN_SAVING: f64 = 0.10;

fn options(time: zip::DateTime, method: CompressionMethod, large: bool) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(if method == CompressionMethod::Deflated {
            Some(STREAM_LEVEL)
        } else {
            None
        })
        .last_modified_time(time)
        .unix_permissions(0o644)
        .large_file(large)
}

thread_local! {
    /// A compressor per worker thread: libdeflate's tables are allocated once, not per file.
    static DEFLATE: RefCell<Option<(i32, Compressor)>> = const { RefCell::new(None) };
}

/// `data` deflated at `level` (raw DEFLATE, as ZIP wants it), or None when it saves less
/// than `MIN_SAVING`.
fn deflate(data: &[u8], level: i32) -> Option<Vec<u8>> {
    DEFLATE.with(|cell| {
        let mut cell = cell.try_borrow_mut().ok()?;
        if cell.as_ref().is_none_or(|(l, _)| *l != level) {
            let lvl = CompressionLvl::new(level).unwrap_or_default();
            *cell = Some((level, Compressor::new(lvl)));
        }
        let (_, c) = cell.as_mut()?;
        let worth = (data.len() as f64 * (1.0 - MIN_SAVING)) as usize;
        let mut out = vec![0u8; c.deflate_compress_bound(data.len())];
        let n = c.deflate_compress(data, &mut out).ok()?;
        (n <= worth).then(|| {
            out.truncate(n);
            out
        })
    })
}

/// A ZIP of one entry: `body` is `data` as stored (`deflated` false) or deflated.
fn one_entry(name: &str, data: &[u8], body: &[u8], deflated: bool, time: zip::DateTime) -> Vec<u8> {
    let mut crc = Crc::new();
    crc.update(data);
    let (crc, method) = (crc.sum(), if deflated { 8u16 } else { 0 });
    let (csize, usize_) = (body.len() as u32, data.len() as u32);
    let name = name.as_bytes();
    let mut z = Vec::with_capacity(body.len() + 2 * name.len() + 128);
    // Local file header.
    z.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    z.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
    z.extend_from_slice(&0u16.to_le_bytes()); // flags
    z.extend_from_slice(&method.to_le_bytes());
    z.extend_from_slice(&time.timepart().to_le_bytes());
    z.extend_from_slice(&time.datepart().to_le_bytes());
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&csize.to_le_bytes());
    z.extend_from_slice(&usize_.to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes()); // extra field length
    z.extend_from_slice(name);
    z.extend_from_slice(body);
    // Central directory.
    let cd = z.len() as u32;
    z.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    z.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: Unix, 2.0
    z.extend_from_slice(&20u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&method.to_le_bytes());
    z.extend_from_slice(&time.timepart().to_le_bytes());
    z.extend_from_slice(&time.datepart().to_le_bytes());
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&csize.to_le_bytes());
    z.extend_from_slice(&usize_.to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0; 8]); // extra and comment lengths, disk, internal attributes
    z.extend_from_slice(&((0o100644u32) << 16).to_le_bytes()); // a regular file, rw-r--r--
    z.extend_from_slice(&0u32.to_le_bytes()); // local header at 0
    z.extend_from_slice(name);
    // End of central directory.
    let cd_size = z.len() as u32 - cd;
    z.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    z.extend_from_slice(&[0; 4]); // disk numbers
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&cd_size.to_le_bytes());
    z.extend_from_slice(&cd.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes()); // comment length
    z
}

/// Compresses one entry at `level` (None: stored) on a worker thread. Entries are under
/// the in-memory size (32 MiB), far from ZIP's 4 GiB limits.
pub fn prepare(
    name: &str,
    data: &[u8],
    time: zip::DateTime,
    level: Option<i32>,
) -> ZipResult<Prepared> {
    if data.len() >= u32::MAX as usize {
        return Err(format!(
            "{name}: troppo grande per un'unica voce in memoria"
        ));
    }
    if let Some(level) = level
        && data.len() > 512
        && let Some(d) = deflate(data, level)
    {
        return Ok(Prepared(one_entry(name, data, &d, true, time)));
    }
    Ok(Prepared(one_entry(name, data, data, false, time)))
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
        let p = prepare(name, data, self.time, Some(DEFAULT_LEVEL))?;
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

fn probe_deflates(sample: &[u8], _time: zip::DateTime) -> ZipResult<bool> {
    Ok(deflate(sample, DEFAULT_LEVEL).is_some())
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
        out.add_prepared(prepare("DICOM/S0001/I0001", &text, out.time, Some(2)).unwrap())
            .unwrap();
        out.add_prepared(prepare("DICOM/S0001/I0002", &noise, out.time, Some(1)).unwrap())
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
    fn a_one_entry_archive_reads_back_with_its_crc_and_time() {
        let time = zip::DateTime::from_date_and_time(2026, 11, 28, 23, 10, 42).unwrap();
        let data = b"DICM".repeat(5000);
        for (level, method) in [
            (Some(1), CompressionMethod::Deflated),
            (Some(2), CompressionMethod::Deflated),
            (None, CompressionMethod::Stored),
        ] {
            let Prepared(bytes) = prepare("DICOM/S0001/I0001", &data, time, level).unwrap();
            let mut z = read_back(bytes);
            let mut f = z.by_index(0).unwrap();
            assert_eq!(f.name().unwrap(), "DICOM/S0001/I0001");
            assert_eq!(f.compression(), method);
            assert_eq!(f.last_modified(), Some(time));
            assert_eq!(f.unix_mode(), Some(0o100644));
            let mut back = Vec::new();
            f.read_to_end(&mut back).unwrap(); // checks the CRC
            assert_eq!(back, data);
        }
    }

    #[test]
    fn zip64_beyond_65535_entries() {
        let mut out = ZipOut::new(Cursor::new(Vec::new()));
        for i in 0..65_600 {
            out.add_prepared(
                prepare(&format!("DICOM/S0001/I{i:07}"), b"x", out.time, Some(2)).unwrap(),
            )
            .unwrap();
        }
        let z = read_back(out.into_inner().unwrap().into_inner());
        assert_eq!(z.len(), 65_600);
    }
}
