// Builds an extracted-ZIP-like folder for the offline viewer: <tmp>/VIEWER/{index.html,viewer.js,viewer.css,study.js,IMG/...}
// with small, distinct grayscale PNGs written by a tiny encoder (node:zlib only).
import { mkdtempSync, mkdirSync, copyFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const VIEWER_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'viewer');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** 8-bit grayscale PNG from a (x, y) => 0..255 function. */
export function grayPng(width, height, pixel) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = pixel(x, y);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A "slice": body outline, an inner structure whose size depends on k, and a bar at a k-dependent height. */
function slice(k, of, size = 128) {
  const c = size / 2;
  const r = 8 + (36 * k) / Math.max(1, of - 1);
  return grayPng(size, size, (x, y) => {
    const dx = x - c, dy = (y - c) * 1.25;
    const d = Math.sqrt(dx * dx + dy * dy);
    if (y === 6 + Math.round((k * (size - 12)) / Math.max(1, of - 1)) && x < 12) return 255;
    if (d < r) return 210 - (k % 5) * 10;
    if (d < 52) return 70 + ((x + y) % 7);
    if (d < 56) return 140;
    return 0;
  });
}

export const STUDY = {
  patient: { name: 'ROSSI MARIO', id: 'RSSMRA80A01A182N', birthDate: '01/01/1980', sex: 'M' },
  study: { description: 'TC TORACE SENZA MDC', date: '26/11/2026', accession: 'A000123', institution: 'ASL Demo', uid: '2.25.123' },
  series: [
    { number: 1, description: 'Assiale 1 mm', modality: 'CT', count: 40 },
    { number: 2, description: 'Coronale MPR', modality: 'CT', count: 3, missing: [2] },
  ],
};

/**
 * Creates <tmp>/VIEWER with the viewer files; with `study: false` there is no study.js
 * (the "opened from inside the ZIP" case). Returns { dir, indexUrl, cleanup }.
 */
export function makeFixture({ study = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cds-viewer-'));
  const viewer = join(dir, 'VIEWER');
  mkdirSync(viewer, { recursive: true });
  mkdirSync(join(dir, 'DICOM'));
  writeFileSync(join(dir, 'DICOMDIR'), Buffer.alloc(132));
  for (const f of readdirSync(VIEWER_SRC)) copyFileSync(join(VIEWER_SRC, f), join(viewer, f));
  if (study) {
    const out = { patient: STUDY.patient, study: STUDY.study, series: [] };
    for (const s of STUDY.series) {
      const folder = `IMG/S${String(s.number).padStart(4, '0')}`;
      mkdirSync(join(viewer, folder), { recursive: true });
      const images = [];
      for (let i = 1; i <= s.count; i++) {
        if ((s.missing || []).includes(i)) { images.push({ src: null, instance: i }); continue; }
        const src = `${folder}/I${String(i).padStart(4, '0')}.png`;
        writeFileSync(join(viewer, src), slice(i - 1, s.count));
        images.push({ src, width: 128, height: 128, instance: i });
      }
      out.series.push({ number: s.number, description: s.description, modality: s.modality, images });
    }
    writeFileSync(join(viewer, 'study.js'), `window.CDS_STUDY = ${JSON.stringify(out, null, 1)};\n`);
  }
  return {
    dir,
    indexUrl: 'file://' + join(viewer, 'index.html'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
