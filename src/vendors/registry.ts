import type { VendorAdapter, VendorRegistry } from './types';
import { aliyunSmsAdapter } from './aliyun-sms';
import { dingtalkAdapter } from './chat/dingtalk';
import { feishuAdapter } from './chat/feishu';
import { wecomAdapter } from './chat/wecom';
import { httpGatewayAdapter } from './http-gateway/adapter';
import { sandboxAdapter } from './sandbox';
import { createSmtpAdapter } from './smtp';
import { tencentSmsAdapter } from './tencent-sms';

/** Every provider Herald can send through, by provider name. */
export function createVendorRegistry(
  adapters: VendorAdapter[] = [
    sandboxAdapter,
    tencentSmsAdapter,
    aliyunSmsAdapter,
    httpGatewayAdapter,
    createSmtpAdapter(),
    dingtalkAdapter,
    feishuAdapter,
    wecomAdapter,
  ],
): VendorRegistry {
  return new Map(adapters.map((adapter) => [adapter.provider, adapter]));
}

/** Closes what the adapters keep open (SMTP pools); sends still running finish first. */
export function closeVendors(registry: VendorRegistry): void {
  for (const adapter of registry.values()) adapter.close?.();
}
