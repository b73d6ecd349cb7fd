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

// Precision, recall, F1 and support per class of a square count matrix (rows: label).
function scores(names, counts) {
  return names.map((name, c) => {
    const tp = counts[c][c];
    const support = counts[c].reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((a, row) => a + row[c], 0);
    const precision = predicted ? tp / predicted : 0, recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { name, precision, recall, f1, support };
  });
}

// The matrix folded onto one part of the class names ("wear/male/<30" -> part 0 "wear"): the mask,
// gender and age heads the teams analysed.
function headMatrix(part) {
  const labels = confusion.class_names.map((n) => n.split("/")[part]);
  const names = [...new Set(labels)];
  const counts = names.map(() => names.map(() => 0));
  confusion.counts.forEach((row, l) => row.forEach((count, p) => {
    counts[names.indexOf(labels[l])][names.indexOf(labels[p])] += count;
  }));
  return { names, counts };
}

function drawReport() {
  const cell = (v) => fs.el("td", { class: "num", text: v.toFixed(3) });
  const rows = [];
  const section = (title, rowsOf) => {
    const macro = rowsOf.reduce((a, r) => a + r.f1, 0) / rowsOf.length;
    rows.push(fs.el("tr", { class: "head-row" }, fs.el("th", { text: title }), fs.el("th", { text: "" }),
                    fs.el("th", { text: "" }), fs.el("th", { text: "macro F1 " + macro.toFixed(3) }), fs.el("th", { text: "" })));
    for (const r of rowsOf) {
      rows.push(fs.el("tr", { class: "report-row" }, fs.el("td", { text: r.name }), cell(r.precision), cell(r.recall), cell(r.f1),
                      fs.el("td", { class: "num", text: String(r.support) })));
    }
  };
  section("classes", scores(confusion.class_names, confusion.counts));
  const parts = confusion.class_names[0].split("/").length;
  const heads = parts === 3 ? ["mask", "gender", "age"] : [];
  heads.forEach((head, part) => { const m = headMatrix(part); section(head, scores(m.names, m.counts)); });
  document.querySelector("#report thead").replaceChildren(fs.el("tr", {}, ...["class", "precision", "recall", "F1", "support"]
    .map((h) => fs.el("th", { text: h }))));
  document.querySelector("#report tbody").replaceChildren(...rows);
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
  drawReport();
  drawConfusion();
}

load().catch((e) => { document.getElementById("status").textContent = e.message; });
