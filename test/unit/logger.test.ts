import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskText } from '../../services/logger.js';

describe('logs', () => {
  it('mask personal ids and tax codes in text', () => {
    expect(maskText('applicant 034221659693 sent')).toBe('applicant 034*******93 sent');
    expect(maskText('MST 0100109106-001')).toBe('MST 010*********01');
    expect(maskText('dossier 000.03.21.H54-261128-0001')).toBe('dossier 000.03.21.H54-261128-0001');
  });

  it('leave UUIDs and hashes whole: their digit runs are not personal ids', () => {
    const uuid = '7f6c2a52-1d8e-4b3c-9a35-012345678901';
    expect(maskText(`document ${uuid} done`)).toBe(`document ${uuid} done`);
    const sha = 'ab'.repeat(10) + '123456789012' + 'cd'.repeat(10);
    expect(maskText(`sha ${sha}`)).toBe(`sha ${sha}`);
    expect(maskText(`document ${uuid} of 034221659693`)).toBe(`document ${uuid} of 034*******93`);
  });

  it('mask ids in messages, known fields, error texts and request URLs', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger('info', 'test', sink);
    log.info({ applicantId: '034221659693', err: 'owner 034221659693 rejected' }, 'received 034221659693');
    log.warn({ req: { method: 'GET', url: '/v1/people/034221659693/documents' } }, 'request');
    log.error(new Error('bad id 034221659693'));
    const all = lines.join('\n');
    expect(all).not.toContain('034221659693');
    expect(all).toContain('034*******93');
  });
});
