import { loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    expect(loadConfig({}).DEFAULT_QUIET_START).toBe('22:00');
  });

  it('names the variable and the reason when a value is wrong', () => {
    expect(() => loadConfig({ DEFAULT_QUIET_START: '10pm' })).toThrow(/DEFAULT_QUIET_START/);
  });

  it('refuses the public development SECRET_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY: set a SECRET_KEY of your own/);
    expect(loadConfig({ NODE_ENV: 'production', SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), RECEIPT_TOKEN_KEY: Buffer.alloc(32, 8).toString('base64') }).NODE_ENV).toBe('production');
  });

  it('refuses the public development RECEIPT_TOKEN_KEY in production, and a short one anywhere', () => {
    const ownSecretKey = Buffer.alloc(32, 7).toString('base64');
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: ownSecretKey })).toThrow(/RECEIPT_TOKEN_KEY: set a RECEIPT_TOKEN_KEY of your own/);
    expect(() => loadConfig({ RECEIPT_TOKEN_KEY: Buffer.alloc(16, 1).toString('base64') })).toThrow(/RECEIPT_TOKEN_KEY: must be at least 32 bytes/);
  });
});
