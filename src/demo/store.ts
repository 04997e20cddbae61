/**
 * The todo demo's data: named lists of items, in memory, optionally saved to
 * a JSON file after every change (atomic-file.ts). Pure bookkeeping: it
 * knows nothing of HTTP or channels; routes.ts publishes what it returns.
 *
 * Each item carries a version, 1 when created and one more on every
 * change. An update names the version it was made from; if the item has
 * moved on since (another window changed it), the update is refused with
 * the item as it is, so the later version wins everywhere and the page
 * shows which one.
 */
import { z } from 'zod';
import { RequestError } from '../servers/errors.js';

/** Bounds of what a client can make the demo hold (README, `rtbench serve --demo`). */
export const DEMO_LIMITS = {
  lists: 100,
  itemsPerList: 500,
  textLength: 500,
} as const;

const LIST_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const itemSchema = z.object({
  id: z.string().min(1).max(16),
  text: z.string().max(DEMO_LIMITS.textLength),
  done: z.boolean(),
  version: z.number().int().positive(),
  updatedAt: z.number(),
});
const fileSchema = z.object({
  lists: z.record(
    z.string().regex(LIST_NAME),
    z.object({ nextId: z.number().int().positive(), items: z.array(itemSchema).max(DEMO_LIMITS.itemsPerList) }),
  ),
});

export type Item = z.infer<typeof itemSchema>;
export type ChangeType = 'created' | 'updated' | 'deleted';
export interface Change {
  type: ChangeType;
  list: string;
  item: Item;
}

interface List {
  nextId: number;
  items: Map<string, Item>;
}

export function checkListName(name: string): string {
  if (!LIST_NAME.test(name)) {
    throw new RequestError('a list name is 1-64 of A-Z a-z 0-9 _ -', 400, 1008, 'RTB_ERR_BAD_LIST');
  }
  return name;
}

export class TodoStore {
  readonly #lists = new Map<string, List>();

  /** Every list with its item count. */
  lists(): { name: string; items: number }[] {
    return [...this.#lists].map(([name, list]) => ({ name, items: list.items.size }));
  }

  /** The items of a list in creation order; an unknown list is empty (and is not made). */
  items(list: string): Item[] {
    return [...(this.#lists.get(list)?.items.values() ?? [])];
  }

  item(list: string, id: string): Item {
    const item = this.#lists.get(list)?.items.get(id);
    if (!item) throw new RequestError(`no item ${id} in list ${list}`, 404, 1008, 'RTB_ERR_NOT_FOUND');
    return item;
  }

  create(listName: string, fields: { text: string; done?: boolean }): Change {
    const list = this.#listForWriting(listName);
    if (list.items.size >= DEMO_LIMITS.itemsPerList) {
      throw new RequestError(`a list holds at most ${DEMO_LIMITS.itemsPerList} items`, 409, 1008, 'RTB_ERR_LIST_FULL');
    }
    const item: Item = { id: String(list.nextId++), text: fields.text, done: fields.done ?? false, version: 1, updatedAt: Date.now() };
    list.items.set(item.id, item);
    return { type: 'created', list: listName, item };
  }

  /** Applies an edit made from `version`; a stale version is refused with the item as it is now. */
  update(list: string, id: string, edit: { version: number; text?: string; done?: boolean }): Change {
    const current = this.item(list, id);
    if (edit.version !== current.version) throw new VersionConflict(current, edit.version);
    const item: Item = {
      ...current,
      ...(edit.text !== undefined && { text: edit.text }),
      ...(edit.done !== undefined && { done: edit.done }),
      version: current.version + 1,
      updatedAt: Date.now(),
    };
    this.#lists.get(list)!.items.set(id, item);
    return { type: 'updated', list, item };
  }

  /** Deletes an item; the change carries the next version, so a late update of it loses too. */
  delete(listName: string, id: string): Change {
    const current = this.item(listName, id);
    const list = this.#lists.get(listName)!;
    // The list stays, with its next id, so an id is never given twice.
    list.items.delete(id);
    return { type: 'deleted', list: listName, item: { ...current, version: current.version + 1, updatedAt: Date.now() } };
  }

  toJson(): string {
    const lists: Record<string, { nextId: number; items: Item[] }> = {};
    for (const [name, list] of this.#lists) lists[name] = { nextId: list.nextId, items: [...list.items.values()] };
    return `${JSON.stringify({ lists }, null, 1)}\n`;
  }

  /** Loads a saved file's text; throws with the field at fault when it is not one. */
  load(text: string, source: string): void {
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch (error) {
      const detail = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : String(error);
      throw new Error(`${source} is not a todo data file: ${detail}`);
    }
    const lists = Object.entries(parsed.lists);
    if (lists.length > DEMO_LIMITS.lists)
      throw new Error(`${source} holds ${lists.length} lists; the demo keeps at most ${DEMO_LIMITS.lists}`);
    this.#lists.clear();
    for (const [name, list] of lists) this.#lists.set(name, { nextId: list.nextId, items: new Map(list.items.map((i) => [i.id, i])) });
  }

  #listForWriting(name: string): List {
    let list = this.#lists.get(name);
    if (list) return list;
    if (this.#lists.size >= DEMO_LIMITS.lists) {
      throw new RequestError(`the demo holds at most ${DEMO_LIMITS.lists} lists`, 409, 1008, 'RTB_ERR_TOO_MANY_LISTS');
    }
    list = { nextId: 1, items: new Map() };
    this.#lists.set(name, list);
    return list;
  }
}

/** 409 with the winning item, so the page can show it. */
export class VersionConflict extends RequestError {
  constructor(
    readonly item: Item,
    readonly tried: number,
  ) {
    super(`item ${item.id} is at version ${item.version}; the edit was made from version ${tried}`, 409, 1008, 'RTB_ERR_VERSION_CONFLICT');
  }
}
