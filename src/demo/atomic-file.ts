/**
 * A JSON file written atomically: the text goes to a temporary file beside
 * it, is flushed to disk, and is renamed over the old one, so a reader (or a
 * restart after a crash) sees the old content or the new, never half of
 * one. Saves are serialised: one write at a time, and the saves asked for
 * during a write share the one write that follows it.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export class AtomicFile {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly content: () => string,
  ) {}

  /** Resolves once a write that began after this call is on disk. */
  save(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (!this.#running) {
      this.#running = this.#write().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#queued = this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined;
        return this.save();
      });
    return this.#queued;
  }

  /** The file's text, or undefined when there is no file yet. */
  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async #write(): Promise<void> {
    const temporary = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(this.content());
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
