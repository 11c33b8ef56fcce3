//! Before dicom-rs reads a file's header: every element's declared length must fit in what
//! is left of the file. dicom-rs allocates (and zeroes) a value's declared length before it
//! reads the value, so a 1.4 KB file from the archive that declares a 700 MB text took 700 MB
//! of memory (found by the `dicom_header` fuzz target). The file meta group is walked here as
//! dicom-rs reads it; the data set through dicom-rs's own token reader, each header checked
//! before its value is read, up to the Pixel Data. A Deflated Explicit VR data set is
//! checked against its inflated size (counted first, up to 1 GiB).

use dicom_core::header::{HasLength, Header};
use dicom_dictionary_std::tags;
use dicom_encoding::decode::Decode;
use dicom_encoding::transfer_syntax::{Codec, TransferSyntax, TransferSyntaxIndex};
use std::io::{Read, Seek, SeekFrom};

/// The most of a deflated data set counted (a declared length past it is refused).
const MAX_INFLATED: u64 = 1 << 30;
/// Sequences in sequences deeper than this are refused.
const MAX_DEPTH: u32 = 64;

struct Walk<R> {
    r: R,
    pos: u64,
    size: u64,
}

impl<R: Read + Seek> Walk<R> {
    fn bytes<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut b = [0u8; N];
        self.r.read_exact(&mut b).ok()?;
        self.pos += N as u64;
        Some(b)
    }

    /// The end of a value of `len` bytes starting here, when it fits in the file.
    fn end_of(&self, len: u32) -> Option<u64> {
        let end = self.pos + len as u64;
        (end <= self.size).then_some(end)
    }

    fn skip_to(&mut self, end: u64) -> Option<()> {
        self.r.seek(SeekFrom::Start(end)).ok()?;
        self.pos = end;
        Some(())
    }
}

/// Whether the declared lengths of a Part 10 file (with its 128-byte preamble) fit in its
/// `size` bytes, up to the Pixel Data. Not a DICOM file: `true` (dicom-rs refuses it).
pub fn fit(r: impl Read + Seek, size: u64) -> bool {
    let mut w = Walk { r, pos: 0, size };
    let Some(head) = w.bytes::<132>() else {
        return true;
    };
    if &head[128..] != b"DICM" {
        return true;
    }
    // The file meta group, explicit VR little endian, read with dicom-rs's own header
    // decoder as dicom-rs reads it: its group length (0002,0000), 4 bytes whatever its VR
    // says, then elements (whatever their tag) until that many bytes.
    let decoder = dicom_encoding::decode::file_header_decoder();
    let Ok((first, read)) = decoder.decode_header(&mut w.r) else {
        return true;
    };
    w.pos += read as u64;
    if first.tag() != tags::FILE_META_INFORMATION_GROUP_LENGTH || first.length().get() != Some(4) {
        return true;
    }
    let Some(group_length) = w.bytes::<4>().map(|b| u32::from_le_bytes(b) as u64) else {
        return true;
    };
    let meta_start = w.pos;
    let mut syntax = String::new();
    while w.pos - meta_start < group_length {
        let Ok((header, read)) = decoder.decode_header(&mut w.r) else {
            return true;
        };
        w.pos += read as u64;
        let Some(len) = header.length().get() else {
            return true;
        };
        let Some(end) = w.end_of(len) else {
            return false;
        };
        if header.tag() == tags::TRANSFER_SYNTAX_UID {
            let mut v = vec![0; len as usize];
            if w.r.read_exact(&mut v).is_err() {
                return true;
            }
            syntax = String::from_utf8_lossy(&v)
                .trim_end_matches(['\0', ' '])
                .to_string();
        }
        if w.skip_to(end).is_none() {
            return true;
        }
    }
    let registry = dicom_transfer_syntax_registry::TransferSyntaxRegistry;
    let Some(ts) = registry.get(&syntax) else {
        return true;
    };
    if let Codec::Dataset(Some(adapter)) = ts.codec() {
        // Deflated: the lengths are those of the inflated stream. Its size first (counted up
        // to an error or MAX_INFLATED, nothing kept), then the walk again over it.
        let start = w.pos;
        let inflated = count(adapter.adapt_reader(Box::new(&mut w.r)), MAX_INFLATED);
        if w.r.seek(SeekFrom::Start(start)).is_err() {
            return true;
        }
        return dataset_fits(adapter.adapt_reader(Box::new(&mut w.r)), inflated, ts);
    }
    dataset_fits(w.r, w.size - w.pos, ts)
}

/// The bytes `r` gives before its end, an error or `max`.
fn count(mut r: impl Read, max: u64) -> u64 {
    let mut buf = [0u8; 16 * 1024];
    let mut n = 0;
    while n < max {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k as u64,
        }
    }
    n.min(max)
}

/// Counts the bytes the parser takes.
struct Counted<R> {
    r: R,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.r.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// The data set through dicom-rs's own token reader (so the walk reads as the object
/// reader will): every header's defined length is checked before its value is read.
fn dataset_fits(r: impl Read, size: u64, ts: &TransferSyntax) -> bool {
    use dicom_parser::dataset::{DataToken, read::DataSetReader};
    let read = std::rc::Rc::new(std::cell::Cell::new(0));
    let source = Counted {
        r,
        read: read.clone(),
    };
    let Ok(mut tokens) = DataSetReader::new_with_ts(source, ts) else {
        return true;
    };
    let mut depth = 0u32;
    let fits = |len: dicom_core::Length| len.get().is_none_or(|l| read.get() + l as u64 <= size);
    loop {
        let Some(Ok(token)) = tokens.next() else {
            return true;
        };
        let ok = match token {
            DataToken::ElementHeader(h) if depth == 0 && h.tag >= tags::PIXEL_DATA => return true,
            DataToken::SequenceStart { tag, .. } if depth == 0 && tag >= tags::PIXEL_DATA => {
                return true;
            }
            DataToken::PixelSequenceStart if depth == 0 => return true,
            DataToken::ElementHeader(h) => fits(h.len),
            DataToken::SequenceStart { len, .. } => {
                depth += 1;
                fits(len)
            }
            DataToken::PixelSequenceStart => {
                depth += 1;
                true
            }
            DataToken::SequenceEnd => {
                depth = depth.saturating_sub(1);
                true
            }
            DataToken::ItemStart { len } => fits(len),
            _ => true,
        };
        if !ok || depth > MAX_DEPTH {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fit;
    use dicom_dictionary_std::tags;
    use std::io::Cursor;

    fn corpus(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/dicom_header/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    /// `ct-header` with the Deflated Explicit VR Little Endian syntax: its data set, changed
    /// by `patch`, deflated (RFC 1951, as PS3.5 A.5 says).
    fn deflated(patch: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
        use std::io::Write;
        let ct = corpus("ct-header");
        let group = u32::from_le_bytes(ct[140..144].try_into().unwrap());
        let meta_end = 144 + group as usize;
        let at = ct
            .windows(4)
            .position(|w| w == b"\x02\x00\x10\x00")
            .unwrap();
        assert_eq!(&ct[at + 4..at + 8], b"UI\x14\x00");
        let mut out = ct[..at].to_vec();
        out.extend_from_slice(b"\x02\x00\x10\x00UI\x16\x001.2.840.10008.1.2.1.99");
        out.extend_from_slice(&ct[at + 28..meta_end]);
        out[140..144].copy_from_slice(&(group + 2).to_le_bytes());
        let mut data = ct[meta_end..].to_vec();
        patch(&mut data);
        let mut z = flate2::write::DeflateEncoder::new(out, flate2::Compression::default());
        z.write_all(&data).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn a_declared_length_past_the_end_is_refused() {
        for name in ["ct-header", "mr-header", "dx-header"] {
            let ok = corpus(name);
            assert!(fit(Cursor::new(&ok), ok.len() as u64), "{name}");
            assert!(
                crate::packaging::scan::header_object(&ok).is_some(),
                "{name}"
            );
        }
        // Found by the fuzzer: 1,423 bytes declaring a 775 MB value; an unknown VR read as UN.
        let bad = corpus("crash-alloc-775mb");
        assert!(!fit(Cursor::new(&bad), bad.len() as u64));
        assert!(crate::packaging::scan::header_object(&bad).is_none());
        let bad = corpus("crash-unknown-vr-959mb");
        assert!(!fit(Cursor::new(&bad), bad.len() as u64));
        // Found by the fuzzer (in CI): the group length (0002,0000) given as CS, which
        // dicom-rs reads as long as it is 4 bytes, then a meta element of 805 MB.
        let bad = corpus("crash-meta-group-length-cs");
        assert!(!fit(Cursor::new(&bad), bad.len() as u64));
        assert!(crate::packaging::scan::header_object(&bad).is_none());
        // The same file with its meta element of the right length is read.
        let mut good = bad.clone();
        good[152..156].copy_from_slice(&26u32.to_le_bytes());
        good.truncate(156 + 26);
        assert!(fit(Cursor::new(&good), good.len() as u64));
        // The same with its data set deflated: read whole; a length past the inflated
        // data refused.
        let good = deflated(|_| {});
        assert!(fit(Cursor::new(&good), good.len() as u64));
        let read = crate::packaging::scan::header_object(&good).expect("deflated header");
        let plain = crate::packaging::scan::header_object(&corpus("ct-header")).unwrap();
        let name = |o: &dicom_object::DefaultDicomObject| {
            o.element(tags::PATIENT_NAME)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(name(&read), name(&plain));
        let bad = deflated(|data| lengthen_patient_name(data));
        assert!(!fit(Cursor::new(&bad), bad.len() as u64));
        assert!(crate::packaging::scan::header_object(&bad).is_none());
        // The PatientName of a real header declared 64 KB long.
        let mut name = corpus("ct-header");
        lengthen_patient_name(&mut name);
        assert!(!fit(Cursor::new(&name), name.len() as u64));
    }

    /// Declares the PatientName (0010,0010; explicit VR PN, a 2-byte length) of a data set
    /// 65,535 bytes long, past the end of any header here.
    fn lengthen_patient_name(data: &mut [u8]) {
        let at = data
            .windows(4)
            .position(|w| w == b"\x10\x00\x10\x00")
            .unwrap();
        data[at + 6..at + 8].copy_from_slice(&[0xff, 0xff]);
    }
}
