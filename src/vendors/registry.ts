import type { VendorAdapter, VendorRegistry } from './types';
import { createAliyunSmsAdapter } from './aliyun-sms';
import { createDingtalkAdapter } from './chat/dingtalk';
import { createFeishuAdapter } from './chat/feishu';
import { createWecomAdapter } from './chat/wecom';
import { createHttpGatewayAdapter } from './http-gateway/adapter';
import type { VendorOutbound } from './outbound/vendor-outbound';
import { createSandboxAdapter } from './sandbox';
import { createSmtpAdapter } from './smtp';
import { createTencentSmsAdapter } from './tencent-sms';
import { createTwilioAdapter, type ReceiptUrlOf } from './twilio/adapter';

/**
 * Every provider Herald can send through, by provider name; each reaches its vendor only through
 * `outbound`. `receiptUrlOf` is each account's receipt URL, for vendors told it with every send (Twilio).
 */
export function createVendorRegistry(outbound: VendorOutbound, receiptUrlOf: ReceiptUrlOf): VendorRegistry {
  const adapters: VendorAdapter[] = [
    createSandboxAdapter(outbound),
    createTencentSmsAdapter(outbound),
    createAliyunSmsAdapter(outbound),
    createHttpGatewayAdapter(outbound),
    createSmtpAdapter(outbound),
    createDingtalkAdapter(outbound),
    createFeishuAdapter(outbound),
    createWecomAdapter(outbound),
    createTwilioAdapter(outbound, receiptUrlOf),
  ];
  return new Map(adapters.map((adapter) => [adapter.provider, adapter]));
}

/** Closes what the adapters keep open (SMTP pools); sends still running finish first. */
export function closeVendors(registry: VendorRegistry): void {
  for (const adapter of registry.values()) adapter.close?.();
}
