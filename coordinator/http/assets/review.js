// The label review page: a sweep's relabel candidates, best score first, with their photos (a
// person's side by side); accept (the suggested label or another), reject, and a note, made through
// POST /api/relabel/decisions as `foldstack relabel accept/reject` would. j/k move, a/r decide.
"use strict";

const sweepId = Number(new URLSearchParams(window.location.search).get("sweep"));
const review = { rows: [], classes: [], selected: 0 };

// A person is judged on gender/age only: "wear/male/<30" offers "male/<30".
function labelsFor(row) {
  if (row.kind !== "person") return review.classes;
  const seen = new Set();
  for (const name of review.classes) seen.add(name.split("/").slice(-2).join("/"));
  return [...seen];
}

function select(index) {
  const nodes = document.querySelectorAll("#candidates .candidate");
  if (!nodes.length) return;
  review.selected = Math.max(0, Math.min(nodes.length - 1, index));
  nodes.forEach((node, i) => node.classList.toggle("selected", i === review.selected));
  nodes[review.selected].scrollIntoView({ block: "nearest" });
}

async function decide(index, decision) {
  const row = review.rows[index];
  const node = document.querySelectorAll("#candidates .candidate")[index];
  // The label chosen is the one accepted, or refused (by default the suggestion, as the CLI does).
  const body = { target: row.target, decision, dataset: String(row.dataset_id),
                 label: node.querySelector("select.label").value, note: node.querySelector("input.note").value };
  try {
    const result = (await fs.api("/api/relabel/decisions", {
      method: "POST", body: JSON.stringify(body),
      headers: { "X-CSRF-Token": fs.session.csrf, "Content-Type": "application/json" },
    })).body;
    row.review_status = decision === "accept" ? "accepted" : "rejected";
    const done = result.reviewed[0];
    node.querySelector(".state").textContent =
      `${row.review_status}: ${done.label_name} (label version ${result.label_version})`;
    node.classList.add(row.review_status);
    document.getElementById("status").textContent = "";
    select(index + 1);
  } catch (e) {
    document.getElementById("status").textContent = `${row.target}: ${e.message}`;
  }
}

function candidateNode(row, index) {
  const photos = fs.el("div", { class: "photos" });
  for (const key of row.photo_keys) {
    photos.append(fs.el("img", { src: `/api/datasets/${row.dataset_id}/photo?size=160&key=${encodeURIComponent(key)}`,
                                 alt: key, title: key }));
  }
  const label = fs.el("select", { class: "label" });
  for (const name of labelsFor(row)) label.append(fs.el("option", { value: name, text: name }));
  label.value = row.kind === "person" ? row.suggested_name.split("/").slice(-2).join("/") : row.suggested_name;
  const lead = fs.session.scope === "lead";
  const button = (text, decision) => {
    const b = fs.el("button", { class: decision, text });
    b.disabled = !lead;
    b.addEventListener("click", () => decide(index, decision));
    return b;
  };
  const facts = fs.el("div", { class: "facts" },
    fs.el("b", { text: `#${index + 1} ${row.target}` }), ` (${row.kind}, ${row.aspect})`,
    fs.el("div", {}, "given ", fs.el("b", { text: row.given_name }), " → suggested ",
          fs.el("b", { text: row.suggested_name })),
    fs.el("div", { text: `score ${fs.value(row.score)} · ${row.method}` }),
    fs.el("code", { class: "evidence", text: JSON.stringify(row.evidence) }),
    fs.el("div", { class: "state", text: row.review_status }),
    fs.el("div", { class: "decide" }, label, fs.el("input", { class: "note", placeholder: "note (why)" }),
          button("Accept", "accept"), button("Reject", "reject")));
  const node = fs.el("div", { class: "candidate " + row.review_status }, photos, facts);
  node.addEventListener("click", () => select(index));
  return node;
}

async function load() {
  const kind = document.getElementById("kind").value;
  review.rows = await fs.all(`/api/sweeps/${sweepId}/relabel` + (kind ? `?kind=${kind}` : ""));
  if (review.rows.length && !review.classes.length) {
    review.classes = (await fs.api(`/api/datasets/${review.rows[0].dataset_id}/classes`)).body.class_names;
  }
  document.getElementById("count").textContent = `${review.rows.length} candidates`;
  document.getElementById("candidates").replaceChildren(...review.rows.map(candidateNode));
  select(0);
  document.body.dataset.loaded = "true";
}

document.addEventListener("keydown", (event) => {
  if (["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName) || event.ctrlKey || event.metaKey) return;
  const actions = { j: () => select(review.selected + 1), k: () => select(review.selected - 1),
                    a: () => decide(review.selected, "accept"), r: () => decide(review.selected, "reject") };
  if (actions[event.key] && review.rows.length) { event.preventDefault(); actions[event.key](); }
});

(async () => {
  try {
    await fs.start();
    document.getElementById("title").textContent = `Label review · sweep #${sweepId}`;
    document.getElementById("back").href = `/sweep?id=${sweepId}`;
    document.getElementById("kind").addEventListener("change", () => load().catch(
      (e) => { document.getElementById("status").textContent = e.message; }));
    await load();
  } catch (e) {
    document.getElementById("status").textContent = e.message;
  }
})();
