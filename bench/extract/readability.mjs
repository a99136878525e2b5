// readability.mjs: Mozilla Readability on jsdom, the peer in galley's extraction benchmark.
//
//   node readability.mjs [-r ROUNDS] OUTDIR NAME=FILE...
//
// For each page: new JSDOM(bytes, {url}) + new Readability(document).parse(), timed in-process; one untimed
// warm-up round (JIT), then ROUNDS (default 5) timed rounds give the mean and the best (shortest) round. Writes
// OUTDIR/NAME.txt (title, byline, text content, as the benchmark scores it) and OUTDIR/NAME.body.txt (text content
// alone, for no-article pages);
// prints "page ms best_ms" TSV on stdout (mean per round, best round), '#' lines are comments.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { JSDOM, VirtualConsole } from 'jsdom';
import { Readability } from '@mozilla/readability';

const args = process.argv.slice(2);
let rounds = 5;
if (args[0] === '-r') { rounds = Math.max(1, parseInt(args[1], 10) || 1); args.splice(0, 2); }
const [outdir, ...specs] = args;
mkdirSync(outdir, { recursive: true });
const pages = specs.map(s => {
  const i = s.indexOf('=');
  // Bytes, not a string: jsdom then sniffs the charset (BOM, <meta charset>) as a browser would.
  return { name: s.slice(0, i), bytes: readFileSync(s.slice(i + 1)), ms: 0, best: Infinity };
});
const quiet = new VirtualConsole(); // drops jsdom's "Could not parse CSS stylesheet" noise

function extract(bytes) {
  const dom = new JSDOM(bytes, { url: 'https://example.org/', virtualConsole: quiet });
  const article = new Readability(dom.window.document).parse();
  return { dom, article };
}

for (let r = -1; r < rounds; r++) { // r = -1: warm-up, not timed
  for (const p of pages) {
    const t0 = performance.now();
    const { dom, article } = extract(p.bytes);
    const t1 = performance.now();
    if (r >= 0) {
      p.ms += t1 - t0;
      p.best = Math.min(p.best, t1 - t0);
    }
    if (r === -1) { // keep the output of the first run
      const body = article?.textContent ?? '';
      const text = article ? [article.title, article.byline, body].filter(s => s).join('\n\n') : '';
      writeFileSync(`${outdir}/${p.name}.txt`, text + '\n');
      writeFileSync(`${outdir}/${p.name}.body.txt`, body + '\n');
    }
    dom.window.close();
  }
}

console.log(`# rounds\t${rounds}`);
console.log('page\tms\tbest_ms');
let total = 0, best = 0;
for (const p of pages) {
  console.log(`${p.name}\t${(p.ms / rounds).toFixed(4)}\t${p.best.toFixed(4)}`);
  total += p.ms / rounds;
  best += p.best;
}
console.log(`TOTAL\t${total.toFixed(4)}\t${best.toFixed(4)}`);
