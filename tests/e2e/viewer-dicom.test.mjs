// The offline viewer's DICOM reader (assets/viewer/dicom.js) on its own, in Node: every variant the viewer
// must read (explicit and implicit VR, an undefined-length sequence, deflate, MONOCHROME1, 8 and 16 bit,
// signed and unsigned, RGB by pixel and by plane) gives the same pixels and values as dcmtk's dcmdump;
// a JPEG image is recognised as compressed; a truncated file gives an error (in the package's language:
// text.js), not a wrong image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { makePackages, dump, VIEWER_SRC, VARIANTS } from './viewer-fixture.mjs';

let pk, D, E;
// dicom.js with its messages (text.js) in the language of a study.js, as index.html loads them.
function reader(study) {
  const ctx = { TextDecoder, DecompressionStream, Blob, Response, DataView, CDS_STUDY: study };
  ctx.globalThis = ctx;
  vm.createContext(ctx);
  for (const f of ['text.js', 'dicom.js']) vm.runInContext(readFileSync(join(VIEWER_SRC, f), 'utf8'), ctx);
  return ctx.CDSDicom;
}
before(async () => {
  pk = await makePackages();
  D = reader({ lang: 'it', series: [] });
  E = reader({ lang: 'en', series: [] });
});
after(() => pk?.cleanup());

const buffer = (file) => { const b = readFileSync(file); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };
const rowsOf = (f) => new Map(D.rows(f).map((r) => [r.tag, r]));

function samePixels(image, d, label) {
  assert.equal(image.rows, d.rows, `${label}: rows`);
  assert.equal(image.cols, d.cols, `${label}: columns`);
  for (let y = 0; y < d.rows; y++) {
    for (let x = 0; x < d.cols; x++) {
      const i = y * d.cols + x, want = d.pixel(x, y);
      const got = image.color ? [image.data[3 * i], image.data[3 * i + 1], image.data[3 * i + 2]] : image.data[i];
      if (JSON.stringify(got) !== JSON.stringify(want)) assert.fail(`${label}: pixel (${x}, ${y}) is ${got}, dcmdump says ${want}`);
    }
  }
}

test('the CT slices: 16-bit signed, rescale, window, pixel spacing, every pixel as dcmdump reads it', async () => {
  const dir = join(pk.ct.dir, 'DICOM', 'S0001');
  for (const name of readdirSync(dir).sort().slice(0, 3)) {
    const file = join(dir, name), d = dump(file), f = await D.parse(buffer(file));
    assert.equal(f.ts, '1.2.840.10008.1.2.1');
    assert.equal(f.error, '');
    const im = f.image;
    assert.equal(im.data.constructor.name, 'Int16Array');
    assert.deepEqual([im.slope, im.intercept, im.center, im.width, im.unit], [1, -1024, 40, 400, 'HU']);
    assert.deepEqual(Array.from(im.spacing), d.value('0028,0030').split('\\').map(Number)); // (another realm's array)
    samePixels(im, d, name);
    const rows = rowsOf(f);
    assert.equal(rows.get('(0008,0060)').value, d.value('0008,0060'));
    assert.equal(rows.get('(0020,0013)').value, d.value('0020,0013'));
    assert.match(rows.get('(7FE0,0010)').value, /^\(524288 byte di pixel, non mostrati\)$/);
  }
});

test('the MR: 16 bits allocated, 12 stored, unsigned', async () => {
  const file = join(pk.mr.dir, 'DICOM', 'S0002', 'I0010'), d = dump(file), f = await D.parse(buffer(file));
  assert.equal(f.image.signed, false);
  assert.equal(f.image.stored, 12);
  assert.equal(f.image.unit, '');
  samePixels(f.image, d, 'MR');
});

test('each variant: transfer syntax, photometric interpretation, sample layout', async () => {
  const want = {
    implicit: ['1.2.840.10008.1.2', 'MONOCHROME2'],
    deflate: ['1.2.840.10008.1.2.1.99', 'MONOCHROME2'],
    mono1: ['1.2.840.10008.1.2.1', 'MONOCHROME1'],
    grey8: ['1.2.840.10008.1.2.1', 'MONOCHROME2'],
    rgb: ['1.2.840.10008.1.2.1', 'RGB'],
    planar: ['1.2.840.10008.1.2.1', 'RGB'],
  };
  for (const v of VARIANTS) {
    const file = join(pk.variants.dir, 'DICOM', `S000${v.n}`, 'I0001');
    const d = dump(file), f = await D.parse(buffer(file)), rows = rowsOf(f);
    assert.equal(rows.get('(0008,103E)').value, v.desc, `${v.key}: the packaged series order`);
    if (v.key === 'jpeg') {
      assert.equal(f.error, 'compressed');
      assert.equal(f.tsName, 'JPEG Lossless SV1');
      assert.equal(f.image, null);
      assert.equal(rows.get('(0002,0010)').value, '1.2.840.10008.1.2.4.70');
      continue;
    }
    assert.deepEqual([f.ts, f.image.photometric], want[v.key], v.key);
    assert.equal(f.image.invert, v.key === 'mono1');
    if (v.key === 'planar') assert.equal(d.value('0028,0006'), '1');
    samePixels(f.image, d, v.key);
    if (v.key === 'implicit' || v.key === 'deflate') {
      // The undefined-length sequence is skipped: what follows it is read.
      assert.equal(rows.get('(0008,1140)').value, '(sequenza, 1 elemento)');
      assert.equal(rows.get('(0008,1140)').vr, 'SQ');
      assert.equal(rows.get('(0028,0030)').value, d.value('0028,0030'));
      assert.equal(rows.get('(0028,0030)').vr, 'DS', `${v.key}: VR from the dictionary when implicit`);
    }
  }
});

test('a truncated file is an error, not a wrong image; long values are truncated', async () => {
  const b = buffer(join(pk.ct.dir, 'DICOM', 'S0001', 'I0001'));
  const cut = await D.parse(b.slice(0, b.byteLength - 1000));
  assert.equal(cut.image, null);
  assert.match(cut.error, /dati dei pixel incompleti/);
  await assert.rejects(D.parse(b.slice(0, 200)), /troncato/);
  const f = await D.parse(b);
  for (const r of D.rows(f)) assert.ok(r.value.length <= 80, `${r.tag} ${r.value}`);
});

test('in an English package the reader\'s errors and header values are English', async () => {
  const b = buffer(join(pk.ct.dir, 'DICOM', 'S0001', 'I0001'));
  const cut = await E.parse(b.slice(0, b.byteLength - 1000));
  assert.equal(cut.image, null);
  assert.match(cut.error, /^incomplete pixel data$/);
  await assert.rejects(E.parse(b.slice(0, 200)), /truncated file/);
  const rows = new Map(E.rows(await E.parse(b)).map((r) => [r.tag, r]));
  assert.match(rows.get('(7FE0,0010)').value, /^\(524288 bytes of pixel data, not shown\)$/);
  const v = await E.parse(buffer(join(pk.variants.dir, 'DICOM', 'S0001', 'I0001')));
  assert.equal(new Map(E.rows(v).map((r) => [r.tag, r])).get('(0008,1140)').value, '(sequence, 1 item)');
});
