// score.mjs: scores galley's and Readability's text against each page's expected.txt and prints the report.
//
//   node score.mjs CORPUS OUT
//
// CORPUS/<page>/expected.txt is the reference; OUT holds what bench/extract/run produced: galley/<page>.txt,
// readability/<page>.txt and <page>.body.txt, gtime.tsv and readability.tsv (timings), and pages (the page names,
// one a line). Writes OUT/scores.tsv.
// No dependencies beyond node.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [corpus, out] = process.argv.slice(2);
const read = f => (existsSync(f) ? readFileSync(f, 'utf8') : '').normalize('NFC');

// Tokens: lowercase runs of letters and digits; a Han, Hiragana, Katakana or Hangul character is a token of its own
// (Chinese and Japanese put no spaces between words; Hangul is split the same way, for one simple rule).
const CJK = '[\\p{scx=Han}\\p{scx=Hiragana}\\p{scx=Katakana}\\p{scx=Hangul}]';
const TOKEN = new RegExp(`[[\\p{L}\\p{N}]&&${CJK}]|[[\\p{L}\\p{N}]--${CJK}]+`, 'gv');
const tokens = text => text.toLowerCase().match(TOKEN) ?? [];

// Header lines that only galley prints (expected.txt is galley-style text, so it has them too): removed from every
// text before scoring, along with the "====" underline of the headline. expected.txt is wrapped at 72 columns,
// galley's and Readability's text are not: hence tokens, never lines, are compared.
const HEADER = /^(Published|Updated|Section|Source|Keywords|URL): /;
const clean = text => text.split('\n').filter(l => !HEADER.test(l) && !/^=+\s*$/.test(l)).join('\n');

// Body of a galley text, for no-article pages: without the headline (the paragraph underlined with "====") and
// without the byline paragraph (starts "By "). Readability's body is its textContent (<page>.body.txt).
function galleyBody(text) {
  const lines = text.split('\n');
  if (lines.length > 1 && /^=+\s*$/.test(lines[1])) lines.splice(0, 2);
  const paras = clean(lines.join('\n')).split(/\n\s*\n/);
  const by = paras.findIndex(p => p.trimStart().startsWith('By '));
  if (by >= 0) paras.splice(by, 1);
  return paras.join('\n\n');
}

// Bag-of-tokens overlap: tp = tokens in both (with multiplicity), out = tokens output, exp = tokens expected.
function overlap(got, want) {
  const bag = new Map();
  for (const t of want) bag.set(t, (bag.get(t) ?? 0) + 1);
  let tp = 0;
  for (const t of got) {
    const n = bag.get(t);
    if (n) { tp++; bag.set(t, n - 1); }
  }
  return { tp, out: got.length, exp: want.length };
}

const prf = ({ tp, out, exp }) => {
  const p = out ? tp / out : 0, r = exp ? tp / exp : 0;
  return { p, r, f: p + r ? (2 * p * r) / (p + r) : 0 };
};

// One tool on one page. Article pages: P = tp/out, R = tp/exp, F1 their harmonic mean (all 0 when nothing matches).
// No-article pages (name "noarticle-*", or an expected.txt without tokens) have no body: their expected.txt holds
// only the page's header (headline, description). A tool's "body tokens" there are the tokens of its body part
// (galley: its text without the headline and byline paragraphs; Readability: textContent) that are not in
// expected.txt (bag difference). None: P = R = F1 = 1. Some: P = 0, R = 1 (there was nothing to miss), F1 = 0,
// and those body tokens count as false positives in the micro average.
function score(page, tool, expected) {
  const noarticle = page.startsWith('noarticle-') || expected.length === 0;
  if (noarticle) {
    const body = tokens(tool === 'galley' ? galleyBody(read(`${out}/galley/${page}.txt`))
      : clean(read(`${out}/readability/${page}.body.txt`)));
    const n = body.length - overlap(body, expected).tp;
    return { counts: { tp: 0, out: n, exp: 0 }, ...(n ? { p: 0, r: 1, f: 0 } : { p: 1, r: 1, f: 1 }) };
  }
  const counts = overlap(tokens(clean(read(`${out}/${tool}/${page}.txt`))), expected);
  return { counts, ...prf(counts) };
}

// Timings: "page ms..." TSV with a TOTAL row and '#' comments.
function tsv(file) {
  const rows = new Map();
  for (const line of read(file).split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('page\t')) continue;
    const [name, ...v] = line.split('\t');
    rows.set(name, v.map(Number));
  }
  return rows;
}

const pages = read(`${out}/pages`).split('\n').filter(Boolean);
const tools = ['galley', 'readability'];
const sum = Object.fromEntries(tools.map(t => [t, { tp: 0, out: 0, exp: 0, f: 0 }]));
const w = Math.max(8, ...pages.map(p => p.length));
const f3 = x => x.toFixed(3);
const line = (name, g, r) => console.log(`${name.padEnd(w)} ${g.map(x => x.padStart(6)).join(' ')}   | ${r.map(x => x.padStart(6)).join(' ')}`);
const tsvRows = ['page\tgalley_p\tgalley_r\tgalley_f1\treadability_p\treadability_r\treadability_f1'];

// Table: per page, then the micro average (over all tokens of all pages) and the macro average (mean of per-page F1).
console.log(`${''.padEnd(w)} ${'galley'.padEnd(20)}   | Readability`);
line('page', ['P', 'R', 'F1'], ['P', 'R', 'F1']);
for (const page of pages) {
  const expected = tokens(clean(read(`${corpus}/${page}/expected.txt`)));
  const cells = [];
  for (const tool of tools) {
    const s = score(page, tool, expected);
    for (const k of ['tp', 'out', 'exp']) sum[tool][k] += s.counts[k];
    sum[tool].f += s.f;
    cells.push(f3(s.p), f3(s.r), f3(s.f));
  }
  line(page, cells.slice(0, 3), cells.slice(3));
  tsvRows.push([page, ...cells].join('\t'));
}
writeFileSync(`${out}/scores.tsv`, tsvRows.join('\n') + '\n');
console.log('-'.repeat(w + 46));
const micro = t => { const s = prf(sum[t]); return [f3(s.p), f3(s.r), f3(s.f)]; };
const macro = t => ['', '', f3(pages.length ? sum[t].f / pages.length : 0)];
line('micro', micro('galley'), micro('readability'));
line('macro F1', macro('galley'), macro('readability'));

// Timing: ms per page, the mean of the timed rounds (total time / pages: throughput, Readability's garbage
// collection included); "speed" ratios are inverse time ratios. galley is timed before and after Readability (two
// gtime runs, averaged), so that the machine's drift during the long Readability run hits both alike. The best
// round of each page is printed for reference: the least disturbed figure, but for Readability one that leaves
// its collector's pauses out.
const gtimes = ['gtime.tsv', 'gtime2.tsv'].filter(f => existsSync(`${out}/${f}`)).map(f => tsv(`${out}/${f}`).get('TOTAL'));
const g = [0, 1, 2, 3, 4, 5, 6].map(i => gtimes.reduce((a, t) => a + (t ? t[i] : NaN), 0) / (gtimes.length || NaN));
const rd = tsv(`${out}/readability.tsv`).get('TOTAL') ?? [NaN, NaN];
const n = pages.length || 1;
const [gms, pms, tms, rms] = [g[1] / n, g[2] / n, g[3] / n, rd[0] / n];
const [gb, pb, tb, rb] = [g[4] / n, g[5] / n, g[6] / n, rd[1] / n];
const ms = x => `${x.toFixed(3)} ms/page`;
console.log('');
console.log(`galley mean       ${ms(gms)}`);
console.log(`parse-only mean   ${ms(pms)}  (libxml2 htmlReadMemory + xmlFreeDoc)`);
console.log(`tokenize mean     ${ms(tms)}  (libxml2's HTML parser, SAX callbacks that do nothing: no tree)`);
console.log(`Readability mean  ${ms(rms)}  (JSDOM + Readability.parse)`);
const ratio = (name, x, target) => console.log(`${name} ${x.toFixed(2)}  (target >= ${target}: ${x >= target ? 'met' : 'NOT met'})`);
ratio('galley speed / parse-only speed ', pms / gms, 0.5);
ratio('galley speed / Readability speed', rms / gms, 100);
console.log(`(for reference: Readability / tokenize ${(rms / tms).toFixed(0)}, galley time beyond the tokenizer ${ms(gms - tms)};`);
console.log(` best rounds: galley ${ms(gb)}, parse-only ${ms(pb)}, Readability ${ms(rb)}: speed ratios ${(pb / gb).toFixed(2)} and ${(rb / gb).toFixed(2)})`);
