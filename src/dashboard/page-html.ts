/**
 * The --ui dashboard's page: markup and style. Its behaviour is the module
 * /dashboard/dashboard.js (page/dashboard.ts); the charts are uPlot's.
 */
export function dashboardPage(scenario: string): string {
  const title = `rtbench run: ${scenario.replace(/[<>&"]/g, '')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} (live)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/vendor/uPlot.min.css">
<style>${STYLE}</style>
</head>
<body data-state="connecting">
<header>
  <h1>${title}</h1>
  <span id="run-state" class="badge">connecting</span>
  <span id="scenario" class="muted"></span>
</header>
<main>
  <section id="transports" aria-label="transports"></section>
  <section id="charts">
    <figure><figcaption>Clients open</figcaption><div id="chart-clients" class="chart" data-updates="0"></div></figure>
    <figure><figcaption>Updates/s: achieved (solid) and intended (dashed)</figcaption><div id="chart-rate" class="chart" data-updates="0"></div></figure>
    <figure><figcaption>Delivery latency p99 so far, ms</figcaption><div id="chart-latency" class="chart" data-updates="0"></div></figure>
    <figure id="bytes-figure" hidden><figcaption>Wire bytes per update</figcaption><div id="chart-bytes" class="chart" data-updates="0"></div></figure>
  </section>
  <section id="events-section">
    <h2>Events</h2>
    <ul id="events"><li class="muted" id="no-events">None yet.</li></ul>
  </section>
  <section id="report" hidden>
    <h2>Final report</h2>
    <iframe id="report-frame" title="final report" sandbox></iframe>
  </section>
</main>
<script src="/vendor/uPlot.iife.min.js"></script>
<script type="module" src="/dashboard/dashboard.js"></script>
</body>
</html>
`;
}

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2430; background: #f5f6f8; }
body { margin: 0; }
header { background: #1d2430; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20px; }
header .muted { color: #c8cfdb; }
.badge { border-radius: 10px; padding: 2px 10px; font-size: 13px; background: #55607a; }
body[data-state="running"] .badge { background: #2f6fde; }
body[data-state="done"] .badge.ok { background: #23803d; }
body[data-state="done"] .badge.invalid, body[data-state="done"] .badge.aborted, body[data-state="lost"] .badge { background: #b3261e; }
main { padding: 16px 24px; }
#transports { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.transport { background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; padding: 10px 14px; min-width: 190px; border-top: 4px solid var(--color); }
.transport h3 { margin: 0 0 6px; font-size: 15px; display: flex; justify-content: space-between; gap: 8px; }
.transport .phase { font-weight: normal; color: #55607a; font-size: 13px; }
.transport dl { display: grid; grid-template-columns: auto auto; gap: 2px 10px; margin: 0; font-size: 13px; }
.transport dt { color: #55607a; }
.transport dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
#charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
figure { margin: 0; background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; padding: 8px 12px; }
figcaption { font-size: 14px; font-weight: 600; margin-bottom: 4px; }
.chart { min-height: 240px; }
#events { font-family: ui-monospace, monospace; font-size: 13px; background: #fff; border-radius: 6px; padding: 8px 12px 8px 28px; max-height: 220px; overflow: auto; }
#report-frame { width: 100%; height: 1400px; border: 0; background: #fff; border-radius: 6px; }
.muted { color: #7a8393; }
`;
