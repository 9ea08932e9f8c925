import { loadConfig } from '../../src/config';
import { loadDevConfig } from '../../src/dev-config';

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

describe('production and development settings', () => {
  it('derives PUBLIC_BASE_URL from API_PORT unless it is set', () => {
    expect(loadConfig({ API_PORT: '7400' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:7400');
    expect(loadConfig({ API_PORT: '7400', PUBLIC_BASE_URL: 'https://herald.example' }).PUBLIC_BASE_URL).toBe('https://herald.example');
  });

  it('leaves the development settings to the development tools: production never parses them', () => {
    const env = { SANDBOX_VENDOR_PORT: 'not a port' };
    expect(loadConfig(env)).not.toHaveProperty('SANDBOX_VENDOR_PORT');
    expect(() => loadDevConfig(env)).toThrow(/SANDBOX_VENDOR_PORT/);
  });

  it('points the sandbox URL and the Temporal UI link at the ports npm run dev uses', () => {
    const dev = loadDevConfig({ SANDBOX_VENDOR_PORT: '7402', TEMPORAL_DEV_UI_PORT: '7404' });
    expect(dev.SANDBOX_VENDOR_URL).toBe('http://127.0.0.1:7402');
    expect(dev.TEMPORAL_UI_URL).toBe('http://localhost:7404');
    expect(loadDevConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_DEV_UI_PORT: '7404' }).TEMPORAL_UI_URL).toBe('http://localhost:8233');
  });
});
