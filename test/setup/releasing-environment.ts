/**
 * The test environment of every project: Node's, plus one check after each file. A file must release
 * what it opened (sockets, servers, child processes, timers) by the end of its teardown: a jest worker
 * whose last file left one cannot exit, and jest force-exits it with "A worker process has failed to
 * exit gracefully". What the file left, a couple of seconds after its last hook, fails it by name.
 */
import { TestEnvironment } from 'jest-environment-node';

/** The kinds of `process.getActiveResourcesInfo()` a test file opens and must close. */
const RELEASED_KINDS = new Set(['TCPSocketWrap', 'TCPServerWrap', 'PipeServerWrap', 'ProcessWrap', 'UDPWrap', 'Timeout']);
/** How long a closing socket or an ending child process gets before it counts as left open. */
const RELEASE_MS = 2_000;
const POLL_MS = 50;

type ResourceCounts = Map<string, number>;

function releasedKinds(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const kind of process.getActiveResourcesInfo()) if (RELEASED_KINDS.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** What is open now beyond `before`, e.g. ["TCPSocketWrap × 2"]; empty when the file released everything. */
function beyond(before: ResourceCounts): string[] {
  return [...releasedKinds()].filter(([kind, count]) => count > (before.get(kind) ?? 0)).map(([kind, count]) => `${kind} × ${count - (before.get(kind) ?? 0)}`);
}

export default class ReleasingEnvironment extends TestEnvironment {
  private before: ResourceCounts = new Map();

  override async setup(): Promise<void> {
    await super.setup();
    this.before = releasedKinds();
  }

  override async teardown(): Promise<void> {
    const deadline = Date.now() + RELEASE_MS;
    let left = beyond(this.before);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      left = beyond(this.before);
    }
    await super.teardown();
    if (left.length > 0) {
      throw new Error(`the file left open ${left.join(', ')} ${RELEASE_MS} ms after its last hook: close what it opened (a server, a client, a child process, a timer; an unread response body keeps its connection)`);
    }
  }
}
