import { readdirSync, readFileSync } from 'node:fs';
import { AssertionError } from '../common/assert.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import { lrmStatusToJson, parseLrmStatusJson } from '../common/lrm-status-json.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import { managerStatusToJson, parseManagerStatusJson } from '../common/manager-status-json.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { fencedRecordToJson, parseFencedRecordJson, type FencedRecord } from './fenced-record.ts';
import { isValidNodeName } from '../common/node-name.ts';
import { assertNodeName } from './lease-store.ts';
import { sharedPaths, type SharedPaths } from './shared-dir.ts';
import { assertReadsBack, type StatusRead, type StatusStore, type StatusUnavailable, type StatusWrite } from './status-store.ts';

/** The status files of the shared directory (docs/shared-dir.md "Status files"). */
export class DirStatusStore implements StatusStore {
  private readonly paths: SharedPaths;

  constructor(root: string) {
    this.paths = sharedPaths(root);
  }

  readManagerStatus(): StatusRead<ManagerStatus> {
    return readJsonFile(this.paths.managerStatus, parseManagerStatusJson);
  }

  writeManagerStatus(status: ManagerStatus): StatusWrite {
    const file = this.paths.managerStatus;
    return writeJsonFile(file, managerStatusToJson(status), parseManagerStatusJson);
  }

  readLrmStatus(node: string): StatusRead<LrmStatus> {
    assertNodeName(node);
    return readJsonFile(this.paths.lrmStatus(node), parseLrmStatusJson);
  }

  writeLrmStatus(node: string, status: LrmStatus): StatusWrite {
    assertNodeName(node);
    return writeJsonFile(this.paths.lrmStatus(node), lrmStatusToJson(status), parseLrmStatusJson);
  }

  listLrmStatusNodes(): readonly string[] | StatusUnavailable {
    const dir = this.paths.lrmStatusDir;
    try {
      return readdirSync(dir)
        .filter((entry) => entry.endsWith('.json'))
        .map((entry) => entry.slice(0, -'.json'.length))
        .filter(isValidNodeName)
        .sort();
    } catch (error) {
      return unavailable(dir, 'list', error);
    }
  }

  readFencedRecord(node: string): StatusRead<FencedRecord> {
    assertNodeName(node);
    const file = this.paths.fenced(node);
    const read = readJsonFile(file, parseFencedRecordJson);
    if (read.kind === 'ok' && read.value.node !== node) {
      return { kind: 'corrupt', file, message: `${file}: Record names node '${read.value.node}', not '${node}'` };
    }
    return read;
  }

  writeFencedRecord(record: FencedRecord): StatusWrite {
    assertNodeName(record.node);
    return writeJsonFile(this.paths.fenced(record.node), fencedRecordToJson(record), parseFencedRecordJson);
  }
}

type Parse<T> = (json: unknown, file: string) => T;

function readJsonFile<T>(file: string, parse: Parse<T>): StatusRead<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'missing', file };
    return unavailable(file, 'read', error);
  }
  try {
    return { kind: 'ok', value: parse(JSON.parse(text), file) };
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    return { kind: 'corrupt', file, message: `${file}: ${messageWithoutFile(error, file)}` };
  }
}

/** Writes `json` atomically after checking that it reads back: a status we cannot read is a bug. */
function writeJsonFile<T>(file: string, json: Record<string, unknown>, parse: Parse<T>): StatusWrite {
  const text = `${JSON.stringify(json, null, 1)}\n`;
  assertReadsBack(file, text, parse);
  try {
    writeFileAtomic(file, text);
    return { kind: 'written' };
  } catch (error) {
    return unavailable(file, 'write', error);
  }
}

function unavailable(file: string, action: string, error: unknown): StatusUnavailable {
  const code = errnoOf(error);
  if (code === undefined) throw error;
  return { kind: 'unavailable', file, message: `Cannot ${action} ${file}: ${code}` };
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The parsers already prefix their messages with the file; JSON.parse does not. */
function messageWithoutFile(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}
