/*
 * CDS Portal - i testi del visualizzatore, in italiano e in inglese. La lingua è quella del
 * pacchetto (study.js: window.CDS_STUDY.lang, "it" o "en": la lingua di chi lo ha fatto
 * preparare); senza study.js quella del browser. CDSText.t(chiave, [argomenti]) riempie {0},
 * {1}…; CDSText.n(chiave, numero) sceglie singolare|plurale. All'avvio traduce la pagina:
 * data-t="chiave" (il testo; *grassetto* e `codice`), data-ta="attributo=chiave;…".
 */
(function (root) {
  'use strict';
  var M = {
    // index.html
    title: ['Visualizzatore immagini - CDS Portal', 'Image viewer - CDS Portal'],
    skip: ["Vai all'immagine", 'Skip to the image'],
    heading: ["Visualizzatore delle immagini dell'esame", 'Viewer of the examination images'],
    patient: ['Paziente', 'Patient'],
    exam: ['Esame', 'Examination'],
    note: ['*Immagini per la consultazione, non per la diagnosi.* I file originali sono nella cartella DICOM.',
      '*Images for reference, not for diagnosis.* The original files are in the DICOM folder.'],
    errTitle: ['Impossibile mostrare le immagini', 'The images cannot be shown'],
    errWhy: ["Il visualizzatore è stato aperto senza i file dell'esame: di solito succede quando si apre `index.html` direttamente dall'archivio ZIP.",
      'The viewer was opened without the examination files: this usually happens when `index.html` is opened straight from the ZIP archive.'],
    errFix: ['Estrarre prima tutto il contenuto del file ZIP in una cartella (su Windows: tasto destro sul file ZIP, poi «Estrai tutto»; su Mac: doppio clic sul file ZIP), quindi aprire il file `VIEWER/index.html` dalla cartella estratta, senza spostarlo.',
      'First extract everything in the ZIP file to a folder (on Windows: right-click the ZIP file, then “Extract All”; on a Mac: double-click the ZIP file), then open `VIEWER/index.html` from the extracted folder, without moving it.'],
    series: ['Serie', 'Series'],
    image: ['Immagine', 'Image'],
    pickTitle: ['Scegli la cartella estratta dello studio', 'Choose the extracted folder of the study'],
    pickWhy: ['Per proteggere i tuoi dati, il browser non lascia che il visualizzatore apra da solo le immagini: indicagli tu la cartella.',
      'To protect your data, the browser does not let the viewer open the images by itself: you need to show it the folder.'],
    pick1: ['Premi *Scegli la cartella dello studio*.', 'Press *Choose the study folder*.'],
    pick2: ['Seleziona la cartella estratta dal file ZIP, quella che contiene `DICOM`, `DICOMDIR` e `VIEWER`, e conferma con *Carica* o *Seleziona*.',
      'Select the folder extracted from the ZIP file, the one that contains `DICOM`, `DICOMDIR` and `VIEWER`, and confirm with *Upload* or *Select*.'],
    pick3: ['Se il browser chiede di confermare il caricamento dei file, conferma: i file restano su questo dispositivo e non vengono inviati a nessuno.',
      'If the browser asks you to confirm uploading the files, confirm: the files stay on this device and are not sent to anyone.'],
    choose: ['Scegli la cartella dello studio…', 'Choose the study folder…'],
    orDrop: ['oppure trascina qui la cartella.', 'or drag the folder here.'],
    folder: ['Cartella estratta dello studio', 'Extracted folder of the study'],
    toolGroup: ['Strumento per mouse e tocco', 'Mouse and touch tool'],
    toolScroll: ['Sfoglia', 'Scroll'],
    toolPan: ['Sposta', 'Pan'],
    toolWl: ['Finestra', 'Window'],
    toolMeasure: ['Misura', 'Measure'],
    greys: ['Finestra dei grigi', 'Grey-level window'],
    lung: ['Polmone', 'Lung'],
    mediastinum: ['Mediastino', 'Mediastinum'],
    bone: ['Osso', 'Bone'],
    brain: ['Encefalo', 'Brain'],
    fromFile: ['Dal file', 'From the file'],
    full: ['Intera gamma', 'Full range'],
    wlValues: ['Valori della finestra', 'Window values'],
    width: ['Larghezza (W)', 'Width (W)'],
    center: ['Centro (L)', 'Centre (L)'],
    zoom: ['Zoom', 'Zoom'],
    zoomOut: ['Riduci', 'Zoom out'],
    zoomIn: ['Ingrandisci', 'Zoom in'],
    zoom1: ['1:1 (pixel reali)', '1:1 (actual pixels)'],
    fit: ['Adatta', 'Fit'],
    header: ['Intestazione DICOM', 'DICOM header'],
    reset: ['Ripristina', 'Reset'],
    viewer: ['visualizzatore', 'viewer'],
    current: ['Immagine corrente', 'Current image'],
    hintKeys: ['Frecce ↑ ↓ o rotellina: immagini; PagSu/PagGiù ±10; ← →: serie; + − 0: zoom; Maiusc+frecce: sposta; tasto destro trascinato: finestra; Esc: annulla misura.',
      'Arrows ↑ ↓ or mouse wheel: images; Page Up/Page Down ±10; ← →: series; + − 0: zoom; Shift+arrows: pan; right-button drag: window; Esc: cancel measurement.'],
    hintTouch: ["Usa il cursore per le immagini, due dita per lo zoom e gli strumenti sopra l'immagine.",
      'Use the slider for the images, two fingers to zoom, and the tools above the image.'],
    prev: ['Precedente', 'Previous'],
    next: ['Successiva', 'Next'],
    position: ['Posizione nella serie', 'Position in the series'],
    close: ['Chiudi', 'Close'],
    find: ['Cerca', 'Search'],
    attributes: ['Attributi', 'Attributes'],
    attrCaption: ["Attributi DICOM dell'immagine corrente", 'DICOM attributes of the current image'],
    tag: ['Tag', 'Tag'],
    name: ['Nome', 'Name'],
    vr: ['VR', 'VR'],
    value: ['Valore', 'Value'],
    // viewer.js
    noName: ['Nome non indicato', 'Name not given'],
    taxCode: ['Codice fiscale', 'Tax code'],
    patientId: ['ID paziente', 'Patient ID'],
    born: ['Data di nascita', 'Date of birth'],
    sex: ['Sesso', 'Sex'],
    sexM: ['Maschile', 'Male'],
    sexF: ['Femminile', 'Female'],
    sexO: ['Altro', 'Other'],
    noTitle: ['Esame senza descrizione', 'Examination without a description'],
    date: ['Data', 'Date'],
    accession: ['N. accesso', 'Accession no.'],
    institution: ['Struttura', 'Facility'],
    docTitle: ['{0} - Visualizzatore immagini', '{0} - Image viewer'],
    seriesN: ['Serie {0}', 'Series {0}'],
    images: ['{0} immagine|{0} immagini', '{0} image|{0} images'],
    packed: ['{0} compressa|{0} compresse', '{0} compressed|{0} compressed'],
    needsDicom: ['{0}: serve un visualizzatore DICOM', '{0}: needs a DICOM viewer'],
    probe: ['Pixel {0}, {1}: {2}', 'Pixel {0}, {1}: {2}'],
    scaleBar: ['Barra di scala: {0} mm', 'Scale bar: {0} mm'],
    noScale: ['Scala non disponibile (manca Pixel Spacing)', 'No scale (Pixel Spacing missing)'],
    distance: ['Distanza: {0}', 'Distance: {0}'],
    secondPoint: ['Misura: tocca o fai clic sul secondo punto', 'Measure: tap or click the second point'],
    imageLabel: ['{0}, {1}, finestra W {2} L {3}', '{0}, {1}, window W {2} L {3}'],
    filesRead: ['{0} file letto|{0} file letti', '{0} file read|{0} files read'],
    notHere: ['Nella cartella scelta non ci sono le immagini di questo esame ({0}). Scegli la cartella estratta che contiene DICOM, DICOMDIR e VIEWER.',
      'The chosen folder does not hold the images of this examination ({0}). Choose the extracted folder that contains DICOM, DICOMDIR and VIEWER.'],
    files: ['{0} file|{0} file', '{0} file|{0} files'],
    missing: ['Mancano {0} su {1} nella cartella scelta.', '{0} of {1} missing from the chosen folder.'],
    ready: ['Immagini pronte.', 'Images ready.'],
    reading: ['Lettura della cartella…', 'Reading the folder…'],
    dropFailed: ['Impossibile leggere la cartella trascinata ({0}): usa il pulsante «Scegli la cartella dello studio».',
      'Could not read the dragged folder ({0}): use the “Choose the study folder” button.'],
    counter: ['Immagine {0} di {1}', 'Image {0} of {1}'],
    noImages: ['Nessuna immagine in questa serie', 'No images in this series'],
    instance: [' · Istanza {0}', ' · Instance {0}'],
    frame: [' · fotogramma 1 di {0}', ' · frame 1 of {0}'],
    emptySeries: ['Questa serie non contiene immagini.', 'This series has no images.'],
    compressed: ["Immagine compressa ({0}): questo visualizzatore non la può mostrare. Aprila con un visualizzatore DICOM: il file DICOMDIR nella cartella estratta serve a questo. L'intestazione DICOM resta consultabile.",
      'Compressed image ({0}): this viewer cannot show it. Open it with a DICOM viewer: that is what the DICOMDIR file in the extracted folder is for. You can still read the DICOM header.'],
    cannotShow: ['Immagine non visualizzabile: {0}.', 'This image cannot be shown: {0}.'],
    noImage: ["Questo file non contiene un'immagine.", 'This file does not contain an image.'],
    otherStudy: ['Attenzione: la cartella scelta contiene un altro esame.', 'Warning: the chosen folder holds another examination.'],
    otherFile: ['Attenzione: questo file appartiene a un altro esame. Scegli la cartella estratta di questo ZIP.',
      'Warning: this file belongs to another examination. Choose the extracted folder of this ZIP.'],
    unreachable: ['Le immagini non sono raggiungibili da questo indirizzo ({0}): scegli la cartella estratta dello studio.',
      'The images cannot be reached from this address ({0}): choose the extracted folder of the study.'],
    readFailed: ['Impossibile leggere il file di questa immagine ({0}): {1}.', "Could not read this image's file ({0}): {1}."],
    noFile: ['Nessun file letto per questa immagine.', 'No file read for this image.'],
    presetSaid: ['Finestra {0}: W {1} L {2}', 'Window {0}: W {1} L {2}'],
    wasReset: ['Vista ripristinata.', 'View reset.'],
    nothing: ['Questo esame non contiene immagini visualizzabili: aprire i file DICOM con un visualizzatore DICOM.',
      'This examination has no images this viewer can show: open the DICOM files with a DICOM viewer.'],
    // view.js, loader.js
    atDetector: [' (al rivelatore)', ' (at the detector)'],
    pixels: ['{0} pixel', '{0} pixels'],
    notInFolder: ['file non trovato nella cartella scelta: {0}', 'file not found in the chosen folder: {0}'],
    httpFailed: ['HTTP {0} per {1}', 'HTTP {0} for {1}'],
    // dicom.js
    truncated: ['file troncato', 'truncated file'],
    truncatedIn: ['file troncato in {0}', 'truncated file in {0}'],
    badVr: ['VR non valida in {0}', 'invalid VR in {0}'],
    badDelimiter: ['delimitatore di sequenza fuori posto', 'sequence delimiter out of place'],
    badItem: ['elemento di sequenza non valido ({0})', 'invalid sequence item ({0})'],
    noInflate: ['questo browser non sa decomprimere i file deflate', 'this browser cannot decompress deflated files'],
    encapsulated: ['dati dei pixel incapsulati', 'encapsulated pixel data'],
    pixelFormat: ['formato dei pixel non supportato', 'pixel format not supported'],
    photometric: ['interpretazione fotometrica {0} non supportata', 'photometric interpretation {0} not supported'],
    pixelsShort: ['dati dei pixel incompleti', 'incomplete pixel data'],
    private: ['Attributo privato', 'Private attribute'],
    packedPixels: ['(dati dei pixel compressi, non mostrati)', '(compressed pixel data, not shown)'],
    pixelBytes: ['({0} byte di pixel, non mostrati)', '({0} bytes of pixel data, not shown)'],
    items: ['(sequenza, {0} elemento)|(sequenza, {0} elementi)', '(sequence, {0} item)|(sequence, {0} items)'],
    bytes: ['({0} byte)', '({0} bytes)'],
  };

  var study = root.CDS_STUDY, nav = root.navigator;
  var lang = study && typeof study === 'object' ? (study.lang === 'en' ? 'en' : 'it')
    : nav && /^en\b/i.test(String(nav.language || '')) ? 'en' : 'it';
  var k = lang === 'en' ? 1 : 0;

  function t(key, args) {
    var m = M[key], s = m ? m[k] : key;
    args = args === undefined ? [] : [].concat(args);
    return s.replace(/\{(\d)\}/g, function (all, i) { return args[i] === undefined ? '' : String(args[i]); });
  }
  // Singolare o plurale ("1 immagine", "12 immagini"), il numero in {0}.
  function n(key, count) {
    var forms = t(key, [count]).split('|');
    return count === 1 || forms.length < 2 ? forms[0] : forms[1];
  }

  // Il testo di un elemento: *grassetto* e `codice` diventano <strong> e <code> (niente HTML).
  function fill(el, s) {
    el.textContent = '';
    s.split(/(\*[^*]+\*|`[^`]+`)/).forEach(function (part) {
      if (!part) return;
      var tag = part.charAt(0) === '*' ? 'strong' : part.charAt(0) === '`' ? 'code' : '';
      if (!tag) { el.appendChild(document.createTextNode(part)); return; }
      var node = document.createElement(tag);
      node.textContent = part.slice(1, -1);
      el.appendChild(node);
    });
  }

  if (typeof document !== 'undefined') {
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (el) {
      fill(el, t(el.getAttribute('data-t')));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-ta]'), function (el) {
      el.getAttribute('data-ta').split(';').forEach(function (pair) {
        var kv = pair.split('=');
        if (kv.length === 2) el.setAttribute(kv[0].trim(), t(kv[1].trim()));
      });
    });
  }

  root.CDSText = { lang: lang, locale: lang === 'en' ? 'en-GB' : 'it-IT', t: t, n: n, messages: M };
})(typeof window !== 'undefined' ? window : globalThis);
