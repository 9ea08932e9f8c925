import { ALIYUN_CODES, ALIYUN_RECEIPT_REASONS, aliyunPhoneNumber, createAliyunSmsAdapter } from '../../src/vendors/aliyun-sms';
import { classifiedError, classifyCode, classifyHttpStatus } from '../../src/vendors/code-table';
import { receiptReason } from '../../src/vendors/receipt-codes';
import { TENCENT_CODES, TENCENT_RECEIPT_REASONS, createTencentSmsAdapter, tencentTemplate } from '../../src/vendors/tencent-sms';
import { REROUTABLE_REASONS, type Reason } from '../../src/shared/states';
import { TWILIO_DELIVERY_REASONS, TWILIO_SEND_CODES } from '../../src/vendors/twilio/codes';
import type { OutgoingMessage, VendorAccount } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { transportFailure, withReceiverMasked } from '../../src/vendors/vendor-http';
import { testOutbound } from '../support/outbound';

const tencentSmsAdapter = createTencentSmsAdapter(testOutbound);
const aliyunSmsAdapter = createAliyunSmsAdapter(testOutbound);

describe('vendor code tables', () => {
  it.each([
    ['FailedOperation.InsufficientBalanceInSmsPackage', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['FailedOperation.PhoneNumberInBlacklist', 'RECEIVER_INVALID', 'BLACKLISTED'],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['LimitExceeded.PhoneNumberDailyLimit', 'RECEIVER_INVALID', 'FREQUENCY_CAP'],
    ['RequestLimitExceeded', 'RETRYABLE', 'UNKNOWN'],
    ['InternalError.SendAndRecvFail', 'RETRYABLE', 'UNKNOWN'], // by the InternalError family
    ['AuthFailure.SecretIdNotFound', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['AuthFailure.TokenFailure', 'VENDOR_REJECTED', 'VENDOR_REJECTED'], // by the AuthFailure family
    ['UnsupportedOperation.Whatever', 'VENDOR_REJECTED', 'VENDOR_REJECTED'], // unknown: this account's problem
  ])('Tencent %s → %s / %s', (code, errorClass, reason) => {
    expect(classifyCode(TENCENT_CODES, code)).toEqual({ errorClass, reason });
  });

  it.each([
    ['isv.MOBILE_NUMBER_ILLEGAL', 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['isv.BUSINESS_LIMIT_CONTROL', 'RECEIVER_INVALID', 'FREQUENCY_CAP'],
    ['isv.AMOUNT_NOT_ENOUGH', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['isp.SYSTEM_ERROR', 'RETRYABLE', 'UNKNOWN'],
    ['Throttling.Api', 'RETRYABLE', 'UNKNOWN'], // by the Throttling family
    ['isv.NEW_CODE', 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
  ])('Aliyun %s → %s / %s', (code, errorClass, reason) => {
    expect(classifyCode(ALIYUN_CODES, code)).toEqual({ errorClass, reason });
  });

  it.each([
    ['21211', 400, 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['21610', 400, 'RECEIVER_INVALID', 'UNSUBSCRIBED'],
    ['21635', 400, 'RECEIVER_INVALID', 'INVALID_RECEIVER'],
    ['21612', 400, 'VENDOR_REJECTED', 'VENDOR_REJECTED'], // this sender cannot reach the number: another account may
    ['20003', 401, 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
    ['20429', 429, 'RETRYABLE', 'UNKNOWN'],
    ['20500', 500, 'RETRYABLE', 'UNKNOWN'], // not in the table: by its HTTP status
    ['21999', 400, 'VENDOR_REJECTED', 'VENDOR_REJECTED'],
  ] as const)('Twilio %s (HTTP %i) → %s / %s', (code, status, errorClass, reason) => {
    expect(classifiedError(TWILIO_SEND_CODES, code, 'text', status)).toMatchObject({ errorClass, reason, vendorCode: code });
  });

  it('Twilio delivery error codes → receipt reasons', () => {
    expect(['30003', '30004', '30005', '30006', '30007', '30008', '21610', '30034'].map((code) => TWILIO_DELIVERY_REASONS.get(code))).toEqual([
      'POWERED_OFF_OR_NO_SIGNAL', 'BLACKLISTED', 'INVALID_RECEIVER', 'INVALID_RECEIVER', 'SPAM_INTERCEPTED', 'UNKNOWN', 'UNSUBSCRIBED', 'CARRIER_BLOCKED',
    ]);
  });

  it('HTTP statuses without a code: 5xx and 429 retryable, other 4xx rejected', () => {
    expect([500, 503, 429, 400, 403].map((status) => classifyHttpStatus(status).errorClass))
      .toEqual(['RETRYABLE', 'RETRYABLE', 'RETRYABLE', 'VENDOR_REJECTED', 'VENDOR_REJECTED']);
  });

  it('receipt codes: the vendor\'s own table, then the carriers\', else UNKNOWN', () => {
    const vendor = new Map([['MK:0023', 'INBOX_FULL' as const]]);
    expect(receiptReason(vendor, 'MK:0023')).toBe('INBOX_FULL');
    expect(receiptReason(vendor, 'DB:0144')).toBe('BLACKLISTED');
    expect(receiptReason(vendor, 'MK:0010')).toBe('POWERED_OFF_OR_NO_SIGNAL');
    expect(receiptReason(vendor, 'XX:9999')).toBe('UNKNOWN');
  });

  it('transport failures: a timeout or a lost connection is AMBIGUOUS, one never made RETRYABLE; URL queries (which carry the number) cut off', () => {
    const timeout = transportFailure('ReadTimeout(1000). POST http://h/?PhoneNumbers=13800138000&SignName=x failed.');
    expect([timeout.errorClass, timeout.vendorCode]).toEqual(['AMBIGUOUS', 'TIMEOUT']);
    expect(timeout.vendorText).toBe('ReadTimeout(1000). POST http://h/?… failed.');
    const refused = transportFailure('connect ECONNREFUSED 127.0.0.1:1');
    expect([refused.errorClass, refused.vendorCode]).toEqual(['RETRYABLE', 'CONNECTION_ERROR']);
    const reset = transportFailure('read ECONNRESET');
    expect([reset.errorClass, reset.vendorCode]).toEqual(['AMBIGUOUS', 'CONNECTION_CUT']);
  });

  it('a vendor text that quotes the receiver (E.164 or national) keeps only the masked number', () => {
    const quoted = new VendorError('RECEIVER_INVALID', 'INVALID_RECEIVER', 'isv.MOBILE_NUMBER_ILLEGAL', '13800138000 非法手机号 (+8613800138000)');
    const masked = withReceiverMasked(quoted, '+8613800138000');
    expect(masked.vendorText).toBe('1380****8000 非法手机号 (+86138****8000)');
    expect([masked.errorClass, masked.reason, masked.vendorCode]).toEqual(['RECEIVER_INVALID', 'INVALID_RECEIVER', 'isv.MOBILE_NUMBER_ILLEGAL']);
  });
});

describe('receipt codes another vendor may fix (re-routed) and those it may not', () => {
  const cases: Array<[string, ReadonlyMap<string, Reason>, string, Reason]> = [
    ['tencent', TENCENT_RECEIPT_REASONS, 'COMFAIL', 'ROUTE_FAILED'],
    ['tencent', TENCENT_RECEIPT_REASONS, 'WTNFAIL', 'ROUTE_FAILED'],
    ['tencent', TENCENT_RECEIPT_REASONS, 'NP:1243', 'ROUTE_FAILED'],
    ['tencent', TENCENT_RECEIPT_REASONS, 'NOROUTER', 'ROUTE_FAILED'],
    ['tencent', TENCENT_RECEIPT_REASONS, 'MK:0002', 'ROUTE_FAILED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'IS_CLOSE', 'ROUTE_FAILED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'NO_ROUTE', 'ROUTE_FAILED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'SP_UNKNOWN_ERROR', 'ROUTE_FAILED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'MOBILE_ACCOUNT_ABNORMAL', 'ROUTE_FAILED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'USER_REJECT', 'UNSUBSCRIBED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'MOBILE_IN_BLACK', 'BLACKLISTED'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'MOBILE_SEND_LIMIT', 'FREQUENCY_CAP'],
    ['aliyun', ALIYUN_RECEIPT_REASONS, 'MOBILE_NOT_ON_SERVICE', 'INVALID_RECEIVER'],
    ['tencent', TENCENT_RECEIPT_REASONS, 'DB:0144', 'BLACKLISTED'],
    ['tencent', TENCENT_RECEIPT_REASONS, 'MK:0001', 'INVALID_RECEIVER'],
  ];
  it.each(cases)('%s %s → %s', (_provider, table, code, reason) => {
    expect(receiptReason(table, code)).toBe(reason);
    expect(REROUTABLE_REASONS.has(receiptReason(table, code))).toBe(reason === 'ROUTE_FAILED');
  });

  it('never re-routes an unsubscribe, a blacklist, an invalid number or a frequency limit', () => {
    for (const reason of ['UNSUBSCRIBED', 'BLACKLISTED', 'INVALID_RECEIVER', 'FREQUENCY_CAP'] as const) expect(REROUTABLE_REASONS.has(reason)).toBe(false);
  });
});

describe('template variables', () => {
  const base: OutgoingMessage = {
    sendId: 's', reference: 's', receiver: '+8613800138000', content: '', subject: null, vendorTemplateId: null, variables: { name: 'Li', order: 'A-1' },
  };

  it('Tencent: the id names the variables of {1}, {2}, … in order', () => {
    expect(tencentTemplate({ ...base, vendorTemplateId: '1234567:order, name' })).toEqual({ templateId: '1234567', params: ['A-1', 'Li'] });
    expect(tencentTemplate({ ...base, vendorTemplateId: '1234567' })).toEqual({ templateId: '1234567', params: [] });
    expect(() => tencentTemplate({ ...base, vendorTemplateId: '1234567:name,code' })).toThrow(/code/);
  });

  it('Aliyun: mainland numbers without +86, others without +', () => {
    expect(aliyunPhoneNumber('+8613800138000')).toBe('13800138000');
    expect(aliyunPhoneNumber('+85291234567')).toBe('85291234567');
  });
});

describe('account config and secrets', () => {
  it('Tencent: defaults region and endpoint; refuses a non-numeric SdkAppId and a non-HTTP endpoint', () => {
    expect(tencentSmsAdapter.configSchema.parse({ smsSdkAppId: '1400006666', signName: 'Herald' }))
      .toEqual({ smsSdkAppId: '1400006666', signName: 'Herald', region: 'ap-guangzhou', endpoint: 'https://sms.tencentcloudapi.com' });
    expect(tencentSmsAdapter.configSchema.safeParse({ smsSdkAppId: 'app', signName: 'Herald' }).success).toBe(false);
    expect(tencentSmsAdapter.configSchema.safeParse({ smsSdkAppId: '1', signName: 'H', endpoint: 'ftp://x' }).success).toBe(false);
    expect(tencentSmsAdapter.secretsSchema.safeParse({ secretId: 'AKID' }).success).toBe(false);
  });

  it('Aliyun: defaults the endpoint; needs a signature name and both AccessKey parts', () => {
    expect(aliyunSmsAdapter.configSchema.parse({ signName: 'Herald' })).toEqual({ signName: 'Herald', endpoint: 'https://dysmsapi.aliyuncs.com' });
    expect(aliyunSmsAdapter.configSchema.safeParse({}).success).toBe(false);
    expect(aliyunSmsAdapter.secretsSchema.safeParse({ accessKeyId: 'LTAI' }).success).toBe(false);
  });
});

describe('receipt pushes in the vendors\' documented formats', () => {
  /** The account the push came to (Tencent and Aliyun read nothing of it). */
  const pushTarget: VendorAccount = { id: 'acct-push', name: 'push', provider: 'tencent', channel: 'SMS', config: {}, secrets: {} };

  it('Tencent callback (JSON array; Beijing time)', () => {
    const body = [
      { user_receive_time: '2015-10-17 08:03:04', nationcode: '86', mobile: '13800138000', report_status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功', sid: 'x1' },
      { user_receive_time: '2015-10-17 08:03:05', nationcode: '86', mobile: '13800138001', report_status: 'FAIL', errmsg: 'MK:0001', description: '用户短信送达失败', sid: 'x2' },
    ];
    expect(tencentSmsAdapter.parsePushedReceipts!(body, pushTarget)).toEqual([
      { vendorMessageId: 'x1', reference: null, receiver: '+8613800138000', status: 'DELIVERED', reason: null, vendorCode: 'DELIVRD', vendorText: '用户短信送达成功', deliveredAt: new Date('2015-10-17T00:03:04Z') },
      { vendorMessageId: 'x2', reference: null, receiver: '+8613800138001', status: 'UNDELIVERED', reason: 'INVALID_RECEIVER', vendorCode: 'MK:0001', vendorText: '用户短信送达失败', deliveredAt: null },
    ]);
    expect(tencentSmsAdapter.pushAnswer).toEqual({ result: 0, errmsg: 'OK' });
    expect(() => tencentSmsAdapter.parsePushedReceipts!({ sid: 'not an array' }, pushTarget)).toThrow();
  });

  it('Aliyun SmsReport (JSON array; Beijing time)', () => {
    const body = [
      { phone_number: '13800138000', send_time: '2017-01-01 00:00:00', report_time: '2017-01-01 00:00:05', success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: '12345^0', out_id: 'send-1' },
      { phone_number: '13800138001', send_time: '2017-01-01 00:00:00', report_time: '2017-01-01 00:00:05', success: false, err_code: 'USER_REJECT', err_msg: '用户拒收', sms_size: '1', biz_id: '12346^0', out_id: 'send-2' },
    ];
    expect(aliyunSmsAdapter.parsePushedReceipts!(body, pushTarget)).toEqual([
      { vendorMessageId: '12345^0', reference: 'send-1', receiver: '+8613800138000', status: 'DELIVERED', reason: null, vendorCode: 'DELIVERED', vendorText: '用户接收成功', deliveredAt: new Date('2016-12-31T16:00:05Z') },
      { vendorMessageId: '12346^0', reference: 'send-2', receiver: '+8613800138001', status: 'UNDELIVERED', reason: 'UNSUBSCRIBED', vendorCode: 'USER_REJECT', vendorText: '用户拒收', deliveredAt: null },
    ]);
    expect(aliyunSmsAdapter.pushAnswer).toEqual({ code: 0, msg: '成功' });
    expect(() => aliyunSmsAdapter.parsePushedReceipts!([{ phone_number: '1', success: 'yes' }], pushTarget)).toThrow();
  });
});
