// A standalone development S3 server (s3rver) on DATA_DIR/s3, for running `npm run api` and
// `npm run worker` as separate processes without MinIO: point both at it with
// S3_ENDPOINT=http://127.0.0.1:9310 S3_ACCESS_KEY=S3RVER S3_SECRET_KEY=S3RVER.
import path from 'node:path';
import { startEmbedded } from '../storage/objects.js';

const dir = path.resolve(process.env.DATA_DIR ?? './data', 's3');
const port = Number(process.env.EMBEDDED_S3_PORT ?? 9310);
const { server, port: bound } = await startEmbedded(dir, port);
if (!server) {
  console.error(`port ${port} is already in use`);
  process.exit(1);
}
console.log(`development S3 server on http://127.0.0.1:${bound} (folder ${dir}); credentials S3RVER / S3RVER`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
