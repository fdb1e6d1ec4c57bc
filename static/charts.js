// What every chart figure of a lab, exercise or quiz page offers besides the picture:
// - "Download PNG" and "Download CSV" buttons,
// - "Show the data as a table": a table a screen reader can browse, built from the very
//   traces the chart draws and kept up to date while it is open,
// - an empty chart (nothing measured yet) drawn without axes, with a line saying so.
// Plotly's mode bar is off (plotConfig in player.js), so these buttons are the only
// chart controls in the tab order, after the player's.

const TABLE_ROWS = 300;

// "1 node", "2 nodes".
export function plural(count, word, many = `${word}s`) {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}

// An axis whose values are whole numbers (degrees, rounds, keys): whole-number ticks.
export function integerAxis(max, axis = {}) {
  return { tickformat: "d", rangemode: "tozero", ...(max <= 10 ? { dtick: 1 } : {}), ...axis };
}

// A page's first frame draws its main chart, lets the browser paint it, then draws the
// rest: views wrap their other charts in secondary(). The student sees the same charts,
// the first one sooner. Any later frame first finishes what is still waiting.
let later = null;
let waiting = null;

export function secondary(draw) {
  if (later) later.push(draw);
  else draw();
}

export function firstChartFirst(render, done) {
  later = [];
  try {
    render();
  } finally {
    const draws = later;
    later = null;
    if (!draws.length) done();
    else {
      const run = () => {
        if (waiting !== run) return;
        waiting = null;
        try { for (const draw of draws) draw(); } finally { done(); }
      };
      waiting = run;
      setTimeout(run, 0);
    }
  }
}

export function finishSecondary() {
  if (waiting) waiting();
}

const hasPoints = (traces) => traces.some((t) => ["x", "y"].some((k) => Array.isArray(t[k]) && t[k].some((v) => v !== null && v !== undefined)));

function figureOf(el) {
  return typeof el === "string" ? document.getElementById(el) : el;
}

// Every Plotly.react call of the page goes through here: empty charts lose their axes,
// and an open table view follows the chart.
function watchPlotly() {
  const react = Plotly.react;
  Plotly.react = function (gd, traces, layout = {}, config) {
    const el = figureOf(gd);
    const empty = Array.isArray(traces) && !hasPoints(traces);
    if (empty) {
      layout = {
        ...layout,
        xaxis: { ...(layout.xaxis || {}), visible: false },
        yaxis: { ...(layout.yaxis || {}), visible: false },
        annotations: [...(layout.annotations || []), { text: "Nothing to show yet", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { color: "#59636e" } }],
      };
    }
    if (el) el.classList.toggle("is-empty", empty);
    const drawn = react.call(this, gd, traces, layout, config);
    Promise.resolve(drawn).then(() => {
      // When the first chart with data is on screen (make bench reads it).
      if (!empty && window.paperlabsFirstChart === undefined) window.paperlabsFirstChart = performance.now();
      if (el) el.dispatchEvent(new CustomEvent("chart-drawn"));
    });
    return drawn;
  };
}

// The chart's data as rows: one per point, named by its trace.
export function chartRows(el) {
  const rows = [];
  for (const [i, t] of (el.data || []).entries()) {
    const xs = Array.isArray(t.x) ? t.x : [];
    const ys = Array.isArray(t.y) ? t.y : [];
    const label = Array.isArray(t.hovertext) && t.hovertext.some(Boolean) ? t.hovertext : Array.isArray(t.text) ? t.text : [];
    const n = Math.max(xs.length, ys.length);
    for (let j = 0; j < n; j++) {
      if ((xs[j] === null || xs[j] === undefined) && (ys[j] === null || ys[j] === undefined)) continue;
      rows.push([t.name || `series ${i + 1}`, xs[j] ?? "", ys[j] ?? "", stripTags(label[j] ?? "")]);
    }
  }
  return rows;
}

const stripTags = (s) => String(s).replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "");

function axisTitle(el, axis, fallback) {
  const a = el.layout && el.layout[axis];
  const t = a && a.title && (typeof a.title === "string" ? a.title : a.title.text);
  return t ? stripTags(t) : fallback;
}

function header(el) {
  return ["series", axisTitle(el, "xaxis", "x"), axisTitle(el, "yaxis", "y"), "label"];
}

function csvCell(v) {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function fileName(el) {
  const slug = (document.getElementById("lab") || {}).dataset?.slug || "chart";
  const step = window.paperlabs ? window.paperlabs.step : 0;
  return `${slug}-${el.id}-step-${step}`;
}

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function renderTable(el, box) {
  const rows = chartRows(el);
  const table = document.createElement("table");
  table.className = "table data-table";
  const caption = document.createElement("caption");
  const title = el.layout && el.layout.title && stripTags(el.layout.title.text || "");
  caption.textContent = `Data of the chart${title ? `: ${title}` : ""} (${plural(rows.length, "point")}${rows.length > TABLE_ROWS ? `, the first ${TABLE_ROWS} shown; Download CSV has all` : ""})`;
  table.append(caption);
  const head = table.createTHead().insertRow();
  for (const h of header(el)) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.append(th); }
  const body = table.createTBody();
  for (const r of rows.slice(0, TABLE_ROWS)) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v);
  }
  box.replaceChildren(table);
}

function enhance(el) {
  if (el.dataset.chartTools) return;
  el.dataset.chartTools = "1";
  const tools = document.createElement("div");
  tools.className = "chart-tools";
  const button = (text) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    tools.append(b);
    return b;
  };
  const png = button("Download PNG");
  const csv = button("Download CSV");
  const toggle = button("Show the data as a table");
  const box = document.createElement("div");
  box.className = "chart-table";
  box.id = `${el.id}-table`;
  box.hidden = true;
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", box.id);
  for (const b of [png, csv, toggle]) b.setAttribute("aria-describedby", el.getAttribute("aria-describedby") || "");

  png.addEventListener("click", () => {
    if (el.data) Plotly.downloadImage(el, { format: "png", filename: fileName(el) });
  });
  csv.addEventListener("click", () => {
    const lines = [header(el), ...chartRows(el)].map((r) => r.map(csvCell).join(","));
    download(`${fileName(el)}.csv`, new Blob([`${lines.join("\n")}\n`], { type: "text/csv" }));
  });
  toggle.addEventListener("click", () => {
    const open = box.hidden;
    box.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide the table" : "Show the data as a table";
    if (open) renderTable(el, box);
  });
  el.addEventListener("chart-drawn", () => { if (!box.hidden) renderTable(el, box); });
  el.after(tools, box);
}

// Adds the tools under every chart of `root`.
export function enhanceCharts(root = document) {
  if (window.Plotly && !Plotly.react.paperlabsWatched) {
    watchPlotly();
    Plotly.react.paperlabsWatched = true;
  }
  root.querySelectorAll(".chart").forEach(enhance);
}
