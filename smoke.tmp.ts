import * as fs from 'fs';
import { analyzeDmesg, formatDmesgReport } from './src/core/sim/dmesg';
const f = process.argv[2];
let ok = 0, num = 0, n = 0;
for (const l of fs.readFileSync(f, 'utf8').split('\n').filter(Boolean)) {
  const rec = JSON.parse(l);
  const r = analyzeDmesg(rec.lines.join('\n'));
  n++;
  const b = r.boots[0];
  if (b?.reproduced && b.arch === rec.arch) ok++; if (b?.numbersReproduced) num++;
  console.log(`${rec.arch} ${rec.kernel} → ${b?.arch} [${b?.archCandidates}] exact=${b?.reproduced} nums=${b?.numbersReproduced} era=${b?.kernel?.era?.join('|')} used=${b?.kernel?.used} tried=${b?.tried} ${b?.error ?? ''}`);
  if (!b?.reproduced || b.arch !== rec.arch || process.env.V) console.log(formatDmesgReport(r));
}
console.log(`${ok}/${num}/${n}`);
