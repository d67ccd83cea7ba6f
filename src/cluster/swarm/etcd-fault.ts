import type { EtcdLocalStore } from '../etcd-local-store.ts';
import type { EtcdMember } from '../etcd-members.ts';
import type { EtcdFault } from './swarm-plan.ts';

/**
 * One fault of the swarm's etcd (./swarm-plan.ts EtcdFault), from its injection to its undo: a member
 * killed and started again, the leader killed and started again, a member SIGSTOPped and continued, or
 * a majority killed and started again together. `held` resolves when the fault is to end: its length,
 * or earlier when the faults stop. Returns the line for the progress output.
 */
export async function runEtcdFault(etcd: EtcdLocalStore, fault: EtcdFault, held: (durationMs: number) => Promise<void>): Promise<string> {
  const member = etcd.members[fault.member];
  if (member === undefined) throw new Error(`etcd member m${fault.member} does not exist (${etcd.members.length} members)`);
  switch (fault.kind) {
    case 'etcd-kill':
      return killFor(etcd, member, fault.durationMs, held);
    case 'etcd-leader': {
      const leader = await etcd.leader();
      if (leader === undefined) return 'no member leads now: nothing killed';
      return killFor(etcd, leader, fault.durationMs, held);
    }
    case 'etcd-pause': {
      if (member.process === undefined) return `${member.name} is not running: nothing paused`;
      etcd.pauseMember(member);
      await held(fault.durationMs);
      etcd.resumeMember(member);
      return `SIGCONT to ${member.name}`;
    }
    case 'etcd-majority': {
      const down = await etcd.stopMajority();
      await held(fault.durationMs);
      const startMs = Date.now();
      await etcd.startMembers(down);
      return `${names(down)} started again, healthy ${((Date.now() - startMs) / 1000).toFixed(1)} s later`;
    }
  }
}

async function killFor(etcd: EtcdLocalStore, member: EtcdMember, durationMs: number, held: (durationMs: number) => Promise<void>): Promise<string> {
  if (member.process === undefined) return `${member.name} is not running: nothing killed`;
  await etcd.killMember(member);
  await held(durationMs);
  const startMs = Date.now();
  await etcd.restartMember(member);
  return `${member.name} started again, healthy ${((Date.now() - startMs) / 1000).toFixed(1)} s later`;
}

function names(members: readonly EtcdMember[]): string {
  return members.map((member) => member.name).join(' and ');
}
