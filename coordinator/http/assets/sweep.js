// One sweep, live (polled every 4 s): progress, a sortable leaderboard, parallel coordinates
// (params -> objective, brushable), optimization history with the best so far, learning curves
// (pruned jobs marked where they stopped) and one scatter per parameter.
"use strict";

const sweepId = Number(new URLSearchParams(window.location.search).get("id"));
const charts = {};
fs.started = fs.start();
const view = { sweep: null, trials: [], curves: [], sortKey: "value", sortAsc: null };

function chart(id, element) {
  if (!charts[id]) charts[id] = echarts.init(element || document.getElementById(id));
  return charts[id];
}

// The swept parameters (the sweep file's values and distributions, not its fixed settings).
function paramNames() { return view.sweep.swept_params; }

function isNumeric(trials, name) {
  return trials.every((t) => t.params[name] === undefined || typeof t.params[name] === "number");
}

// A log axis for positive numbers spanning two decades or more (learning rates, weight decays).
function axisType(trials, name) {
  if (!isNumeric(trials, name)) return "category";
  const values = trials.map((t) => t.params[name]).filter((v) => v !== undefined);
  const min = Math.min(...values), max = Math.max(...values);
  return min > 0 && max / min >= 100 ? "log" : "value";
}

// Numbers as a person reads them: integers whole, others to 4 significant digits.
function show(v) {
  if (typeof v !== "number") return v === null || v === undefined ? "—" : String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function better(a, b) { return view.sweep.minimize ? a < b : a > b; }

function drawSummary() {
  const s = view.sweep;
  document.getElementById("title").textContent = `Sweep #${s.id} ${s.name}`;
  document.getElementById("review-link").href = `/review?sweep=${s.id}`;
  const item = (label, value) => fs.el("div", {}, label, fs.el("b", {}, value));
  document.getElementById("summary").replaceChildren(
    item("State", fs.stateText(s)), item("Method", s.method || "—"),
    item("Progress", fs.progressBar(s.progress)),
    item("Trials", `${s.trials} / ${s.trial_budget}`),
    item(`Best ${s.metric} (${s.minimize ? "min" : "max"})`, fs.value(s.best_value)),
    item("Jobs done / pruned / failed", `${s.jobs_done} / ${s.jobs_pruned} / ${s.jobs_failed}`),
    item("Duration", fs.duration(s)), item("Created", fs.time(s.created_unix_ms)));
  const controls = document.getElementById("controls");
  controls.replaceChildren();
  if (fs.session.scope === "lead" && s.state === "running") {
    const action = s.paused ? "resume" : "pause";
    const button = fs.el("button", { id: action, text: s.paused ? "Resume" : "Pause" });
    button.onclick = () => fs.post(`/api/sweeps/${sweepId}/${action}`).then(refresh).catch(showError);
    controls.append(button);
  }
}

function drawLeaderboard() {
  const names = paramNames();
  const columns = [["rank", "Rank"], ["index", "Trial"], ["state", "State"], ["value", view.sweep.metric],
                   ["folds_done", "Folds"], ...names.map((n) => ["param:" + n, n])];
  const ranked = view.trials.filter((t) => t.value !== null)
    .sort((a, b) => (better(a.value, b.value) ? -1 : better(b.value, a.value) ? 1 : 0));
  const rank = new Map(ranked.map((t, i) => [t.trial_id, i + 1]));
  const cell = (t, key) => key === "rank" ? rank.get(t.trial_id) ?? null
    : key.startsWith("param:") ? t.params[key.slice(6)] ?? null : t[key];
  // Sorting by the objective is sorting by rank: ascending is best first, whatever the goal.
  const key = view.sortKey === "value" ? "rank" : view.sortKey;
  const asc = view.sortAsc ?? true;
  const rows = view.trials.slice().sort((a, b) => {
    const x = cell(a, key), y = cell(b, key);
    if (x === null) return y === null ? 0 : 1;
    if (y === null) return -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return asc ? order : -order;
  });
  const head = fs.el("tr", {}, ...columns.map(([key, label]) => {
    const th = fs.el("th", { "data-key": key, text: label + (view.sortKey === key ? (asc ? " ▲" : " ▼") : "") });
    th.onclick = () => { view.sortAsc = view.sortKey === key ? !asc : null; view.sortKey = key; drawLeaderboard(); };
    return th;
  }));
  document.querySelector("#leaderboard thead").replaceChildren(head);
  document.querySelector("#leaderboard tbody").replaceChildren(...rows.map((t) => fs.el("tr",
    { class: "trial-row", "data-trial": t.trial_id },
    ...columns.map(([key]) => {
      const v = cell(t, key);
      if (key === "index") return fs.el("td", { class: "num" }, fs.el("a", { href: "/trial?id=" + t.trial_id }, "#" + v));
      const text = key === "value" ? fs.value(v) : show(v);
      return fs.el("td", { class: typeof v === "number" ? "num" : "", text });
    }))));
}

function drawParallel() {
  const names = paramNames();
  const axes = names.map((n, i) => axisType(view.trials, n) === "category"
    ? { dim: i, name: n, type: "category", data: [...new Set(view.trials.map((t) => String(t.params[n])))] }
    : { dim: i, name: n, type: axisType(view.trials, n), scale: true });
  axes.push({ dim: names.length, name: view.sweep.metric, type: "value", scale: true });
  const scored = view.trials.filter((t) => t.value !== null);
  const values = scored.map((t) => t.value);
  chart("parallel").setOption({
    animation: false,
    parallelAxis: axes,
    parallel: { left: 60, right: 90, top: 40, bottom: 30 },
    visualMap: { show: true, type: "continuous", dimension: names.length, right: 0, top: "center",
                 min: Math.min(...values), max: Math.max(...values), inRange: { color: ["#d94e5d", "#eac736", "#50a3ba"].reverse() } },
    series: [{ type: "parallel", lineStyle: { width: 1.5, opacity: 0.7 },
               data: scored.map((t) => [...names.map((n) => isNumeric(view.trials, n) ? t.params[n] : String(t.params[n])), t.value]) }],
  }, { notMerge: true });
}

function drawHistory() {
  const done = view.trials.filter((t) => t.value !== null).sort((a, b) => a.index - b.index);
  let best = null;
  const bestSoFar = done.map((t) => { if (best === null || better(t.value, best)) best = t.value; return [t.index, best]; });
  chart("history").setOption({
    animation: false, tooltip: { trigger: "item" }, legend: { top: 0 },
    xAxis: { type: "value", name: "trial", minInterval: 1 }, yAxis: { type: "value", name: view.sweep.metric, scale: true },
    series: [{ name: "trial", type: "scatter", symbolSize: 6, large: done.length > 500, data: done.map((t) => [t.index, t.value]) },
             { name: "best so far", type: "line", step: "end", symbol: "none", data: bestSoFar }],
  }, { notMerge: true });
}

// Every job's curve in one line series, broken between jobs ('-' is a gap): one series draws
// thousands of jobs at once, where a series per job takes seconds. The best trial's folds are drawn
// on top, and pruned jobs get a mark where they stopped.
function drawCurves() {
  const best = view.trials.filter((t) => t.value !== null)
    .reduce((b, t) => (b === null || better(t.value, b.value) ? t : b), null);
  const all = [], top = [], stops = [];
  for (const c of view.curves) {
    if (!c.epochs.length) continue;
    const line = c.epochs.map((e, i) => [e, c.values[i]]);
    all.push(...line, "-");
    if (best && c.trial_id === best.trial_id) top.push(...line, "-");
    if (c.pruned) stops.push({ value: line[line.length - 1], name: `trial #${c.trial_index} fold ${c.fold}` });
  }
  chart("curves").setOption({
    animation: false, legend: { top: 0 }, tooltip: { trigger: "item" },
    xAxis: { type: "value", name: "epoch", minInterval: 1 }, yAxis: { type: "value", name: view.sweep.metric, scale: true },
    series: [
      { name: "jobs", type: "line", data: all, showSymbol: false, connectNulls: false, silent: true,
        lineStyle: { width: 1, opacity: 0.35, color: "#5470c6" }, itemStyle: { color: "#5470c6" } },
      { name: best ? `best trial #${best.index}` : "best trial", type: "line", data: top, showSymbol: false,
        connectNulls: false, lineStyle: { width: 2, color: "#3a8f5c" }, itemStyle: { color: "#3a8f5c" } },
      { name: "pruned (stopped here)", type: "scatter", data: stops, symbol: "triangle", symbolSize: 9,
        itemStyle: { color: "#b00020" } },
    ],
  }, { notMerge: true });
}

function drawScatters() {
  const holder = document.getElementById("scatters");
  const scored = view.trials.filter((t) => t.value !== null);
  for (const name of paramNames()) {
    const id = "scatter-" + name;
    if (!document.getElementById(id)) holder.append(fs.el("div", { id, class: "chart scatter" }));
    const numeric = isNumeric(view.trials, name);
    chart(id).setOption({
      animation: false, title: { text: name, left: "center", textStyle: { fontSize: 13 } }, tooltip: {},
      xAxis: numeric ? { type: axisType(view.trials, name), scale: true, name } : { type: "category", name },
      yAxis: { type: "value", scale: true, name: view.sweep.metric },
      series: [{ type: "scatter", symbolSize: 6, large: scored.length > 500, data: scored.map((t) => [numeric ? t.params[name] : String(t.params[name]), t.value]) }],
    }, { notMerge: true });
  }
}

// Points per learning curve: every epoch up to 50 for small sweeps, fewer as jobs grow, so the
// chart holds about 20,000 points whatever the sweep's size.
function curvePoints(sweep) { return Math.max(3, Math.min(50, Math.floor(20000 / Math.max(1, sweep.jobs_total)))); }

function showError(e) { document.getElementById("status").textContent = e.message; }

async function refresh() {
  // The session (who, the CSRF token) and the sweep are fetched side by side.
  const [response] = await Promise.all([fs.api(`/api/sweeps/${sweepId}`), fs.started]);
  const sweep = response.body;
  const params = encodeURIComponent(sweep.swept_params.join(","));
  const [trials, curves] = await Promise.all([
    fs.all(`/api/sweeps/${sweepId}/trials?params=${params}`),
    fs.all(`/api/sweeps/${sweepId}/curves?points=${curvePoints(sweep)}`)]);
  Object.assign(view, { sweep, trials, curves });
  drawSummary();
  drawLeaderboard();
  // The page is usable once the numbers are on it; let the browser paint them before the charts.
  if (!window.foldstackInteractiveMs) {
    window.foldstackInteractiveMs = performance.now();  // for the benchmark
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  drawParallel();
  drawHistory();
  drawCurves();
  drawScatters();
  document.getElementById("status").textContent = "";
  if (!document.body.dataset.drawn) window.foldstackDrawnMs = performance.now();  // for the benchmark
  document.body.dataset.drawn = "true";
}

// For tests and curious users: how many lines the parallel-coordinates chart drew.
window.foldstackParallelLines = () => {
  const data = charts.parallel.getModel().getSeriesByIndex(0).getData();
  let drawn = 0;
  for (let i = 0; i < data.count(); ++i) if (data.getItemGraphicEl(i)) ++drawn;
  return drawn;
};

window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
refresh().then(() => setInterval(() => refresh().catch(showError), 4000)).catch(showError);
