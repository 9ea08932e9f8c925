import { createVendorOutbound } from '../../src/vendors/outbound/vendor-outbound';

/** What tests call vendors through: the fakes listen on 127.0.0.1, so private destinations are allowed (as outside production). */
export const testOutbound = createVendorOutbound({ allowPrivate: true });
