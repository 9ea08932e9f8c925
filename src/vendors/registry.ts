import type { VendorAdapter, VendorRegistry } from './types';
import { aliyunSmsAdapter } from './aliyun-sms';
import { dingtalkAdapter } from './chat/dingtalk';
import { feishuAdapter } from './chat/feishu';
import { wecomAdapter } from './chat/wecom';
import { httpGatewayAdapter } from './http-gateway/adapter';
import { sandboxAdapter } from './sandbox';
import { smtpAdapter } from './smtp';
import { tencentSmsAdapter } from './tencent-sms';

/** Every provider Herald can send through, by provider name. */
export function createVendorRegistry(
  adapters: VendorAdapter[] = [
    sandboxAdapter,
    tencentSmsAdapter,
    aliyunSmsAdapter,
    httpGatewayAdapter,
    smtpAdapter,
    dingtalkAdapter,
    feishuAdapter,
    wecomAdapter,
  ],
): VendorRegistry {
  return new Map(adapters.map((adapter) => [adapter.provider, adapter]));
}
