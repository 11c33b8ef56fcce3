/*
 * CDS Portal - lettore DICOM minimo per il visualizzatore offline, senza dipendenze.
 * File Part 10 (o un set di dati senza preambolo), VR implicita ed esplicita little endian,
 * deflate (1.2.840.10008.1.2.1.99, con DecompressionStream). Immagini native 8/16/32 bit,
 * con o senza segno, MONOCHROME1/2, RGB e YBR_FULL (PlanarConfiguration 0/1): primo
 * fotogramma. Le sintassi compresse (JPEG, JPEG 2000, RLE…) sono riconosciute e segnalate.
 * window.CDSDicom.parse(ArrayBuffer) -> Promise<{ ts, tsName, elements, image, error }>.
 * I messaggi sono in text.js (CDSText), da caricare prima.
 */
(function (root) {
  'use strict';
  function t(key, args) { return root.CDSText.t(key, args); }
  var UNDEF = 0xffffffff;
  var IMPLICIT = '1.2.840.10008.1.2', EXPLICIT = '1.2.840.10008.1.2.1', DEFLATE = '1.2.840.10008.1.2.1.99';
  var TS = {
    '1.2.840.10008.1.2': 'Implicit VR Little Endian',
    '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
    '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
    '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
    '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
    '1.2.840.10008.1.2.4.51': 'JPEG Extended',
    '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
    '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
    '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
    '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
    '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
    '1.2.840.10008.1.2.4.91': 'JPEG 2000',
    '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
    '1.2.840.10008.1.2.4.203': 'HTJ2K',
    '1.2.840.10008.1.2.5': 'RLE Lossless',
  };
  // VR esplicite con lunghezza su 4 byte (PS3.5 7.1.2).
  // VR esplicite con lunghezza su 2 byte (PS3.5 7.1.2); tutte le altre, anche future, su 4.
  var SHORT = {};
  'AE AS AT CS DA DS DT FL FD IS LO LT PN SH SL SS ST TM UI UL US'.split(' ').forEach(function (v) { SHORT[v] = 1; });
  var TEXT = { AE: 1, AS: 1, CS: 1, DA: 1, DS: 1, DT: 1, IS: 1, LO: 1, LT: 1, PN: 1, SH: 1, ST: 1, TM: 1, UC: 1, UI: 1, UR: 1, UT: 1 };
  // Nomi (e VR, per la sintassi implicita) degli attributi più comuni.
  var DICT = {};
  ('00020000UL File Meta Information Group Length|00020001OB File Meta Information Version|00020002UI Media Storage SOP Class UID|' +
   '00020003UI Media Storage SOP Instance UID|00020010UI Transfer Syntax UID|00020012UI Implementation Class UID|' +
   '00020013SH Implementation Version Name|00080005CS Specific Character Set|00080008CS Image Type|00080012DA Instance Creation Date|' +
   '00080016UI SOP Class UID|00080018UI SOP Instance UID|00080020DA Study Date|00080021DA Series Date|00080022DA Acquisition Date|' +
   '00080023DA Content Date|00080030TM Study Time|00080031TM Series Time|00080032TM Acquisition Time|00080033TM Content Time|' +
   '00080050SH Accession Number|00080060CS Modality|00080070LO Manufacturer|00080080LO Institution Name|' +
   '00080090PN Referring Physician\'s Name|00081030LO Study Description|0008103ELO Series Description|00081090LO Manufacturer\'s Model Name|' +
   '00081140SQ Referenced Image Sequence|00082218SQ Anatomic Region Sequence|00100010PN Patient\'s Name|00100020LO Patient ID|' +
   '00100030DA Patient\'s Birth Date|00100040CS Patient\'s Sex|00101010AS Patient\'s Age|00180015CS Body Part Examined|' +
   '00180050DS Slice Thickness|00180060DS KVP|00180090DS Data Collection Diameter|00181100DS Reconstruction Diameter|00181120DS Gantry/Detector Tilt|00180088DS Spacing Between Slices|00181020LO Software Versions|00181030LO Protocol Name|' +
   '00181150IS Exposure Time|00181151IS X-Ray Tube Current|00181152IS Exposure|00181164DS Imager Pixel Spacing|00181210SH Convolution Kernel|' +
   '00185100CS Patient Position|00185101CS View Position|00180080DS Repetition Time|00180081DS Echo Time|00180087DS Magnetic Field Strength|' +
   '0020000DUI Study Instance UID|0020000EUI Series Instance UID|00200010SH Study ID|00200011IS Series Number|00200012IS Acquisition Number|' +
   '00200013IS Instance Number|00200020CS Patient Orientation|00200032DS Image Position (Patient)|00200037DS Image Orientation (Patient)|' +
   '00200052UI Frame of Reference UID|00201041DS Slice Location|00280002US Samples per Pixel|00280004CS Photometric Interpretation|' +
   '00280006US Planar Configuration|00280008IS Number of Frames|00280010US Rows|00280011US Columns|00280030DS Pixel Spacing|' +
   '00280100US Bits Allocated|00280101US Bits Stored|00280102US High Bit|00280103US Pixel Representation|00281050DS Window Center|' +
   '00281051DS Window Width|00281052DS Rescale Intercept|00281053DS Rescale Slope|00281054LO Rescale Type|' +
   '00281055LO Window Center & Width Explanation|00282110CS Lossy Image Compression|7FE00010OW Pixel Data|' +
   'FFFEE000-- Item|FFFEE00D-- Item Delimitation Item|FFFEE0DD-- Sequence Delimitation Item').split('|').forEach(function (s) {
    DICT[s.slice(0, 8)] = [s.slice(8, 10), s.slice(11)];
  });

  function hex4(n) { return ('000' + n.toString(16).toUpperCase()).slice(-4); }
  function key(g, e) { return hex4(g) + hex4(e); }

  function Reader(buf, explicit) {
    this.buf = buf;
    this.dv = new DataView(buf);
    this.u8 = new Uint8Array(buf);
    this.pos = 0;
    this.explicit = explicit;
  }
  // Intestazione di un elemento: { g, e, k, vr, len, off } (off = inizio del valore).
  Reader.prototype.head = function (explicit) {
    var dv = this.dv, p = this.pos;
    if (p + 8 > dv.byteLength) throw new Error(t('truncated'));
    var g = dv.getUint16(p, true), e = dv.getUint16(p + 2, true), k = key(g, e), vr, len;
    if (g === 0xfffe) { vr = ''; len = dv.getUint32(p + 4, true); p += 8; }
    else if (explicit) {
      vr = String.fromCharCode(this.u8[p + 4], this.u8[p + 5]);
      if (!/^[A-Z]{2}$/.test(vr)) throw new Error(t('badVr', k));
      if (SHORT[vr]) { len = dv.getUint16(p + 6, true); p += 8; }
      else {
        if (p + 12 > dv.byteLength) throw new Error(t('truncated'));
        len = dv.getUint32(p + 8, true); p += 12;
      }
    } else {
      vr = DICT[k] ? DICT[k][0] : (e === 0 ? 'UL' : 'UN');
      len = dv.getUint32(p + 4, true); p += 8;
    }
    this.pos = p;
    return { g: g, e: e, k: k, vr: vr, len: len, off: p };
  };

  // Legge gli elementi fino a `end` (o al delimitatore dell'elemento, se `inItem`). Al livello 0
  // li raccoglie in `out` e si ferma ai dati dei pixel.
  Reader.prototype.dataset = function (end, explicit, out, depth) {
    while (this.pos < end) {
      var el = this.head(explicit);
      if (el.k === 'FFFEE00D') return; // fine dell'elemento di una sequenza
      if (el.k === 'FFFEE0DD') throw new Error(t('badDelimiter'));
      if (el.k === '7FE00010' && depth === 0) { out.push(el); el.pixel = true; return; }
      if (el.vr === 'SQ' || el.len === UNDEF) {
        // Sequenza (di lunghezza definita o no); UN di lunghezza indefinita è in VR implicita (PS3.5 6.2.2).
        var inner = el.vr === 'UN' ? false : explicit;
        el.items = this.sequence(el.len === UNDEF ? this.buf.byteLength : el.off + el.len, inner, depth + 1);
        el.vr = 'SQ';
        if (el.len !== UNDEF) this.pos = el.off + el.len;
      } else {
        if (el.off + el.len > this.buf.byteLength) throw new Error(t('truncatedIn', el.k));
        this.pos = el.off + el.len;
      }
      if (depth === 0) out.push(el);
    }
  };
  Reader.prototype.sequence = function (end, explicit, depth) {
    var n = 0;
    while (this.pos < end) {
      var it = this.head(explicit);
      if (it.k === 'FFFEE0DD') break;
      if (it.k !== 'FFFEE000') throw new Error(t('badItem', it.k));
      n++;
      if (it.len === UNDEF) this.dataset(this.buf.byteLength, explicit, null, depth);
      else this.pos = it.off + it.len;
    }
    return n;
  };

  function inflate(bytes) {
    if (typeof DecompressionStream !== 'function') return Promise.reject(new Error(t('noInflate')));
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer();
  }

  function parse(buffer) {
    return Promise.resolve().then(function () {
      var r = new Reader(buffer, true), meta = [], ts = IMPLICIT;
      var part10 = buffer.byteLength > 132 && String.fromCharCode.apply(null, r.u8.subarray(128, 132)) === 'DICM';
      if (part10) {
        r.pos = 132;
        while (r.pos + 8 <= buffer.byteLength && r.dv.getUint16(r.pos, true) === 2) {
          var m = r.head(true);
          if (m.off + m.len > buffer.byteLength) throw new Error(t('truncated'));
          r.pos = m.off + m.len;
          m.buf = buffer;
          meta.push(m);
          if (m.k === '00020010') ts = text(buffer, m.off, m.len, 'latin1').replace(/[\0 ]+$/, '');
        }
      }
      var f = attach({ ts: ts, tsName: TS[ts] || ts, elements: meta, image: null, error: '' });
      if (ts !== IMPLICIT && ts !== EXPLICIT && ts !== DEFLATE) {
        // Compresso o non supportato: l'intestazione si legge (VR esplicita), i pixel no.
        f.error = 'compressed';
        return body(f, buffer, r.pos, true);
      }
      if (ts === DEFLATE) return inflate(r.u8.subarray(r.pos)).then(function (b) { return body(f, b, 0, true); });
      return body(f, buffer, r.pos, ts !== IMPLICIT);
    });
  }

  function body(f, buf, start, explicit) {
    var r = new Reader(buf, explicit), out = [];
    r.pos = start;
    try { r.dataset(buf.byteLength, explicit, out, 0); } catch (e) {
      if (!out.length) throw e;
      f.warning = e.message;
    }
    out.forEach(function (el) { el.buf = buf; });
    f.elements = f.elements.concat(out);
    var by = {};
    f.elements.forEach(function (el) { by[el.k] = el; });
    f.by = by;
    var cs = f.string('00080005');
    f.charset = /ISO_IR 192/.test(cs) ? 'utf-8' : 'latin1';
    if (!f.error) {
      try { f.image = image(f); } catch (e) { f.error = e.message; }
    }
    return f;
  }

  function text(buf, off, len, charset) {
    return new TextDecoder(charset === 'utf-8' ? 'utf-8' : 'windows-1252').decode(new Uint8Array(buf, off, len));
  }

  // Accesso agli attributi di primo livello.
  var proto = {
    string: function (k) {
      var el = this.by && this.by[k];
      if (!el || !TEXT[el.vr] && el.vr !== 'UN') return '';
      return text(el.buf, el.off, el.len, this.charset).replace(/[\0 ]+$/, '').replace(/^ +/, '');
    },
    numbers: function (k) {
      var el = this.by && this.by[k];
      if (!el || !el.len) return [];
      var dv = new DataView(el.buf, el.off, el.len), out = [], i;
      switch (el.vr) {
        case 'US': for (i = 0; i + 2 <= el.len; i += 2) out.push(dv.getUint16(i, true)); return out;
        case 'SS': for (i = 0; i + 2 <= el.len; i += 2) out.push(dv.getInt16(i, true)); return out;
        case 'UL': for (i = 0; i + 4 <= el.len; i += 4) out.push(dv.getUint32(i, true)); return out;
        case 'SL': for (i = 0; i + 4 <= el.len; i += 4) out.push(dv.getInt32(i, true)); return out;
        case 'FL': for (i = 0; i + 4 <= el.len; i += 4) out.push(dv.getFloat32(i, true)); return out;
        case 'FD': for (i = 0; i + 8 <= el.len; i += 8) out.push(dv.getFloat64(i, true)); return out;
        case 'UN': // sintassi implicita, attributo fuori dizionario: US se lungo 2
          if (el.len === 2) return [dv.getUint16(0, true)];
      }
      return this.string(k).split('\\').map(function (s) { return parseFloat(s); }).filter(function (n) { return isFinite(n); });
    },
    number: function (k, dflt) { var v = this.numbers(k); return v.length ? v[0] : dflt; },
  };
  function attach(f) { Object.keys(proto).forEach(function (n) { f[n] = proto[n]; }); return f; }

  function image(f) {
    var px = f.by['7FE00010'];
    var rows = f.number('00280010', 0), cols = f.number('00280011', 0);
    if (!px || !rows || !cols) return null;
    var spp = f.number('00280002', 1), bits = f.number('00280100', 16), stored = f.number('00280101', bits);
    var signed = f.number('00280103', 0) === 1, photo = f.string('00280004').toUpperCase() || 'MONOCHROME2';
    var planar = f.number('00280006', 0), n = rows * cols;
    if (px.len === UNDEF) throw new Error(t('encapsulated'));
    if ((spp !== 1 && spp !== 3) || [8, 16, 32].indexOf(bits) < 0 || (spp === 3 && bits !== 8)) throw new Error(t('pixelFormat'));
    if (spp === 1 && !/^MONOCHROME[12]$/.test(photo)) throw new Error(t('photometric', photo));
    if (spp === 3 && ['RGB', 'YBR_FULL'].indexOf(photo) < 0) throw new Error(t('photometric', photo));
    var bytes = n * spp * bits / 8;
    if (px.len < bytes || px.off + bytes > px.buf.byteLength) throw new Error(t('pixelsShort'));
    var src = px.off % (bits / 8) ? px.buf.slice(px.off, px.off + bytes) : px.buf, off = src === px.buf ? px.off : 0;
    var T = bits === 8 ? (signed ? Int8Array : Uint8Array) : bits === 16 ? (signed ? Int16Array : Uint16Array) : (signed ? Int32Array : Uint32Array);
    var data = new T(src, off, n * spp), i;
    if (spp === 3) data = color(data, n, planar, photo);
    else if (stored < bits && stored > 0 && bits < 32) {
      // Bit oltre Bits Stored: mascherati (senza segno) o estensione del segno.
      var copy = new Int32Array(n), shift = 32 - stored, mask = (1 << stored) - 1;
      for (i = 0; i < n; i++) copy[i] = signed ? (data[i] << shift) >> shift : data[i] & mask;
      data = copy;
    }
    var lo = Infinity, hi = -Infinity;
    if (spp === 1) for (i = 0; i < n; i++) { var v = data[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    else { lo = 0; hi = 255; }
    var spacing = f.numbers('00280030'), kind = 'pixel';
    if (spacing.length < 2) { spacing = f.numbers('00181164'); kind = 'imager'; }
    if (spacing.length < 2 || !(spacing[0] > 0 && spacing[1] > 0)) { spacing = null; kind = ''; }
    var slope = f.number('00281053', 1) || 1, intercept = f.number('00281052', 0);
    var wc = f.number('00281050', NaN), ww = f.number('00281051', NaN);
    return {
      rows: rows, cols: cols, color: spp === 3, photometric: photo, invert: photo === 'MONOCHROME1',
      bits: bits, stored: stored, signed: signed, data: data, min: lo, max: hi,
      slope: slope, intercept: intercept, unit: f.string('00281054') === 'HU' || f.string('00080060') === 'CT' ? 'HU' : '',
      center: isFinite(wc) && ww >= 1 ? wc : NaN, width: isFinite(wc) && ww >= 1 ? ww : NaN,
      spacing: spacing, spacingKind: kind, frames: f.number('00280008', 1),
    };
  }

  // Colore: sempre RGB interlacciato (R G B R G B…).
  function color(data, n, planar, photo) {
    var out = new Uint8ClampedArray(n * 3), i;
    if (planar === 1) for (i = 0; i < n; i++) { out[3 * i] = data[i]; out[3 * i + 1] = data[n + i]; out[3 * i + 2] = data[2 * n + i]; }
    else out.set(data.subarray(0, n * 3));
    if (photo === 'YBR_FULL') {
      for (i = 0; i < 3 * n; i += 3) {
        var y = out[i], cb = out[i + 1] - 128, cr = out[i + 2] - 128;
        out[i] = y + 1.402 * cr; out[i + 1] = y - 0.344136 * cb - 0.714136 * cr; out[i + 2] = y + 1.772 * cb;
      }
    }
    return out;
  }

  // Una riga della tabella dell'intestazione: { tag, name, vr, value } (valori lunghi troncati).
  var MAXLEN = 80;
  function describe(f, el) {
    var d = DICT[el.k], tag = '(' + el.k.slice(0, 4) + ',' + el.k.slice(4) + ')', value;
    var name = d ? d[1] : (el.g % 2 ? t('private') : el.e === 0 ? 'Group Length' : '');
    if (el.pixel) value = el.len === UNDEF ? t('packedPixels') : t('pixelBytes', el.len);
    else if (el.items !== undefined) value = root.CDSText.n('items', el.items);
    else if (TEXT[el.vr]) value = text(el.buf, el.off, el.len, f.charset).replace(/[\0 ]+$/, '');
    else if ('US SS UL SL FL FD'.indexOf(el.vr) >= 0) {
      var nums = proto.numbers.call({ by: { x: el } }, 'x');
      value = nums.slice(0, 16).map(function (x) { return Math.round(x * 1e6) / 1e6; }).join('\\') + (nums.length > 16 ? '\\…' : '');
    } else if (el.vr === 'AT' && el.len >= 4) {
      var dv = new DataView(el.buf, el.off, 4);
      value = '(' + hex4(dv.getUint16(0, true)) + ',' + hex4(dv.getUint16(2, true)) + ')';
    } else value = t('bytes', el.len);
    if (value.length > MAXLEN) value = value.slice(0, MAXLEN - 1) + '…';
    return { tag: tag, name: name, vr: el.vr || '--', value: value };
  }

  root.CDSDicom = {
    TS: TS,
    readable: function (ts) { return ts === IMPLICIT || ts === EXPLICIT || ts === DEFLATE; },
    parse: parse,
    rows: function (f) { return f.elements.map(function (el) { return describe(f, el); }); },
  };
})(typeof window !== 'undefined' ? window : globalThis);
