// The small-world lab view: the graph on a circle (shortcuts in red), C and L beside
// the lattice's exact values, the degree distribution, gossip spreading, and the
// paper's Figure 2 computed live with points appearing as they are measured.
import { integerAxis, plural, secondary } from "../charts.js";
import { describe, plotConfig } from "../player.js";

const fmt = (x, digits = 3) => (x === null || x === undefined ? "∞" : Number(x).toFixed(digits));

export function createView(root, player) {
  const $ = (id) => document.getElementById(id);
  // Blank or non-numeric fields are refused next to the field, never read as 0.
  const num = (id) => player.num(id);
  const sweepRows = [];
  let sweepMeta = null;
  let layoutN = 0;
  let figure2Drawn = false;
  let xs = [];
  let ys = [];

  $("sw-apply").addEventListener("click", () => player.act("set_params", {
    params: { model: $("sw-model").value, n: num("sw-n"), k: num("sw-k"), p: num("sw-p"), m: num("sw-m") },
    seed: num("sw-seed"),
  }));
  $("sw-rewire-next").addEventListener("click", () => player.act("rewire_next"));
  $("sw-rewire-all").addEventListener("click", () => player.act("rewire_all"));
  $("sw-select").addEventListener("click", () => player.act("select_node", { node: num("sw-node") }));
  $("sw-path").addEventListener("click", () => player.act("shortest_path", { a: num("sw-a"), b: num("sw-b") }));
  $("sw-gossip").addEventListener("click", () => player.act("gossip", { source: num("sw-source"), mode: $("sw-mode").value }));
  $("sw-compare").addEventListener("click", () => {
    player.act("compare_gossip", { mode: $("sw-mode").value, p: num("sw-compare-p") });
  });
  $("sw-compare-cancel").addEventListener("click", () => player.act("cancel_compare"));
  $("sw-sweep").addEventListener("click", () => player.act("sweep", {
    n: num("sw-sweep-n"), k: num("sw-sweep-k"), points: num("sw-sweep-points"), realizations: num("sw-sweep-reps"),
  }));
  $("sw-cancel").addEventListener("click", () => player.act("cancel_sweep"));
  if (player.readOnly) root.querySelectorAll(".editable").forEach((el) => { el.hidden = true; });

  function onHello(hello) {
    const p = hello.params;
    $("sw-model").value = p.model;
    $("sw-n").value = p.n;
    $("sw-k").value = p.k;
    $("sw-p").value = p.p;
    $("sw-m").value = p.m;
    $("sw-seed").value = hello.seed;
    if (p.p > 0) $("sw-compare-p").value = p.p;
    // A rebuilt graph makes the old comparison stale: clear it.
    $("sw-compare-table").hidden = true;
    $("sw-compare-table").tBodies[0].replaceChildren();
  }

  function renderFigure2() {
    figure2Drawn = true;
    const p = sweepRows.map((r) => r.p);
    const traces = [
      { type: "scatter", mode: "markers", x: p, y: sweepRows.map((r) => r.C_norm), name: "C(p) / C(0)", marker: { size: 9, symbol: "square", color: "#1f77b4" } },
      { type: "scatter", mode: "markers", x: p, y: sweepRows.map((r) => r.L_norm), name: "L(p) / L(0)", marker: { size: 9, color: "#d62728" } },
      ...figure2Theory(),
    ];
    Plotly.react("sw-fig2", traces, {
      margin: { l: 50, r: 10, t: 30, b: 45 }, height: 340, legend: { orientation: "h" },
      title: { text: sweepMeta ? `n = ${sweepMeta.n}, k = ${sweepMeta.k}, ${sweepMeta.realizations} realizations per p` : "Figure 2" },
      xaxis: { type: "log", range: [-4.2, 0.2], title: { text: "p (rewiring probability)" }, exponentformat: "power" },
      yaxis: { range: [0, 1.05], title: { text: "normalized to the lattice (p = 0)" } },
    }, plotConfig);
    describe("sw-fig2-desc", sweepRows.length
      ? `Measured so far: ${sweepRows.map((r) => `p = ${r.p.toPrecision(2)}: C/C(0) = ${fmt(r.C_norm)}, L/L(0) = ${fmt(r.L_norm)}`).join("; ")}.`
      : "Run a sweep to plot the paper's Figure 2.");
  }

  // Theory beside the measured points: Barrat–Weigt's (1 − p)³ for the rewired ring, and
  // for comparison the Newman–Watts ring (shortcuts added, not rewired) at the same k.
  function figure2Theory() {
    const th = sweepMeta && sweepMeta.theory;
    if (!th) return [];
    return [
      { type: "scatter", mode: "lines", x: th.p, y: th.C_norm_barrat_weigt, name: "Barrat–Weigt C(0)(1 − p)³ / C(0)",
        line: { color: "#1f77b4", dash: "dash", width: 1.5 }, hoverinfo: "x+y+name" },
      { type: "scatter", mode: "lines", x: th.p, y: th.C_norm_newman_watts, name: `Newman–Watts C(p)/C(0), k = ${sweepMeta.k} (shortcuts added)`,
        line: { color: "#7f7f7f", dash: "dot", width: 1.5 }, hoverinfo: "x+y+name" },
    ];
  }

  // Table 1 with its random-graph columns computed by L ≈ ln n / ln k and C ≈ k / n beside
  // the published ones, and a last row for the graph on the page.
  function renderTable1(s) {
    const th = s.theory;
    if (!th || !th.table1) return;
    const table = $("sw-table1");
    const head = ["Network", "n", "k", "L", "L random", "≈ ln n / ln k", "C", "C random", "≈ k / n"];
    const tr = document.createElement("tr");
    for (const h of head) { const th_ = document.createElement("th"); th_.scope = "col"; th_.textContent = h; tr.append(th_); }
    table.tHead.replaceChildren(tr);
    const cell = (x, d) => (x === null || x === undefined ? "–" : typeof x === "number" ? (Math.abs(x) < 0.01 && x !== 0 ? x.toPrecision(2) : Number(x.toFixed(d))) : x);
    table.tBodies[0].replaceChildren(...th.table1.map((r) => {
      const mine = r.network === "Your graph";
      const row = document.createElement("tr");
      const values = [mine ? "Your graph" : r.network, r.n.toLocaleString("en-US"), cell(r.k, 2),
        mine ? fmt(s.L, 2) : cell(r.L_actual, 3), mine ? "" : cell(r.L_random, 3), cell(r.L_formula, 2),
        mine ? fmt(s.C) : cell(r.C_actual, 3), mine ? "" : cell(r.C_random, 5), cell(r.C_formula, 4)];
      for (const v of values) { const td = document.createElement("td"); td.textContent = String(v); row.append(td); }
      return row;
    }));
    table.caption.textContent = "Table 1 of the paper: actual and random-graph L and C as published, the random-graph formulas L ≈ ln n / ln k and C ≈ k / n beside them, and your graph";
  }

  // The closed forms for the graph on the page, under the measured C and L.
  function renderTheory(s) {
    const th = s.theory;
    if (!th) return;
    const lines = [];
    if (th.C_barrat_weigt !== null) lines.push(`Barrat–Weigt predicts C ≈ C(0)(1 − p)³ = ${fmt(th.C_barrat_weigt)} once every edge is decided (measured C = ${fmt(s.C)}).`);
    if (th.C_newman_watts !== null) lines.push(`Newman–Watts predicts C = 3(k−2)/(4(k−1) + 8kp + 4kp²) = ${fmt(th.C_newman_watts)} once every shortcut is added (measured C = ${fmt(s.C)}; the formula counts 3 × triangles / connected triples, which runs a little below the mean local clustering).`);
    lines.push(`A random graph with this n and mean degree k = ${fmt(th.mean_degree, 2)} has L ≈ ln n / ln k = ${fmt(th.L_random, 2)} and C ≈ k / n = ${fmt(th.C_random, 4)}.`);
    const p = document.createElement("p");
    p.id = "sw-theory";
    p.textContent = lines.join(" ");
    $("sw-measures").append(p);
  }

  function onMessage(message) {
    const status = $("sw-sweep-status");
    const flags = window.paperlabs;
    switch (message.type) {
      case "sweep_started":
        sweepRows.length = 0;
        sweepMeta = message;
        flags.sweep = { state: "running", points: 0 };
        $("sw-cancel").disabled = false;
        $("sw-sweep").disabled = true;
        status.textContent = `Sweeping ${message.ps.length} values of p…`;
        renderFigure2();
        break;
      case "progress":
        sweepRows.push(message.row);
        flags.sweep.points = sweepRows.length;
        status.textContent = `${message.done} of ${message.total} values of p done`;
        renderFigure2();
        break;
      case "sweep_done":
      case "sweep_cancelled":
        flags.sweep.state = message.type === "sweep_done" ? "done" : "cancelled";
        $("sw-cancel").disabled = true;
        $("sw-sweep").disabled = false;
        status.textContent = message.type === "sweep_done"
          ? `Done: ${message.rows.length} values of p.` : `Cancelled after ${message.rows.length} of ${message.total} values of p.`;
        break;
      case "gossip_comparison_started":
        $("sw-compare").disabled = true;
        $("sw-compare-cancel").disabled = false;
        status.textContent = `Comparing ${message.mode} gossip on a lattice, a small world (p = ${message.p}) and a random graph, n = ${message.n}, k = ${message.k}…`;
        break;
      case "gossip_comparison_cancelled":
        $("sw-compare").disabled = false;
        $("sw-compare-cancel").disabled = true;
        status.textContent = "Gossip comparison cancelled.";
        break;
      case "gossip_comparison": {
        $("sw-compare").disabled = false;
        $("sw-compare-cancel").disabled = true;
        const table = $("sw-compare-table");
        const runs = message.rows[0] ? message.rows[0].runs : 0;
        table.hidden = false;
        table.caption.textContent = `${message.mode} gossip on three graphs with n = ${message.n}, k = ${message.k}: rounds until every node knows`;
        table.tHead.rows[0].cells[2].textContent = `Rounds until all ${message.n} nodes know: mean over ${plural(runs, "run")} (fewest–most)`;
        table.tBodies[0].replaceChildren(...message.rows.map((r) => {
          const tr = document.createElement("tr");
          for (const cell of [r.graph, `C = ${fmt(r.C)}, L = ${fmt(r.L, 2)}`, `${fmt(r.rounds_mean, 1)} (${r.rounds_min}–${r.rounds_max})`]) {
            const td = document.createElement("td"); td.textContent = cell; tr.append(td);
          }
          return tr;
        }));
        status.textContent = `Gossip (${message.mode}) compared over ${message.rows[0] ? message.rows[0].runs : 0} runs: small world with p = ${message.p}, n = ${message.n}, k = ${message.k}.`;
        break;
      }
      default:
    }
  }

  function onError(err) {
    if (["n", "k", "points", "realizations"].includes(err.field) || err.value === "sweep") {
      $("sw-sweep-status").textContent = `Refused: ${err.message}`;
    }
  }

  function renderGraph(s) {
    if (layoutN !== s.n) {
      layoutN = s.n;
      xs = []; ys = [];
      for (let i = 0; i < s.n; i++) {
        const a = Math.PI / 2 - (2 * Math.PI * i) / s.n;
        xs.push(Math.cos(a)); ys.push(Math.sin(a));
      }
    }
    const shortcut = new Set(s.shortcuts.map(([u, v]) => `${u}-${v}`));
    const lx = [], ly = [], sx = [], sy = [];
    for (const [u, v] of s.edges) {
      const isShort = shortcut.has(`${u}-${v}`) || shortcut.has(`${v}-${u}`);
      (isShort ? sx : lx).push(xs[u], xs[v], null);
      (isShort ? sy : ly).push(ys[u], ys[v], null);
    }
    const informed = new Set(s.gossip ? s.gossip.informed : []);
    const onPath = new Set(s.path || []);
    const px = (s.path || []).map((v) => xs[v]);
    const py = (s.path || []).map((v) => ys[v]);
    // Shapes as well as colours: selected ★, on the path ◆, informed ■, others ●.
    const colours = [];
    const symbols = [];
    for (let i = 0; i < s.n; i++) {
      if (s.selected && s.selected.node === i) { colours.push("#000"); symbols.push("star"); }
      else if (onPath.has(i)) { colours.push("#2ca02c"); symbols.push("diamond"); }
      else if (informed.has(i)) { colours.push("#ff7f0e"); symbols.push("square"); }
      else { colours.push("#1f77b4"); symbols.push("circle"); }
    }
    const big = s.n > 300;
    // WebGL only for big graphs: its start-up costs more than drawing a few hundred
    // nodes and edges as SVG.
    const type = big || s.edges.length > 3000 ? "scattergl" : "scatter";
    Plotly.react("sw-graph", [
      { type, mode: "lines", x: lx, y: ly, line: { color: "rgba(120,120,120,0.5)", width: 1 }, name: "lattice edges", hoverinfo: "skip" },
      { type, mode: "lines", x: sx, y: sy, line: { color: "#d62728", width: 1.5, dash: "dash" }, name: "shortcuts", hoverinfo: "skip" },
      { type, mode: "lines", x: px, y: py, line: { color: "#2ca02c", width: 4 }, name: "shortest path", hoverinfo: "skip" },
      { type, mode: "markers", x: xs, y: ys, text: xs.map((_, i) => `node ${i}`), hoverinfo: "text", name: "nodes",
        marker: { size: big ? 4 : 9, color: colours, symbol: symbols } },
    ], {
      margin: { l: 10, r: 10, t: 40, b: 10 }, height: 520, showlegend: true, legend: { orientation: "h" },
      title: { text: `${s.model.replace("_", "–")}: n = ${s.n}, ${s.edges.length} edges, ${s.shortcuts.length} shortcuts` },
      xaxis: { visible: false, range: [-1.15, 1.15], scaleanchor: "y" }, yaxis: { visible: false, range: [-1.15, 1.15] },
    }, plotConfig);
    const rewire = s.decisions_total ? ` Rewiring: ${s.decisions_done} of ${s.decisions_total} edges decided (lap ${s.lap}).` : "";
    describe("sw-graph-desc", `${plural(s.n, "node")} on a circle, ${plural(s.edges.length, "edge")} of which ${s.shortcuts.length} ${s.shortcuts.length === 1 ? "is a shortcut" : "are shortcuts"} across the ring.${rewire}`);
  }

  function renderMeasures(s) {
    const box = $("sw-measures");
    const rows = [
      ["Clustering C", fmt(s.C), `lattice C(0) = ${fmt(s.C0)}`, s.C0 ? `C/C(0) = ${fmt(s.C / s.C0)}` : ""],
      ["Path length L", fmt(s.L), `lattice L(0) = ${fmt(s.L0)}`, s.L !== null && s.L0 ? `L/L(0) = ${fmt(s.L / s.L0)}` : ""],
    ];
    box.replaceChildren();
    const table = document.createElement("table");
    table.className = "table";
    for (const r of rows) {
      const tr = document.createElement("tr");
      r.forEach((cell, i) => { const el = document.createElement(i ? "td" : "th"); el.textContent = cell; if (!i) el.scope = "row"; tr.append(el); });
      table.append(tr);
    }
    box.append(table);
    const note = document.createElement("p");
    note.textContent = s.L_note;
    box.append(note);
    if (s.selected) {
      const p = document.createElement("p");
      p.textContent = `Node ${s.selected.node}: degree ${s.selected.degree}, local clustering C_v = ${fmt(s.selected.C_v)}.`;
      box.append(p);
    }
    if (s.path) {
      const p = document.createElement("p");
      p.textContent = `Shortest path (${s.path.length - 1} hops): ${s.path.join(" → ")}.`;
      box.append(p);
    }
    const hist = s.degree_histogram;
    Plotly.react("sw-degrees", [{ type: "bar", x: hist.map((h) => h[0]), y: hist.map((h) => h[1]), marker: { color: "#1f77b4" } }],
      { margin: { l: 40, r: 10, t: 30, b: 35 }, height: 220, title: { text: "Degree distribution" },
        xaxis: integerAxis(Math.max(0, ...hist.map((h) => h[0])), { title: { text: "degree" } }),
        yaxis: integerAxis(Math.max(0, ...hist.map((h) => h[1])), { title: { text: "nodes" } }) }, plotConfig);
    describe("sw-degrees-desc", `Degrees: ${hist.map(([d, c]) => `${plural(c, "node")} of degree ${d}`).join(", ")}.`);
    const g = s.gossip;
    if (g) {
      Plotly.react("sw-spread", [{ type: "scatter", mode: "lines+markers", x: g.history.map((_, i) => i), y: g.history, line: { color: "#ff7f0e" } }],
        { margin: { l: 40, r: 10, t: 30, b: 35 }, height: 220, title: { text: `Gossip (${g.mode}) from node ${g.source}` },
          xaxis: integerAxis(g.history.length - 1, { title: { text: "round" } }),
          yaxis: integerAxis(s.n, { title: { text: "nodes informed" }, range: [0, s.n * 1.05] }) }, plotConfig);
      describe("sw-spread-desc", `Round ${g.round}: ${g.informed.length} of ${plural(s.n, "node")} know the rumour${g.finished ? " (done)" : ""}.`);
    } else {
      Plotly.purge("sw-spread");
      describe("sw-spread-desc", "Start spreading a rumour to see how many rounds it takes.");
    }
  }

  function render(frame) {
    renderGraph(frame.state);
    secondary(() => {
      renderMeasures(frame.state);
      renderTheory(frame.state);
      renderTable1(frame.state);
      // Empty until a sweep: drawn after the graph.
      if (!figure2Drawn) renderFigure2();
    });
  }

  return { render, onHello, onMessage, onError };
}
