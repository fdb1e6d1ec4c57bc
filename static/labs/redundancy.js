// The redundancy lab view: the array's timeline (failures, rebuild windows, data
// losses, disk by disk), the measured MTTDL beside Patterson's closed form over a sweep
// of G or MTTR, what a failed rack, zone or Region costs the items placed over them,
// and the blast radius of one bad request for a fleet, cells and shuffle sharding.
import { secondary } from "../charts.js";
import { describe, plotConfig } from "../player.js";

const count = (n, word, many) => `${Number(n).toLocaleString("en-US")} ${n === 1 ? word : many || `${word}s`}`;
const hours = (h) => (h >= 8760 ? `${(h / 8760).toLocaleString("en-US", { maximumFractionDigits: 1 })} years` : `${Math.round(h).toLocaleString("en-US")} h`);
const pct = (x, digits = 1) => `${(100 * x).toFixed(digits)}%`;
const PARAMS = {
  d: "rb-d", g: "rb-g", c: "rb-c", mttf: "rb-mttf", mttr: "rb-mttr", hours_per_step: "rb-hours-per-step",
  batch_cv: "rb-batch-cv", supply_mttf: "rb-supply-mttf", ure: "rb-ure",
  regions: "rb-regions", zones: "rb-zones", racks: "rb-racks", hosts: "rb-hosts", items: "rb-items", replicas: "rb-replicas",
};
const CHOICES = { rebuilds: "rb-rebuilds", supply_layout: "rb-supply-layout", placement: "rb-placement" };

export function createView(root, player) {
  const $ = (id) => document.getElementById(id);
  const num = (id) => player.num(id);
  let state = null;
  let topologyKey = "";

  $("rb-apply").addEventListener("click", () => {
    const params = {};
    for (const [field, id] of Object.entries(PARAMS)) params[field] = num(id);
    for (const [field, id] of Object.entries(CHOICES)) params[field] = $(id).value;
    player.act("set_params", { params, seed: num("rb-seed") });
  });
  $("rb-fail-disk").addEventListener("click", () => player.act("fail_disk", { disk: num("rb-disk") }));
  $("rb-fail-supply").addEventListener("click", () => player.act("fail_supply", { supply: num("rb-supply") }));
  $("rb-run").addEventListener("click", () => player.act("run", { hours: num("rb-run-hours") }));
  $("rb-sweep").addEventListener("click", () => player.act("sweep", { vary: $("rb-vary").value, trials: num("rb-trials") }));
  $("rb-level").addEventListener("change", () => { topologyKey = ""; if (state) domainOptions(state); });
  $("rb-fail-domain").addEventListener("click", () => player.act("fail_domain", { level: $("rb-level").value, name: $("rb-domain").value }));
  $("rb-fail-hosts").addEventListener("click", () => player.act("fail_hosts", { count: num("rb-count") }));
  $("rb-restore").addEventListener("click", () => player.act("restore"));
  $("rb-place").addEventListener("click", () => player.act("place", { strategy: $("rb-strategy").value }));
  $("rb-inspect-item").addEventListener("click", () => player.act("inspect_item", { item: num("rb-item") }));
  $("rb-inspect-group").addEventListener("click", () => player.act("inspect_group", { group: num("rb-group") }));
  $("rb-blast").addEventListener("click", () => player.act("blast", {
    customers: num("rb-customers"), workers: num("rb-workers"), cells: num("rb-cells"), k: num("rb-k"), trials: num("rb-blast-trials"),
  }));
  // Rebuild windows last about MTTR, hours on an axis of years: zooming in shows them.
  let zoomed = null;
  $("rb-zoom").addEventListener("click", () => {
    const w = state && state.array.rebuild_windows[state.array.rebuild_windows.length - 1];
    if (!w) { player.status("No disk has failed yet."); return; }
    const pad = Math.max(w.end - w.start, 1) * 3;
    zoomed = [(w.start - pad) / 8760, (w.end + pad) / 8760];
    Plotly.relayout("rb-timeline", { "xaxis.range": zoomed });
  });
  $("rb-unzoom").addEventListener("click", () => { zoomed = null; if (state) renderTimeline(state); });
  if (player.readOnly) root.querySelectorAll(".editable").forEach((el) => { el.hidden = true; });

  function onHello(hello) {
    const p = hello.params;
    for (const [field, id] of Object.entries(PARAMS)) $(id).value = p[field];
    for (const [field, id] of Object.entries(CHOICES)) $(id).value = p[field];
    $("rb-seed").value = hello.seed;
    $("rb-strategy").value = p.placement;
  }

  // Domain names follow the topology's own naming: Regions R1, zones R1a, racks R1a-1.
  function domainNames(t, level) {
    const regions = Array.from({ length: t.regions }, (_, r) => `R${r + 1}`);
    const zones = regions.flatMap((r) => Array.from({ length: t.zones }, (_, z) => `${r}${String.fromCharCode(97 + z)}`));
    if (level === "region") return regions;
    if (level === "zone") return zones;
    return zones.flatMap((z) => Array.from({ length: t.racks }, (_, k) => `${z}-${k + 1}`));
  }

  function domainOptions(s) {
    const t = s.domains.topology;
    const level = $("rb-level").value;
    const key = `${level}:${t.regions}:${t.zones}:${t.racks}`;
    if (key === topologyKey) return;
    topologyKey = key;
    const select = $("rb-domain");
    const current = select.value;
    const names = domainNames(t, level);
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    if (names.includes(current)) select.value = current;
  }

  function renderTimeline(s) {
    const a = s.array;
    const n = a.g + a.c;
    const years = (h) => h / 8760;
    const wx = [];
    const wy = [];
    for (const w of a.rebuild_windows) { wx.push(years(w.start), years(w.end), null); wy.push(w.disk, w.disk, null); }
    const pick = (kind) => a.events.filter((e) => e.kind === kind && e.disk !== null);
    const marks = (kind) => ({ x: pick(kind).map((e) => years(e.time)), y: pick(kind).map((e) => e.disk), text: pick(kind).map((e) => e.text) });
    const fails = marks("fail");
    const losses = marks("loss");
    const supplies = a.events.filter((e) => e.kind === "supply");
    const end = Math.max(years(a.now), 0.1);
    // Every disk is a row of the timeline, drawn from the start: failures sit on it.
    const dx = [];
    const dy = [];
    for (let disk = 0; disk < (a.d / a.g) * n; disk++) { dx.push(0, end, null); dy.push(disk, disk, null); }
    Plotly.react("rb-timeline", [
      { type: "scatter", mode: "lines", name: "disks", x: dx, y: dy, line: { color: "#d0d7de", width: 1 }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "lines", name: "rebuild windows", x: wx, y: wy, line: { color: "#ff7f0e", width: 6 }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: "failures", ...fails, hoverinfo: "text", marker: { color: "#1f77b4", symbol: "x", size: 8 } },
      { type: "scatter", mode: "markers", name: "data loss", ...losses, hoverinfo: "text", marker: { color: "#d62728", symbol: "star", size: 14 } },
      { type: "scatter", mode: "markers", name: "supply failures", x: supplies.map((e) => years(e.time)), y: supplies.map((e) => Math.max(e.group, 0) * n), text: supplies.map((e) => e.text), hoverinfo: "text", marker: { color: "#9467bd", symbol: "diamond", size: 10 } },
    ], {
      title: { text: `The array: ${a.d / a.g} groups of ${a.g} + ${a.c} disks, ${hours(a.now)} simulated` },
      xaxis: { title: { text: "years" }, range: zoomed || [0, end * 1.02] },
      yaxis: { title: { text: "disk (grouped)" }, range: [-0.5, (a.d / a.g) * n - 0.5] },
      shapes: Array.from({ length: a.d / a.g - 1 }, (_, j) => ({ type: "line", xref: "paper", x0: 0, x1: 1, y0: (j + 1) * n - 0.5, y1: (j + 1) * n - 0.5, line: { color: "#ccc", width: 1 } })),
      margin: { t: 40, r: 10 }, legend: { orientation: "h" },
    }, plotConfig);
    const losses_ = a.losses.reduce((x, y) => x + y, 0);
    const cf = s.closed_form;
    const down = a.down.flat().length;
    describe("rb-timeline-desc", `${hours(a.now)} simulated: ${count(a.rebuild_count, "disk failure")} (each a rebuild window), `
      + `${count(losses_, "data loss", "data losses")}; ${count(down, "disk")} down now. `
      + `Closed form (Patterson et al.): MTTDL ${hours(cf.mttdl_hours)}, probability of a loss by now ${pct(cf.p_loss_by_now, 2)}.`
      + (a.batch_factor !== 1 ? ` This batch fails ${a.batch_factor.toFixed(2)} times as fast as the mean.` : ""));
  }

  function renderSweep(s) {
    const sw = s.sweep;
    if (!sw) { Plotly.purge("rb-sweep-chart"); describe("rb-sweep-desc", "Press Sweep to measure the MTTDL over G or MTTR."); return; }
    const x = sw.rows.map((r) => r[sw.vary]);
    const measured = sw.rows.filter((r) => r.measured !== null);
    const mx = measured.map((r) => r[sw.vary]);
    const my = measured.map((r) => r.measured / 8760);
    Plotly.react("rb-sweep-chart", [
      { type: "scatter", mode: "lines+markers", name: "closed form (Patterson et al.)", x, y: sw.rows.map((r) => r.closed / 8760), line: { color: "#1f77b4" } },
      { type: "scatter", mode: "markers", name: "measured", x: mx, y: my, marker: { color: "#d62728", size: 9 },
        error_y: { type: "data", symmetric: false, array: measured.map((r) => Math.min(r.high, 1e12) / 8760 - r.measured / 8760), arrayminus: measured.map((r) => r.measured / 8760 - r.low / 8760) } },
    ], {
      title: { text: `MTTDL over ${sw.vary === "g" ? "the group size G" : "the repair time MTTR"}` },
      xaxis: { title: { text: sw.vary === "g" ? "G (data disks per group)" : "MTTR (hours)" }, type: "log" },
      yaxis: { title: { text: "MTTDL (years)" }, type: "log" },
      margin: { t: 40, r: 10 }, legend: { orientation: "h" },
    }, plotConfig);
    describe("rb-sweep-desc", `${count(sw.trials, "array")} per point${sw.correlated ? ", with correlated failures" : ""}. `
      + sw.rows.map((r) => `${sw.vary === "g" ? "G" : "MTTR"} = ${r[sw.vary]}: closed form ${hours(r.closed)}, measured ${r.measured === null ? "no loss seen" : hours(r.measured)}`).join("; ") + ".");
  }

  function renderDomains(s) {
    const dm = s.domains;
    const box = $("rb-domains");
    box.replaceChildren();
    const lines = [`${count(dm.items, "item")} with ${count(dm.replicas, "replica")} each, placed ${dm.placement === "zones" ? "one per zone" : dm.placement === "regions" ? "one per Region" : dm.placement === "copysets" ? "on copysets" : "on random hosts"} (${count(dm.replica_sets, "distinct replica set")}) over ${count(dm.topology.host_count, "host")}.`];
    lines.push(dm.failed.length ? `Down: ${dm.failed.join("; ")} (${count(dm.down_hosts, "host")}).` : "Every host is up.");
    for (const text of lines) { const p = document.createElement("p"); p.textContent = text; box.append(p); }
    const f = dm.last_failure;
    if (f) {
      const p = document.createElement("p");
      p.id = "rb-lost";
      p.textContent = `${f.what}: ${count(f.lost, "item")} lost every replica, ${count(f.no_quorum, "item")} lost their quorum.`;
      box.append(p);
      const list = document.createElement("p");
      list.id = "rb-lost-items";
      list.textContent = f.lost ? `Lost items: ${f.lost_items.join(", ")}${f.lost > f.lost_items.length ? ", …" : ""}.` : "No item lost every replica.";
      box.append(list);
    }
    $("rb-loss-per-year").tBodies[0].replaceChildren(...Object.entries(dm.loss_per_year).map(([level, v]) => {
      const tr = document.createElement("tr");
      for (const text of [`${level} (${v.domains}; ${v.harmful} whose failure loses an item)`, String(dm.rates[level]), pct(v.p_loss_year, 3)]) {
        const td = document.createElement("td"); td.textContent = text; tr.append(td);
      }
      return tr;
    }));
  }

  function renderInspect(s) {
    const box = $("rb-inspect");
    const parts = [];
    const it = s.selected_item;
    if (it) parts.push(`Item ${it.item}: ${it.replicas.map((r) => `host ${r.host} in rack ${r.rack}${r.down ? " (down)" : ""}`).join(", ")}.`);
    const g = s.selected_group;
    if (g) parts.push(`Group ${g.group}, disks ${g.disks[0]} to ${g.disks[g.disks.length - 1]}: ${count(g.failures, "failure")}, ${count(g.losses, "data loss", "data losses")} in ${g.years.toFixed(1)} years.`);
    box.textContent = parts.join(" ");
  }

  function renderBlast(s) {
    const b = s.blast;
    if (!b) { Plotly.purge("rb-blast-chart"); return; }
    const labels = { fleet: "one big fleet", cells: `${b.cells} cells`, shuffle: `shuffle sharding (${b.k} of ${b.workers})` };
    const x = b.results.map((r) => labels[r.strategy]);
    Plotly.react("rb-blast-chart", [
      { type: "bar", name: "simulated", x, y: b.results.map((r) => r.affected), marker: { color: "#d62728" },
        error_y: { type: "data", symmetric: false, array: b.results.map((r) => r.interval[1] - r.affected), arrayminus: b.results.map((r) => r.affected - Math.max(r.interval[0], 0)) } },
      { type: "bar", name: "combinatorial value", x, y: b.results.map((r) => r.exact), marker: { color: "#1f77b4" } },
    ], {
      title: { text: `Blast radius of one bad request, ${count(b.customers, "customer")}` },
      yaxis: { title: { text: "share of other customers down" }, type: "log" },
      barmode: "group", margin: { t: 40, r: 10 }, legend: { orientation: "h" },
    }, plotConfig);
    describe("rb-blast-desc", b.results.map((r) => `${labels[r.strategy]}: ${pct(r.affected, 3)} simulated, ${pct(r.exact, 3)} exactly; ${pct(r.touched, 1)} lose at least one worker`).join("; ") + ".");
  }

  function render(frame) {
    const s = frame.state;
    state = s;
    domainOptions(s);
    renderTimeline(s);
    secondary(() => {
      renderSweep(s);
      renderDomains(s);
      renderInspect(s);
      renderBlast(s);
    });
  }

  return { render, onHello, get state() { return state; } };
}
