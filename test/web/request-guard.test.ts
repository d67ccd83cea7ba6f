import { strict as assert } from 'node:assert';
import { allowedHostsOf, checkRead, checkWrite, TOKEN_HEADER, type GuardConfig, type RequestHeaders } from '../../src/web/request-guard.ts';

const TOKEN = 'a-token-of-some-length-1234567890';
const LOOPBACK: GuardConfig = { token: TOKEN, allowedHosts: allowedHostsOf('127.0.0.1', 8006), isLoopback: true };
const EXPOSED: GuardConfig = { token: TOKEN, allowedHosts: allowedHostsOf('10.0.0.1', 8006), isLoopback: false };
const WRITE: RequestHeaders = { host: '127.0.0.1:8006', 'content-type': 'application/json', [TOKEN_HEADER]: TOKEN, origin: 'http://127.0.0.1:8006', 'sec-fetch-site': 'same-origin' };

function refusal(verdict: { ok: boolean; message?: string }): string {
  assert.equal(verdict.ok, false, 'refused');
  return (verdict as { message: string }).message;
}

describe('web: request guard (token, cross-site, Host)', () => {
  it('loopback: reads need no token; a foreign Host (DNS rebinding) is refused', () => {
    assert.equal(checkRead({ host: 'localhost:8006' }, LOOPBACK).ok, true);
    assert.match(refusal(checkRead({ host: 'evil.example:8006' }, LOOPBACK)), /Host "evil.example:8006" does not name this console/);
    assert.match(refusal(checkRead({}, LOOPBACK)), /no Host header/);
  });

  it('non-loopback: reads need the token, any Host', () => {
    assert.match(refusal(checkRead({ host: 'node1:8006' }, EXPOSED)), /needs the console's token/);
    assert.match(refusal(checkRead({ host: 'node1:8006', [TOKEN_HEADER]: 'wrong-token-wrong-token' }, EXPOSED)), /wrong token/);
    assert.equal(checkRead({ host: 'node1:8006', [TOKEN_HEADER]: TOKEN }, EXPOSED).ok, true);
  });

  it('a write with token, JSON, same origin passes', () => {
    assert.equal(checkWrite(WRITE, LOOPBACK).ok, true);
    const { origin: _origin, 'sec-fetch-site': _site, ...fromCurl } = WRITE;
    assert.equal(checkWrite(fromCurl, LOOPBACK).ok, true, 'a script without Origin and Sec-Fetch-Site (curl) passes with the token');
  });

  it('a write without the token, or with a wrong one, is refused', () => {
    const { [TOKEN_HEADER]: _token, ...without } = WRITE;
    assert.match(refusal(checkWrite(without, LOOPBACK)), /needs the console's token in the x-ha-manager-token header/);
    assert.match(refusal(checkWrite({ ...WRITE, [TOKEN_HEADER]: `${TOKEN}x` }, LOOPBACK)), /wrong token/);
  });

  it('a cross-site write is refused even with the token: Origin, Sec-Fetch-Site, a form content type', () => {
    assert.match(refusal(checkWrite({ ...WRITE, origin: 'http://evil.example' }, LOOPBACK)), /cross-site request \(Origin http:\/\/evil.example/);
    assert.match(refusal(checkWrite({ ...WRITE, 'sec-fetch-site': 'cross-site' }, LOOPBACK)), /Sec-Fetch-Site: cross-site/);
    assert.match(refusal(checkWrite({ ...WRITE, 'sec-fetch-site': 'same-site' }, LOOPBACK)), /Sec-Fetch-Site: same-site/);
    assert.match(refusal(checkWrite({ ...WRITE, 'content-type': 'application/x-www-form-urlencoded' }, LOOPBACK)), /Content-Type application\/json/);
    assert.match(refusal(checkWrite({ ...WRITE, 'content-type': 'text/plain' }, LOOPBACK)), /Content-Type application\/json/);
  });

  it('the Host values of a loopback listener name it in every spelling; a non-loopback one takes any', () => {
    assert.deepEqual([...(allowedHostsOf('127.0.0.1', 80) ?? [])].sort(), ['127.0.0.1:80', '[::1]:80', 'localhost:80']);
    assert.ok(allowedHostsOf('::1', 80)?.has('[::1]:80'));
    assert.equal(allowedHostsOf('0.0.0.0', 80), null);
  });
});
