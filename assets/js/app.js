/* CDS Portal - comportamenti lato client (nessuna dipendenza, ES2017).
   Caricato con `defer` dopo htmx. La CSP vieta script inline: tutto vive qui. */
(function () {
  'use strict';

  // Le poche parole di app.js che non vengono dalla pagina, nella lingua della pagina
  // (<html lang>): inglese con "en", altrimenti italiano.
  var EN = (document.documentElement.lang || '').toLowerCase().indexOf('en') === 0;
  var TEXT = EN
    ? { copied: 'Copied', confirm: 'Are you sure?' }
    : { copied: 'Copiato', confirm: 'Confermi l\u2019operazione?' };

  // (a) [data-copy="ID"]: copia negli appunti il testo dell'elemento #ID; il pulsante dice
  // per due secondi il suo data-copied, altrimenti «Copiato» nella lingua della pagina.
  function fallbackCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'visually-hidden';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('[data-copy]');
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute('data-copy'));
    if (!src) return;
    e.preventDefault();
    var text = ('value' in src && typeof src.value === 'string') ? src.value : src.textContent;
    copyText(text.trim()).then(function () {
      if (btn.dataset.copyLabel === undefined) btn.dataset.copyLabel = btn.textContent;
      btn.textContent = btn.dataset.copied || TEXT.copied;
      clearTimeout(btn._copyTimer);
      btn._copyTimer = setTimeout(function () {
        btn.textContent = btn.dataset.copyLabel;
        delete btn.dataset.copyLabel;
      }, 2000);
    }, function () { /* copia non riuscita: nessuna modifica */ });
  });

  // (b) htmx: invia il token CSRF (da <meta name="csrf-token">) in ogni richiesta.
  document.body.addEventListener('htmx:configRequest', function (e) {
    var t = document.querySelector('meta[name=csrf-token]');
    if (t) e.detail.headers['X-CSRF-Token'] = t.content;
  });

  // (c) <form data-confirm="Testo">: chiede conferma prima dell'invio.
  // Fase di cattura su window: precede anche il gestore di submit di htmx.
  window.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) return;
    var msg = form.getAttribute('data-confirm') || TEXT.confirm;
    if (!window.confirm(msg)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  // (d) <form data-consents>: "Acquista ora" resta disabilitato finché tutte le caselle
  // obbligatorie non sono spuntate (il server rifiuta comunque il passo senza consensi).
  function syncConsents(form) {
    var boxes = form.querySelectorAll('input[type=checkbox][required]');
    var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
    var btn = form.querySelector('[data-consents-submit]');
    if (btn) {
      btn.disabled = !all;
      btn.setAttribute('aria-disabled', all ? 'false' : 'true');
    }
  }
  function initConsents(root) {
    Array.prototype.forEach.call(root.querySelectorAll('form[data-consents]'), syncConsents);
  }
  document.addEventListener('change', function (e) {
    var form = e.target.closest && e.target.closest('form[data-consents]');
    if (form) syncConsents(form);
  });
  initConsents(document);
  document.body.addEventListener('htmx:afterSettle', function (e) { initConsents(e.target); });

  // (e) <dialog> come bersaglio di htmx (es. l'anteprima in Documenti): dopo lo scambio del
  // contenuto si apre come finestra modale; il fuoco va al suo interno (autofocus su
  // "Chiudi") e alla chiusura torna al pulsante che l'ha aperta.
  document.body.addEventListener('htmx:afterSwap', function (e) {
    var d = e.detail && e.detail.target;
    if (!(d instanceof HTMLElement) || d.tagName !== 'DIALOG' || d.open) return;
    var opener = document.activeElement;
    if (typeof d.showModal === 'function') d.showModal(); else d.setAttribute('open', '');
    var first = d.querySelector('[autofocus]') || d.querySelector('button, a[href], input, select, textarea');
    if (first) first.focus();
    d.addEventListener('close', function () {
      if (opener && typeof opener.focus === 'function' && document.contains(opener)) opener.focus();
    }, { once: true });
  });

  // (f) "Una volta Recuperato il Documento verrà scaricato dal Browser": la riga di un
  // recupero avviato in questa pagina arriva, quando è pronta, con il link Download marcato
  // [data-auto-download]; lo si apre una sola volta (l'attributo viene tolto) e il pulsante
  // resta per le 24 ore. Le righe di un caricamento di pagina non hanno mai il marcatore.
  document.body.addEventListener('htmx:afterSettle', function () {
    Array.prototype.forEach.call(document.querySelectorAll('a[data-auto-download]'), function (a) {
      a.removeAttribute('data-auto-download');
      a.click();
    });
  });

  // (g) Il menu (<details data-nav>): su telefono si apre e chiude con la barra "Menu"
  // anche senza JavaScript; qui si aggiunge aria-expanded sulla barra, Esc che lo chiude e
  // riporta il fuoco sulla barra, e lo si tiene aperto sugli schermi larghi (dove la barra
  // non si vede e il menu è una riga di link).
  var nav = document.querySelector('details[data-nav]');
  if (nav) {
    var bar = nav.querySelector('summary');
    var wide = window.matchMedia('(min-width: 48em)');
    var sync = function () { bar.setAttribute('aria-expanded', nav.open ? 'true' : 'false'); };
    var fit = function () { nav.open = wide.matches; sync(); };
    nav.addEventListener('toggle', sync);
    if (wide.addEventListener) wide.addEventListener('change', fit); else wide.addListener(fit);
    fit();
    nav.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' || !nav.open || wide.matches) return;
      nav.open = false;
      bar.focus();
    });
  }

  // (h) Quando la pagina se ne va (un modulo inviato senza htmx, o il logout del chiosco),
  // nessun frammento parte più e nessuna risposta già in viaggio si applica. Un controllo di
  // stato arrivato al server dopo il logout risponderebbe HX-Redirect a «sessione scaduta»;
  // un HX-Refresh ricaricherebbe la pagina. Entrambi annullerebbero la pagina che il modulo
  // sta aprendo (e, per il logout, il suo Clear-Site-Data). I download sono link, non
  // moduli: dopo un download la pagina resta viva e i suoi controlli continuano.
  var leaving = false;
  window.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !(form instanceof HTMLFormElement)) return; // htmx, o annullato
    var to = (e.submitter && e.submitter.getAttribute('formtarget')) || form.getAttribute('target');
    if (!to || to === '_self') leaving = true;
  });
  document.addEventListener('htmx:beforeRequest', function (e) { if (leaving) e.preventDefault(); });
  document.addEventListener('htmx:beforeOnLoad', function (e) { if (leaving) e.preventDefault(); });
  window.addEventListener('pageshow', function () { leaving = false; });

  // (i) Chiosco (<body class="kiosk">, src/kiosk/): i moduli non si compilano da soli; dopo
  // data-kiosk-idle secondi senza input si apre «Sei ancora lì?» (#kiosk-idle) con il conto
  // alla rovescia di data-kiosk-countdown secondi: allo zero si esce dal portale (il modulo
  // di logout) o, senza sessione, si torna alla pagina iniziale (e alla lingua del chiosco:
  // /?ricomincia=1 toglie quella scelta da chi c'era prima). Una pagina ripresa dalla
  // cache avanti/indietro si ricarica (le pagine sono no-store: il server la chiede di nuovo).
  var kb = document.body;
  if (kb.classList.contains('kiosk')) {
    var noFill = function (root) {
      Array.prototype.forEach.call(root.querySelectorAll('form, input, textarea, select'), function (el) {
        el.setAttribute('autocomplete', 'off');
      });
    };
    noFill(document);
    kb.addEventListener('htmx:afterSettle', function (e) { noFill(e.target); });
    window.addEventListener('pageshow', function (e) { if (e.persisted) location.reload(); });
    var idleMs = (parseInt(kb.getAttribute('data-kiosk-idle'), 10) || 90) * 1000;
    var count = parseInt(kb.getAttribute('data-kiosk-countdown'), 10) || 30;
    var dlg = document.getElementById('kiosk-idle');
    var idleTimer = null, tick = null;
    var leave = function () {
      var out = dlg && dlg.querySelector('form[data-kiosk-logout]');
      leaving = true; // (h): submit() non passa dall'evento submit
      if (out) out.submit(); else location.replace('/?ricomincia=1');
    };
    var ask = function () {
      if (!dlg) { leave(); return; }
      var left = count;
      var shown = dlg.querySelector('[data-kiosk-left]');
      shown.textContent = left;
      if (!dlg.open) dlg.showModal();
      clearInterval(tick);
      tick = setInterval(function () {
        left -= 1;
        shown.textContent = Math.max(left, 0);
        if (left <= 0) { clearInterval(tick); leave(); }
      }, 1000);
    };
    var restart = function () {
      if (dlg && dlg.open) return; // mentre chiede, rispondono solo i suoi pulsanti
      clearTimeout(idleTimer);
      idleTimer = setTimeout(ask, idleMs);
    };
    ['pointerdown', 'keydown', 'touchstart', 'wheel', 'input'].forEach(function (t) {
      document.addEventListener(t, restart, { capture: true, passive: true });
    });
    if (dlg) {
      var stay = function () { clearInterval(tick); if (dlg.open) dlg.close(); restart(); };
      dlg.querySelector('[data-kiosk-stay]').addEventListener('click', stay);
      dlg.addEventListener('cancel', function (e) { e.preventDefault(); stay(); });
    }
    restart();
  }
})();
