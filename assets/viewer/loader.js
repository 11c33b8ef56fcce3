/*
 * CDS Portal - da dove il visualizzatore legge i file DICOM del pacchetto.
 * - Aperto da file:// (doppio clic su VIEWER/index.html) il browser non permette di leggere i
 *   file vicini: la persona sceglie la cartella estratta (input webkitdirectory) o la trascina.
 * - Servito via http(s): gli stessi file con fetch, relativi all'indirizzo del visualizzatore.
 * I percorsi attesi sono quelli di study.js (DICOM/S0001/I0001…): un file scelto corrisponde
 * se il suo percorso finisce con quello atteso, qualunque sia la cartella scelta sopra DICOM.
 */
(function (root) {
  'use strict';
  var D = root.CDSDicom, t = root.CDSText.t;

  function norm(p) { return String(p).replace(/\\/g, '/').replace(/^\/+/, '').toUpperCase(); }

  // Sorgente da un elenco di { path, open() -> Promise<ArrayBuffer> } e dai percorsi attesi.
  function fromList(list, expected) {
    var want = new Map(), lengths = new Set(), map = new Map();
    expected.forEach(function (p) { want.set(norm(p), p); lengths.add(norm(p).split('/').length); });
    list.forEach(function (f) {
      var parts = norm(f.path).split('/');
      lengths.forEach(function (n) {
        if (parts.length < n) return;
        var p = want.get(parts.slice(parts.length - n).join('/'));
        if (p && !map.has(p)) map.set(p, f.open);
      });
    });
    var missing = expected.filter(function (p) { return !map.has(p); });
    return {
      kind: 'cartella', total: list.length, found: map.size, missing: missing,
      read: function (p) {
        var open = map.get(p);
        return open ? open() : Promise.reject(new Error(t('notInFolder', p)));
      },
    };
  }

  // <input type="file" webkitdirectory>: ogni File ha webkitRelativePath ("CARTELLA/DICOM/S0001/I0001").
  function fromFiles(files, expected) {
    var list = Array.prototype.map.call(files, function (f) {
      return { path: f.webkitRelativePath || f.name, open: function () { return f.arrayBuffer(); } };
    });
    return fromList(list, expected);
  }

  // Trascinamento di una cartella: le voci del file system (webkitGetAsEntry), lette ricorsivamente.
  function fromDrop(dataTransfer, expected) {
    var entries = Array.prototype.map.call(dataTransfer.items || [], function (it) {
      return it.kind === 'file' && it.webkitGetAsEntry ? it.webkitGetAsEntry() : null;
    }).filter(Boolean);
    var list = [];
    function walk(entry) {
      if (entry.isFile) {
        list.push({
          path: entry.fullPath,
          open: function () {
            return new Promise(function (ok, ko) { entry.file(ok, ko); }).then(function (f) { return f.arrayBuffer(); });
          },
        });
        return Promise.resolve();
      }
      if (!entry.isDirectory) return Promise.resolve();
      var reader = entry.createReader();
      // readEntries restituisce i file a blocchi (100 in Chromium): si chiama finché torna vuoto.
      function more() {
        return new Promise(function (ok, ko) { reader.readEntries(ok, ko); }).then(function (batch) {
          if (!batch.length) return undefined;
          return Promise.all(batch.map(walk)).then(more);
        });
      }
      return more();
    }
    return Promise.all(entries.map(walk)).then(function () { return fromList(list, expected); });
  }

  // Servito via http(s): ../DICOM/S0001/I0001 rispetto a VIEWER/index.html.
  function fromHttp(base) {
    return {
      kind: 'http', missing: [],
      read: function (p) {
        var url = new URL('../' + p.split('/').map(encodeURIComponent).join('/'), base);
        return fetch(url.href, { credentials: 'same-origin' }).then(function (r) {
          if (!r.ok) throw new Error(t('httpFailed', [r.status, p]));
          return r.arrayBuffer();
        });
      },
    };
  }

  // Immagini lette e decodificate, le più recenti in memoria (fino a `budget` byte); al più
  // `parallel` letture alla volta, quelle chieste per la visualizzazione prima dei precaricamenti.
  function Cache(source, budget, parallel) {
    this.source = source;
    this.budget = budget || 384e6;
    this.parallel = parallel || 4;
    this.map = new Map();
    this.bytes = 0;
    this.running = 0;
    this.queue = [];
  }
  Cache.prototype.get = function (path, urgent) {
    var hit = this.map.get(path);
    if (hit) {
      this.map.delete(path);
      this.map.set(path, hit);
      if (urgent && hit.queued) {
        hit.urgent = true;
        this.queue.splice(this.queue.indexOf(hit), 1);
        this.queue.unshift(hit);
      }
      return hit.promise;
    }
    var self = this, job = { path: path, size: 0, queued: true, urgent: urgent };
    job.promise = new Promise(function (ok, ko) { job.ok = ok; job.ko = ko; });
    job.promise.catch(function () { self.map.delete(path); });
    this.map.set(path, job);
    if (urgent) this.queue.unshift(job); else this.queue.push(job);
    this.pump();
    return job.promise;
  };
  Cache.prototype.pump = function () {
    var self = this;
    while (this.running < this.parallel && this.queue.length) {
      var job = this.queue.shift();
      job.queued = false;
      this.running++;
      (function (job) {
        self.source.read(job.path).then(D.parse).then(function (f) {
          job.size = f.image ? f.image.data.byteLength + f.elements[0].buf.byteLength : 65536;
          self.bytes += job.size;
          job.ok(f);
          self.trim();
        }, job.ko).then(function () { self.running--; self.pump(); });
      })(job);
    }
  };
  Cache.prototype.trim = function () {
    var it = this.map.keys(), k;
    while (this.bytes > this.budget && this.map.size > 8 && !(k = it.next()).done) {
      var job = this.map.get(k.value);
      if (job.queued || !job.size) continue;
      this.bytes -= job.size;
      this.map.delete(k.value);
    }
  };
  // Precarica (in coda, senza precedenza); cancella i precaricamenti non ancora partiti.
  Cache.prototype.prefetch = function (paths) {
    var self = this;
    this.queue = this.queue.filter(function (j) {
      if (j.urgent || paths.indexOf(j.path) >= 0) return true;
      self.map.delete(j.path);
      return false;
    });
    paths.forEach(function (p) { self.get(p, false).catch(function () { /* mostrato quando serve */ }); });
  };

  root.CDSLoader = { fromFiles: fromFiles, fromDrop: fromDrop, fromHttp: fromHttp, Cache: Cache };
})(typeof window !== 'undefined' ? window : globalThis);
