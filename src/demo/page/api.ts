/** The demo page's calls to the todo API (src/demo/routes.ts). */

export interface Item {
  id: string;
  text: string;
  done: boolean;
  version: number;
  updatedAt: number;
}

export interface Snapshot {
  list: string;
  channel: string;
  /** The channel's head when the items were read: subscribe from here. */
  seq: number;
  items: Item[];
}

/** A change as published on the list's channel (the envelope's data). */
export interface Change {
  type: 'created' | 'updated' | 'deleted';
  list: string;
  item: Item;
}

/** An answer other than 2xx, with the server's message, code and (on 409) the winning item. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly item: Item | undefined,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, cache: 'no-store' };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.error ?? `HTTP ${response.status}`, answer.code, answer.item);
  return answer as T;
}

const itemsOf = (list: string) => `/api/lists/${encodeURIComponent(list)}/items`;

export const api = {
  list: (list: string) => call<Snapshot>('GET', `/api/lists/${encodeURIComponent(list)}`),
  create: (list: string, text: string) => call<{ item: Item }>('POST', itemsOf(list), { text }),
  update: (list: string, item: Item, edit: { text?: string; done?: boolean }) =>
    call<{ item: Item }>('PUT', `${itemsOf(list)}/${encodeURIComponent(item.id)}`, { version: item.version, ...edit }),
  remove: (list: string, id: string) => call<{ item: Item }>('DELETE', `${itemsOf(list)}/${encodeURIComponent(id)}`),
};
