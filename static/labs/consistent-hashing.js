// The consistent-hashing lab view: the ring (or Redis Cluster's slot table), load per
// node, the keys moved by the last membership change, and Dynamo's §6.2 efficiency.
import { plotText } from "../escape.js";
import { integerAxis, plural, secondary } from "../charts.js";
import { colour, describe, plotConfig } from "../player.js";

const TAU = 2 * Math.PI;
// Slots mode draws both migration styles: the chosen one on top, the other beneath it.
const STYLE_ROW = { slot: "slot at a time (ElastiCache)", key: "key by key (ASK)" };
const STYLE_WORDS = { slot: "a slot at a time", key: "key by key" };
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const fmt = (n) => Number(n).toLocaleString("en-US");

// Clockwise from the top, like a clock face.
function xy(pos, r) {
  const a = Math.PI / 2 - TAU * pos;
  return [r * Math.cos(a), r * Math.sin(a)];
}

function arcPoints(start, end, r, xs, ys) {
  let span = end - start;
  if (span <= 0) span += 1;
  const n = Math.max(2, Math.ceil(span * 360));
  for (let i = 0; i <= n; i++) {
    const [x, y] = xy(start + (span * i) / n, r);
    xs.push(x);
    ys.push(y);
  }
  xs.push(null);
  ys.push(null);
}

export function createView(root, player) {
  const $ = (id) => document.getElementById(id);
  // Blank or non-numeric fields are refused next to the field, never read as 0.
  const num = (id) => player.num(id);
  const layoutBase = { margin: { l: 40, r: 10, t: 30, b: 40 }, font: { size: 12 } };

  $("ch-apply").addEventListener("click", () =>
    player.act("set_params", {
      params: {
        mode: $("ch-mode").value,
        nodes: num("ch-nodes"),
        keys: num("ch-keys"),
        migration: $("ch-migration").value,
        keys_per_tick: num("ch-kpt"),
      },
      seed: num("ch-seed"),
    }),
  );
  $("ch-add-node").addEventListener("click", () => {
    const name = $("ch-node-name").value.trim();
    player.act("add_node", name ? { name } : {});
    $("ch-node-name").value = "";
  });
  $("ch-remove-node").addEventListener("click", () => player.act("remove_node", { name: $("ch-node-select").value }));
  $("ch-set-vnodes").addEventListener("click", () => player.act("set_vnodes", { vnodes: num("ch-vnodes") }));
  $("ch-strategy").addEventListener("change", () => player.act("set_strategy", { strategy: num("ch-strategy") }));
  $("ch-set-n").addEventListener("click", () => player.act("set_replication", { n: num("ch-n") }));
  $("ch-add-keys").addEventListener("click", () => player.act("add_keys", { count: num("ch-key-count") }));
  $("ch-add-named-keys").addEventListener("click", () => {
    const names = $("ch-key-names").value.split(/\s+/).filter((n) => n);
    if (!names.length) return;
    player.act("add_keys", { names });
    $("ch-key-names").value = "";
  });
  $("ch-select-key").addEventListener("click", () => player.act("select_key", { key: $("ch-key").value }));
  $("ch-key").addEventListener("keydown", (e) => {
    if (e.key === "Enter") player.act("select_key", { key: $("ch-key").value });
  });
  if (player.readOnly) root.querySelectorAll(".editable").forEach((el) => { el.disabled = true; el.hidden = true; });

  function syncInput(id, value) {
    const el = $(id);
    if (document.activeElement !== el && value !== undefined && value !== null) el.value = String(value);
  }

  // The set-up shows the chosen mode's own fields at once, before "Start over".
  const setupMode = () => { $("ch-setup").dataset.mode = $("ch-mode").value; };
  $("ch-mode").addEventListener("change", setupMode);

  function onHello(hello) {
    const p = hello.params;
    syncInput("ch-mode", p.mode);
    setupMode();
    syncInput("ch-nodes", p.nodes);
    syncInput("ch-keys", p.keys);
    syncInput("ch-migration", p.migration);
    syncInput("ch-kpt", p.keys_per_tick);
    syncInput("ch-seed", hello.seed);
  }

  function nodeOptions(names) {
    const select = $("ch-node-select");
    const current = select.value;
    const same = select.options.length === names.length && names.every((n, i) => select.options[i].value === n);
    if (!same) {
      select.replaceChildren(...names.map((n) => new Option(n, n)));
      if (names.includes(current)) select.value = current;
    }
  }

  function renderRing(s) {
    const index = Object.fromEntries(s.nodes.map((n, i) => [n.name, i]));
    const traces = [];
    const arcs = {};
    const owners = s.partitions && s.partitions.length ? s.partitions.map((p) => [p.start, p.end, p.node])
      : s.tokens.map((t, i) => [s.tokens[(i - 1 + s.tokens.length) % s.tokens.length].pos, t.pos, t.node]);
    if (s.tokens.length === 1) owners.splice(0, owners.length, [s.tokens[0].pos, s.tokens[0].pos, s.tokens[0].node]);
    for (const [start, end, node] of owners) {
      if (!arcs[node]) arcs[node] = { x: [], y: [] };
      arcPoints(start, end, 1, arcs[node].x, arcs[node].y);
    }
    for (const node of s.nodes) {
      const arc = arcs[node.name] || { x: [], y: [] };
      traces.push({
        type: "scatter", mode: "lines", x: arc.x, y: arc.y, name: `${plotText(node.name)} (${pct(node.load_share)})`,
        line: { color: colour(index[node.name]), width: 10 }, hoverinfo: "name", legendgroup: node.name,
      });
    }
    const tx = [], ty = [], tc = [], tt = [];
    for (const t of s.tokens) {
      const [x, y] = xy(t.pos, 1);
      tx.push(x); ty.push(y); tc.push(colour(index[t.node])); tt.push(`token of ${plotText(t.node)} at ${t.pos.toFixed(4)}`);
    }
    traces.push({ type: "scatter", mode: "markers", x: tx, y: ty, text: tt, hoverinfo: "text", showlegend: false,
      marker: { color: tc, size: 9, line: { color: "#fff", width: 1 } }, name: "tokens" });
    const kx = [], ky = [], kc = [], kt = [];
    for (const k of s.keys) {
      const [x, y] = xy(k.pos, 0.86);
      kx.push(x); ky.push(y); kc.push(colour(index[k.node])); kt.push(plotText(`${k.name} → ${k.node}`));
    }
    traces.push({ type: s.keys.length > 1000 ? "scattergl" : "scatter", mode: "markers", x: kx, y: ky, text: kt,
      hoverinfo: "text", showlegend: false, marker: { color: kc, size: 5, opacity: 0.75 }, name: "keys" });
    if (s.selected) {
      const sel = s.selected;
      const [x, y] = xy(sel.pos, 0.86);
      // Walk clockwise from the key and mark the first token of each node in the preference list.
      const sorted = s.tokens;
      let start = sorted.findIndex((t) => t.pos >= sel.pos);
      if (start < 0) start = 0;
      const marks = [];
      const seen = new Set();
      for (let i = 0; i < sorted.length && marks.length < sel.preference_list.length; i++) {
        const t = sorted[(start + i) % sorted.length];
        if (sel.preference_list.includes(t.node) && !seen.has(t.node)) { seen.add(t.node); marks.push(t); }
      }
      const wx = [], wy = [];
      if (marks.length) arcPoints(sel.pos, marks[marks.length - 1].pos, 1.12, wx, wy);
      traces.push({ type: "scatter", mode: "lines", x: wx, y: wy, line: { color: "#333", dash: "dot", width: 2 },
        hoverinfo: "skip", showlegend: false });
      traces.push({ type: "scatter", mode: "markers+text", x: marks.map((t) => xy(t.pos, 1.12)[0]),
        y: marks.map((t) => xy(t.pos, 1.12)[1]), text: marks.map((t, i) => `${i + 1}:${plotText(t.node)}`),
        textposition: "top center", marker: { size: 12, symbol: "circle-open", color: "#111", line: { width: 2 } },
        showlegend: false, hoverinfo: "text" });
      traces.push({ type: "scatter", mode: "markers", x: [x], y: [y], marker: { size: 16, symbol: "star", color: "#111" },
        text: [plotText(sel.key)], hoverinfo: "text", showlegend: false, name: "selected key" });
    }
    Plotly.react("ch-ring", traces, {
      ...layoutBase, title: { text: `Ring: ${plural(s.nodes.length, "node")}, ${plural(s.tokens.length, "token")}, ${plural(s.key_count, "key")}` },
      xaxis: { visible: false, range: [-1.3, 1.3], scaleanchor: "y" }, yaxis: { visible: false, range: [-1.3, 1.3] },
      legend: { orientation: "h" }, hovermode: "closest",
    }, plotConfig);
    const shares = s.nodes.map((n) => `${n.name} owns ${pct(n.load_share)} of the ring and ${fmt(n.keys)} keys`).join("; ");
    describe("ch-ring-desc", `Strategy ${s.strategy}, T = ${s.vnodes}, N = ${s.replication}. ${shares || "No nodes yet"}.`);
  }

  function slotBars(shards, index, row, main) {
    return shards.map((shard) => ({
      type: "bar", orientation: "h", name: main ? `${plotText(shard.name)} (${fmt(shard.slots)} slots)` : `${plotText(shard.name)} · ${row}`,
      y: shard.ranges.map(() => row), base: shard.ranges.map((r) => r[0]), x: shard.ranges.map((r) => r[1] - r[0] + 1),
      customdata: shard.ranges, legendgroup: shard.name, showlegend: main,
      marker: { color: colour(index[shard.name]) },
      hovertemplate: `${plotText(shard.name)}: slots %{customdata[0]}–%{customdata[1]} (${row})<extra></extra>`,
    }));
  }

  function splitMarks(picture, row, showlegend) {
    const slots = picture.split_slots || [];
    return {
      type: "scatter", mode: "markers", x: slots, y: slots.map(() => row), name: "split slot (its keys are served by two shards)", showlegend: showlegend && slots.length > 0,
      legendgroup: "split", marker: { symbol: "x-thin-open", size: 20, color: "#000", line: { width: 3, color: "#000" } },
      hovertext: slots.map((slot) => `slot ${slot} is split: some keys answer from the target through ASK, the others from the source`),
      hoverinfo: "text",
    };
  }

  function currentBox(m, y0, y1, yref) {
    return { type: "rect", xref: "x", yref, x0: m.current.slot - 40, x1: m.current.slot + 40, y0, y1,
      line: { color: "#000", width: 2 }, fillcolor: "rgba(0,0,0,0.08)" };
  }

  function renderSlots(s) {
    const c = s.compare;
    const names = s.shards.map((n) => n.name);
    if (c) for (const shard of c.shards) if (!names.includes(shard.name)) names.push(shard.name);
    const index = Object.fromEntries(names.map((n, i) => [n, i]));
    const mainRow = STYLE_ROW[s.migration_style];
    const traces = slotBars(s.shards, index, mainRow, true);
    const rows = ["keys", mainRow];
    if (c) {
      const otherRow = STYLE_ROW[c.migration_style];
      traces.push(...slotBars(c.shards, index, otherRow, false));
      rows.splice(1, 0, otherRow);
    }
    const kx = s.keys.map((k) => k.slot);
    traces.push({ type: "scatter", mode: "markers", x: kx, y: s.keys.map(() => "keys"), name: "keys",
      marker: { color: s.keys.map((k) => colour(index[k.shard])), size: 6 }, text: s.keys.map((k) => plotText(`${k.name}: slot ${k.slot} on ${k.shard}`)),
      hoverinfo: "text", showlegend: false });
    traces.push(splitMarks(s, mainRow, true));
    if (c) traces.push(splitMarks(c, STYLE_ROW[c.migration_style], !s.split_count));
    const shapes = [];
    const m = s.migration;
    if (m && m.current) shapes.push(currentBox(m, 0, 1, "paper"));
    // The other style only drifts when keys are written to a migrating slot: box its own slot.
    const cm = c && c.migration;
    if (cm && cm.current && !(m && m.current && m.current.slot === cm.current.slot)) {
      shapes.push(currentBox(cm, rows.indexOf(STYLE_ROW[c.migration_style]) - 0.5, rows.indexOf(STYLE_ROW[c.migration_style]) + 0.5, "y"));
    }
    if (s.selected) {
      shapes.push({ type: "line", xref: "x", yref: "paper", x0: s.selected.slot, x1: s.selected.slot, y0: 0, y1: 1,
        line: { color: "#d00", width: 2, dash: "dot" } });
    }
    Plotly.react("ch-ring", traces, {
      ...layoutBase, barmode: "stack", title: { text: `16,384 hash slots across ${s.shards.length} shards, both migration styles` },
      xaxis: { range: [0, 16384], title: { text: "hash slot (CRC16(key) mod 16384)" } }, shapes,
      yaxis: { type: "category", categoryorder: "array", categoryarray: rows, automargin: true },
      legend: { orientation: "h", yanchor: "top", y: -0.3 }, height: 440,
    }, plotConfig);
    let text = s.shards.map((sh) => `${sh.name} serves ${fmt(sh.slots)} slots and ${fmt(sh.keys)} keys`).join("; ");
    if (m) {
      text += `. Migration (${s.migration_style === "slot" ? "a slot at a time" : "key by key"}): ${m.done_slots} slots done, ${m.queue_slots} to go`;
      if (m.current) text += `; slot ${m.current.slot} from ${m.current.source} to ${m.current.target}, ${m.current.moved} of ${m.current.total} keys copied, owner ${m.current.owner}`;
    }
    describe("ch-ring-desc", `${text}. ${comparison(s)}`.trim());
  }

  // How the two styles differ right now, in words (the text alternative of the two bars).
  function comparison(s) {
    const c = s.compare;
    if (!c) return "";
    const keySide = s.migration_style === "key" ? s : c;
    const slotSide = s.migration_style === "key" ? c : s;
    const km = keySide.migration;
    const sm = slotSide.migration;
    const shown = `The bars show ${STYLE_WORDS[s.migration_style]} above and ${STYLE_WORDS[c.migration_style]} beneath, on the same keys and plan`;
    if (!km && !sm) return `${shown}; no resharding is in progress, so both agree and every slot has one owner.`;
    const parts = [];
    const kc = km && km.current;
    if (keySide.split_count && kc) {
      parts.push(`key by key, slot ${kc.slot} is split: ${fmt(kc.moved)} of its ${fmt(kc.total)} keys already answer from ${kc.target} through ASK, the rest from ${kc.source}`);
    } else if (keySide.split_count) {
      parts.push(`key by key, slots ${keySide.split_slots.join(", ")} are split between two shards`);
    } else {
      parts.push(km ? "key by key, no slot is split at this step" : "key by key, the resharding is already done");
    }
    const sc = sm && sm.current;
    if (sc) parts.push(`a slot at a time, ${sc.source} still serves all ${fmt(sc.total)} keys of slot ${sc.slot} (${fmt(sc.moved)} copied to ${sc.target}), so the slot is never split`);
    else parts.push(sm ? "a slot at a time, no slot is split either" : "a slot at a time, the resharding is already done");
    return `${shown}: ${parts.join("; ")}.`;
  }

  function renderLoad(names, shares, keys, title) {
    const total = keys.reduce((a, b) => a + b, 0) || 1;
    Plotly.react("ch-load", [
      { type: "bar", x: names.map(plotText), y: shares, name: "share of the hash space", marker: { color: names.map((_, i) => colour(i)) } },
      { type: "bar", x: names.map(plotText), y: keys.map((k) => k / total), name: "share of the keys", marker: { color: "rgba(0,0,0,0.35)", pattern: { shape: "." } } },
    ], { ...layoutBase, title: { text: title }, barmode: "group", yaxis: { tickformat: ".0%" }, legend: { orientation: "h" }, height: 300 }, plotConfig);
  }

  function renderMoves(s) {
    const mv = s.last_move;
    if (!mv) {
      Plotly.react("ch-moves", [], { ...layoutBase, title: { text: "Keys moved by the last change: none yet" }, height: 260,
        xaxis: { visible: false }, yaxis: { visible: false } }, plotConfig);
      describe("ch-moves-desc", "No membership change yet.");
      return;
    }
    const from = Object.entries(mv.from || {});
    const to = Object.entries(mv.to || {});
    Plotly.react("ch-moves", [
      { type: "bar", x: from.map(([n]) => plotText(n)), y: from.map(([, c]) => -c), name: "keys leaving", marker: { color: "#c44", pattern: { shape: "/" } } },
      { type: "bar", x: to.map(([n]) => plotText(n)), y: to.map(([, c]) => c), name: "keys arriving", marker: { color: "#4a4" } },
    ], { ...layoutBase, barmode: "relative", height: 260, legend: { orientation: "h" },
      yaxis: integerAxis(Math.max(0, ...from.map(([, c]) => c), ...to.map(([, c]) => c)), { title: { text: "keys (leaving below 0)" }, rangemode: "normal" }),
      title: { text: `Last change: ${fmt(mv.moved)} of ${fmt(mv.total)} keys moved (${pct(mv.total ? mv.moved / mv.total : 0)})` } }, plotConfig);
    describe("ch-moves-desc", `${fmt(mv.moved)} of ${fmt(mv.total)} keys moved: from ${from.map(([n, c]) => `${n} ${fmt(c)}`).join(", ") || "none"}; to ${to.map(([n, c]) => `${n} ${fmt(c)}`).join(", ") || "none"}.`);
  }

  function renderEfficiency(s) {
    const eff = s.efficiency || {};
    const labels = ["1", "2", "3"].map((k) => `strategy ${k}`);
    const values = ["1", "2", "3"].map((k) => eff[k] ?? 0);
    Plotly.react("ch-eff", [{ type: "bar", x: labels, y: values, text: values.map((v) => v.toFixed(3)), textposition: "auto",
      marker: { color: ["1", "2", "3"].map((k) => (String(s.strategy) === k ? "#1f77b4" : "#aac")) } }],
    { ...layoutBase, height: 240, yaxis: { range: [0, 1], title: { text: "mean load / max load" } },
      title: { text: `Efficiency at this ring's T = ${s.vnodes}, Q = ${s.q}: coordinators' shares (not Figure 8)` } }, plotConfig);
    describe("ch-eff-desc", `At this ring's own T and Q, not at equal metadata (so not Dynamo's Figure 8), the load-balance efficiency over the coordinators' shares of the hash space (mean over max) is: ${labels.map((l, i) => `${l} ${values[i].toFixed(3)}`).join(", ")}; over key counts with the current strategy ${Number(s.efficiency_keys ?? 0).toFixed(3)}.`);
  }

  function renderSelected(s) {
    const sel = s.selected;
    let text = "";
    if (sel && s.mode === "ring") text = `${sel.key} sits at ${sel.pos.toFixed(4)} on the ring; its preference list (N = ${s.replication}) is ${sel.preference_list.join(", ")}; ${sel.preference_list[0] || "nobody"} coordinates it.`;
    if (sel && s.mode === "slots") {
      text = `${sel.key} hashes ${sel.hashed !== sel.key ? `its hash tag “${sel.hashed}”` : "the whole key"} to slot ${sel.slot}, served by ${sel.shard}`;
      text += sel.ask ? `; it has already moved, so the source answers ASK ${sel.ask}.` : ".";
      const other = s.compare && s.compare.selected;
      if (other) {
        const answer = (x) => (x.ask ? `ASK ${x.ask}` : `served by ${x.served_by || "no shard"}`);
        const bySlot = s.migration_style === "slot" ? sel : other;
        const byKey = s.migration_style === "slot" ? other : sel;
        text += ` Slot at a time: ${answer(bySlot)}; key by key: ${answer(byKey)}.`;
      }
    }
    $("ch-selected").textContent = text;
  }

  function render(frame) {
    const s = frame.state;
    root.classList.toggle("mode-slots", s.mode === "slots");
    root.classList.toggle("mode-ring", s.mode !== "slots");
    if (s.mode === "slots") {
      nodeOptions(s.shards.map((x) => x.name));
      renderSlots(s);
      secondary(() => {
        const total = s.shards.reduce((a, b) => a + b.slots, 0) || 1;
        renderLoad(s.shards.map((x) => x.name), s.shards.map((x) => x.slots / total), s.shards.map((x) => x.keys), "Slots and keys per shard");
        describe("ch-load-desc", s.shards.map((x) => `${x.name}: ${pct(x.slots / total)} of slots`).join("; "));
      });
    } else {
      nodeOptions(s.nodes.map((x) => x.name));
      syncInput("ch-vnodes", s.vnodes);
      syncInput("ch-strategy", s.strategy);
      syncInput("ch-n", s.replication);
      renderRing(s);
      secondary(() => {
        renderLoad(s.nodes.map((x) => x.name), s.nodes.map((x) => x.load_share), s.nodes.map((x) => x.keys), "Load per physical node");
        describe("ch-load-desc", s.nodes.map((x) => `${x.name}: ${pct(x.load_share)} of the hash space`).join("; "));
        renderEfficiency(s);
      });
    }
    secondary(() => {
      renderMoves(s);
      if (s.mode !== "slots") {
        renderReplicaMoves(s);
        renderLoadTheory(s);
        renderFigure8(s);
      }
    });
    renderSelected(s);
  }

  // Replicas move too (Dynamo §4.9): beside the coordinators' bars, the keys each node
  // starts or stops storing as one of the N replicas.
  function renderReplicaMoves(s) {
    const mv = s.last_move;
    const rep = mv && mv.replicas;
    if (!rep || !(rep.n > 1)) return;
    const gained = Object.entries(rep.gained);
    const lost = Object.entries(rep.lost);
    Plotly.restyle("ch-moves", { offsetgroup: "coordinators", name: ["coordinator keys leaving", "coordinator keys arriving"] }, [0, 1]);
    Plotly.addTraces("ch-moves", [
      { type: "bar", x: lost.map(([n]) => plotText(n)), y: lost.map(([, c]) => -c), name: `replica keys dropped (N = ${rep.n})`, offsetgroup: "replicas",
        marker: { color: "rgba(204,68,68,0.45)", pattern: { shape: "/" } } },
      { type: "bar", x: gained.map(([n]) => plotText(n)), y: gained.map(([, c]) => c), name: `replica keys copied in (N = ${rep.n})`, offsetgroup: "replicas",
        marker: { color: "rgba(68,170,68,0.45)", pattern: { shape: "/" } } },
    ]);
    Plotly.relayout("ch-moves", { "title.text": `Last change: ${fmt(mv.moved)} of ${fmt(mv.total)} keys change coordinator<br>${fmt(rep.copies)} replica copies move (N = ${rep.n})`, "margin.t": 50, height: 300 });
    const list = (pairs) => pairs.map(([n, c]) => `${n} ${fmt(c)}`).join(", ") || "none";
    const ranges = rep.ranges.map((r) => `(${r.start.toFixed(3)}, ${r.end.toFixed(3)}]: ${r.before.join(", ")} → ${r.after.join(", ")}`).join("; ");
    const desc = $("ch-moves-desc");
    desc.textContent = `Coordinators: ${desc.textContent} Replicas (N = ${rep.n}): ${fmt(rep.copies)} key copies; copied in: ${list(gained)}; dropped: ${list(lost)}. Ranges whose preference list changed: ${ranges || "none"}${rep.range_count > rep.ranges.length ? ` and ${rep.range_count - rep.ranges.length} more` : ""}.`;
  }

  // The load spread beside its closed forms: CV ≈ sqrt((S-1)/(S·T+1)) → 1/√T, and for
  // T = 1 the hottest node at H_S times the mean (drawn dashed on the load chart).
  function renderLoadTheory(s) {
    const th = s.theory;
    const box = $("ch-load-theory");
    if (!th || !th.nodes) { box.textContent = ""; return; }
    const f = (x) => (x === null || x === undefined ? "–" : Number(x).toFixed(3));
    let text = `Spread of the shares: measured CV = ${f(th.load_cv)}; random tokens predict sqrt((S−1)/(S·T+1)) = ${f(th.load_cv_predicted)} (1/√T = ${f(th.load_cv_limit)} for a large ring). Hottest node: ${f(th.max_over_mean)} × the mean`;
    text += th.max_over_mean_predicted ? `; with one token each, expected H_S = ${f(th.max_over_mean_predicted)} × the mean.` : ` (H_S = ${f(th.harmonic)} is the expectation for T = 1).`;
    if (!th.applies) text += " The prediction is for random tokens: this ring has equal partitions or hand-placed tokens, so it does not apply.";
    box.textContent = text;
    if (th.applies && th.max_over_mean_predicted && s.nodes.length) {
      const names = s.nodes.map((n) => plotText(n.name));
      const hot = th.max_over_mean_predicted / th.nodes;
      Plotly.addTraces("ch-load", [
        { type: "scatter", mode: "lines", x: names, y: names.map(() => 1 / th.nodes), name: "mean share 1/S", line: { color: "#555", dash: "dot" } },
        { type: "scatter", mode: "lines", x: names, y: names.map(() => hot), name: "expected hottest node H_S/S (T = 1)", line: { color: "#d62728", dash: "dash" } },
      ]);
    }
  }

  // Dynamo's Figure 8: efficiency against the membership metadata each node stores,
  // S = 30, N = 3, replicas counted. The same for every ring, so drawn once.
  let figure8Drawn = false;
  function renderFigure8(s) {
    const pts = s.figure8;
    if (!pts || figure8Drawn) return;
    figure8Drawn = true;
    const dash = { 1: "solid", 2: "dot", 3: "dash" };
    const traces = [1, 2, 3].map((k) => {
      const mine = pts.filter((p) => p.strategy === k);
      return { type: "scatter", mode: "lines+markers", x: mine.map((p) => p.metadata), y: mine.map((p) => p.efficiency),
        name: `strategy ${k}`, line: { dash: dash[k], color: colour(k - 1) },
        text: mine.map((p) => (k === 3 ? `Q = ${fmt(p.q)}` : `T = ${p.t}${k === 2 ? `, Q = ${fmt(p.q)}` : ""}`)), hoverinfo: "x+y+text+name" };
    });
    Plotly.react("ch-fig8", traces, {
      ...layoutBase, height: 320, legend: { orientation: "h", y: -0.3 }, margin: { ...layoutBase.margin, b: 70 },
      title: { text: "Dynamo Figure 8: efficiency at equal membership metadata (S = 30, N = 3)" },
      xaxis: { type: "log", dtick: 1, title: { text: "metadata per node (tokens or partitions stored)" } },
      yaxis: { range: [0.3, 1.02], title: { text: "mean load / max load" } },
    }, plotConfig);
    const last = (k) => pts.filter((p) => p.strategy === k).slice(-1)[0];
    describe("ch-fig8-desc", `Each node's load is its share of the hash space as one of N = 3 replicas. At ${fmt(last(1).metadata)} entries of metadata per node, efficiency is ${[1, 2, 3].map((k) => `strategy ${k} ${last(k).efficiency.toFixed(3)}`).join(", ")}: strategy 3 best and strategy 2 worst, as in the paper.`);
  }

  return { render, onHello };
}
