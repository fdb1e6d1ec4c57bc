// The snapshots lab view: the space-time diagram with token messages, markers drawn
// apart, and each snapshot's cut; the table of snapshots with the conservation check;
// the selected snapshot's recorded state, consistency, the §4 reordering and the
// stable properties; in aligned mode, what Chandy–Lamport records against what the
// barriers hold back.
import { colour, describe } from "../player.js";
import { plotText } from "../escape.js";
import { drawSpaceTime } from "../spacetime.js";

const EVENT_STYLE = {
  send: ["#1f77b4", "circle"], receive: ["#2ca02c", "circle"], record: ["#000", "square"],
  marker_send: ["#9467bd", "triangle-right"], marker_receive: ["#9467bd", "triangle-left"],
  hold: ["#d62728", "x"], release: ["#ff7f0e", "diamond"],
};
// Delays are drawn from the seed, so times are fractions: two decimals are plenty.
const at = (t) => String(Number(Number(t).toFixed(2)));
const plural = (n, word, many) => `${n.toLocaleString("en-US")} ${n === 1 ? word : many || `${word}s`}`;

export function createView(root, player) {
  const $ = (id) => document.getElementById(id);
  const num = (id) => player.num(id);
  let state = null;

  $("cl-apply").addEventListener("click", () => player.act("set_params", {
    params: { topology: $("cl-topology").value, processes: num("cl-processes"), tokens: num("cl-tokens"), mode: $("cl-mode").value },
    seed: num("cl-seed"),
  }));
  $("cl-send").addEventListener("click", () => player.act("send", { from: $("cl-from").value, to: $("cl-to").value, tokens: num("cl-amount") }));
  $("cl-deliver").addEventListener("click", () => player.act("deliver", { from: $("cl-from").value, to: $("cl-to").value }));
  $("cl-idle").addEventListener("click", () => player.act("idle", { process: $("cl-from").value }));
  $("cl-tick").addEventListener("click", () => player.act("tick", { units: num("cl-units") }));
  $("cl-snapshot").addEventListener("click", () => {
    const id = $("cl-snapshot-id").value.trim();
    player.act("snapshot", id ? { process: $("cl-initiator").value, id } : { process: $("cl-initiator").value });
    $("cl-snapshot-id").value = "";
  });
  $("cl-show").addEventListener("click", () => player.act("select_snapshot", { id: $("cl-select").value || null }));
  $("cl-export").addEventListener("click", () => player.act("export_snapshot", { id: $("cl-select").value || null }));
  $("cl-add-link").addEventListener("click", () => player.act("add_link", { from: $("cl-link-from").value, to: $("cl-link-to").value }));
  $("cl-remove-link").addEventListener("click", () => player.act("remove_link", { from: $("cl-link-from").value, to: $("cl-link-to").value }));
  $("cl-import-topology").addEventListener("click", () => player.act("import_topology", { text: $("cl-topology-text").value }));
  $("cl-import-events").addEventListener("click", () => player.act("import_events", { text: $("cl-events-text").value }));
  if (player.readOnly) root.querySelectorAll(".editable").forEach((el) => { el.hidden = true; });

  function onHello(hello) {
    const p = hello.params;
    $("cl-topology").value = p.topology;
    $("cl-processes").value = p.processes;
    $("cl-tokens").value = p.tokens;
    $("cl-mode").value = p.mode;
    $("cl-seed").value = hello.seed;
  }

  function options(select, values, keep) {
    const current = select.value;
    const same = select.options.length === values.length && values.every((v, i) => select.options[i].value === v);
    if (!same) {
      select.replaceChildren(...values.map((v) => new Option(v, v)));
      if (values.includes(current)) select.value = current;
      else if (keep !== undefined && values[keep]) select.value = values[keep];
    }
  }

  function renderDiagram(s) {
    const ids = s.processes.map((p) => p.id);
    // Events at the same time on one process are spread a little, so each can be seen.
    const seen = new Map();
    const xOf = new Map();
    const events = s.events.map((e) => {
      const key = `${e.process}@${e.time}`;
      const k = seen.get(key) || 0;
      seen.set(key, k + 1);
      const x = e.time + 0.08 * k;
      xOf.set(e.index, x);
      const [c, symbol] = EVENT_STYLE[e.kind] || ["#444", "circle"];
      const what = e.kind.replace("_", " ");
      const extra = e.snapshot ? ` (snapshot ${e.snapshot})` : e.tokens ? ` (${plural(e.tokens, "token")})` : "";
      return { id: e.index, process: e.process, x, colour: c, symbol, size: e.kind === "record" ? 12 : 8,
        hover: plotText(`${e.process} at time ${at(e.time)}: ${what}${extra}`) };
    });
    const groups = {
      tokens: { name: "token messages", colour: "#1f77b4", segments: [] },
      flying: { name: "tokens in flight", colour: "#ff7f0e", dash: "dash", segments: [] },
      marker: { name: "markers", colour: "#9467bd", dash: "dot", width: 2, segments: [] },
    };
    for (const m of s.messages) {
      const arrived = m.received_at !== null && m.received_at !== undefined;
      const x2 = arrived ? m.received_at : Math.max(m.due ?? s.now, m.sent_at + 0.5);
      const group = m.kind === "marker" ? groups.marker : arrived ? groups.tokens : groups.flying;
      const what = m.kind === "marker" ? `marker of ${m.snapshot}` : plural(m.tokens, "token");
      group.segments.push({ x1: m.sent_at, from: m.from, x2, to: m.to, hover: plotText(`${m.from} → ${m.to}: ${what}${arrived ? "" : " (in flight)"}`) });
    }
    const cuts = s.snapshots.map((snap, i) => ({
      name: `cut of ${plotText(snap.id)}`,
      colour: colour(i + 3),
      points: ids.filter((p) => snap.cut[p]).map((p) => ({ x: snap.cut[p].time, process: p })),
    }));
    drawSpaceTime($("cl-diagram"), {
      processes: ids, end: Math.max(s.now, 1) + 1, events, arrows: Object.values(groups), cuts,
      title: `Space-time diagram at time ${at(s.now)}: ${plural(s.events.length, "event")}, ${plural(s.snapshots.length, "snapshot")}`,
      xTitle: "time",
    });
    const flying = s.messages.filter((m) => m.received_at === null || m.received_at === undefined);
    describe("cl-diagram-desc", `${plural(ids.length, "process", "processes")} holding ${plural(s.total, "token")} in all; `
      + `${plural(flying.filter((m) => m.kind !== "marker").length, "token message")} and ${plural(flying.filter((m) => m.kind === "marker").length, "marker")} in flight. `
      + (s.snapshots.length ? `Cuts: ${s.snapshots.map((x) => `${x.id} through ${ids.filter((p) => x.cut[p]).map((p) => `${p} at ${at(x.cut[p].time)}`).join(", ")}`).join("; ")}.` : "No snapshot yet."));
  }

  function cell(tr, text) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }

  function renderTable(s) {
    $("cl-snapshots").tBodies[0].replaceChildren(...s.snapshots.map((snap) => {
      const tr = document.createElement("tr");
      const c = snap.conservation;
      cell(tr, snap.id);
      cell(tr, `${snap.initiator} at ${at(snap.started_at)}`);
      cell(tr, snap.complete ? `yes, at ${at(snap.completed_at)}` : "not yet");
      cell(tr, `${c.recorded} + ${c.in_flight} = ${c.recorded + c.in_flight} ${c.holds ? "=" : "≠"} ${c.total} ${c.holds ? "✓ conserved" : "✗ not conserved"}`);
      cell(tr, snap.consistent ? "✓ yes" : "✗ no");
      return tr;
    }));
  }

  function renderRecorded(s) {
    const box = $("cl-recorded");
    const snap = s.snapshots.find((x) => x.id === s.selected) || s.snapshots[s.snapshots.length - 1];
    box.replaceChildren();
    if (!snap) { box.textContent = "Start a snapshot to see what it records."; return; }
    const h = document.createElement("h3");
    h.textContent = `Recorded by ${snap.id}${snap.complete ? "" : " (so far)"}`;
    const table = document.createElement("table");
    table.className = "table";
    table.id = "cl-recorded-table";
    const head = table.createTHead().insertRow();
    for (const t of ["Process or channel", "Recorded tokens", "Closed by"]) { const th = document.createElement("th"); th.scope = "col"; th.textContent = t; head.append(th); }
    const body = table.createTBody();
    for (const [p, k] of Object.entries(snap.local)) { const tr = body.insertRow(); cell(tr, p); cell(tr, String(k)); cell(tr, "its own state"); }
    for (const ch of snap.channels) {
      const tr = body.insertRow();
      cell(tr, `${ch.from} → ${ch.to}`);
      cell(tr, ch.tokens.length ? ch.tokens.map((k) => `token(${k})`).join(", ") : "empty");
      cell(tr, ch.closed_by === null || ch.closed_by === undefined ? "open" : `the marker received at event ${ch.closed_by}`);
    }
    box.append(h, table);
    const lines = [];
    if (snap.occurred !== undefined) {
      lines.push(snap.occurred
        ? `The run passed through this recorded state (after event ${snap.occurred_after}).`
        : "The run never passed through this recorded state; yet it is reachable: reordering the run's events gives one that does (§4).");
      if (snap.reordering) lines.push(`A reordering through it: events ${snap.reordering.order.join(", ")}; the recorded state comes after the first ${snap.reordering.recorded_after}.`);
    }
    if (snap.properties) {
      for (const [name, v] of Object.entries(snap.properties)) {
        lines.push(`${name.replaceAll("_", " ")}: ${v.recorded ? "holds" : "does not hold"} in the recorded state, ${v.now ? "holds" : "does not hold"} now${v.recorded ? " (a stable property: once true, true from then on)" : ""}.`);
      }
    }
    if (snap.held && snap.held.length) lines.push(`Aligned barriers held back ${plural(snap.held.length, "message")} instead of recording channel state.`);
    for (const line of lines) { const p = document.createElement("p"); p.textContent = line; box.append(p); }
  }

  function renderComparison(s) {
    const box = $("cl-comparison");
    const c = s.comparison;
    box.textContent = c
      ? `On this dataflow run, Chandy–Lamport records ${plural(c.recorded_in_channels, "message")} in channels; aligned barriers record none and hold back ${plural(c.held_back, "message")} for ${c.total_held_time} time units in all (longest ${c.longest_hold}).`
      : "";
  }

  function render(frame) {
    const s = frame.state;
    state = s;
    const ids = s.processes.map((p) => p.id);
    for (const [id, keep] of [["cl-from", 0], ["cl-to", 1], ["cl-initiator", 0], ["cl-link-from", 0], ["cl-link-to", 1]]) options($(id), ids, keep);
    options($("cl-select"), s.snapshots.map((x) => x.id), s.snapshots.length - 1);
    renderDiagram(s);
    renderTable(s);
    renderRecorded(s);
    renderComparison(s);
  }

  function onMessage(message) {
    if (message.type !== "snapshot_text") return;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([message.text], { type: "text/plain" }));
    a.download = `${message.id}.txt`;
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    window.paperlabs.snapshotText = message.text;
  }

  return { render, onHello, onMessage, get state() { return state; } };
}
