import { maskLogObject } from '../../src/logger';

describe('maskLogObject', () => {
  it('masks receivers and secrets by field name, nested and in arrays', () => {
    expect(
      maskLogObject({
        receiver: '+8613800138000',
        receiversRaw: ['+8613800138000', 'alice@example.com'],
        account: { name: 'sandbox-primary', appKey: 'sandbox-app-key-123', secrets: { appSecret: 'very-secret' } },
        attempts: [{ to: '+14155550123', code: 'OK' }],
        count: 3,
      }),
    ).toEqual({
      receiver: '+86138****8000',
      receiversRaw: ['+86138****8000', 'a***e@example.com'],
      account: { name: 'sandbox-primary', appKey: 'sand****', secrets: '****' },
      attempts: [{ to: '+1415****0123', code: 'OK' }],
      count: 3,
    });
  });
});
