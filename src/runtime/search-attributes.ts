import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../shared/contract';

const INDEXED_TYPE = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

type HeraldSearchAttributeKey = (typeof searchAttributes)[keyof typeof searchAttributes];

/** Registers Herald's search attributes on a namespace of an existing Temporal server; existing ones are kept. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.values(searchAttributes).filter((key) => !known.has(key.name));
  if (missing.length > 0) await addSearchAttributes(connection, namespace, missing);
}

/** Adds the given keys (all of Herald's by default) without looking first: for servers that cannot list them. */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: HeraldSearchAttributeKey[] = Object.values(searchAttributes),
): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(keys.map((key) => [key.name, INDEXED_TYPE[key.type]])),
  });
}
