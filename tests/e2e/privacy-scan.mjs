// The privacy scan's tools (privacy.test.mjs): the forms a personal value can take in a line,
// the search of lines for them, a read of a SQLite table, a tiny PDF to publish.
import { execFileSync } from 'node:child_process';

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A tiny valid PDF: header, four objects, an xref table whose offsets are right, startxref
// pointing at "xref", %%EOF (what the server checks, and what a PDF reader needs).
export function tinyPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>',
    '<< /Length 0 >>\nstream\n\nendstream',
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

// The forms a value can take in a line: as is, lower and upper case, URL- and form-encoded.
export function patterns([label, value, kind]) {
  const forms = new Set();
  for (const v of [value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+')]) {
    forms.add(v);
    forms.add(v.toLowerCase());
    forms.add(v.toUpperCase());
  }
  return [...forms].map((f) => {
    const e = esc(f);
    switch (kind) {
      // A run of digits: not inside a longer number (a time's microseconds, an id).
      case 'digits': return [label, new RegExp(`(?<![0-9])${e}(?![0-9])`)];
      // A name: a whole word, any case.
      case 'word': return [label, new RegExp(`(?<![\\p{L}])${e}(?![\\p{L}])`, 'iu')];
      case 'text': return [label, new RegExp(e, 'i')];
      default: return [label, new RegExp(e)];
    }
  });
}

// `secrets`: [label, value, kind]; `only`: the labels to look for (all when null). A hit is
// one line naming where, what and the line.
export function scan(secrets, where, lines, only = null) {
  const pats = secrets.filter((s) => !only || only.includes(s[0])).flatMap(patterns);
  const hits = [];
  for (const line of lines) {
    for (const [label, re] of pats) {
      if (re.test(line)) hits.push(`${where}: ${label} ${re} in: ${line}`);
    }
  }
  return hits;
}

export function sql(db, query) {
  return execFileSync('sqlite3', ['-readonly', '-separator', ' | ', db, query], { encoding: 'utf8' })
    .split('\n').filter((l) => l.length);
}

