import type { VendorAdapter, VendorRegistry } from './types';
import { aliyunSmsAdapter } from './aliyun-sms';
import { sandboxAdapter } from './sandbox';
import { tencentSmsAdapter } from './tencent-sms';

/** Every provider Herald can send through, by provider name. */
export function createVendorRegistry(adapters: VendorAdapter[] = [sandboxAdapter, tencentSmsAdapter, aliyunSmsAdapter]): VendorRegistry {
  return new Map(adapters.map((adapter) => [adapter.provider, adapter]));
}
