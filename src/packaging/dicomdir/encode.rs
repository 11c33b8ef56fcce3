//! Explicit VR little endian encoding for the DICOMDIR: element headers, padded text and UID
//! values, patchable UL fields, directory record items, the file meta group, and the cleaning
//! that keeps values within their VR's characters and lengths.

use super::{
    CHARSET, DICOMDIR_SOP_CLASS, EXPLICIT_VR_LE, IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
};

/// Positions (in the file) of one record's item tag and of its patchable fields.
pub(super) struct Record {
    pub(super) item_pos: usize,
    item_len_pos: usize,
    pub(super) next_pos: usize,
    pub(super) lower_pos: usize,
}

/// The whole file being written: a position in `buf` is the file offset records point to.
pub(super) struct Enc {
    pub(super) buf: Vec<u8>,
}

impl Enc {
    fn tag(&mut self, group: u16, element: u16) {
        self.buf.extend_from_slice(&group.to_le_bytes());
        self.buf.extend_from_slice(&element.to_le_bytes());
    }

    /// Short-form header (2-byte length) for the VRs this writer uses besides SQ/OB.
    fn short_header(&mut self, group: u16, element: u16, vr: &[u8; 2], len: usize) {
        self.tag(group, element);
        self.buf.extend_from_slice(vr);
        // Values here are capped well below 64 KiB by `clean` and the VR limits.
        self.buf.extend_from_slice(&(len as u16).to_le_bytes());
    }

    /// Long-form header (2 reserved bytes, 4-byte length) with a zero length to patch later;
    /// returns the position of the length field.
    pub(super) fn long_header(&mut self, group: u16, element: u16, vr: &[u8; 2]) -> usize {
        self.tag(group, element);
        self.buf.extend_from_slice(vr);
        self.buf.extend_from_slice(&[0, 0]);
        let pos = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        pos
    }

    /// Text VRs are padded to even length with a space (PS3.5 6.2).
    pub(super) fn text(&mut self, group: u16, element: u16, vr: &[u8; 2], value: &str) {
        let padded = value.len() + value.len() % 2;
        self.short_header(group, element, vr, padded);
        self.buf.extend_from_slice(value.as_bytes());
        if value.len() % 2 == 1 {
            self.buf.push(b' ');
        }
    }

    /// UIDs are padded with a NUL (PS3.5 9.1).
    pub(super) fn uid(&mut self, group: u16, element: u16, value: &str) {
        let v = value.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        let padded = v.len() + v.len() % 2;
        self.short_header(group, element, b"UI", padded);
        self.buf.extend_from_slice(v.as_bytes());
        if v.len() % 2 == 1 {
            self.buf.push(0);
        }
    }

    /// Writes a UL element and returns the position of its value for later patching.
    pub(super) fn ul(&mut self, group: u16, element: u16, value: u32) -> usize {
        self.short_header(group, element, b"UL", 4);
        let pos = self.buf.len();
        self.buf.extend_from_slice(&value.to_le_bytes());
        pos
    }

    pub(super) fn us(&mut self, group: u16, element: u16, value: u16) {
        self.short_header(group, element, b"US", 2);
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// Overwrites a 4-byte little-endian field; offsets and lengths keep their size.
    pub(super) fn patch(&mut self, pos: usize, value: usize) {
        // A DICOMDIR stays far below 4 GiB (about 260 bytes per record).
        self.buf[pos..pos + 4].copy_from_slice(&(value as u32).to_le_bytes());
    }

    pub(super) fn charset(&mut self) {
        self.text(0x0008, 0x0005, b"CS", CHARSET);
    }

    /// Item header (defined length, patched by `end_record`) and the Directory Information
    /// attributes common to all records, in ascending tag order.
    pub(super) fn begin_record(&mut self, kind: &str) -> Record {
        let item_pos = self.buf.len();
        self.tag(0xFFFE, 0xE000);
        let item_len_pos = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        let next_pos = self.ul(0x0004, 0x1400, 0);
        self.us(0x0004, 0x1410, 0xFFFF); // Record In-use Flag: in use.
        let lower_pos = self.ul(0x0004, 0x1420, 0);
        self.text(0x0004, 0x1430, b"CS", kind);
        Record {
            item_pos,
            item_len_pos,
            next_pos,
            lower_pos,
        }
    }

    pub(super) fn end_record(&mut self, r: &Record) {
        let len = self.buf.len() - (r.item_len_pos + 4);
        self.patch(r.item_len_pos, len);
    }
}

/// File meta group (PS3.10 7.1) with its group length computed from the encoded elements.
pub(super) fn write_meta(e: &mut Enc, instance_uid: &str) {
    let len_pos = e.ul(0x0002, 0x0000, 0);
    let start = e.buf.len();
    let pos = e.long_header(0x0002, 0x0001, b"OB");
    e.buf.extend_from_slice(&[0x00, 0x01]);
    e.patch(pos, 2);
    e.uid(0x0002, 0x0002, DICOMDIR_SOP_CLASS);
    e.uid(0x0002, 0x0003, instance_uid);
    e.uid(0x0002, 0x0010, EXPLICIT_VR_LE);
    e.uid(0x0002, 0x0012, IMPLEMENTATION_CLASS_UID);
    e.text(0x0002, 0x0013, b"SH", IMPLEMENTATION_VERSION_NAME);
    let len = e.buf.len() - start;
    e.patch(len_pos, len);
}

/// File-set ID is CS (≤ 16 chars, `A-Z 0-9 _` and space): map anything else to `_`.
pub(super) fn file_set_id_value(id: &str) -> String {
    id.trim()
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .take(16)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Drops characters a single-valued text value may not hold (control characters and the value
/// separator `\`), trims, and cuts to `max` bytes on a character boundary: counting bytes is
/// the conservative reading of the VR limits for UTF-8.
pub(super) fn clean(value: &str, max: usize) -> String {
    let mut s: String = value
        .chars()
        .filter(|c| !c.is_control() && *c != '\\')
        .collect();
    let trimmed = s.trim();
    if trimmed.len() != s.len() {
        s = trimmed.to_string();
    }
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.truncate(s.trim_end().len());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_cleaned_and_bounded() {
        assert_eq!(clean("  ROSSI\\MARIO\n ", 64), "ROSSIMARIO");
        // 15 ASCII bytes then a 2-byte letter: cut before it rather than inside it.
        assert_eq!(clean("ABCDEFGHIJKLMNOÒ", 16), "ABCDEFGHIJKLMNO");
        assert_eq!(file_set_id_value("cds portal/demo 2024"), "CDS PORTAL_DEMO");
    }
}
