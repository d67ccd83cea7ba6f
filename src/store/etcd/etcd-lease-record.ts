import type { EtcdKv } from './etcd-wire.ts';

/** The value of a lease key as the lease store reads and writes it (plus display-only `wallMs` and the writer's `write` nonce). */
export interface LeaseRecord {
  readonly generation: number;
  /** Undefined only for a value that does not parse (written by something else than this program). */
  readonly holder: string | undefined;
  readonly counter: number;
  readonly isReleased: boolean;
}

/**
 * A lease key's value. One that does not parse is kept as an unreleased lease of nobody, generation
 * its key's version: it expires like any other, and the next take writes over it. Generations are for
 * proofs and display; the compare-and-set is on the mod revision, so this cannot make a take unsafe.
 */
export function decodeLeaseRecord(kv: EtcdKv): LeaseRecord {
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(kv.value);
    json = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  const generation = json?.generation;
  const counter = json?.counter;
  if (!json || !Number.isSafeInteger(generation) || typeof json.holder !== 'string') {
    return { generation: kv.version, holder: undefined, counter: 0, isReleased: false };
  }
  return {
    generation: generation as number,
    holder: json.holder,
    counter: Number.isSafeInteger(counter) ? (counter as number) : 0,
    isReleased: json.isReleased === true,
  };
}
