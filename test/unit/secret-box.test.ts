import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/security/secret-box';

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32).toString('base64'));

  it('round-trips secrets and never stores them in clear', () => {
    const sealed = box.seal({ appSecret: 'very-secret-value' });
    expect(sealed).not.toContain('very-secret-value');
    expect(box.open(sealed)).toEqual({ appSecret: 'very-secret-value' });
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal({ appSecret: 'x' });
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('refuses a key of the wrong length', () => {
    expect(() => createSecretBox(Buffer.from('short').toString('base64'))).toThrow('32 bytes');
  });
});
