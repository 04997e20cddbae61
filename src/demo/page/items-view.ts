/**
 * The list on screen: one `li.item` per item (`data-id`, `data-version`),
 * with its checkbox, its text (edited in place: Enter or leaving the field
 * saves), its version and a delete button. Rendering is keyed by id, so a
 * field being typed in is never replaced under the user's fingers.
 */
import type { Item } from './api.js';

export interface ItemActions {
  toggle(item: Item, done: boolean): void;
  edit(item: Item, text: string): void;
  remove(item: Item): void;
}

export class ItemsView {
  readonly #shown = new Map<string, Item>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly actions: ItemActions,
  ) {}

  render(items: Item[]): void {
    const keep = new Set(items.map((item) => item.id));
    for (const li of [...this.list.querySelectorAll<HTMLLIElement>('li.item')]) {
      if (!keep.has(li.dataset.id!)) {
        li.remove();
        this.#shown.delete(li.dataset.id!);
      }
    }
    let previous: HTMLLIElement | undefined;
    for (const item of items) {
      const li = this.#row(item);
      if (previous ? previous.nextElementSibling !== li : this.list.firstElementChild !== li) {
        if (previous) previous.after(li);
        else this.list.prepend(li);
      }
      previous = li;
    }
    this.empty.hidden = items.length > 0;
  }

  #row(item: Item): HTMLLIElement {
    let li = this.list.querySelector<HTMLLIElement>(`li.item[data-id="${CSS.escape(item.id)}"]`);
    const before = this.#shown.get(item.id);
    if (!li) li = this.#create(item.id);
    const text = li.querySelector<HTMLInputElement>('input.text')!;
    // A field left with text that was not saved (a refused edit) shows the item's text again.
    if (document.activeElement !== text && text.value !== item.text) text.value = item.text;
    if (before && before.version === item.version) return li;
    this.#shown.set(item.id, item);
    li.dataset.version = String(item.version);
    li.classList.toggle('done', item.done);
    li.querySelector<HTMLInputElement>('input.done')!.checked = item.done;
    li.querySelector('.version')!.textContent = `v${item.version}`;
    if (before) {
      li.classList.remove('changed');
      void li.offsetWidth; // restart the highlight
      li.classList.add('changed');
    }
    return li;
  }

  #create(id: string): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'item';
    li.dataset.id = id;
    const done = Object.assign(document.createElement('input'), { type: 'checkbox', className: 'done', title: 'done' });
    const text = Object.assign(document.createElement('input'), { className: 'text', maxLength: 500 });
    const version = Object.assign(document.createElement('span'), { className: 'version' });
    const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'delete', textContent: 'Delete' });
    const current = () => this.#shown.get(id)!;
    // An edit is made from the version shown when typing began: if another
    // window saved meanwhile, the server refuses it and the page says so.
    let editedFrom: Item | undefined;
    done.addEventListener('change', () => this.actions.toggle(current(), done.checked));
    text.addEventListener('focus', () => {
      editedFrom = current();
    });
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') text.blur();
    });
    text.addEventListener('change', () => {
      const from = editedFrom ?? current();
      if (text.value.trim() && text.value !== from.text) this.actions.edit(from, text.value);
    });
    text.addEventListener('blur', () => {
      editedFrom = undefined;
    });
    remove.addEventListener('click', () => this.actions.remove(current()));
    li.append(done, text, version, remove);
    return li;
  }
}
