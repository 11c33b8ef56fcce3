//! Renders a DICOM image as a small JPEG — the document catalogue's thumbnail (the demo
//! archive's): native (uncompressed) grey or RGB pixel data, first frame, with the file's
//! own window. Compressed transfer syntaxes get no thumbnail. (The download package no
//! longer holds rendered images: its viewer reads the DICOM files themselves.)

use super::scan::int;
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

const QUALITY: u8 = 85;

const NATIVE: &[&str] = &["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"];

/// The image as a JPEG, its longest side at most `max_side`.
pub fn render_fit(obj: &DefaultDicomObject, max_side: usize) -> Option<Vec<u8>> {
    let ts = obj.meta().transfer_syntax().trim_end_matches('\0');
    if !NATIVE.contains(&ts) {
        return None;
    }
    let rows = int(obj, tags::ROWS)? as usize;
    let cols = int(obj, tags::COLUMNS)? as usize;
    let bits = int(obj, tags::BITS_ALLOCATED)?;
    let samples = int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1);
    let data = obj.get(tags::PIXEL_DATA)?.to_bytes().ok()?;
    let (grey, channels) = match (samples, bits) {
        (1, 16 | 8) => (grey8(obj, &data, rows, cols, bits)?, 1),
        (3, 8)
            if int(obj, tags::PLANAR_CONFIGURATION).unwrap_or(0) == 0
                && data.len() >= rows * cols * 3 =>
        {
            (data[..rows * cols * 3].to_vec(), 3)
        }
        _ => return None,
    };
    let (pixels, width, height) = shrink(grey, cols, rows, channels, max_side.max(1));
    let mut jpeg = Vec::with_capacity(width * height / 4);
    let color = if channels == 1 {
        jpeg_encoder::ColorType::Luma
    } else {
        jpeg_encoder::ColorType::Rgb
    };
    jpeg_encoder::Encoder::new(&mut jpeg, QUALITY)
        .encode(&pixels, width as u16, height as u16, color)
        .ok()?;
    Some(jpeg)
}

/// Modality LUT (rescale) then the first VOI window, to 8 bits; MONOCHROME1 inverted.
/// The stored values span a small range (a CT's few thousand Hounsfield steps): the window
/// is computed once per value in that range, then looked up per pixel.
fn grey8(
    obj: &DefaultDicomObject,
    data: &[u8],
    rows: usize,
    cols: usize,
    bits: i32,
) -> Option<Vec<u8>> {
    let n = rows * cols;
    let signed = int(obj, tags::PIXEL_REPRESENTATION) == Some(1);
    if data.len() < n * if bits == 16 { 2 } else { 1 } {
        return None;
    }
    // One loop per sample layout, with no branch inside: the compiler vectorises them.
    let values: Vec<i32> = match (bits, signed) {
        (16, true) => data[..2 * n]
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]) as i32)
            .collect(),
        (16, false) => data[..2 * n]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]) as i32)
            .collect(),
        _ => data[..n].iter().map(|&b| b as i32).collect(),
    };
    let lo = values.iter().copied().min()?;
    let hi = values.iter().copied().max()?;
    let float = |tag| {
        obj.get(tag)
            .and_then(|e| e.to_multi_float64().ok())
            .and_then(|v| v.first().copied())
    };
    let slope = float(tags::RESCALE_SLOPE).unwrap_or(1.0);
    let intercept = float(tags::RESCALE_INTERCEPT).unwrap_or(0.0);
    let (center, width) = match (float(tags::WINDOW_CENTER), float(tags::WINDOW_WIDTH)) {
        (Some(c), Some(w)) if w >= 1.0 => (c, w),
        _ => {
            // No window in the file: the full range of the values present.
            let (a, b) = (lo as f64 * slope + intercept, hi as f64 * slope + intercept);
            ((a + b) / 2.0, (b - a).abs().max(1.0))
        }
    };
    let invert =
        crate::packaging::scan::text(obj, tags::PHOTOMETRIC_INTERPRETATION) == "MONOCHROME1";
    // DICOM PS3.3 C.11.2.1.2.1 linear window.
    let low = center - 0.5 - (width - 1.0) / 2.0;
    let scale = 255.0 / (width - 1.0).max(1.0);
    let lut: Vec<u8> = (lo..=hi)
        .map(|v| {
            let y = ((v as f64 * slope + intercept) - low) * scale;
            let g = y.clamp(0.0, 255.0) as u8;
            if invert { 255 - g } else { g }
        })
        .collect();
    Some(values.iter().map(|&v| lut[(v - lo) as usize]).collect())
}

/// Box-filter downscale by an integer factor until the longest side fits `max`.
fn shrink(pixels: Vec<u8>, w: usize, h: usize, ch: usize, max: usize) -> (Vec<u8>, usize, usize) {
    let f = w.max(h).div_ceil(max);
    if f <= 1 {
        return (pixels, w, h);
    }
    let (nw, nh) = (w / f, h / f);
    let mut out = vec![0u8; nw * nh * ch];
    for y in 0..nh {
        for x in 0..nw {
            for c in 0..ch {
                let mut sum = 0u32;
                for dy in 0..f {
                    let row = (y * f + dy) * w;
                    for dx in 0..f {
                        sum += pixels[(row + x * f + dx) * ch + c] as u32;
                    }
                }
                out[(y * nw + x) * ch + c] = (sum / (f * f) as u32) as u8;
            }
        }
    }
    (out, nw, nh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrink_halves_a_large_image() {
        let (p, w, h) = shrink(vec![100u8; 2048 * 1500], 2048, 1500, 1, 1024);
        assert_eq!((w, h), (1024, 750));
        assert!(p.iter().all(|&v| v == 100));
        let (_, w, h) = shrink(vec![0u8; 512 * 512], 512, 512, 1, 1024);
        assert_eq!((w, h), (512, 512));
        let (_, w, h) = shrink(vec![0u8; 512 * 400], 512, 400, 1, 256);
        assert_eq!((w, h), (256, 200));
        let (_, w, h) = shrink(vec![0u8; 512 * 512], 512, 512, 1, 1024);
        assert_eq!((w, h), (512, 512));
    }
}
