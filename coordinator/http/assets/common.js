// Shared by the pages: calls to the JSON API (the session cookie rides along; POSTs carry the
// session's CSRF token), paging through X-Next-Cursor, and formatting.
"use strict";
const fs = {
  session: null,

  async api(path, options = {}) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options));
    if (response.status === 401) { window.location.href = "/login"; throw new Error("log in first"); }
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return { body, next: response.headers.get("X-Next-Cursor") };
  },

  // Every page of a list endpoint.
  async all(path) {
    const rows = [];
    let cursor = "";
    for (;;) {
      const sep = path.includes("?") ? "&" : "?";
      const page = await fs.api(path + sep + "limit=1000" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
      rows.push(...page.body);
      if (!page.next) return rows;
      cursor = page.next;
    }
  },

  async post(path) {
    return fs.api(path, { method: "POST", headers: { "X-CSRF-Token": fs.session.csrf } });
  },

  // Who is logged in; fills the header and the logout form.
  async start() {
    fs.session = (await fs.api("/api/session")).body;
    document.getElementById("who").textContent = fs.session.name + " (" + fs.session.scope + ")";
    document.getElementById("logout-csrf").value = fs.session.csrf;
    return fs.session;
  },

  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  },

  value(v) { return v === null || v === undefined ? "—" : Number(v).toFixed(4); },
  time(ms) { return ms ? new Date(ms).toLocaleString() : "—"; },
  duration(sweep) {
    const end = sweep.finished_unix_ms || Date.now();
    let s = Math.max(0, Math.round((end - sweep.created_unix_ms) / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    s %= 60;
    return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
  },
  progressBar(fraction) {
    const pct = Math.round(fraction * 100);
    const bar = fs.el("span", { class: "bar", title: pct + "%" }, fs.el("i"));
    bar.firstChild.style.width = pct + "%";
    return fs.el("span", {}, bar, " " + pct + "%");
  },
  stateText(sweep) { return sweep.paused && sweep.state === "running" ? "paused" : sweep.state; },
};
