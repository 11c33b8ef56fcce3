/*
 * CDS Portal - visualizzatore offline delle immagini (cartella VIEWER/ dello ZIP).
 * Funziona da file:// senza rete: legge window.CDS_STUDY da study.js.
 * ES2017, nessuna dipendenza, nessuno stile inline (compatibile con CSP).
 */
(function () {
  'use strict';
  var data = window.CDS_STUDY;
  var $ = function (id) { return document.getElementById(id); };
  if (!data || typeof data !== 'object' || !Array.isArray(data.series)) return; // resta visibile #error

  var str = function (v) { return v === null || v === undefined ? '' : String(v).replace(/\^+/g, ' ').trim(); };
  var obj = function (v) { return v && typeof v === 'object' ? v : {}; };
  var MOD = { CT: 'TC', MR: 'RM', US: 'ECO', CR: 'RX', DX: 'RX', PT: 'PET' };
  var SEX = { M: 'Maschile', F: 'Femminile', O: 'Altro' };

  var series = data.series.filter(function (s) { return s && Array.isArray(s.images); }).map(function (s, k) {
    return {
      number: str(s.number) || String(k + 1),
      desc: str(s.description),
      mod: MOD[str(s.modality).toUpperCase()] || str(s.modality),
      images: s.images.map(function (im) { im = obj(im); return { src: str(im.src), instance: str(im.instance) }; }),
    };
  });
  var pos = series.map(function () { return 0; });
  var cur = 0;

  var el = {
    facts: $('facts'), error: $('error'), app: $('app'), list: $('series-list'), stage: $('stage'),
    img: $('image'), overlay: $('overlay'), msg: $('msg'), counter: $('counter'), slider: $('slider'),
    prev: $('prev'), next: $('next'), live: $('live'),
  };

  // ---------- Intestazione ----------
  var p = obj(data.patient), st = obj(data.study);
  function facts(dl, rows) {
    rows.forEach(function (r) {
      if (!r[1]) return;
      var div = document.createElement('div'), dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = r[0];
      dd.textContent = r[1];
      div.appendChild(dt);
      div.appendChild(dd);
      dl.appendChild(div);
    });
  }
  var pid = str(p.id), sex = str(p.sex);
  $('pat-name').textContent = str(p.name) || 'Nome non indicato';
  facts($('pat'), [
    [/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/i.test(pid) ? 'Codice fiscale' : 'ID paziente', pid],
    ['Data di nascita', str(p.birthDate)],
    ['Sesso', SEX[sex.toUpperCase()] || sex],
  ]);
  var title = str(st.description);
  $('study-title').textContent = title || 'Esame senza descrizione';
  facts($('study'), [
    ['Data', str(st.date)],
    ['N. accesso', str(st.accession)],
    ['Struttura', str(st.institution)],
  ]);
  if (title) document.title = title + ' - Visualizzatore immagini';
  el.facts.hidden = false;
  el.error.hidden = true;
  el.app.hidden = false;

  function plural(n) { return n === 1 ? '1 immagine' : n + ' immagini'; }
  function seriesName(s) { return (s.mod ? s.mod + ' · ' : '') + 'Serie ' + s.number; }

  // ---------- Elenco serie ----------
  var buttons = series.map(function (s, k) {
    var li = document.createElement('li'), b = document.createElement('button');
    b.type = 'button';
    b.className = 'series-btn';
    var th = document.createElement('span');
    th.className = 'thumb';
    var n = s.images.length, mid = Math.floor((n - 1) / 2), src = '';
    for (var d = 0; d < n && !src; d++) src = (s.images[mid + d] || {}).src || (s.images[mid - d] || {}).src || '';
    if (src) {
      var ti = document.createElement('img');
      ti.alt = '';
      ti.loading = 'lazy';
      ti.decoding = 'async';
      ti.draggable = false;
      ti.src = src;
      th.appendChild(ti);
    } else {
      th.textContent = s.mod || '?';
      th.setAttribute('aria-hidden', 'true');
    }
    var meta = document.createElement('span');
    meta.className = 'series-meta';
    [['series-title', seriesName(s)], ['series-desc', s.desc], ['series-count', plural(n)]].forEach(function (r) {
      if (!r[1]) return;
      var sp = document.createElement('span');
      sp.className = r[0];
      sp.textContent = r[1];
      meta.appendChild(sp);
    });
    b.appendChild(th);
    b.appendChild(meta);
    b.addEventListener('click', function () { selectSeries(k, 'button'); });
    li.appendChild(b);
    el.list.appendChild(li);
    return b;
  });

  if (!series.length) {
    el.msg.textContent = "Questo esame non contiene immagini visualizzabili: aprire i file DICOM con un visualizzatore DICOM.";
    el.msg.hidden = false;
    el.img.hidden = true;
    el.prev.disabled = el.next.disabled = el.slider.disabled = true;
    return;
  }

  // ---------- Stato e disegno ----------
  var raf = 0, dir = 1, liveTimer = 0, failed = '';
  var cache = new Map();

  function counterText() {
    var n = series[cur].images.length;
    return n ? 'Immagine ' + (pos[cur] + 1) + ' di ' + n : 'Nessuna immagine in questa serie';
  }

  function preload(src) {
    if (!src) return;
    var im = cache.get(src);
    if (im) cache.delete(src);
    else { im = new Image(); im.decoding = 'async'; im.src = src; }
    cache.set(src, im);
    if (cache.size > 60) cache.delete(cache.keys().next().value);
  }

  function showMsg(text) {
    el.msg.textContent = text;
    el.msg.hidden = !text;
  }

  function render() {
    raf = 0;
    var s = series[cur], n = s.images.length, i = pos[cur], im = s.images[i];
    var text = counterText();
    el.counter.textContent = text;
    el.slider.max = String(Math.max(n, 1));
    el.slider.value = String(i + 1);
    el.slider.disabled = n < 2;
    el.slider.setAttribute('aria-valuetext', text);
    el.prev.setAttribute('aria-disabled', String(i <= 0));
    el.next.setAttribute('aria-disabled', String(i >= n - 1));
    el.overlay.textContent = seriesName(s) + (s.desc ? ' - ' + s.desc : '') + (im && im.instance ? ' · Istanza ' + im.instance : '');
    if (!im) {
      el.img.hidden = true;
      el.img.removeAttribute('src');
      showMsg('Questa serie non contiene immagini.');
    } else if (!im.src) {
      el.img.hidden = true;
      el.img.removeAttribute('src');
      showMsg('Anteprima non disponibile per questa immagine: aprire i file DICOM con un visualizzatore DICOM');
    } else {
      if (el.img.getAttribute('src') !== im.src) el.img.src = im.src;
      el.img.alt = seriesName(s) + ', ' + text.toLowerCase();
      el.img.hidden = false;
      showMsg(failed === im.src ? 'Impossibile aprire il file di questa immagine (' + im.src + ').' : '');
    }
    for (var k = 1; k <= 6; k++) {
      var a = s.images[i + k * dir];
      if (a) preload(a.src);
      if (k <= 2 && (a = s.images[i - k * dir])) preload(a.src);
    }
  }

  function schedule() { if (!raf) raf = window.requestAnimationFrame(render); }

  function announce(text, delay) {
    window.clearTimeout(liveTimer);
    liveTimer = window.setTimeout(function () { el.live.textContent = text || counterText(); }, delay);
  }

  // source: 'key' | 'button' | 'wheel' | 'drag' | 'slider'
  function go(i, source) {
    var n = series[cur].images.length;
    i = Math.max(0, Math.min(n - 1, Math.round(i)));
    if (!(i >= 0) || i === pos[cur]) return;
    dir = i > pos[cur] ? 1 : -1;
    pos[cur] = i;
    schedule();
    if (source !== 'slider') announce('', source === 'key' || source === 'button' ? 250 : 900);
  }
  function step(d, source) { go(pos[cur] + d, source); }

  function selectSeries(k, source) {
    if (k < 0 || k >= series.length) return;
    var changed = k !== cur;
    cur = k;
    buttons.forEach(function (b, j) {
      if (j === k) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    if (source === 'key' && buttons[k].scrollIntoView) buttons[k].scrollIntoView({ block: 'nearest', inline: 'nearest' });
    if (raf) window.cancelAnimationFrame(raf);
    render();
    if (changed && source) {
      var s = series[k];
      announce(seriesName(s) + (s.desc ? ', ' + s.desc : '') + '. ' + counterText(), 150);
    }
  }

  // ---------- Eventi ----------
  el.img.addEventListener('error', function () {
    failed = el.img.getAttribute('src') || '';
    schedule();
  });
  el.img.addEventListener('load', function () {
    if (failed && failed === el.img.getAttribute('src')) { failed = ''; schedule(); }
  });

  el.prev.addEventListener('click', function () { step(-1, 'button'); });
  el.next.addEventListener('click', function () { step(1, 'button'); });
  el.slider.addEventListener('input', function () { go(Number(el.slider.value) - 1, 'slider'); });

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t === el.slider || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable)) return;
    var n = series[cur].images.length;
    switch (e.key) {
      case 'ArrowDown': case 'Down': step(1, 'key'); break;
      case 'ArrowUp': case 'Up': step(-1, 'key'); break;
      case 'PageDown': step(10, 'key'); break;
      case 'PageUp': step(-10, 'key'); break;
      case 'Home': go(0, 'key'); break;
      case 'End': go(n - 1, 'key'); break;
      case 'ArrowRight': case 'Right': selectSeries(cur + 1, 'key'); break;
      case 'ArrowLeft': case 'Left': selectSeries(cur - 1, 'key'); break;
      default: return;
    }
    e.preventDefault();
  });

  // Rotellina: una tacca = un'immagine; i trackpad (delta piccoli) accumulano.
  var wheelAcc = 0;
  el.stage.addEventListener('wheel', function (e) {
    if (e.ctrlKey) return; // zoom del browser / pinch sul trackpad
    var dy = e.deltaY * (e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1);
    if (!dy) return;
    e.preventDefault();
    if (Math.abs(dy) >= 50) { wheelAcc = 0; step(dy > 0 ? 1 : -1, 'wheel'); return; }
    wheelAcc += dy;
    var k = Math.trunc(wheelAcc / 25);
    if (k) { wheelAcc -= k * 25; step(k, 'wheel'); }
  }, { passive: false });

  // Trascinamento verticale (dito, penna o mouse): circa 10 px per immagine, verso l'alto = avanti.
  var drag = null;
  el.stage.addEventListener('pointerdown', function (e) {
    if (drag || (e.pointerType === 'mouse' && e.button !== 0)) return;
    drag = { id: e.pointerId, y: e.clientY, start: pos[cur] };
    if (e.pointerType === 'mouse') { e.preventDefault(); el.stage.focus({ preventScroll: true }); }
    try { el.stage.setPointerCapture(e.pointerId); } catch (err) { /* ignorato */ }
  });
  el.stage.addEventListener('pointermove', function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    e.preventDefault();
    go(drag.start + Math.round((drag.y - e.clientY) / 10), 'drag');
  });
  function endDrag(e) { if (drag && e.pointerId === drag.id) drag = null; }
  ['pointerup', 'pointercancel', 'lostpointercapture'].forEach(function (t) { el.stage.addEventListener(t, endDrag); });
  el.stage.addEventListener('dragstart', function (e) { e.preventDefault(); });

  selectSeries(0);
})();
