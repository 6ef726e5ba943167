import { describe, expect, it } from '@jest/globals';
import { ChangeLog } from '../src/store/change-log.js';

describe('ChangeLog', () => {
  it('lists each name once, at its latest change, in order, and pages from a position', () => {
    const log = new ChangeLog();
    for (const member of ['a', 'b', 'a', 'c', 'b']) log.record(member);
    expect(log.readAfter(0, 10)).toEqual({
      changes: [
        { member: 'a', position: 3 },
        { member: 'c', position: 4 },
        { member: 'b', position: 5 },
      ],
      more: false,
    });
    expect(log.readAfter(0, 2)).toMatchObject({ changes: [{ member: 'a' }, { member: 'c' }], more: true });
    expect(log.readAfter(4, 10).changes).toEqual([{ member: 'b', position: 5 }]);
    log.forget('c');
    expect(log.readAfter(0, 10).changes.map((change) => change.member)).toEqual(['a', 'b']);
  });

  it('stays correct across compactions of superseded entries', () => {
    const log = new ChangeLog();
    for (let i = 0; i < 20_000; i += 1) log.record(`m${i % 7}`);
    const { changes } = log.readAfter(0, 100);
    expect(changes.map((change) => change.position)).toEqual([
      19_994, 19_995, 19_996, 19_997, 19_998, 19_999, 20_000,
    ]);
    expect(log.readAfter(19_998, 100).changes.map((change) => change.member)).toEqual(['m6', 'm0']);
  });

  it('keeps at most about twice its live entries, and pages right across chunks', () => {
    // Three changes per rating (bucket, subject, event), as the memory store records them.
    const log = new ChangeLog();
    const ratings = 30_000;
    for (let i = 0; i < ratings; i += 1) {
      log.record(`bucket:b${i % 100}`);
      log.record(`subject:s${i % 20}`);
      log.record(`event:e${i}`);
    }
    const live = ratings + 100 + 20;
    expect(log.size).toBeLessThanOrEqual(2 * live + 4096);
    const all: { member: string; position: number }[] = [];
    let since = 0;
    for (;;) {
      const page = log.readAfter(since, 1000);
      all.push(...page.changes);
      if (!page.more) break;
      since = page.changes.at(-1)!.position;
    }
    expect(all).toHaveLength(live);
    expect(new Set(all.map((change) => change.member)).size).toBe(live);
    expect(all.every((change, i) => i === 0 || change.position > all[i - 1]!.position)).toBe(true);
    expect(all.at(-1)).toEqual({ member: `event:e${ratings - 1}`, position: 3 * ratings });
    expect(all.find((change) => change.member === 'subject:s0')?.position).toBe(3 * (ratings - 20) + 2);
  });
});
