/** A small typed event emitter: listeners per event name, each removable by the function on() returns. */
export class Emitter<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  protected emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch (error) {
        // One broken listener must not stop the others, nor the client.
        console.error(error);
      }
    }
  }
}
