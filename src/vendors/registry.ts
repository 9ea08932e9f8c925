import type { VendorAdapter, VendorRegistry } from './types';
import { sandboxAdapter } from './sandbox';

/** Every provider Herald can send through, by provider name. */
export function createVendorRegistry(adapters: VendorAdapter[] = [sandboxAdapter]): VendorRegistry {
  return new Map(adapters.map((adapter) => [adapter.provider, adapter]));
}
