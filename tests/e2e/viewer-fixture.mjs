// Real packages for the offline viewer's tests, made by the binary from the demo's synthetic studies
// (the ones the other tests use: a 12-slice CT, a 3-series MR), plus a "variants" study built from them
// with dcmtk: implicit VR with an undefined-length sequence, deflated, MONOCHROME1, 8-bit grey, RGB
// (planar configuration 0 and 1) and a JPEG-compressed image. `dump()` reads a DICOM file with dcmtk's
// dcmdump (values and raw pixel data): the tests compare what the viewer shows with it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, rmSync, existsSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startProcess } from './harness.mjs';

export const VIEWER_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'viewer');
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString();

const uid = () => `2.25.${randomInt(1, 9)}${Array.from({ length: 30 }, () => randomInt(0, 10)).join('')}`;

/** Extracts a ZIP (Info-ZIP's unzip, or python3's zipfile) into `dir`. */
export function unzipTo(zip, dir) {
  try {
    run('unzip', ['-q', zip, '-d', dir]);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    run('python3', ['-m', 'zipfile', '-e', zip, dir]);
  }
  return dir;
}

// A 64x48 BMP: 24-bit colour gradient or 8-bit grey (img2dcm reads both).
function bmp(bpp) {
  const w = 64, h = 48, row = Math.ceil((w * bpp) / 32) * 4, pal = bpp === 8 ? 1024 : 0, off = 54 + pal;
  const b = Buffer.alloc(off + row * h);
  b.write('BM');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(off, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bpp, 28);
  b.writeUInt32LE(row * h, 34);
  if (bpp === 8) {
    b.writeUInt32LE(256, 46);
    for (let i = 0; i < 256; i++) b.fill(i, 54 + 4 * i, 57 + 4 * i);
  }
  for (let y = 0; y < h; y++) {
    const o = off + (h - 1 - y) * row;
    for (let x = 0; x < w; x++) {
      if (bpp === 24) { b[o + 3 * x] = (x * 4) & 255; b[o + 3 * x + 1] = (y * 5) & 255; b[o + 3 * x + 2] = ((x + y) * 2) & 255; }
      else b[o + x] = (x * 3 + y) & 255;
    }
  }
  return b;
}

export const VARIANTS = [
  { n: 1, key: 'implicit', desc: 'Implicita' },
  { n: 2, key: 'deflate', desc: 'Deflate' },
  { n: 3, key: 'mono1', desc: 'Monocromatica 1' },
  { n: 4, key: 'grey8', desc: 'Grigi 8 bit' },
  { n: 5, key: 'rgb', desc: 'RGB' },
  { n: 6, key: 'planar', desc: 'RGB per piani' },
  { n: 7, key: 'jpeg', desc: 'JPEG' },
];

// The variants study from one CT slice (same patient and study), one file per series.
function makeVariants(ctFile, dir) {
  const w = join(dir, 'work'), out = join(dir, 'variants');
  mkdirSync(w);
  mkdirSync(out);
  const base = join(w, 'base.dcm');
  copyFileSync(ctFile, base);
  // A sequence, so that implicit VR and deflate are read past an undefined-length sequence.
  run('dcmodify', ['-nb', '-i', '(0008,1140)[0].(0008,1150)=1.2.840.10008.5.1.4.1.1.2', '-i', '(0008,1140)[0].(0008,1155)=1.2.3.4', base]);
  writeFileSync(join(w, 'rgb.bmp'), bmp(24));
  writeFileSync(join(w, 'grey.bmp'), bmp(8));
  const f = (k) => join(w, `${k}.dcm`);
  run('img2dcm', ['-i', 'BMP', '--study-from', base, join(w, 'rgb.bmp'), f('rgb')]);
  run('img2dcm', ['-i', 'BMP', '--study-from', base, join(w, 'grey.bmp'), f('grey8')]);
  run('dcmcjpeg', ['+e1', f('rgb'), f('jpeg')]); // lossless: same pixels
  run('dcmdjpeg', ['+pl', f('jpeg'), f('planar')]);
  copyFileSync(base, f('mono1'));
  run('dcmodify', ['-nb', '-m', '(0028,0004)=MONOCHROME1', f('mono1')]);
  copyFileSync(base, f('implicit'));
  copyFileSync(base, f('deflate'));
  for (const v of VARIANTS) {
    run('dcmodify', ['-nb', '-gin', '-m', `(0020,000E)=${uid()}`, '-m', `(0020,0011)=${v.n}`,
      '-i', `(0008,103E)=${v.desc}`, '-m', '(0020,0013)=1', f(v.key)]);
  }
  run('dcmconv', ['+ti', '-e', f('implicit'), join(out, 'implicit.dcm')]);
  run('dcmconv', ['+td', '-e', f('deflate'), join(out, 'deflate.dcm')]);
  for (const k of ['mono1', 'grey8', 'rgb', 'planar', 'jpeg']) copyFileSync(f(k), join(out, `${k}.dcm`));
  return out;
}

/**
 * Writes the demo's archive (12-slice CT) with the binary, packages the CT, the MR and the variants
 * with `cds-portal package` and extracts them. Returns { root, ct, mr, variants, cleanup } where each
 * package is { zip, dir } (dir = the extracted folder, as a person would have it).
 */
export async function makePackages() {
  const root = mkdtempSync(join(tmpdir(), 'cds-viewer-'));
  try {
    const data = join(root, 'data');
    const demo = await startProcess('cds-portal demo', BIN, ['demo', '--listen', '127.0.0.1:0', '--data', data],
      { env: { PATH: process.env.PATH, CDS_DEMO_CT_SLICES: '12' }, readyMs: 180000 });
    await demo.stop();
    const [ctUid, mrUid] = readFileSync(join(data, 'archive', 'demo-studies.txt'), 'utf8').split('\n').filter(Boolean);
    const ctDir = join(data, 'archive', ctUid);
    const ctFiles = readdirSync(ctDir).sort();
    const pack = (name, dir) => {
      const zip = join(root, `${name}.zip`);
      run(BIN, ['package', dir, zip], { env: { PATH: process.env.PATH } }); // the binary refuses unknown CDS_* variables
      return { zip, dir: unzipTo(zip, join(root, name.toUpperCase())) };
    };
    return {
      root,
      ct: pack('ct', ctDir),
      mr: pack('mr', join(data, 'archive', mrUid)),
      variants: pack('variants', makeVariants(join(ctDir, ctFiles[5]), root)),
      cleanup: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/**
 * dcmdump's reading of a file: `value(tag)` ("0028,0030" -> "0.75\\0.75"), `pixel(x, y)` (the stored
 * value, or [r, g, b]) and `real(x, y)` (after Rescale Slope/Intercept) from the raw pixel data that
 * `dcmdump +W` writes (native transfer syntaxes only).
 */
export function dump(file) {
  const rawDir = mkdtempSync(join(tmpdir(), 'cds-dcmdump-'));
  try {
    const text = run('dcmdump', ['+W', rawDir, '+L', '-Un', file]);
    const values = new Map();
    let rawFile = null;
    for (const line of text.split('\n')) {
      const m = /^\((\w{4}),(\w{4})\) (\w\w) (.*?)\s+#/.exec(line); // top level only (no indent)
      if (!m) continue;
      const tag = `${m[1]},${m[2]}`.toUpperCase();
      let v = m[4].trim();
      if (m[3] === 'OW' || m[3] === 'OB') { if (tag === '7FE0,0010' && v.startsWith('=')) rawFile = v.slice(1); continue; }
      if (v.startsWith('[')) v = v.slice(1, v.lastIndexOf(']'));
      else if (v.startsWith('=')) v = v.slice(1);
      if (!values.has(tag)) values.set(tag, v);
    }
    const raw = rawFile && existsSync(rawFile) ? readFileSync(rawFile) : null;
    const num = (t, d) => (values.has(t) ? Number(values.get(t).split('\\')[0]) : d);
    const rows = num('0028,0010'), cols = num('0028,0011'), bits = num('0028,0100', 16), stored = num('0028,0101', bits);
    const signed = num('0028,0103', 0) === 1, spp = num('0028,0002', 1), planar = num('0028,0006', 0);
    const slope = num('0028,1053', 1), intercept = num('0028,1052', 0);
    const sample = (i) => {
      let v = bits === 8 ? raw[i] : raw.readUInt16LE(2 * i);
      if (stored < bits) v = signed ? (v << (32 - stored)) >> (32 - stored) : v & ((1 << stored) - 1);
      else if (signed) v = bits === 8 ? (v << 24) >> 24 : (v << 16) >> 16;
      return v;
    };
    const pixel = (x, y) => {
      const i = y * cols + x, n = rows * cols;
      if (spp === 3) return planar ? [raw[i], raw[n + i], raw[2 * n + i]] : [raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]];
      return sample(i);
    };
    return {
      text, rows, cols, slope, intercept, raw,
      value: (t) => values.get(t),
      pixel,
      real: (x, y) => pixel(x, y) * slope + intercept,
    };
  } finally {
    rmSync(rawDir, { recursive: true, force: true });
  }
}

/** DICOM PS3.3 C.11.2.1.2.1 linear VOI function, rounded to 0..255 (the expected grey of a pixel). */
export function windowed(x, c, w) {
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return Math.round(((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
}
