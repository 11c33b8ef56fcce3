/*
 * CDS Portal - disegno di un'immagine DICOM su canvas 2D: finestra (W/L) sui valori reali
 * (HU dopo Rescale Slope/Intercept) con una tabella di conversione (LUT) per finestra, zoom,
 * spostamento, barra di scala in mm, misura di distanze; mouse, rotellina, tocco e pinch.
 * new CDSView({ stage, canvas, marks, onChange, onStep }).
 */
(function (root) {
  'use strict';

  function View(o) {
    this.o = o;
    this.stage = o.stage;
    this.canvas = o.canvas;
    this.marks = o.marks;
    this.ctx = o.canvas.getContext('2d');
    this.mctx = o.marks.getContext('2d');
    this.off = document.createElement('canvas');
    this.octx = this.off.getContext('2d');
    this.img = null;
    this.tool = 'pan';
    this.scale = 1;
    this.fit = true;
    this.panX = this.panY = 0;
    this.center = this.width = NaN;
    this.winMode = 'file';
    this.measure = null; // { a: [x, y], b: [x, y] | null, hover: [x, y] } in pixel dell'immagine
    this.pointers = new Map();
    this.dirty = true;
    this.raf = 0;
    this.W = this.H = 0;
    this.bind();
    this.resize();
  }
  var P = View.prototype;

  P.changed = function (what) { if (this.o.onChange) this.o.onChange(what); };
  P.draw = function () {
    var self = this;
    if (!this.raf) this.raf = root.requestAnimationFrame(function () { self.raf = 0; self.paint(); });
  };

  // Le tele hanno una misura intera in px CSS (al più un pixel nero a destra e in basso): un pixel
  // CSS è esattamente `dpr` pixel della tela, così il valore sotto il puntatore è quello disegnato.
  P.resize = function () {
    var r = this.stage.getBoundingClientRect(), dpr = root.devicePixelRatio || 1;
    this.W = Math.max(1, Math.floor(r.width));
    this.H = Math.max(1, Math.floor(r.height));
    this.dpr = dpr;
    [this.canvas, this.marks].forEach(function (c) {
      c.width = Math.round(this.W * dpr);
      c.height = Math.round(this.H * dpr);
      c.style.width = this.W + 'px'; // CSSOM: consentito dalla CSP (style-src 'self')
      c.style.height = this.H + 'px';
    }, this);
    if (this.fit) this.fitScale();
    this.draw();
  };

  // ---------- Immagine e finestra ----------
  P.setImage = function (img, sameSeries) {
    var prev = this.img;
    this.img = img;
    this.measure = null;
    this.dirty = true;
    if (!img) { this.draw(); this.changed('image'); return; }
    this.aspect = img.spacing ? img.spacing[0] / img.spacing[1] : 1;
    if (!sameSeries || !prev || prev.cols !== img.cols || prev.rows !== img.rows) {
      this.fit = true;
      this.panX = this.panY = 0;
      this.fitScale();
      this.fromFile();
    } else if (this.winMode === 'file') this.fromFile();
    this.draw();
    this.changed('image');
  };
  P.fileWindow = function () {
    var im = this.img;
    if (!im) return [NaN, NaN];
    if (im.color) return [128, 256]; // l'identità: 0..255 restano 0..255
    if (isFinite(im.center)) return [im.center, im.width];
    var a = im.min * im.slope + im.intercept, b = im.max * im.slope + im.intercept;
    return [(a + b) / 2, Math.max(1, Math.abs(b - a))];
  };
  P.fromFile = function () {
    var w = this.fileWindow();
    this.setWindow(w[0], w[1], 'file');
  };
  P.setWindow = function (c, w, mode) {
    if (!isFinite(c) || !isFinite(w)) return;
    this.center = c;
    this.width = Math.max(1, w);
    this.winMode = mode || 'custom';
    this.dirty = true;
    this.draw();
    this.changed('window');
  };

  // Finestra lineare DICOM (PS3.3 C.11.2.1.2.1): valore reale -> 0..255.
  function windowFn(c, w) {
    var low = c - 0.5 - (w - 1) / 2, high = c - 0.5 + (w - 1) / 2, k = w > 1 ? 255 / (w - 1) : 0;
    return function (x) {
      if (x <= low) return 0;
      if (x > high) return 255;
      return w > 1 ? ((x - (c - 0.5)) / (w - 1) + 0.5) * 255 : 255;
    };
  }
  root.CDSWindow = windowFn;

  P.render = function () {
    var im = this.img, n = im.rows * im.cols, i;
    if (this.off.width !== im.cols || this.off.height !== im.rows || !this.idata) {
      this.off.width = im.cols;
      this.off.height = im.rows;
      this.idata = this.octx.createImageData(im.cols, im.rows);
      this.u32 = new Uint32Array(this.idata.data.buffer);
    }
    var f = windowFn(this.center, this.width), u32 = this.u32, data = im.data, g, inv = im.invert;
    if (im.color) {
      var lut = new Uint8Array(256), px = this.idata.data;
      for (i = 0; i < 256; i++) lut[i] = Math.round(f(i));
      for (i = 0; i < n; i++) {
        px[4 * i] = lut[data[3 * i]]; px[4 * i + 1] = lut[data[3 * i + 1]]; px[4 * i + 2] = lut[data[3 * i + 2]]; px[4 * i + 3] = 255;
      }
    } else if (im.max - im.min <= 1 << 20) {
      // Una LUT sui valori memorizzati presenti (per una TC poche migliaia): un accesso per pixel.
      var lo = im.min, size = im.max - im.min + 1, tab = new Uint32Array(size);
      for (i = 0; i < size; i++) {
        g = Math.round(f((lo + i) * im.slope + im.intercept));
        if (inv) g = 255 - g;
        tab[i] = 0xff000000 | (g << 16) | (g << 8) | g;
      }
      for (i = 0; i < n; i++) u32[i] = tab[data[i] - lo];
    } else {
      for (i = 0; i < n; i++) {
        g = Math.round(f(data[i] * im.slope + im.intercept));
        if (inv) g = 255 - g;
        u32[i] = 0xff000000 | (g << 16) | (g << 8) | g;
      }
    }
    this.octx.putImageData(this.idata, 0, 0);
    this.dirty = false;
  };

  // ---------- Geometria ----------
  P.fitScale = function () {
    var im = this.img;
    if (!im) return;
    this.scale = Math.min(this.W / im.cols, this.H / (im.rows * this.aspect));
  };
  // Angolo in alto a sinistra dell'immagine sullo schermo (px CSS, allineato ai pixel del dispositivo).
  P.origin = function () {
    var im = this.img, d = this.dpr;
    return [
      Math.round((this.W / 2 + this.panX - im.cols * this.scale / 2) * d) / d,
      Math.round((this.H / 2 + this.panY - im.rows * this.scale * this.aspect / 2) * d) / d,
    ];
  };
  P.toImage = function (x, y) {
    var o = this.origin();
    return [(x - o[0]) / this.scale, (y - o[1]) / (this.scale * this.aspect)];
  };
  P.toScreen = function (ix, iy) {
    var o = this.origin();
    return [o[0] + ix * this.scale, o[1] + iy * this.scale * this.aspect];
  };
  P.zoomAt = function (factor, x, y) {
    if (!this.img) return;
    if (x === undefined) { x = this.W / 2; y = this.H / 2; }
    var s = Math.min(32, Math.max(0.05, this.scale * factor)), k = s / this.scale;
    // Il punto sotto (x, y) resta fermo.
    this.panX = (this.panX + this.W / 2 - x) * k + x - this.W / 2;
    this.panY = (this.panY + this.H / 2 - y) * k + y - this.H / 2;
    this.scale = s;
    this.fit = false;
    this.draw();
    this.changed('zoom');
  };
  P.setZoom = function (s) { this.zoomAt(s / this.scale); };
  P.fitView = function () {
    this.fit = true;
    this.panX = this.panY = 0;
    this.fitScale();
    this.draw();
    this.changed('zoom');
  };
  P.panBy = function (dx, dy) {
    this.panX += dx;
    this.panY += dy;
    this.fit = false;
    this.draw();
    this.changed('zoom');
  };
  P.reset = function () {
    this.measure = null;
    this.fitView();
    this.fromFile();
  };

  // Il valore sotto un punto dello schermo: { x, y, text } o null fuori dall'immagine.
  P.probe = function (x, y) {
    var im = this.img;
    if (!im) return null;
    var p = this.toImage(x, y), ix = Math.floor(p[0]), iy = Math.floor(p[1]);
    if (ix < 0 || iy < 0 || ix >= im.cols || iy >= im.rows) return null;
    var i = iy * im.cols + ix, text;
    if (im.color) text = 'R ' + im.data[3 * i] + ' G ' + im.data[3 * i + 1] + ' B ' + im.data[3 * i + 2];
    else text = fmt(im.data[i] * im.slope + im.intercept, 2) + (im.unit ? ' ' + im.unit : '');
    return { x: ix, y: iy, text: text };
  };
  function fmt(v, digits) {
    return Number(v).toLocaleString(root.CDSText.locale, { maximumFractionDigits: digits, useGrouping: false });
  }
  root.CDSFormat = fmt;

  // Misura: la distanza tra i due punti, in mm (Pixel Spacing) o in pixel.
  P.distance = function () {
    var m = this.measure, im = this.img;
    if (!m || !m.b || !im) return null;
    var dx = m.b[0] - m.a[0], dy = m.b[1] - m.a[1];
    if (im.spacing) {
      var mm = Math.sqrt(Math.pow(dx * im.spacing[1], 2) + Math.pow(dy * im.spacing[0], 2));
      return { value: mm, text: fmt(mm, 1) + ' mm' + (im.spacingKind === 'imager' ? root.CDSText.t('atDetector') : '') };
    }
    var px = Math.sqrt(dx * dx + dy * dy);
    return { value: px, text: root.CDSText.t('pixels', fmt(px, 1)) };
  };
  P.clearMeasure = function () { this.measure = null; this.draw(); this.changed('measure'); };
  P.measureClick = function (x, y) {
    var p = this.toImage(x, y);
    if (!this.measure || this.measure.b) this.measure = { a: p, b: null, hover: p };
    else this.measure.b = p;
    this.draw();
    this.changed('measure');
  };

  // Barra di scala: una lunghezza "tonda" in mm di circa un quinto della larghezza.
  P.scaleBar = function () {
    var im = this.img;
    if (!im || !im.spacing) return null;
    var mmPerPx = im.spacing[1] / this.scale, want = Math.min(this.W / 5, 160) * mmPerPx, mm = 0;
    [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500].forEach(function (v) { if (v <= want) mm = v; });
    return mm ? { mm: mm, px: mm / mmPerPx } : null;
  };

  // ---------- Disegno ----------
  P.paint = function () {
    var c = this.ctx, d = this.dpr, im = this.img;
    c.setTransform(d, 0, 0, d, 0, 0);
    c.fillStyle = '#000';
    c.fillRect(0, 0, this.W, this.H);
    this.mctx.setTransform(d, 0, 0, d, 0, 0);
    this.mctx.clearRect(0, 0, this.W, this.H);
    if (!im) return;
    if (this.dirty) this.render();
    var o = this.origin();
    c.imageSmoothingEnabled = this.scale * d < 1; // ingrandendo si vedono i pixel veri
    c.imageSmoothingQuality = 'high';
    c.drawImage(this.off, o[0], o[1], im.cols * this.scale, im.rows * this.scale * this.aspect);
    this.paintMarks();
  };
  P.paintMarks = function () {
    var m = this.mctx, bar = this.scaleBar(), W = this.W, H = this.H;
    m.lineWidth = 2;
    m.font = '600 13px system-ui, sans-serif';
    m.textBaseline = 'bottom';
    function shadowed(draw) {
      m.strokeStyle = 'rgba(0,0,0,.85)'; m.lineWidth = 4; draw(true);
      m.strokeStyle = '#fff'; m.fillStyle = '#fff'; m.lineWidth = 2; draw(false);
    }
    if (bar) {
      var x1 = W - 12, x0 = x1 - bar.px, y = H - 12;
      shadowed(function () {
        m.beginPath();
        m.moveTo(x0, y - 6); m.lineTo(x0, y); m.lineTo(x1, y); m.lineTo(x1, y - 6);
        m.stroke();
      });
      m.textAlign = 'right';
      m.fillStyle = '#fff';
      m.strokeStyle = 'rgba(0,0,0,.85)'; m.lineWidth = 3;
      m.strokeText(CDSFormat(bar.mm, 1) + ' mm', x1, y - 8);
      m.fillText(CDSFormat(bar.mm, 1) + ' mm', x1, y - 8);
    }
    var ms = this.measure;
    if (ms) {
      var a = this.toScreen(ms.a[0], ms.a[1]), b = ms.b || ms.hover, bs = b && this.toScreen(b[0], b[1]);
      shadowed(function () {
        m.beginPath();
        m.arc(a[0], a[1], 4, 0, 2 * Math.PI);
        if (bs) { m.moveTo(a[0], a[1]); m.lineTo(bs[0], bs[1]); m.moveTo(bs[0] + 4, bs[1]); m.arc(bs[0], bs[1], 4, 0, 2 * Math.PI); }
        m.stroke();
      });
      var dist = this.distance();
      if (dist && bs) {
        m.textAlign = 'left';
        m.fillStyle = '#ffe08a';
        m.strokeStyle = 'rgba(0,0,0,.9)'; m.lineWidth = 3;
        m.strokeText(dist.text, bs[0] + 8, bs[1] - 6);
        m.fillText(dist.text, bs[0] + 8, bs[1] - 6);
      }
    }
  };

  // ---------- Mouse, rotellina, tocco ----------
  P.local = function (e) {
    var r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  P.bind = function () {
    var self = this, st = this.stage, wheelAcc = 0, drag = null, pinch = null;
    st.addEventListener('contextmenu', function (e) { e.preventDefault(); });
    st.addEventListener('wheel', function (e) {
      var dy = e.deltaY * (e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1);
      if (!dy) return;
      e.preventDefault();
      if (e.ctrlKey || e.metaKey) { var p = self.local(e); self.zoomAt(Math.exp(-dy * 0.002), p[0], p[1]); return; }
      if (Math.abs(dy) >= 50) { wheelAcc = 0; self.o.onStep(dy > 0 ? 1 : -1, 'wheel'); return; }
      wheelAcc += dy;
      var k = Math.trunc(wheelAcc / 25);
      if (k) { wheelAcc -= k * 25; self.o.onStep(k, 'wheel'); }
    }, { passive: false });

    st.addEventListener('pointerdown', function (e) {
      if (!self.img) return;
      var p = self.local(e);
      self.pointers.set(e.pointerId, p);
      try { st.setPointerCapture(e.pointerId); } catch (err) { /* ignorato */ }
      if (e.pointerType === 'mouse') { e.preventDefault(); st.focus({ preventScroll: true }); }
      if (self.pointers.size === 2) {
        // Due dita: pinch (zoom) e spostamento insieme.
        var q = Array.from(self.pointers.values());
        pinch = { d: dist(q[0], q[1]), mid: midpoint(q[0], q[1]) };
        drag = null;
        return;
      }
      if (self.pointers.size > 2) return;
      var tool = self.tool;
      if (e.pointerType === 'mouse' && e.button === 2) tool = 'wl';
      else if (e.pointerType === 'mouse' && e.button === 1) tool = 'pan';
      else if (e.pointerType === 'mouse' && e.button !== 0) return;
      drag = { id: e.pointerId, tool: tool, x0: p[0], y0: p[1], x: p[0], y: p[1], c: self.center, w: self.width, moved: 0, steps: 0 };
      drag.k = Math.max(self.width, 16) / 256; // sensibilità W/L: circa 1/256 della finestra per pixel
    });
    st.addEventListener('pointermove', function (e) {
      var p = self.local(e);
      if (self.pointers.has(e.pointerId)) self.pointers.set(e.pointerId, p);
      if (pinch && self.pointers.size === 2) {
        var q = Array.from(self.pointers.values()), d = dist(q[0], q[1]), mid = midpoint(q[0], q[1]);
        self.panBy(mid[0] - pinch.mid[0], mid[1] - pinch.mid[1]);
        if (pinch.d > 10 && d > 10) self.zoomAt(d / pinch.d, mid[0], mid[1]);
        pinch = { d: d, mid: mid };
        return;
      }
      if (!drag || e.pointerId !== drag.id) {
        if (e.pointerType === 'mouse' && self.o.onProbe) self.o.onProbe(self.probe(p[0], p[1]));
        if (self.tool === 'measure' && self.measure && !self.measure.b) { self.measure.hover = self.toImage(p[0], p[1]); self.draw(); self.changed('hover'); }
        return;
      }
      e.preventDefault();
      var dx = p[0] - drag.x, dy = p[1] - drag.y;
      drag.moved = Math.max(drag.moved, Math.abs(p[0] - drag.x0) + Math.abs(p[1] - drag.y0));
      drag.x = p[0];
      drag.y = p[1];
      if (drag.tool === 'pan') self.panBy(dx, dy);
      else if (drag.tool === 'wl') {
        self.setWindow(round(drag.c + (p[1] - drag.y0) * drag.k), round(drag.w + (p[0] - drag.x0) * drag.k), 'custom');
      } else if (drag.tool === 'scroll') {
        var steps = Math.round((drag.y0 - p[1]) / 10);
        if (steps !== drag.steps) { self.o.onStep(steps - drag.steps, 'drag'); drag.steps = steps; }
      } else if (drag.tool === 'measure') {
        // Trascinando si misura dal punto di partenza; altrimenti due clic (o tocchi).
        if ((!self.measure || self.measure.b) && drag.moved >= 6) self.measure = { a: self.toImage(drag.x0, drag.y0), b: null };
        if (self.measure && !self.measure.b) { self.measure.hover = self.toImage(p[0], p[1]); self.draw(); }
      }
      if (e.pointerType === 'mouse' && self.o.onProbe) self.o.onProbe(self.probe(p[0], p[1]));
    });
    function end(e) {
      if (!self.pointers.has(e.pointerId)) return;
      self.pointers.delete(e.pointerId);
      if (pinch) { if (self.pointers.size < 2) pinch = null; return; }
      if (drag && e.pointerId === drag.id) {
        if (drag.tool === 'measure' && e.type === 'pointerup') self.measureClick(drag.x, drag.y);
        drag = null;
      }
    }
    ['pointerup', 'pointercancel'].forEach(function (t) { st.addEventListener(t, end); });
    st.addEventListener('pointerleave', function (e) { if (e.pointerType === 'mouse' && self.o.onProbe) self.o.onProbe(null); });
    st.addEventListener('dragstart', function (e) { e.preventDefault(); });
    if (root.ResizeObserver) new ResizeObserver(function () { self.resize(); }).observe(st);
    else root.addEventListener('resize', function () { self.resize(); });
  };
  function dist(a, b) { return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2)); }
  function midpoint(a, b) { return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]; }
  function round(v) { return Math.abs(v) >= 10 ? Math.round(v) : Math.round(v * 100) / 100; }

  root.CDSView = View;
})(window);
