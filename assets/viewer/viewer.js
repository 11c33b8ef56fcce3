/*
 * CDS Portal - visualizzatore offline (cartella VIEWER/ dello ZIP): l'interfaccia.
 * study.js (window.CDS_STUDY) elenca serie e file; le immagini si leggono dai file DICOM
 * (dicom.js) dalla cartella scelta o, via http(s), con fetch (loader.js); il disegno e gli
 * strumenti sono in view.js; i testi, in italiano e in inglese, in text.js. Nessuna dipendenza,
 * nessuno stile inline (compatibile con CSP).
 */
(function () {
  'use strict';
  var data = window.CDS_STUDY;
  var $ = function (id) { return document.getElementById(id); };
  if (!data || typeof data !== 'object' || !Array.isArray(data.series)) return; // resta visibile #error

  var str = function (v) { return v === null || v === undefined ? '' : String(v).replace(/\^+/g, ' ').trim(); };
  var obj = function (v) { return v && typeof v === 'object' ? v : {}; };
  var fmt = window.CDSFormat, T = window.CDSText, t = T.t, plural = T.n;
  var MOD = T.lang === 'en' ? { CR: 'XR', DX: 'XR', PT: 'PET' } : { CT: 'TC', MR: 'RM', US: 'ECO', CR: 'RX', DX: 'RX', PT: 'PET' };
  var SEX = { M: t('sexM'), F: t('sexF'), O: t('sexO') };
  var PRESETS = { lung: [-600, 1500], mediastinum: [50, 350], bone: [500, 2000], brain: [40, 80] };

  var series = data.series.filter(function (s) { return s && Array.isArray(s.images); }).map(function (s, k) {
    return {
      number: str(s.number) || String(k + 1), desc: str(s.description), modality: str(s.modality).toUpperCase(),
      mod: MOD[str(s.modality).toUpperCase()] || str(s.modality), rows: Number(s.rows) || 0, cols: Number(s.columns) || 0,
      images: s.images.map(function (im) { im = obj(im); return { file: str(im.file), instance: str(im.instance), ts: str(im.ts) }; }),
    };
  });
  var pos = series.map(function () { return 0; });
  var cur = 0, cache = null, source = null, token = 0, shownSeries = -1, file = null, warnedStudy = false, loaded = false;

  var el = {};
  ['facts', 'error', 'app', 'series-list', 'pick', 'choose', 'folder', 'pick-msg', 'tools', 'stage', 'image', 'marks',
    'overlay', 'info', 'probe', 'msg', 'controls', 'counter', 'measure-out', 'scale-out', 'slider', 'prev', 'next', 'live',
    'wl-w', 'wl-c', 'zoom', 'zoom-in', 'zoom-out', 'zoom-1', 'zoom-fit', 'tags-open', 'reset', 'tags', 'tags-close',
    'tags-file', 'tags-filter', 'tags-body'].forEach(function (id) { el[id] = $(id); });

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
  $('pat-name').textContent = str(p.name) || t('noName');
  facts($('pat'), [
    [/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/i.test(pid) ? t('taxCode') : t('patientId'), pid],
    [t('born'), str(p.birthDate)],
    [t('sex'), SEX[sex.toUpperCase()] || sex],
  ]);
  var title = str(st.description);
  $('study-title').textContent = title || t('noTitle');
  facts($('study'), [[t('date'), str(st.date)], [t('accession'), str(st.accession)], [t('institution'), str(st.institution)]]);
  if (title) document.title = t('docTitle', title);
  el.facts.hidden = false;
  el.error.hidden = true;
  el.app.hidden = false;

  function seriesName(s) { return (s.mod ? s.mod + ' · ' : '') + t('seriesN', s.number); }
  function compressed(im) { return im.ts && !window.CDSDicom.readable(im.ts); }

  // ---------- Elenco serie ----------
  var buttons = series.map(function (s, k) {
    var li = document.createElement('li'), b = document.createElement('button'), n = s.images.length;
    b.type = 'button';
    b.className = 'series-btn';
    var badge = document.createElement('span');
    badge.className = 'thumb';
    badge.setAttribute('aria-hidden', 'true');
    badge.textContent = s.mod || '?';
    var packed = s.images.filter(compressed).length;
    var meta = document.createElement('span');
    meta.className = 'series-meta';
    [['series-title', seriesName(s)], ['series-desc', s.desc],
      ['series-count', plural('images', n) + (s.cols && s.rows ? ' · ' + s.cols + '×' + s.rows : '')],
      ['series-warn', packed ? t('needsDicom', plural('packed', packed)) : '']].forEach(function (r) {
      if (!r[1]) return;
      var sp = document.createElement('span');
      sp.className = r[0];
      sp.textContent = r[1];
      meta.appendChild(sp);
    });
    b.appendChild(badge);
    b.appendChild(meta);
    b.addEventListener('click', function () { selectSeries(k, 'button'); });
    li.appendChild(b);
    el['series-list'].appendChild(li);
    return b;
  });

  // ---------- Vista ----------
  var view = new window.CDSView({
    stage: el.stage, canvas: el.image, marks: el.marks,
    onChange: function (what) { if (what !== 'hover') status(what); },
    onStep: function (d, source) { step(d, source); },
    onProbe: function (pr) { el.probe.textContent = pr ? t('probe', [pr.x, pr.y, pr.text]) : ''; },
  });
  function setTool(t) {
    view.tool = t;
    document.querySelectorAll('button[data-tool]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-tool') === t)); });
    el.stage.setAttribute('data-tool', t);
  }
  setTool(window.matchMedia && window.matchMedia('(pointer: coarse)').matches ? 'scroll' : 'pan');

  function status(what) {
    var im = view.img;
    var w = Math.round(view.width * 100) / 100, c = Math.round(view.center * 100) / 100;
    // I campi seguono la finestra; mentre vi si scrive li cambia solo una nuova finestra.
    [['wl-w', w], ['wl-c', c]].forEach(function (f) {
      if (what === 'window' || what === 'image' || document.activeElement !== el[f[0]]) el[f[0]].value = isFinite(f[1]) ? String(f[1]) : '';
    });
    var zoom = Math.round(view.scale * 100) + '%';
    el.zoom.value = zoom;
    el.zoom.textContent = zoom;
    el.info.textContent = im ? 'W ' + fmt(w, 2) + ' L ' + fmt(c, 2) + ' · ' + zoom : '';
    var active = view.winMode;
    document.querySelectorAll('[data-preset]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-preset') === active)); });
    var bar = view.scaleBar(), so = el['scale-out'];
    so.textContent = !im ? '' : bar ? t('scaleBar', fmt(bar.mm, 1)) : t('noScale');
    so.setAttribute('data-mm', bar ? String(bar.mm) : '');
    so.setAttribute('data-px', bar ? String(bar.px) : '');
    var d = view.distance();
    if (what === 'measure' || what === 'image') {
      el['measure-out'].textContent = d ? t('distance', d.text) : view.measure ? t('secondPoint') : '';
    }
    if (im) {
      el.image.setAttribute('aria-label', t('imageLabel', [seriesName(series[cur]), counterText().toLowerCase(), fmt(w, 2), fmt(c, 2)]));
    }
  }

  // ---------- Scelta della cartella e lettura ----------
  var expected = [];
  series.forEach(function (s) { s.images.forEach(function (im) { if (im.file) expected.push(im.file); }); });

  function pickMessage(text) { el['pick-msg'].textContent = text; }
  function showPicker(reason) {
    el.pick.hidden = false;
    el.tools.hidden = el.stage.hidden = el.controls.hidden = true;
    if (reason) pickMessage(reason);
  }
  function useSource(src) {
    if (src.kind === 'cartella' && !src.found) {
      pickMessage(t('notHere', plural('filesRead', src.total || 0)));
      return;
    }
    source = src;
    cache = new window.CDSLoader.Cache(src);
    el.pick.hidden = true;
    el.tools.hidden = el.stage.hidden = el.controls.hidden = false;
    view.resize();
    var miss = src.missing.length;
    announce(miss ? t('missing', [plural('files', miss), expected.length]) : t('ready'), 100);
    shownSeries = -1;
    selectSeries(cur);
  }
  el.choose.addEventListener('click', function () { el.folder.click(); });
  el.folder.addEventListener('change', function () {
    if (el.folder.files && el.folder.files.length) useSource(window.CDSLoader.fromFiles(el.folder.files, expected));
  });
  document.addEventListener('dragover', function (e) { if (!source) { e.preventDefault(); el.pick.classList.add('over'); } });
  document.addEventListener('dragleave', function () { el.pick.classList.remove('over'); });
  document.addEventListener('drop', function (e) {
    if (source) return;
    e.preventDefault();
    el.pick.classList.remove('over');
    pickMessage(t('reading'));
    window.CDSLoader.fromDrop(e.dataTransfer, expected).then(useSource, function (err) {
      pickMessage(t('dropFailed', err.message));
    });
  });

  function counterText() {
    var n = series[cur].images.length;
    return n ? t('counter', [pos[cur] + 1, n]) : t('noImages');
  }
  function showMsg(text) { el.msg.textContent = text; el.msg.hidden = !text; }

  function show() {
    var s = series[cur], n = s.images.length, i = pos[cur], im = s.images[i], my = ++token, same = shownSeries === cur;
    var text = counterText();
    el.counter.textContent = text;
    el.slider.max = String(Math.max(n, 1));
    el.slider.value = String(i + 1);
    el.slider.disabled = n < 2;
    el.slider.setAttribute('aria-valuetext', text);
    el.prev.setAttribute('aria-disabled', String(i <= 0));
    el.next.setAttribute('aria-disabled', String(i >= n - 1));
    el.overlay.textContent = seriesName(s) + (s.desc ? ' - ' + s.desc : '') + (im && im.instance ? t('instance', im.instance) : '');
    if (!cache) return;
    if (!im) { showMsg(t('emptySeries')); view.setImage(null); return; }
    el.stage.setAttribute('data-state', 'loading');
    el.stage.setAttribute('data-file', im.file);
    cache.get(im.file, true).then(function (f) {
      if (my !== token) return;
      file = f;
      shownSeries = cur;
      if (f.error === 'compressed') {
        view.setImage(null);
        showMsg(t('compressed', f.tsName));
      } else if (!f.image) {
        view.setImage(null);
        showMsg(f.error ? t('cannotShow', f.error) : t('noImage'));
      } else {
        showMsg('');
        loaded = true;
        view.setImage(f.image, same);
        if (f.image.frames > 1) el.overlay.textContent += t('frame', f.image.frames);
      }
      el.stage.setAttribute('data-state', f.image ? 'ready' : 'error');
      document.querySelectorAll('.preset.ct').forEach(function (b) { b.hidden = !(f.image && f.image.unit === 'HU'); });
      var uid = f.string('0020000D');
      if (!warnedStudy && uid && st.uid && uid !== st.uid) {
        warnedStudy = true;
        announce(t('otherStudy'), 50);
        showMsg(t('otherFile'));
      }
      if (el.tags.open) fillTags();
      prefetch();
    }, function (err) {
      if (my !== token) return;
      file = null;
      view.setImage(null);
      el.stage.setAttribute('data-state', 'error');
      if (source.kind === 'http' && !loaded) {
        // Servito via http ma i file non ci sono: si torna alla scelta della cartella.
        source = cache = null;
        showPicker(t('unreachable', err.message));
        return;
      }
      showMsg(t('readFailed', [im.file, err.message]));
    });
  }
  var dir = 1;
  function prefetch() {
    var s = series[cur], i = pos[cur], list = [];
    for (var k = 1; k <= 8; k++) {
      var a = s.images[i + k * dir], b = k <= 3 && s.images[i - k * dir];
      if (a && !compressed(a)) list.push(a.file);
      if (b && !compressed(b)) list.push(b.file);
    }
    cache.prefetch(list);
  }

  var liveTimer = 0, raf = 0;
  function announce(text, delay) {
    window.clearTimeout(liveTimer);
    liveTimer = window.setTimeout(function () { el.live.textContent = text || counterText(); }, delay);
  }
  function schedule() { if (!raf) raf = window.requestAnimationFrame(function () { raf = 0; show(); }); }

  // source: 'key' | 'button' | 'wheel' | 'drag' | 'slider'
  function go(i, how) {
    var n = series[cur].images.length;
    i = Math.max(0, Math.min(n - 1, Math.round(i)));
    if (!(i >= 0) || i === pos[cur]) return;
    dir = i > pos[cur] ? 1 : -1;
    pos[cur] = i;
    schedule();
    if (how !== 'slider') announce('', how === 'key' || how === 'button' ? 250 : 900);
  }
  function step(d, how) { go(pos[cur] + d, how); }

  function selectSeries(k, how) {
    if (k < 0 || k >= series.length) return;
    var changed = k !== cur;
    cur = k;
    buttons.forEach(function (b, j) {
      if (j === k) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    if (how === 'key' && buttons[k].scrollIntoView) buttons[k].scrollIntoView({ block: 'nearest', inline: 'nearest' });
    if (changed) shownSeries = -2; // la nuova serie riparte con zoom e finestra propri
    if (raf) { window.cancelAnimationFrame(raf); raf = 0; }
    show();
    if (changed && how) {
      var s = series[k];
      announce(seriesName(s) + (s.desc ? ', ' + s.desc : '') + '. ' + counterText(), 150);
    }
  }

  // ---------- Intestazione DICOM ----------
  function fillTags() {
    var body = el['tags-body'], q = el['tags-filter'].value.trim().toLowerCase();
    body.textContent = '';
    if (!file) { el['tags-file'].textContent = t('noFile'); return; }
    el['tags-file'].textContent = series[cur].images[pos[cur]].file + ' · ' + file.tsName;
    window.CDSDicom.rows(file).forEach(function (r) {
      if (q && (r.tag + ' ' + r.name + ' ' + r.value).toLowerCase().indexOf(q) < 0) return;
      var tr = document.createElement('tr');
      [r.tag, r.name, r.vr, r.value].forEach(function (v, i) {
        var td = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) td.setAttribute('scope', 'row');
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  el['tags-open'].addEventListener('click', function () { fillTags(); el.tags.showModal(); });
  el['tags-close'].addEventListener('click', function () { el.tags.close(); });
  el['tags-filter'].addEventListener('input', fillTags);
  el.tags.addEventListener('close', function () { el['tags-open'].focus(); });

  // ---------- Strumenti ----------
  document.querySelectorAll('button[data-tool]').forEach(function (b) {
    b.addEventListener('click', function () { setTool(b.getAttribute('data-tool')); });
  });
  document.querySelectorAll('[data-preset]').forEach(function (b) {
    b.addEventListener('click', function () {
      var k = b.getAttribute('data-preset'), im = view.img;
      if (!im) return;
      if (k === 'file') view.fromFile();
      else if (k === 'full') {
        var a = im.min * im.slope + im.intercept, z = im.max * im.slope + im.intercept;
        view.setWindow((a + z) / 2, Math.max(1, Math.abs(z - a)), 'full');
      } else view.setWindow(PRESETS[k][0], PRESETS[k][1], k);
      announce(t('presetSaid', [b.textContent, fmt(view.width, 2), fmt(view.center, 2)]), 50);
    });
  });
  function typed() {
    var w = parseFloat(el['wl-w'].value), c = parseFloat(el['wl-c'].value);
    if (isFinite(w) && isFinite(c) && w >= 1) view.setWindow(c, w, 'custom');
  }
  el['wl-w'].addEventListener('change', typed);
  el['wl-c'].addEventListener('change', typed);
  el['zoom-in'].addEventListener('click', function () { view.zoomAt(1.25); });
  el['zoom-out'].addEventListener('click', function () { view.zoomAt(0.8); });
  el['zoom-1'].addEventListener('click', function () { view.setZoom(1); });
  el['zoom-fit'].addEventListener('click', function () { view.fitView(); });
  el.reset.addEventListener('click', function () { view.reset(); announce(t('wasReset'), 50); });

  el.prev.addEventListener('click', function () { step(-1, 'button'); });
  el.next.addEventListener('click', function () { step(1, 'button'); });
  el.slider.addEventListener('input', function () { go(Number(el.slider.value) - 1, 'slider'); });

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || el.tags.open || !source) return;
    var t = e.target;
    if (t && (t === el.slider || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable)) return;
    var n = series[cur].images.length, pan = 40;
    if (e.shiftKey && /^Arrow/.test(e.key)) {
      view.panBy(e.key === 'ArrowLeft' ? -pan : e.key === 'ArrowRight' ? pan : 0, e.key === 'ArrowUp' ? -pan : e.key === 'ArrowDown' ? pan : 0);
      e.preventDefault();
      return;
    }
    switch (e.key) {
      case 'ArrowDown': case 'Down': step(1, 'key'); break;
      case 'ArrowUp': case 'Up': step(-1, 'key'); break;
      case 'PageDown': step(10, 'key'); break;
      case 'PageUp': step(-10, 'key'); break;
      case 'Home': go(0, 'key'); break;
      case 'End': go(n - 1, 'key'); break;
      case 'ArrowRight': case 'Right': selectSeries(cur + 1, 'key'); break;
      case 'ArrowLeft': case 'Left': selectSeries(cur - 1, 'key'); break;
      case '+': case '=': view.zoomAt(1.25); break;
      case '-': view.zoomAt(0.8); break;
      case '0': view.fitView(); break;
      case 'Escape': if (!view.measure) return; view.clearMeasure(); break;
      default: return;
    }
    e.preventDefault();
  });

  if (!series.length) {
    showPicker('');
    el.pick.hidden = true;
    el.stage.hidden = false;
    showMsg(t('nothing'));
    return;
  }
  selectSeries(0);
  if (/^https?:$/.test(location.protocol)) useSource(window.CDSLoader.fromHttp(location.href));
  else showPicker('');
})();
