// The vector-clocks lab view: the space-time (Lamport) diagram with clocks on every
// event, causal past/future/concurrent of a chosen event, Dynamo's versions of a key,
// and ShiViz log import/export.
import { plotText } from "../escape.js";
import { colour, describe, plotConfig } from "../player.js";
import { drawSpaceTime } from "../spacetime.js";

const KIND_COLOUR = { local: "#7f7f7f", send: "#1f77b4", receive: "#2ca02c" };
const clockText = (vc, processes) => `[${(processes || Object.keys(vc)).map((p) => `${p}:${vc[p] || 0}`).join(", ")}]`;
const MAX_LOG_BYTES = 65536;

export function createView(root, player) {
  const $ = (id) => document.getElementById(id);
  // Blank or non-numeric fields are refused next to the field, never read as 0.
  const num = (id) => player.num(id);
  let state = null;

  $("vc-apply").addEventListener("click", () => player.act("set_params", {
    params: { processes: num("vc-processes"), min_delay: num("vc-min-delay"), max_delay: num("vc-max-delay"),
      random_events: num("vc-random-events") },
    seed: num("vc-seed"),
  }));
  $("vc-local").addEventListener("click", () => player.act("local", { process: $("vc-process").value }));
  $("vc-send").addEventListener("click", () => player.act("send", { from: $("vc-process").value, to: $("vc-to").value }));
  $("vc-deliver").addEventListener("click", () => player.act("deliver", { message: Number($("vc-message").value) }));
  $("vc-drop").addEventListener("click", () => player.act("drop", { message: Number($("vc-message").value) }));
  $("vc-random-run").addEventListener("click", () => player.act("random_run", { events: num("vc-run-count") }));
  $("vc-select").addEventListener("click", () => player.act("select_event", { event: num("vc-event") }));
  $("vc-total-order").addEventListener("change", (e) => player.act("show_total_order", { on: e.target.checked }));
  $("vc-put").addEventListener("click", () => {
    const raw = $("vc-context").value.trim();
    const context = raw.toLowerCase() === "none" ? [] : raw ? raw.split(/[\s,]+/).filter(Boolean) : "latest";
    player.act("put", { coordinator: $("vc-coordinator").value.trim(), value: $("vc-value").value, context });
  });
  $("vc-reconcile").addEventListener("click", () =>
    player.act("reconcile", { coordinator: $("vc-coordinator").value.trim(), value: $("vc-value").value }));
  $("vc-set-truncate").addEventListener("click", () => player.act("set_truncate", { size: num("vc-truncate") }));
  $("vc-shiviz-export").addEventListener("click", () => player.act("export_shiviz"));
  $("vc-shiviz-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const problems = $("vc-problems");
    if (file.size > MAX_LOG_BYTES - 1024) {
      problems.hidden = false;
      problems.textContent = `Not imported: ${file.name} is ${file.size.toLocaleString()} bytes; a log sent to the live lab must be at most ${(MAX_LOG_BYTES - 1024).toLocaleString()} bytes.`;
      return;
    }
    player.act("import_shiviz", { text: await file.text() });
    e.target.value = "";
  });
  if (player.readOnly) root.querySelectorAll(".editable").forEach((el) => { el.hidden = true; });

  function onHello(hello) {
    const p = hello.params;
    $("vc-processes").value = p.processes;
    $("vc-min-delay").value = p.min_delay;
    $("vc-max-delay").value = p.max_delay;
    $("vc-random-events").value = p.random_events;
    $("vc-seed").value = hello.seed;
  }

  function onError(err) {
    const box = $("vc-problems");
    if (err.problems && err.problems.length) {
      box.hidden = false;
      box.replaceChildren(`Not imported: ${err.problems.length} problem(s) in the log.`);
      const ul = document.createElement("ul");
      for (const p of err.problems) {
        const li = document.createElement("li");
        li.textContent = p.message;
        ul.append(li);
      }
      box.append(ul);
    }
  }

  function onMessage(message) {
    if (message.type === "shiviz") {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([message.text], { type: "text/plain" }));
      a.download = "paperlabs-run.log";
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      window.paperlabs.shiviz = message.text;
    }
  }

  function options(select, values, labels) {
    const current = select.value;
    const same = select.options.length === values.length && values.every((v, i) => select.options[i].value === String(v));
    if (!same) {
      select.replaceChildren(...values.map((v, i) => new Option(labels ? labels[i] : v, v)));
      if (values.map(String).includes(current)) select.value = current;
    }
  }

  function renderDiagram(s) {
    const ev = s.events;
    const sel = s.selected;
    const past = new Set(sel ? sel.past : []);
    const future = new Set(sel ? sel.future : []);
    const conc = new Set(sel ? sel.concurrent : []);
    const order = s.total_order ? Object.fromEntries(s.total_order.map((id, i) => [id, i + 1])) : null;
    const end = ev.length + 1;
    const byId = new Map(ev.map((e) => [e.id, e]));
    const groups = {
      delivered: { name: "delivered messages", colour: "#1f77b4", segments: [] },
      in_flight: { name: "in flight", colour: "#ff7f0e", dash: "dash", segments: [] },
      dropped: { name: "dropped", colour: "#d62728", dash: "dot", segments: [] },
    };
    const row = Object.fromEntries(s.processes.map((p, i) => [p, i]));
    for (const m of s.messages) {
      const send = byId.get(m.send_event);
      if (!send) continue;
      let x2, to;
      if (m.receive_event !== null && byId.has(m.receive_event)) { const r = byId.get(m.receive_event); x2 = r.id; to = r.process; }
      else if (m.status === "dropped") { x2 = send.id + 1.5; to = (row[send.process] + row[m.to]) / 2; }
      else { x2 = end; to = m.to; }
      (groups[m.status] || groups.delivered).segments.push({
        x1: send.id, from: send.process, x2, to, hover: plotText(`m${m.id} ${m.from} → ${m.to} (${m.status.replace("_", " ")})`),
      });
    }
    // Events, coloured by their relation to the selected event (and shaped, so colour is
    // not the only sign).
    const relation = (e) => {
      if (sel && e.id === sel.event) return ["#000", "star"];
      if (past.has(e.id)) return ["#e6550d", "triangle-left"];
      if (future.has(e.id)) return ["#756bb1", "triangle-right"];
      if (conc.has(e.id)) return ["#c7c7c7", "circle-open"];
      return [KIND_COLOUR[e.kind] || "#444", "circle"];
    };
    drawSpaceTime($("vc-diagram"), {
      processes: s.processes,
      end,
      events: ev.map((e) => {
        const [colour, symbol] = relation(e);
        return {
          id: e.id, process: e.process, x: e.id, colour, symbol: sel ? symbol : "circle",
          size: sel && e.id === sel.event ? 16 : 10,
          label: order ? `#${order[e.id]}` : `${e.lamport}`,
          hover: `${plotText(`e${e.id} ${e.process} (${e.kind}): ${e.text}`)}<br>vector clock ${plotText(clockText(e.vc, s.processes))}<br>Lamport clock ${e.lamport}`,
        };
      }),
      arrows: Object.values(groups),
      title: `Space-time diagram: ${ev.length} events (labels: ${order ? "position in the total order" : "Lamport clocks"})`,
      xTitle: "events in the order they happened (time runs to the right)",
    }, { onEvent: (id) => player.act("select_event", { event: id }) });
    const delivered = s.messages.filter((m) => m.status === "delivered").length;
    const flying = s.messages.filter((m) => m.status === "in_flight").length;
    describe("vc-diagram-desc", `${s.processes.length} processes, ${ev.length} events, ${s.messages.length} messages (${delivered} delivered, ${flying} in flight) at time ${s.now}. Orange triangles pointing left: causal past of the selected event; purple triangles pointing right: its causal future; open grey circles: concurrent with it.`);
  }

  function renderSelection(s) {
    const sel = s.selected;
    const box = $("vc-selected");
    if (!sel) { box.textContent = "Click an event in the diagram (or choose its number above)."; return; }
    const e = s.events.find((x) => x.id === sel.event);
    const list = (ids) => {
      if (!ids.length) return "none";
      const shown = ids.slice(0, 40).map((i) => `e${i}`).join(", ");
      return ids.length > 40 ? `${shown} and ${ids.length - 40} more` : shown;
    };
    box.innerHTML = "";
    const lines = [
      `e${e.id} on ${e.process}: ${e.text}`,
      `Vector clock ${clockText(e.vc, s.processes)}; Lamport clock ${e.lamport}.`,
      `Happened before it (causal past, ${sel.past.length}): ${list(sel.past)}.`,
      `Happened after it (causal future, ${sel.future.length}): ${list(sel.future)}.`,
      `Concurrent with it (${sel.concurrent.length}): ${list(sel.concurrent)}.`,
    ];
    for (const line of lines) { const p = document.createElement("p"); p.textContent = line; box.append(p); }
  }

  function renderOrder(s) {
    const box = $("vc-order");
    if (!s.total_order) { box.textContent = ""; return; }
    const byId = new Map(s.events.map((e) => [e.id, e]));
    box.textContent = `Total order by (Lamport clock, process): ${s.total_order.map((id) => `e${id} (${byId.get(id).process}, ${byId.get(id).lamport})`).join(" ⇒ ")}.`;
  }

  function renderVersions(s) {
    const v = s.versions;
    const versions = v.versions;
    const depth = {};
    for (const ver of versions) depth[ver.id] = ver.parents.length ? Math.max(...ver.parents.map((p) => (depth[p] ?? 0) + 1)) : 0;
    const perDepth = {};
    const pos = {};
    for (const ver of versions) {
      const d = depth[ver.id];
      perDepth[d] = (perDepth[d] || 0) + 1;
      pos[ver.id] = [d, perDepth[d] - 1];
    }
    const ex = [], ey = [];
    for (const ver of versions) for (const p of ver.parents) if (pos[p]) { ex.push(pos[p][0], pos[ver.id][0], null); ey.push(pos[p][1], pos[ver.id][1], null); }
    const statusColour = { current: "#2ca02c", sibling: "#ff7f0e", ancestor: "#aaa" };
    Plotly.react("vc-versions", [
      { type: "scatter", mode: "lines", x: ex, y: ey, line: { color: "#999" }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "markers+text", x: versions.map((x) => pos[x.id][0]), y: versions.map((x) => pos[x.id][1]),
        text: versions.map((x) => plotText(`${x.id} ${clockText(x.clock)}`)), textposition: "bottom center", hoverinfo: "text",
        marker: { size: 18, color: versions.map((x) => statusColour[x.status] || "#1f77b4") }, showlegend: false },
    ], { margin: { l: 20, r: 20, t: 30, b: 20 }, height: 260, title: { text: `Versions of “${plotText(v.key)}” (truncation at ${v.truncate} pairs)` },
      xaxis: { visible: false, range: [-0.5, Math.max(1, ...Object.values(depth)) + 0.7] }, yaxis: { visible: false, range: [-0.8, Math.max(1, ...Object.values(perDepth)) + 0.2] } }, plotConfig);
    const current = versions.filter((x) => x.status !== "ancestor").map((x) => x.id);
    describe("vc-versions-desc", versions.length ? `Current versions: ${current.join(", ")}${current.length > 1 ? " (siblings the client must reconcile)" : ""}.` : "No writes yet.");
    const body = $("vc-version-table").tBodies[0];
    body.replaceChildren(...versions.map((x) => {
      const tr = document.createElement("tr");
      for (const cell of [x.id, x.value, clockText(x.clock), x.status]) { const td = document.createElement("td"); td.textContent = cell; tr.append(td); }
      return tr;
    }));
  }

  function render(frame) {
    const s = frame.state;
    state = s;
    options($("vc-process"), s.processes);
    const toWasEmpty = $("vc-to").options.length === 0;
    options($("vc-to"), s.processes);
    if (toWasEmpty && s.processes.length > 1) $("vc-to").value = s.processes[1];
    const flying = s.messages.filter((m) => m.status === "in_flight");
    options($("vc-message"), flying.map((m) => m.id), flying.map((m) => `m${m.id} ${m.from}→${m.to} (due ${m.due})`));
    $("vc-total-order").checked = !!s.total_order;
    if (!frame.events.some((e) => e.kind === "error")) $("vc-problems").hidden = true;
    renderDiagram(s);
    renderSelection(s);
    renderOrder(s);
    renderVersions(s);
    renderLostUpdates(s);
  }

  // A lost update: reconciliation dropped a version its writer never read (same
  // coordinator, empty or old context). Ring the lost versions and say so.
  function renderLostUpdates(s) {
    const lost = (s.versions && s.versions.lost) || [];
    const box = $("vc-lost");
    box.hidden = !lost.length;
    box.textContent = lost.length
      ? `Lost update: ${lost.join(", ")} ${lost.length === 1 ? "was" : "were"} dropped although the writing client never read ${lost.length === 1 ? "it" : "them"}; no sibling keeps ${lost.length === 1 ? "its value" : "their values"}.`
      : "";
    const rows = $("vc-version-table").tBodies[0].rows;
    s.versions.versions.forEach((x, i) => {
      if (lost.includes(x.id) && rows[i]) rows[i].cells[3].textContent = `${x.status}, lost update`;
    });
    if (!lost.length) return;
    const chart = $("vc-versions");
    const markers = chart.data && chart.data[1];
    if (!markers) return;
    const at = s.versions.versions.map((x, i) => [x.id, i]).filter(([id]) => lost.includes(id)).map(([, i]) => i);
    Plotly.addTraces(chart, { type: "scatter", mode: "markers", x: at.map((i) => markers.x[i]), y: at.map((i) => markers.y[i]),
      marker: { size: 28, symbol: "x-thin-open", color: "#d62728", line: { width: 3, color: "#d62728" } },
      name: "lost update", hovertext: at.map((i) => `${s.versions.versions[i].id}: lost update`), hoverinfo: "text", showlegend: false });
  }

  return { render, onHello, onError, onMessage, get state() { return state; } };
}
