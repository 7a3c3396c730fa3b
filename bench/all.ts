// `npm run bench`: every benchmark, one after the other (never two at once on a small machine).
import { spawnSync } from 'node:child_process';

const steps = [
  ['bench:sign'],
  ['bench:intake'],
  ['bench:ocr'],
  ['eval'],
  ['bench:console'],
];
let failed = 0;
for (const [script] of steps) {
  console.log(`\n== npm run ${script}`);
  const r = spawnSync('npm', ['run', '--silent', script!], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
console.log(failed ? `\n${failed} benchmark(s) failed` : '\nall benchmarks done; results in bench/results/');
process.exit(failed ? 1 : 0);
