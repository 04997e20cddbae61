/**
 * The todo demo's page: markup and style. Its behaviour is the module
 * /demo/app.js (page/app.ts), which loads the browser client from /client.js.
 */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rtbench todo demo</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>rtbench todo demo</h1>
  <p>Open this page in two windows: a change in one appears in the other at once, over the transport you pick.</p>
</header>
<main>
  <section class="todos">
    <form id="open-list" class="row">
      <label>List <input id="list-name" value="groceries" maxlength="64" pattern="[A-Za-z0-9_\\-]{1,64}" required></label>
      <label>Transport
        <select id="transport">
          <option value="auto">auto (WebSocket, then fallback, then long polling)</option>
          <option value="ws">WebSocket (/ws)</option>
          <option value="fallback">Engine.IO fallback (/engine.io/, polling)</option>
          <option value="long-poll">long polling (/long-poll)</option>
        </select>
      </label>
      <button type="submit">Open</button>
    </form>
    <form id="new-item" class="row">
      <input id="new-text" placeholder="What needs doing?" maxlength="500" autocomplete="off" required>
      <button id="add" type="submit">Add</button>
    </form>
    <p id="notice" role="status" hidden></p>
    <ul id="items"></ul>
    <p id="empty" class="muted">Nothing to do.</p>
  </section>
  <aside id="panel" aria-label="connection">
    <h2>Connection</h2>
    <dl>
      <dt>transport</dt><dd id="transport-in-use">-</dd>
      <dt>state</dt><dd id="state">idle</dd>
      <dt>channel</dt><dd id="channel">-</dd>
      <dt>bytes received</dt><dd id="bytes">0</dd>
      <dt>updates received</dt><dd id="updates">0</dd>
      <dt>update latency</dt><dd id="latency">-</dd>
      <dt>reconnects</dt><dd id="reconnects">0</dd>
    </dl>
    <p class="muted">Bytes: whole HTTP answers (status line, headers, body) or WebSocket frames. Latency: arrival here minus the server's publish time.</p>
  </aside>
</main>
<script type="module" src="/demo/app.js"></script>
</body>
</html>
`;
}

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2430; background: #f5f6f8; }
body { margin: 0; }
header { background: #1d2430; color: #fff; padding: 12px 24px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #c8cfdb; font-size: 14px; }
main { display: flex; gap: 20px; padding: 20px 24px; align-items: flex-start; flex-wrap: wrap; }
.todos { flex: 1; min-width: 300px; max-width: 640px; }
.row { display: flex; gap: 8px; margin-bottom: 12px; align-items: center; flex-wrap: wrap; }
select { max-width: 100%; }
.row > label { max-width: 100%; }
input, select, button { font: inherit; padding: 6px 8px; border: 1px solid #b9c0cc; border-radius: 4px; }
button { background: #2f6fde; color: #fff; border-color: #2f6fde; cursor: pointer; }
#new-text { flex: 1; }
ul#items { list-style: none; padding: 0; margin: 0; background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; }
li.item { display: flex; gap: 8px; align-items: center; padding: 8px 12px; border-bottom: 1px solid #eceef2; }
li.item:last-child { border-bottom: 0; }
li.item input.text { flex: 1; border-color: transparent; }
li.item input.text:focus { border-color: #b9c0cc; }
li.item.done input.text { text-decoration: line-through; color: #7a8393; }
li.item .version { font-size: 12px; color: #55607a; background: #eceef2; border-radius: 10px; padding: 2px 8px; }
li.item.changed { animation: flash 0.8s; }
@keyframes flash { from { background: #fff4c2; } to { background: #fff; } }
button.delete { background: #fff; color: #b3261e; border-color: #e3b7b4; }
#notice { background: #fff4c2; border: 1px solid #e8d48a; padding: 8px 12px; border-radius: 4px; }
#panel { width: 230px; flex: none; background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; padding: 12px 16px; }
#panel h2 { font-size: 16px; margin: 0 0 8px; }
#panel dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0; }
#panel dt { color: #55607a; }
#panel dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; font-weight: 600; }
.muted { color: #7a8393; font-size: 12px; }
`;
