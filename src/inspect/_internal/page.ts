/**
 * The inspector's page: one self-contained HTML document (no external assets, no framework) that
 * renders the model from `/api/events` (Server-Sent Events) and posts swap/revert with the token.
 * Everything from the runtime goes in through `textContent`, never as HTML: state can be anything.
 * Pinned by test/inspect/inspector.browser.test.ts (Chromium).
 */
export const PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hotswap inspector</title>
<style>
  :root { --bg:#0f1419; --panel:#171d24; --line:#273039; --text:#d7dde4; --dim:#8a96a3; --ok:#3fb950; --bad:#f85149; --run:#d29922; --accent:#58a6ff; }
  * { box-sizing: border-box; }
  body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; align-items:center; gap:16px; padding:12px 20px; border-bottom:1px solid var(--line); background:var(--panel); }
  header h1 { font-size:16px; margin:0; font-weight:600; }
  #conn { font-size:12px; padding:2px 8px; border-radius:10px; background:#30363d; }
  #conn.live { background:#1f3a26; color:var(--ok); }
  header label { margin-left:auto; color:var(--dim); font-size:12px; }
  header input { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:4px; padding:3px 6px; width:220px; font-family:monospace; }
  main { display:grid; grid-template-columns: minmax(380px, 1fr) minmax(420px, 1.2fr); gap:20px; padding:20px; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 10px; }
  .card { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; margin-bottom:14px; }
  .card-head { display:flex; align-items:center; gap:10px; margin-bottom:8px; }
  .name { font-weight:600; font-size:15px; }
  .id { color:var(--dim); font-family:monospace; font-size:12px; }
  .version { background:#1c2f4a; color:var(--accent); border-radius:4px; padding:1px 7px; font-weight:600; font-family:monospace; }
  .status { margin-left:auto; font-size:12px; border-radius:10px; padding:1px 9px; }
  .status.running { background:#1f3a26; color:var(--ok); } .status.swapping { background:#3a2f14; color:var(--run); } .status.stopped { background:#3d1d1d; color:var(--bad); }
  .kv { display:grid; grid-template-columns: 110px 1fr; gap:2px 10px; font-size:13px; }
  .kv dt { color:var(--dim); } .kv dd { margin:0; font-family:monospace; word-break:break-all; }
  table { width:100%; border-collapse:collapse; margin-top:8px; font-size:12px; }
  th { text-align:left; color:var(--dim); font-weight:500; border-bottom:1px solid var(--line); padding:3px 4px; }
  td { padding:3px 4px; border-bottom:1px solid #1e252d; font-family:monospace; }
  caption { text-align:left; color:var(--dim); font-size:12px; padding-top:6px; }
  .empty { color:var(--dim); font-size:12px; margin-top:6px; }
  .actions { display:flex; gap:8px; margin-top:10px; flex-wrap:wrap; }
  button { background:#21262d; color:var(--text); border:1px solid #363b42; border-radius:6px; padding:4px 10px; cursor:pointer; font-size:12px; }
  button:hover { border-color:var(--accent); }
  .swap { background:var(--panel); border:1px solid var(--line); border-left:4px solid var(--run); border-radius:6px; padding:10px 12px; margin-bottom:10px; }
  .swap.committed { border-left-color:var(--ok); } .swap.refused { border-left-color:var(--bad); }
  .swap-head { display:flex; gap:10px; align-items:baseline; flex-wrap:wrap; font-size:13px; }
  .outcome { font-weight:600; } .committed .outcome { color:var(--ok); } .refused .outcome { color:var(--bad); } .running .outcome { color:var(--run); }
  .meta { color:var(--dim); font-size:12px; }
  .bar { display:flex; height:18px; margin:8px 0 4px; border-radius:3px; overflow:hidden; background:#0b0f13; }
  .phase { min-width:3px; height:100%; border-right:1px solid #0b0f13; }
  .phase[data-phase=plan]{background:#6e7681} .phase[data-phase=quiesce]{background:#d29922} .phase[data-phase=drain]{background:#a371f7}
  .phase[data-phase=migrate]{background:#58a6ff} .phase[data-phase=verify]{background:#39c5cf} .phase[data-phase=install]{background:#3fb950} .phase[data-phase=resume]{background:#db61a2}
  .phase.refused { background:var(--bad) !important; }
  .legend { display:flex; flex-wrap:wrap; gap:4px 12px; font-size:11px; color:var(--dim); font-family:monospace; }
  .legend i { display:inline-block; width:8px; height:8px; border-radius:2px; margin-right:4px; }
  .blockers { margin:6px 0 0; padding-left:18px; color:#ffa198; font-size:12px; font-family:monospace; }
  #toast { position:fixed; bottom:16px; right:16px; background:#21262d; border:1px solid var(--line); padding:8px 12px; border-radius:6px; font-size:12px; max-width:480px; display:none; white-space:pre-wrap; }
</style>
</head>
<body>
<header>
  <h1>hotswap inspector</h1><span id="conn">connecting…</span>
  <label>action token <input id="token" type="password" autocomplete="off" placeholder="printed at start"></label>
</header>
<main>
  <section><h2>Live components</h2><div id="components"></div></section>
  <section><h2>Swaps</h2><div id="swaps"><p class="empty">No swap yet.</p></div></section>
</main>
<div id="toast"></div>
<script>
(function () {
  var tokenInput = document.getElementById('token');
  var m = /token=([^&]+)/.exec(location.hash);
  if (m) { tokenInput.value = decodeURIComponent(m[1]); history.replaceState(null, '', location.pathname); }
  var PHASES = ['plan', 'quiesce', 'drain', 'migrate', 'verify', 'install', 'resume'];

  function el(tag, attrs) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); }
    for (var i = 2; i < arguments.length; i++) { var c = arguments[i]; if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
    return e;
  }
  function us(x) { return x == null ? '–' : x < 1000 ? Math.round(x) + ' µs' : x < 1e6 ? (x / 1000).toFixed(x < 1e4 ? 2 : 1) + ' ms' : (x / 1e6).toFixed(2) + ' s'; }
  function ms(x) { return x == null ? '–' : x < 1000 ? Math.round(x) + ' ms' : (x / 1000).toFixed(1) + ' s'; }
  function json(v) { return typeof v === 'string' ? v : JSON.stringify(v); }
  function table(caption, head, rows, cls) {
    if (rows.length === 0) return null;
    var t = el('table', { class: cls }, el('caption', { text: caption }));
    var hr = el('tr', null);
    head.forEach(function (h) { hr.appendChild(el('th', { text: h })); });
    t.appendChild(hr);
    rows.forEach(function (r) { var tr = el('tr', null); r.forEach(function (c) { tr.appendChild(el('td', { text: String(c) })); }); t.appendChild(tr); });
    return t;
  }

  function component(c, actions) {
    var card = el('div', { class: 'card', 'data-component': c.id },
      el('div', { class: 'card-head' }, el('span', { class: 'name', text: c.name }), el('span', { class: 'id', text: c.id }),
        el('span', { class: 'version', text: 'v' + c.version }), el('span', { class: 'status ' + c.status, text: c.status })));
    var kv = el('dl', { class: 'kv' }, el('dt', { text: 'state' }), el('dd', { class: 'state', text: json(c.state) }),
      el('dt', { text: 'mailbox' }), el('dd', { class: 'held', text: c.held + ' held' }));
    if ('context' in c) { kv.appendChild(el('dt', { text: 'context' })); kv.appendChild(el('dd', { class: 'context', text: json(c.context) })); }
    if (c.late > 0) { kv.appendChild(el('dt', { text: 'late results' })); kv.appendChild(el('dd', { text: String(c.late) })); }
    card.appendChild(kv);
    var parts = [
      table('delays (XState after)', ['event', 'state', 'delay', 'fires in'], c.delays.map(function (d) { return [d.event, d.state || '', ms(d.delayMs), ms(d.remainingMs)]; }), 'delays'),
      table('runtime timers', ['name', 'handler', 'delay', 'fires in'], c.timers.map(function (t) { return [t.name, t.handler, ms(t.delayMs), ms(t.remainingMs)]; }), 'timers'),
      table('in flight', ['id', 'src', 'logic', 'age'], c.inFlight.map(function (f) { return [f.id, f.src, f.logic, ms(f.ageMs)]; }), 'in-flight'),
      table('leases', ['handle', 'holder', 'held for', 'transferable'], c.leases.map(function (l) { return [l.handle, l.holder, ms(l.heldMs), l.transferable ? 'yes' : 'no']; }), 'leases'),
    ].filter(Boolean);
    if (parts.length === 0) card.appendChild(el('p', { class: 'empty', text: 'ledger empty: no delay, timer, work in flight or lease' }));
    parts.forEach(function (p) { card.appendChild(p); });
    if (actions && c.status !== 'stopped') {
      var row = el('div', { class: 'actions' });
      c.versions.filter(function (v) { return v !== c.version; }).forEach(function (v) {
        var b = el('button', { 'data-action': 'swap', 'data-to': String(v), text: 'swap to v' + v });
        b.onclick = function () { act('/api/swap', { component: c.id, to: v }); };
        row.appendChild(b);
      });
      var r = el('button', { 'data-action': 'revert', text: 'revert' });
      r.onclick = function () { act('/api/revert', { component: c.id }); };
      row.appendChild(r);
      card.appendChild(row);
    }
    return card;
  }

  function swap(s) {
    var total = s.phases.reduce(function (a, p) { return a + p.durationUs; }, 0) || 1;
    var bar = el('div', { class: 'bar' });
    var legend = el('div', { class: 'legend' });
    s.phases.forEach(function (p) {
      var seg = el('div', { class: 'phase' + (p.outcome === 'refused' ? ' refused' : ''), 'data-phase': p.phase, title: p.phase + ' ' + us(p.durationUs) });
      seg.style.flex = String(Math.max(p.durationUs / total, 0.01));
      bar.appendChild(seg);
      var dot = el('i', { class: 'phase', 'data-phase': p.phase });
      legend.appendChild(el('span', null, dot, p.phase + ' ' + us(p.durationUs)));
    });
    var outcome = s.state === 'running' ? 'running…' : s.state;
    var head = el('div', { class: 'swap-head' },
      el('span', { class: 'outcome', text: outcome }),
      el('span', { class: 'what', text: s.instance + '  v' + s.from + ' → v' + s.to }),
      el('span', { class: 'meta', text: (s.kind !== 'swap' ? s.kind + ' · ' : '') + new Date(s.startedAt).toLocaleTimeString() +
        (s.totalUs != null ? ' · total ' + us(s.totalUs) : '') + (s.pauseUs != null ? ' · paused ' + us(s.pauseUs) : '') +
        (s.held != null ? ' · ' + s.held + ' held' : '') + (s.refusedIn ? ' · refused in ' + s.refusedIn : '') }));
    var box = el('div', { class: 'swap ' + s.state, 'data-swap': s.swapId, 'data-outcome': s.state }, head, bar, legend);
    if (s.blockers.length > 0) {
      var ul = el('ul', { class: 'blockers' });
      s.blockers.forEach(function (b) { ul.appendChild(el('li', { 'data-kind': b.kind, text: b.message })); });
      box.appendChild(ul);
    }
    return box;
  }

  function render(model) {
    var cs = document.getElementById('components');
    cs.replaceChildren.apply(cs, model.components.length ? model.components.map(function (c) { return component(c, model.actions); }) : [el('p', { class: 'empty', text: 'No live component.' })]);
    var ss = document.getElementById('swaps');
    var list = model.swaps.slice().reverse();
    ss.replaceChildren.apply(ss, list.length ? list.map(swap) : [el('p', { class: 'empty', text: 'No swap yet.' })]);
    document.body.setAttribute('data-updated', String(model.at));
  }

  function toast(text) {
    var t = document.getElementById('toast');
    t.textContent = text; t.style.display = 'block';
    clearTimeout(toast.timer); toast.timer = setTimeout(function () { t.style.display = 'none'; }, 6000);
  }
  function act(path, body) {
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + tokenInput.value }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (r) {
        if (r.status !== 200) toast(r.body.code + ': ' + r.body.message);
        else toast('swap ' + r.body.component + ' v' + r.body.from + ' → v' + r.body.to + ' ' + r.body.outcome);
      }, function (e) { toast(String(e)); });
  }

  var conn = document.getElementById('conn');
  var source = new EventSource('/api/events');
  source.addEventListener('model', function (e) { render(JSON.parse(e.data)); });
  source.onopen = function () { conn.textContent = 'live'; conn.className = 'live'; };
  source.onerror = function () { conn.textContent = 'offline'; conn.className = ''; };
})();
</script>
</body>
</html>
`;
