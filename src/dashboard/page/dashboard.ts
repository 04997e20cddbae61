/**
 * The --ui page: follows the run over Server-Sent Events (`/events`): a card
 * per transport (phase, clients open, updates/s achieved and intended, p99,
 * bytes per update), live charts, the run's events as they happen, and at
 * the end the final HTML report. The shapes mirror src/dashboard/run-state.ts.
 */
import { LiveChart, type SeriesSpec, TRANSPORT_COLORS } from './charts.js';

interface Sample {
  t: number;
  transport: string;
  phase: string;
  open: number;
  target: number;
  failed: number;
  achieved: number;
  intended: number | null;
  p99Ms: number;
  p50Ms: number | null;
  p90Ms: number | null;
  bytesPerUpdate: number | null;
}
interface RunEvent {
  t_s: number;
  transport?: string;
  kind: string;
  message: string;
}
interface Hello {
  scenario: { name: string; transports: string[]; clients: number; channels: number; rate: number; durationS: number };
  samples: Sample[];
  events: RunEvent[];
}
interface Done {
  status: string;
  problems: string[];
  html: string;
  /** The result's figures per transport. */
  figures: Record<string, { bytesPerUpdate: number; p99Ms: number; delivered: number; lost: number }>;
}

/** Points kept on the page (the server keeps as many). */
const MAX_SAMPLES = 3600;

const $ = (id: string) => document.getElementById(id)!;
const samples: Sample[] = [];
let transports: string[] = [];
let charts: Record<'clients' | 'rate' | 'bytes', LiveChart> | undefined;
/** Made at the first sample: p50 and p90 are drawn only when the harness reports them. */
let latencyChart: LiveChart | undefined;

/** One series per transport, in its colour. */
const each = (suffix = '', dashed = false): SeriesSpec[] =>
  transports.map((t) => ({ label: `${t}${suffix}`, color: TRANSPORT_COLORS[t] ?? '#333', dashed }));

function setState(state: string, label = state): void {
  document.body.dataset.state = state;
  $('run-state').textContent = label;
}

function start(hello: Hello): void {
  const s = hello.scenario;
  transports = s.transports;
  $('scenario').textContent =
    `${s.transports.join(', ')}; ${s.clients.toLocaleString('en')} clients each, ${s.channels} channels at ${s.rate}/s, ${s.durationS}s steady`;
  $('transports').replaceChildren(...transports.map(card));
  charts = {
    clients: new LiveChart($('chart-clients'), each(), 'clients'),
    rate: new LiveChart($('chart-rate'), [...each(), ...each(' intended', true)], 'updates/s'),
    bytes: new LiveChart($('chart-bytes'), each(), 'bytes'),
  };
  // A hello after a lost feed repeats everything: start over.
  samples.splice(0, samples.length, ...hello.samples);
  for (const item of document.querySelectorAll('li.event')) item.remove();
  for (const event of hello.events) addEvent(event);
  for (const sample of hello.samples) showCard(sample);
  redraw();
  setState('running');
}

function card(transport: string): HTMLElement {
  const element = document.createElement('article');
  element.className = 'transport';
  element.dataset.transport = transport;
  element.style.setProperty('--color', TRANSPORT_COLORS[transport] ?? '#333');
  element.innerHTML = `<h3>${transport} <span class="phase">waiting</span></h3><dl>
    <dt>clients open</dt><dd class="open" id="open-${transport}">-</dd>
    <dt>failed</dt><dd class="failed">-</dd>
    <dt>updates/s</dt><dd class="rate">-</dd>
    <dt>p99</dt><dd class="p99">-</dd>
    <dt>bytes/update</dt><dd class="bytes">-</dd></dl>`;
  return element;
}

function showCard(sample: Sample): void {
  const element = document.querySelector<HTMLElement>(`.transport[data-transport="${sample.transport}"]`);
  if (!element) return;
  const set = (selector: string, text: string) => {
    element.querySelector(selector)!.textContent = text;
  };
  set('.phase', sample.phase);
  set('.open', `${sample.open.toLocaleString('en')} / ${sample.target.toLocaleString('en')}`);
  set('.failed', sample.failed.toLocaleString('en'));
  set('.rate', `${sample.achieved.toLocaleString('en')}${sample.intended === null ? '' : ` / ${sample.intended.toLocaleString('en')}`}`);
  set('.p99', `${sample.p99Ms.toFixed(1)} ms`);
  if (sample.bytesPerUpdate !== null) set('.bytes', sample.bytesPerUpdate.toFixed(1));
}

/** One series per transport: its value where the sample is its own, null elsewhere. */
function series(pick: (s: Sample) => number | null): (number | null)[][] {
  return transports.map((t) => samples.map((s) => (s.transport === t ? pick(s) : null)));
}

function redraw(): void {
  if (!charts || samples.length === 0) return;
  const xs = samples.map((s) => s.t);
  charts.clients.update(
    xs,
    series((s) => s.open),
  );
  charts.rate.update(xs, [...series((s) => s.achieved), ...series((s) => s.intended)]);
  const withMedian = samples.some((s) => s.p50Ms !== null);
  latencyChart ??= new LiveChart($('chart-latency'), [...each(' p99'), ...(withMedian ? each(' p50', true) : [])], 'ms');
  latencyChart.update(xs, [...series((s) => s.p99Ms), ...(withMedian ? series((s) => s.p50Ms) : [])]);
  if (samples.some((s) => s.bytesPerUpdate !== null)) {
    $('bytes-figure').hidden = false;
    charts.bytes.update(
      xs,
      series((s) => s.bytesPerUpdate),
    );
  }
}

function addEvent(event: RunEvent): void {
  $('no-events').hidden = true;
  const item = document.createElement('li');
  item.className = `event ${event.kind}`;
  item.textContent = `[${event.t_s.toFixed(1)}s${event.transport ? ` ${event.transport}` : ''}] ${event.kind}: ${event.message}`;
  $('events').append(item);
}

function finish(done: Done): void {
  const badge = $('run-state');
  badge.classList.add(done.status);
  setState('done', done.problems.length > 0 ? `${done.status}: ${done.problems.join('; ')}` : `done: ${done.status}`);
  for (const [transport, figures] of Object.entries(done.figures)) {
    const element = document.querySelector<HTMLElement>(`.transport[data-transport="${transport}"]`);
    if (!element) continue;
    element.querySelector('.phase')!.textContent = 'done';
    element.querySelector('.bytes')!.textContent = figures.bytesPerUpdate.toFixed(1);
    element.querySelector('.p99')!.textContent = `${figures.p99Ms.toFixed(1)} ms`;
  }
  ($('report-frame') as HTMLIFrameElement).srcdoc = done.html;
  $('report').hidden = false;
}

const feed = new EventSource('/events');
const parse = <T>(event: Event) => JSON.parse((event as MessageEvent<string>).data) as T;
feed.addEventListener('hello', (event) => start(parse<Hello>(event)));
feed.addEventListener('sample', (event) => {
  const sample = parse<Sample>(event);
  samples.push(sample);
  if (samples.length > MAX_SAMPLES) samples.shift();
  showCard(sample);
  redraw();
});
feed.addEventListener('run-event', (event) => addEvent(parse<RunEvent>(event)));
feed.addEventListener('done', (event) => {
  // The run's process ends now: no reconnecting to a server that is gone.
  feed.close();
  finish(parse<Done>(event));
});
feed.addEventListener('error', () => {
  if (document.body.dataset.state === 'running') setState('lost', 'connection to the run lost');
});
