import { strict as assert } from 'node:assert';
import { helloLine, parseHello, parseReply, replyLine } from '../../../src/watchdog/core/mux-protocol.ts';

describe('watchdog/core/mux-protocol', () => {
  it('a hello and a reply read back as written', () => {
    const hello = { daemon: 'lrm', timeoutMs: 60_000, pid: 4321, isClaiming: true };
    assert.equal(helloLine(hello), '{"v":2,"daemon":"lrm","timeoutMs":60000,"pid":4321,"claim":true}\n');
    assert.deepEqual(parseHello(helloLine(hello).trim()), hello);
    const claimed = { v: 2 as const, accepted: true as const, claimed: true, keepaliveAgeMs: 0, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 };
    assert.deepEqual(parseReply(replyLine(claimed).trim()), claimed);
    const plain = { v: 2 as const, accepted: true as const, claimed: false, deviceTimeoutMs: 2_000, clientTimeoutMsMax: 300_000 };
    assert.deepEqual(parseReply(replyLine(plain).trim()), plain);
    const refused = { v: 2 as const, accepted: false as const, reason: 'no' };
    assert.deepEqual(parseReply(replyLine(refused).trim()), refused);
  });

  it('names what is wrong with a hello', () => {
    const problem = (line: string) => (parseHello(line) as { problem?: string }).problem;
    assert.match(problem('k') ?? '', /not JSON: "k" \(a client of protocol v1 sends bytes only\)/);
    assert.equal(problem('{"v":1}'), 'hello: protocol version 1, this end speaks 2');
    assert.match(problem('{"v":2,"daemon":"LRM","timeoutMs":1,"pid":1,"claim":false}') ?? '', /daemon must match/);
    assert.equal(problem('{"v":2,"daemon":"lrm","timeoutMs":1.5,"pid":1,"claim":false}'), 'hello: timeoutMs must be a positive integer, got 1.5');
    assert.equal(problem('{"v":2,"daemon":"lrm","timeoutMs":1,"pid":0,"claim":false}'), 'hello: pid must be a positive integer, got 0');
    assert.equal(problem('{"v":2,"daemon":"lrm","timeoutMs":1,"pid":1}'), 'hello: claim must be true or false, got undefined');
    assert.match(problem(`{"v":2,"daemon":"${'a'.repeat(600)}"}`) ?? '', /line of \d+ bytes, limit 512/);
  });

  it('a reply of another version is refused loudly', () => {
    assert.deepEqual(parseReply('{"v":3,"accepted":true}'), { problem: 'reply: protocol version 3, this end speaks 2' });
    assert.deepEqual(parseReply('{"v":2,"accepted":false}'), { problem: 'reply: a refusal without a reason' });
    assert.match((parseReply('{"v":2,"accepted":true,"claimed":true,"deviceTimeoutMs":1,"clientTimeoutMsMax":1}') as { problem: string }).problem, /keepaliveAgeMs/);
  });
});
