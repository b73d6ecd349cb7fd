// One trial: its parameters and its out-of-fold confusion matrix (counts or row-normalised), with
// the dataset's class names.
"use strict";

const trialId = Number(new URLSearchParams(window.location.search).get("id"));
let confusion = null;

function drawConfusion() {
  const normalise = document.getElementById("normalise").checked;
  const names = confusion.class_names;
  const data = [];
  let max = 0;
  confusion.counts.forEach((row, label) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, predicted) => {
      const value = normalise ? (total ? count / total : 0) : count;
      max = Math.max(max, value);
      data.push([predicted, label, normalise ? Number(value.toFixed(2)) : value]);
    });
  });
  const chart = echarts.getInstanceByDom(document.getElementById("confusion")) ||
    echarts.init(document.getElementById("confusion"));
  chart.setOption({
    animation: false, tooltip: { position: "top" },
    grid: { left: 150, right: 20, top: 10, bottom: 150 },
    xAxis: { type: "category", data: names, name: "predicted", axisLabel: { rotate: 60, fontSize: 10 } },
    yAxis: { type: "category", data: names, name: "label", inverse: true, axisLabel: { fontSize: 10 } },
    visualMap: { min: 0, max: max || 1, show: false, inRange: { color: ["#f7fbff", "#08306b"] } },
    series: [{ type: "heatmap", data, label: { show: true, fontSize: 9 } }],
  }, { notMerge: true });
  document.body.dataset.drawn = "true";
}

async function load() {
  const [matrix] = await Promise.all([fs.api(`/api/trials/${trialId}/confusion`), fs.start()]);
  confusion = matrix.body;
  const trials = await fs.all(`/api/sweeps/${confusion.sweep_id}/trials`);
  const trial = trials.find((t) => t.trial_id === trialId);
  document.getElementById("title").textContent =
    `Trial #${trial.index} of sweep #${confusion.sweep_id}: ${trial.state}, value ${fs.value(trial.value)}`;
  document.getElementById("back").href = "/sweep?id=" + confusion.sweep_id;
  document.querySelector("#params tbody").replaceChildren(...Object.entries(trial.params).map(([k, v]) =>
    fs.el("tr", {}, fs.el("th", { text: k }), fs.el("td", { text: JSON.stringify(v) }))));
  document.getElementById("oof-count").textContent =
    `${confusion.samples} out-of-fold samples, ${confusion.num_classes} classes`;
  document.getElementById("normalise").onchange = drawConfusion;
  drawConfusion();
}

load().catch((e) => { document.getElementById("status").textContent = e.message; });
