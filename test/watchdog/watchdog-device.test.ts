import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOpenError, openWatchdogDevice, WatchdogDeviceError } from '../../src/watchdog/watchdog-device.ts';
import { loadWatchdogIoctl, type WatchdogIoctl } from '../../src/watchdog/watchdog-ioctl.ts';

function errnoError(code: string): Error {
  return Object.assign(new Error(`ioctl failed: ${code}`), { code });
}

function stubIoctl(answers: { set?: () => number; getS: number }): WatchdogIoctl & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    setTimeout: (_fd, seconds) => {
      calls.push(`set ${seconds}`);
      return answers.set ? answers.set() : seconds;
    },
    getTimeout: () => {
      calls.push('get');
      return answers.getS;
    },
    keepalive: () => 0,
  };
}

describe('watchdog/watchdog-device', () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  let dir: string;
  beforeEach(() => {
    lines.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'ha-device-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the ioctl addon is built and WDIOC_SETTIMEOUT on a non-watchdog fd fails with ENOTTY', () => {
    const ioctl = loadWatchdogIoctl();
    const fd = openSync('/dev/null', 'w');
    try {
      assert.throws(() => ioctl.setTimeout(fd, 10), { code: 'ENOTTY', message: /WDIOC_SETTIMEOUT failed/ });
      assert.throws(() => ioctl.getTimeout(fd), { code: 'ENOTTY' });
      assert.throws(() => ioctl.keepalive(fd), { code: 'ENOTTY' });
    } finally {
      closeSync(fd);
    }
  });

  it('a character device that refuses the watchdog ioctls is a clear error (real addon)', () => {
    assert.throws(() => openWatchdogDevice({ path: '/dev/null', isEmulated: false, timeoutS: 10, log }), {
      name: 'WatchdogDeviceError',
      message: 'Watchdog device /dev/null refused WDIOC_SETTIMEOUT with ENOTTY: it is not a watchdog device (an emulated one needs --emulated)',
    });
  });

  it('a missing device, a plain file and a FIFO without --emulated are clear errors', () => {
    assert.throws(() => openWatchdogDevice({ path: join(dir, 'none'), isEmulated: false, timeoutS: 10, log }), /Watchdog device .*none does not exist/);
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => openWatchdogDevice({ path: join(dir, 'file'), isEmulated: false, timeoutS: 10, log }), /is not a character device/);
    assert.throws(() => openWatchdogDevice({ path: '/dev/null', isEmulated: true, timeoutS: 10, log }), /Emulated watchdog device \/dev\/null is not a FIFO/);
  });

  it('explains EBUSY, EACCES and ENXIO on open', () => {
    assert.equal(describeOpenError('/dev/watchdog0', 'EBUSY'), 'Watchdog device /dev/watchdog0 is held by another process (EBUSY): is another ha-watchdog-mux or a watchdog daemon running?');
    assert.match(describeOpenError('/dev/watchdog', 'EACCES'), /must run as root/);
    assert.match(describeOpenError('/x', 'ENXIO'), /no emulator reading it/);
  });

  it('sets the timeout and reads it back', () => {
    const ioctl = stubIoctl({ getS: 10 });
    const device = openWatchdogDevice({ path: '/dev/null', isEmulated: false, timeoutS: 10, log, ioctl });
    assert.deepEqual(ioctl.calls, ['set 10', 'get']);
    assert.equal(device.timeoutS, 10);
    device.keepalive();
    device.magicClose();
    assert.throws(() => device.keepalive(), /is closed/);
  });

  it('keeps a driver timeout it cannot set when it is not longer than wanted, and says so', () => {
    const ioctl = stubIoctl({ set: () => { throw errnoError('EOPNOTSUPP'); }, getS: 8 });
    const device = openWatchdogDevice({ path: '/dev/null', isEmulated: false, timeoutS: 10, log, ioctl });
    assert.equal(device.timeoutS, 8);
    assert.ok(lines.some((line) => /does not allow a timeout of 10 s \(EOPNOTSUPP\)/.test(line)), lines.join('\n'));
    device.closeArmed();
  });

  it('refuses a device whose timeout stays longer than wanted, or fails otherwise', () => {
    const longer = stubIoctl({ set: () => { throw errnoError('EINVAL'); }, getS: 60 });
    assert.throws(() => openWatchdogDevice({ path: '/dev/null', isEmulated: false, timeoutS: 10, log, ioctl: longer }), /timeout is 60 s, above the wanted 10 s/);
    const broken = stubIoctl({ set: () => { throw errnoError('EIO'); }, getS: 10 });
    assert.throws(() => openWatchdogDevice({ path: '/dev/null', isEmulated: false, timeoutS: 10, log, ioctl: broken }), {
      message: 'Watchdog device /dev/null refused WDIOC_SETTIMEOUT 10 s: EIO',
    });
  });

  describe('emulated (a FIFO)', () => {
    let fifo: string;
    let readerFd: number;
    beforeEach(() => {
      fifo = join(dir, 'watchdog');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      readerFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    });
    afterEach(() => closeSync(readerFd));

    function drain(): string {
      const buffer = Buffer.alloc(64);
      try {
        return buffer.subarray(0, readSync(readerFd, buffer, 0, 64, null)).toString();
      } catch {
        return '';
      }
    }

    it('warns loudly, writes keepalives and V, and holds the device against a second opener', () => {
      const device = openWatchdogDevice({ path: fifo, isEmulated: true, timeoutS: 10, log });
      assert.ok(lines.some((line) => line.startsWith('WARNING: EMULATED watchdog device')));
      assert.equal(device.timeoutS, undefined);
      assert.throws(() => openWatchdogDevice({ path: fifo, isEmulated: true, timeoutS: 10, log }), {
        name: 'WatchdogDeviceError',
        message: new RegExp(`is held by another process \\(EBUSY\\).*pid ${process.pid}`),
      });
      device.keepalive();
      device.keepalive();
      device.magicClose();
      assert.equal(drain(), 'kkV');
      assert.equal(existsSync(`${fifo}.holder`), false);
      openWatchdogDevice({ path: fifo, isEmulated: true, timeoutS: 10, log }).closeArmed();
    });

    it('takes over the holder file of a process that is gone', async () => {
      const child: ChildProcess = spawn('sleep', ['0']);
      await new Promise((resolve) => child.once('exit', resolve));
      writeFileSync(`${fifo}.holder`, `${child.pid} 12345\n`);
      const device = openWatchdogDevice({ path: fifo, isEmulated: true, timeoutS: 10, log });
      assert.match(readFileSync(`${fifo}.holder`, 'utf8'), new RegExp(`^${process.pid} `));
      device.closeArmed();
    });

    it('without a reader the FIFO is a clear error and leaves no holder file', () => {
      closeSync(readerFd);
      readerFd = openSync('/dev/null', 'r');
      assert.throws(() => openWatchdogDevice({ path: fifo, isEmulated: true, timeoutS: 10, log }), (error: Error) => error instanceof WatchdogDeviceError && /ENXIO/.test(error.message));
      assert.equal(existsSync(`${fifo}.holder`), false);
    });
  });
});
