// The sweeps list: state, method, progress, best value, duration, created; refreshed every 5 s.
"use strict";

async function drawSweeps() {
  const sweeps = await fs.all("/api/sweeps");
  const body = document.querySelector("#sweeps tbody");
  body.replaceChildren(...sweeps.map((s) => fs.el("tr", { class: "sweep-row", "data-id": s.id },
    fs.el("td", {}, fs.el("a", { href: "/sweep?id=" + s.id }, `#${s.id} ${s.name}`)),
    fs.el("td", { text: fs.stateText(s) }),
    fs.el("td", { text: s.method || "—" }),
    fs.el("td", {}, fs.progressBar(s.progress)),
    fs.el("td", { class: "num", text: fs.value(s.best_value) + " " + (s.metric || "") }),
    fs.el("td", { class: "num", text: fs.duration(s) }),
    fs.el("td", { text: fs.time(s.created_unix_ms) }))));
  document.getElementById("more").textContent = sweeps.length ? "" : "No sweeps yet: foldstack submit SWEEP.yaml";
}

fs.start().then(drawSweeps).then(() => setInterval(drawSweeps, 5000))
  .catch((e) => { document.getElementById("more").textContent = e.message; });
