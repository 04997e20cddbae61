/**
 * The items a window shows, and the rule that settles conflicting changes:
 * the later version wins. A change older than what the window holds (a late
 * answer, an update to an item since deleted) is ignored, so windows that
 * see the same changes in any order end up the same.
 */
import type { Change, Item } from './api.js';

/** Deleted items remembered (by their delete's version) so that a late update cannot bring one back. */
const MAX_TOMBSTONES = 1000;

export class TodoModel {
  readonly items = new Map<string, Item>();
  readonly #tombstones = new Map<string, number>();

  /** The list as the server has it now. */
  replace(items: Item[]): void {
    this.items.clear();
    this.#tombstones.clear();
    for (const item of items) this.items.set(item.id, item);
  }

  /** Applies a change; returns whether the window must show something new. */
  apply(change: Change): boolean {
    const { item } = change;
    const held = this.items.get(item.id)?.version ?? this.#tombstones.get(item.id) ?? 0;
    if (item.version <= held) return false;
    if (change.type === 'deleted') {
      this.items.delete(item.id);
      this.#tombstones.set(item.id, item.version);
      if (this.#tombstones.size > MAX_TOMBSTONES) this.#tombstones.delete(this.#tombstones.keys().next().value!);
    } else {
      this.items.set(item.id, item);
    }
    return true;
  }

  /** In creation order (ids are a list's counter). */
  sorted(): Item[] {
    return [...this.items.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }
}
