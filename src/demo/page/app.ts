/**
 * The todo demo page: loads a list's items with the seq of its channel,
 * subscribes from that seq through the browser client, and applies every
 * change that arrives. After a reconnect, a gap or a reset (the server lost
 * its history: a restart) it loads the list again, so a window never shows
 * less than the server has. `?list=` and `?transport=` choose the list and
 * the transport (the form sets them).
 */
import { RtbClient, type TransportChoice } from '/client.js';
import { api, ApiError, type Change, type Item } from './api.js';
import { ItemsView } from './items-view.js';
import { TodoModel } from './todo-model.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const params = new URLSearchParams(location.search);
const list = params.get('list') || 'groceries';
const choice = (params.get('transport') || 'auto') as TransportChoice;
$<HTMLInputElement>('list-name').value = list;
$<HTMLSelectElement>('transport').value = choice;

const model = new TodoModel();
const client = new RtbClient({ transport: choice });
let channel = '';

const view = new ItemsView($('items'), $('empty'), {
  toggle: (item, done) => save(api.update(list, item, { done })),
  edit: (item, text) => save(api.update(list, item, { text })),
  remove: (item) => save(api.remove(list, item.id), 'deleted'),
});

function render(): void {
  view.render(model.sorted());
}

function notice(text: string | undefined): void {
  const element = $('notice');
  element.hidden = text === undefined;
  element.textContent = text ?? '';
}

/** Applies this window's own change at once (the channel brings it too, and the version rule drops the copy). */
async function save(request: Promise<{ item: Item }>, type: Change['type'] = 'updated'): Promise<void> {
  try {
    const { item } = await request;
    if (model.apply({ type, list, item })) render();
    notice(undefined);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.item) {
      model.apply({ type: 'updated', list, item: error.item });
      render();
      notice(`Another window saved "${error.item.text}" first: version ${error.item.version} wins and is shown.`);
      return;
    }
    notice(`Not saved: ${(error as Error).message}`);
  }
}

/** The list as the server has it, and the channel from the seq it was read at. */
async function load(): Promise<void> {
  try {
    const snapshot = await api.list(list);
    channel = snapshot.channel;
    model.replace(snapshot.items);
    client.subscribe(channel, { cursor: snapshot.seq });
    render();
  } catch (error) {
    notice(`Could not load the list: ${(error as Error).message}`);
  }
}

client.on('message', (envelope) => {
  if (envelope.channel === channel && model.apply(envelope.data as Change)) render();
});
client.on('open', ({ reconnect }) => {
  if (reconnect) void load();
});
client.on('reset', () => void load());
client.on('gap', () => void load());

$<HTMLFormElement>('new-item').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('new-text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  void save(api.create(list, text), 'created');
});

$<HTMLFormElement>('open-list').addEventListener('submit', (event) => {
  event.preventDefault();
  const next = new URLSearchParams({ list: $<HTMLInputElement>('list-name').value, transport: $<HTMLSelectElement>('transport').value });
  location.search = next.toString();
});
$<HTMLSelectElement>('transport').addEventListener('change', () => $<HTMLFormElement>('open-list').requestSubmit());

/** The connection panel, four times a second. */
function showPanel(): void {
  const { stats } = client;
  $('transport-in-use').textContent = client.transport ?? '-';
  $('state').textContent = client.state;
  $('channel').textContent = channel || '-';
  $('bytes').textContent = stats.bytesReceived.toLocaleString('en');
  $('updates').textContent = String(stats.messages);
  $('latency').textContent = stats.lastLatencyMs === undefined ? '-' : `${stats.lastLatencyMs.toFixed(1)} ms`;
  $('reconnects').textContent = String(stats.reconnects);
}
setInterval(showPanel, 250);

await load();
client.connect();
showPanel();
