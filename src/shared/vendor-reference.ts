/**
 * Herald's reference for a send's vendor calls (clientRef, OutId, SessionContext, Message-ID, a robot's
 * message id): the send id on its first run, `<sendId>.<n>` on its n-th. The same on every retry within a
 * run, so a vendor that drops duplicates by reference drops a retried call; a new one for a re-run, which
 * means to send again. A vendor's status query or receipt that carries it leads back to the send.
 */
export function vendorReference(sendId: string, runNo: number, leg = 1): string {
  const run = runNo === 1 ? sendId : `${sendId}.${runNo}`;
  // A re-route after a failed receipt (src/workflows/reroute.ts) sends again: `.r<k>` on the k-th.
  return leg === 1 ? run : `${run}.r${leg - 1}`;
}

const REFERENCE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.(\d+))?(?:\.r\d+)?$/i;

/** The send and run a reference names; null for anything that is not one of Herald's references. */
export function referenceParts(reference: string): { sendId: string; runNo: number } | null {
  const match = REFERENCE.exec(reference);
  if (!match?.[1]) return null;
  return { sendId: match[1].toLowerCase(), runNo: match[2] === undefined ? 1 : Number(match[2]) };
}
