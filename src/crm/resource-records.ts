import type { ResourceConfig } from '../common/ha-config.ts';
import type { RequestedState } from '../common/states.ts';

export interface ResourcePatch {
  readonly node?: string;
  readonly state?: RequestedState;
}

export interface ResourceUpdate {
  readonly sid: string;
  readonly patch: ResourcePatch;
}

/**
 * What the master records in resources.cfg: the node it decided for a service (after a move or a
 * recovery) and `stopped` after a stop command. Only the master records where a service is (DESIGN.md
 * "Shared directory"); the environment writes the update under the config lock, and may fail to (the
 * store unreachable, the lock not had in time), or take longer than a round.
 *
 * So a recorded node stays *unconfirmed* until the config read at the start of a round shows it, and
 * is asked for again every round until then; meanwhile the master's own reads of the service's config
 * see the node it recorded (else a `stopped` service would be "fixed up" back to the old node). A node
 * the config shows, or a service no longer configured, is done with. Requested states are the
 * operator's, asked for once: asking again could undo an edit the operator made since.
 */
export class ResourceRecords {
  private readonly unconfirmedNodes = new Map<string, string>();
  private updates: ResourceUpdate[] = [];

  /** Starts a round with the config just read: drops what it shows, asks again for the rest. */
  startRound(resources: Readonly<Record<string, ResourceConfig>>): void {
    this.updates = [];
    for (const [sid, node] of this.unconfirmedNodes) {
      const configured = resources[sid]?.node;
      if (configured === undefined || configured === node) this.unconfirmedNodes.delete(sid);
      else this.updates.push({ sid, patch: { node } });
    }
  }

  record(sid: string, patch: ResourcePatch): void {
    if (patch.node !== undefined) this.unconfirmedNodes.set(sid, patch.node);
    this.updates.push({ sid, patch });
  }

  /** The service's config as the master has it: the node it recorded, until the config shows it. */
  resource(resources: Readonly<Record<string, ResourceConfig>>, sid: string): ResourceConfig | undefined {
    const resource = resources[sid];
    if (this.unconfirmedNodes.size === 0 || resource === undefined) return resource;
    const node = this.unconfirmedNodes.get(sid);
    return node === undefined ? resource : { ...resource, node };
  }

  /** The updates of this round, for the environment to write. */
  roundUpdates(): readonly ResourceUpdate[] {
    return this.updates;
  }

  unconfirmedCount(): number {
    return this.unconfirmedNodes.size;
  }
}
