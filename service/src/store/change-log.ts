/** Entries per chunk of the log. A compaction rewrites one chunk, so this bounds its pause. */
const CHUNK_SIZE = 4096;

/** A run of log entries in position order; `live` counts those still the latest change of their member. */
interface Chunk {
  positions: number[];
  members: string[];
  live: number;
}

/** A member's latest change: where it is, so recording it again can mark that entry superseded. */
interface Latest {
  position: number;
  chunk: Chunk;
}

/**
 * The memory store's change feed: which names changed, in order of their latest change. Recording is O(1)
 * (an append and a map update); superseded entries are skipped on read and dropped chunk by chunk: when fewer
 * than half of a chunk's entries are live, that chunk alone is rewritten, so no write ever pays for more than
 * one chunk (rewriting the whole log at once stalled a write for 110 ms at 400,000 ratings). Reading from a
 * position is two binary searches plus the entries returned.
 */
export class ChangeLog {
  private readonly chunks: Chunk[] = [];
  private readonly latest = new Map<string, Latest>();
  private position = 0;

  record(member: string): void {
    this.position += 1;
    let tail = this.chunks.at(-1);
    if (tail === undefined || tail.positions.length >= CHUNK_SIZE) {
      tail = { positions: [], members: [], live: 0 };
      this.chunks.push(tail);
    }
    tail.positions.push(this.position);
    tail.members.push(member);
    tail.live += 1;
    const previous = this.latest.get(member);
    if (previous === undefined) {
      this.latest.set(member, { position: this.position, chunk: tail });
      return;
    }
    const superseded = previous.chunk;
    previous.position = this.position;
    previous.chunk = tail;
    this.superseded(superseded);
  }

  forget(member: string): void {
    const previous = this.latest.get(member);
    if (previous === undefined) return;
    this.latest.delete(member);
    this.superseded(previous.chunk);
  }

  /** Up to `limit` names whose latest change is after `since`, oldest first; `more` when others follow. */
  readAfter(
    since: number,
    limit: number,
  ): { changes: { member: string; position: number }[]; more: boolean } {
    const changes: { member: string; position: number }[] = [];
    const chunks = this.chunks;
    // From the first chunk whose last position is after `since`, and in it from the first such entry.
    const firstChunk = firstAfter(chunks.length, (j) => chunks[j]!.positions.at(-1)!, since);
    for (let c = firstChunk; c < chunks.length; c += 1) {
      const { positions, members } = chunks[c]!;
      const first = firstAfter(positions.length, (j) => positions[j]!, since);
      for (let i = first; i < positions.length; i += 1) {
        const member = members[i]!;
        const position = positions[i]!;
        if (this.latest.get(member)?.position !== position) continue;
        if (changes.length === limit) return { changes, more: true };
        changes.push({ member, position });
      }
    }
    return { changes, more: false };
  }

  /** How many entries the log holds, superseded ones included (for tests of its bound). */
  get size(): number {
    return this.chunks.reduce((total, chunk) => total + chunk.positions.length, 0);
  }

  private superseded(chunk: Chunk): void {
    chunk.live -= 1;
    if (chunk.live * 2 < chunk.positions.length) this.compact(chunk);
  }

  /** Keeps a chunk's live entries only; drops the chunk once none is left. */
  private compact(chunk: Chunk): void {
    let kept = 0;
    for (let i = 0; i < chunk.positions.length; i += 1) {
      const member = chunk.members[i]!;
      const position = chunk.positions[i]!;
      if (this.latest.get(member)?.position !== position) continue;
      chunk.positions[kept] = position;
      chunk.members[kept] = member;
      kept += 1;
    }
    chunk.positions.length = kept;
    chunk.members.length = kept;
    chunk.live = kept;
    if (kept === 0) this.chunks.splice(this.chunks.indexOf(chunk), 1);
  }
}

/** Binary search: the first of `count` items, ordered by `positionAt`, whose position is after `since`. */
function firstAfter(count: number, positionAt: (index: number) => number, since: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positionAt(middle) <= since) low = middle + 1;
    else high = middle;
  }
  return low;
}
