import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { startApp } from './services/app.js';
import { ADMIN_KEY, BAD_CORPUS, DEV_CORPUS, makeTestEnv } from './test/helpers/env.js';
import { Client } from './test/helpers/http.js';
import { scanFolder, startCli, UNIT, APPLICANT } from './test/cli/helpers.js';
const env = await makeTestEnv({ LOG_LEVEL: 'warn' });
const app = await startApp(env.config, 'all');
const admin = new Client(app.url!, ADMIN_KEY);
const key = (await admin.json('POST', '/v1/api-keys', { role: 'desk', unitCode: UNIT })).body.key;
const dir = await scanFolder({
  '2018/khai-sinh.tif': path.join(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
  '2018/giay-moi.jpg': path.join(DEV_CORPUS, 'unknown-giay-moi-01.jpg'),
  '2018/ban-sao/khai-sinh.tif': path.join(DEV_CORPUS, 'giay-khai-sinh-01.tif'),
  '2018/rong.jpg': path.join(BAD_CORPUS, 'empty.jpg'),
});
const png = Buffer.from(await sharp(path.join(DEV_CORPUS, 'giay-khai-sinh-02.jpg')).resize(600).greyscale().png().toBuffer());
const mid = Math.floor(png.length / 2); for (let i = mid; i < mid + 64; i++) png[i] = png[i]! ^ 0x5a;
await writeFile(path.join(dir, '2018', 'hong.png'), png);
const manifest = path.join(dir, 'lo-2018.csv');
await writeFile(manifest, ['file,group,procedureCode,applicantId,role,receivedAt', '2018/khai-sinh.tif,hs1,1.001193,034221659693,result,2018-05-02', '2018/giay-moi.jpg,hs1,,,component,', '2018/ban-sao/khai-sinh.tif,hs2,1.001193,034090001234,component,2018-06-11'].join('\n'));
const t0 = Date.now();
const cli = startCli(['ingest', dir, '--unit', UNIT, '--procedure', '1.001193', '--applicant', APPLICANT, '--manifest', manifest, '--received-at', '2018-07-01', '--wait', '--verbose', '--concurrency', '1'], { SOHOA_URL: app.url!, SOHOA_KEY: key });
const timer = setInterval(async () => {
  const r = await app.ctx.db.query('select file_name, status, error_code, duplicate_of is not null as dup from documents');
  console.log(Math.round((Date.now() - t0) / 1000), JSON.stringify(r.rows));
}, 10000);
const code = await cli.exited;
clearInterval(timer);
console.log('exit', code, cli.stdout(), cli.stderr());
await app.stop(); await env.cleanup();
