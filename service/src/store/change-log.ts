/**
 * The memory store's change feed: which names changed, in order of their latest change. Recording is O(1)
 * (an append and a map update; superseded entries are skipped on read and dropped when they outnumber the
 * live ones), reading from a position is a binary search plus the entries returned.
 */
export class ChangeLog {
  private positions: number[] = [];
  private members: string[] = [];
  private readonly latest = new Map<string, number>();
  private position = 0;

  record(member: string): void {
    this.position += 1;
    this.latest.set(member, this.position);
    this.positions.push(this.position);
    this.members.push(member);
    if (this.positions.length > 2 * this.latest.size + 1024) this.compact();
  }

  forget(member: string): void {
    this.latest.delete(member);
  }

  /** Up to `limit` names whose latest change is after `since`, oldest first; `more` when others follow. */
  readAfter(
    since: number,
    limit: number,
  ): { changes: { member: string; position: number }[]; more: boolean } {
    const changes: { member: string; position: number }[] = [];
    for (let i = this.firstIndexAfter(since); i < this.positions.length; i += 1) {
      const member = this.members[i]!;
      const position = this.positions[i]!;
      if (this.latest.get(member) !== position) continue;
      if (changes.length === limit) return { changes, more: true };
      changes.push({ member, position });
    }
    return { changes, more: false };
  }

  private firstIndexAfter(since: number): number {
    let low = 0;
    let high = this.positions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.positions[middle]! <= since) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private compact(): void {
    const live = this.positions.map((position, i) => this.latest.get(this.members[i]!) === position);
    this.positions = this.positions.filter((_, i) => live[i]);
    this.members = this.members.filter((_, i) => live[i]);
  }
}
