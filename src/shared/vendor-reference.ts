/**
 * Herald's reference for a send's vendor calls (clientRef, OutId, SessionContext, Message-ID, a robot's
 * message id): the send id on its first run, `<sendId>.<n>` on its n-th. The same on every retry within a
 * run, so a vendor that drops duplicates by reference drops a retried call; a new one for a re-run, which
 * means to send again. A vendor's status query or receipt that carries it leads back to the send.
 */
export function vendorReference(sendId: string, runNo: number): string {
  return runNo === 1 ? sendId : `${sendId}.${runNo}`;
}

const REFERENCE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.(\d+))?$/i;

/** The send and run a reference names; null for anything that is not one of Herald's references. */
export function referenceParts(reference: string): { sendId: string; runNo: number } | null {
  const match = REFERENCE.exec(reference);
  if (!match?.[1]) return null;
  return { sendId: match[1].toLowerCase(), runNo: match[2] === undefined ? 1 : Number(match[2]) };
}
