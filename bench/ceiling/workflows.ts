import { proxyActivities } from '@temporalio/workflow';
import type { CeilingActivities } from './activities';

const { nothing } = proxyActivities<CeilingActivities>({ startToCloseTimeout: '10 seconds' });

/** The smallest workflow that still does one durable step: Temporal's own cost per send. */
export async function oneActivity(): Promise<void> {
  await nothing();
}
