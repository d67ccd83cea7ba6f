/** The state vocabularies of ha-manager, as data, each with a sentence that says what it means. */

export const SERVICE_STATES = [
  'request_start',
  'request_start_balance',
  'started',
  'request_stop',
  'stopped',
  'migrate',
  'relocate',
  'fence',
  'recovery',
  'freeze',
  'error',
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export const SERVICE_STATE_DESCRIPTIONS: Record<ServiceState, string> = {
  request_start: 'the service is to start; the master may first pick a better node for it',
  request_start_balance: 'the service is being moved to a better node before its first start',
  started: 'the service should run on its node; the LRM there keeps it running',
  request_stop: 'the service is to stop; waiting for its LRM to report the stop',
  stopped: 'the service is stopped on its node',
  migrate: 'the service is moving online (live) to its target node',
  relocate: 'the service is moving offline (stop, move, start) to its target node',
  fence: 'the node of the service is lost; waiting until the master holds its agent lease',
  recovery: 'the node was fenced; the master looks for a node to run the service on',
  freeze: 'the LRM of its node is restarting; the service is left exactly as it is',
  error: 'the master gave up on the service; set it to disabled to clear the error',
};

export const NODE_STATES = ['online', 'unknown', 'fence', 'gone', 'maintenance'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export const NODE_STATE_DESCRIPTIONS: Record<NodeState, string> = {
  online: 'a cluster member the master can place services on',
  unknown: 'not a cluster member right now; fenced if its services stay unreachable',
  fence: 'lost; the master is taking its agent lease so its services can be recovered',
  gone: 'removed from the cluster membership list; forgotten after an hour',
  maintenance: 'in maintenance: its services are moved away and return when it leaves',
};

export const CRM_STATES = ['wait_for_quorum', 'slave', 'master', 'lost_manager_lock'] as const;
export type CrmState = (typeof CRM_STATES)[number];

export const CRM_STATE_DESCRIPTIONS: Record<CrmState, string> = {
  wait_for_quorum: 'idle: no quorum, or nothing for a master to do',
  slave: 'ready to take over when the manager lease becomes free',
  master: 'holds the manager lease and runs the manager round; watchdog armed',
  lost_manager_lock: 'was master and failed to renew the manager lease',
};

export const LRM_STATES = ['wait_for_agent_lock', 'active', 'maintenance', 'lost_agent_lock'] as const;
export type LrmState = (typeof LRM_STATES)[number];

export const LRM_STATE_DESCRIPTIONS: Record<LrmState, string> = {
  wait_for_agent_lock: 'idle: no services to run, or waiting for its agent lease',
  active: 'holds its agent lease and runs its services; watchdog armed',
  maintenance: 'holds its agent lease until its services have moved away',
  lost_agent_lock: 'failed to renew its agent lease; the watchdog will reset the node',
};

export const LRM_MODES = ['active', 'maintenance', 'restart', 'shutdown', 'disarm'] as const;
export type LrmMode = (typeof LRM_MODES)[number];

export const LRM_MODE_DESCRIPTIONS: Record<LrmMode, string> = {
  active: 'normal operation',
  maintenance: 'the node is being emptied (maintenance request or migrate shutdown policy)',
  restart: 'the LRM restarts or the node reboots with its services frozen in place',
  shutdown: 'the node shuts down; its services are stopped and recovered elsewhere',
  disarm: 'the HA stack is disarmed: the LRM gives up its agent lease and watchdog and acts on nothing',
};

/** How services are held while the HA stack is disarmed (`crm-command disarm-ha <mode>`). */
export const DISARM_MODES = ['freeze', 'ignore'] as const;
export type DisarmMode = (typeof DISARM_MODES)[number];

export const DISARM_MODE_DESCRIPTIONS: Record<DisarmMode, string> = {
  freeze: 'every service is frozen where it is until the stack is armed again',
  ignore: 'services keep their states but are not tracked: nothing is started, stopped or moved',
};

/** Where a disarm request stands; without one the stack is armed. */
export const DISARM_STATES = ['disarming', 'disarmed'] as const;
export type DisarmState = (typeof DISARM_STATES)[number];

export const DISARM_STATE_DESCRIPTIONS: Record<DisarmState, string> = {
  disarming: 'requested: waiting for fences, recoveries and moves to end and for every online LRM to let go',
  disarmed: 'every online LRM has released its agent lease and watchdog; nothing is fenced or recovered',
};

/** What an operator asks a service to be (resources.cfg `state`). */
export const REQUESTED_STATES = ['started', 'stopped', 'disabled', 'ignored'] as const;
export type RequestedState = (typeof REQUESTED_STATES)[number];

export const SHUTDOWN_POLICIES = ['conditional', 'freeze', 'failover', 'migrate'] as const;
export type ShutdownPolicy = (typeof SHUTDOWN_POLICIES)[number];

export const PLACEMENT_MODES = ['basic', 'static', 'dynamic'] as const;
export type PlacementMode = (typeof PLACEMENT_MODES)[number];

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
