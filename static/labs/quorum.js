// The quorum lab view: the space-time diagram of every request leg (clients and nodes
// as rows), the replicas table (who holds which version, which copies are hints), the
// requests table, the PBS curve beside the reads measured on this cluster, and the
// last Merkle anti-entropy round.
import { secondary } from "../charts.js";
import { describe, plotConfig } from "../player.js";
import { plotText } from "../escape.js";
import { drawSpaceTime } from "../spacetime.js";

const GROUPS = {
  client: { name: "client legs", colour: "#7f7f7f", kinds: ["put", "get", "put_ok", "get_ok"] },
  write: { name: "writes and acks (W, A)", colour: "#1f77b4", kinds: ["write", "write_ack"] },
  read: { name: "reads and replies (R, S)", colour: "#2ca02c", kinds: ["read", "read_reply"] },
  repair: { name: "read repair", colour: "#ff7f0e", kinds: ["repair"] },
  handoff: { name: "hinted handoff", colour: "#9467bd", kinds: ["handoff", "handoff_ack"] },
};
const ms = (t) => `${Number(Number(t).toFixed(3))} ms`;
const label = (kind) => kind.replace("_", " ");

export function createView(root, player) {
  const $ = (id) => document.getElementById(id);
  const num = (id) => player.num(id);
  let state = null;

  const request = () => {
    const f = { key: $("q-key").value.trim(), client: $("q-client").value };
    if ($("q-coordinator").value) f.coordinator = $("q-coordinator").value;
    return f;
  };
  $("q-apply").addEventListener("click", () => player.act("set_params", {
    params: { n: num("q-n"), r: num("q-r"), w: num("q-w"), nodes: num("q-nodes"), latency: $("q-latency").value, latency_ms: num("q-latency-ms") },
    seed: num("q-seed"),
  }));
  $("q-put").addEventListener("click", () => player.act("put", { ...request(), value: $("q-value").value.trim(), blind: $("q-blind").checked }));
  $("q-get").addEventListener("click", () => player.act("get", request()));
  $("q-reconcile").addEventListener("click", () => player.act("reconcile", { key: $("q-key").value.trim(), value: $("q-value").value.trim(), client: $("q-client").value }));
  $("q-next").addEventListener("click", () => player.act("next_event"));
  $("q-tick").addEventListener("click", () => player.act("tick", { ms: num("q-ms") }));
  $("q-run").addEventListener("click", () => player.act("run"));
  $("q-crash").addEventListener("click", () => player.act("crash", { node: $("q-node").value }));
  $("q-restart").addEventListener("click", () => player.act("restart", { node: $("q-node").value }));
  $("q-partition").addEventListener("click", () => player.act("partition", { nodes: $("q-partition-nodes").value.split(",").map((x) => x.trim()).filter(Boolean) }));
  $("q-heal").addEventListener("click", () => player.act("heal"));
  $("q-drop").addEventListener("click", () => player.act("drop", { message: num("q-message") }));
  $("q-delay").addEventListener("click", () => player.act("delay", { message: num("q-message"), ms: num("q-extra") }));
  $("q-anti-entropy").addEventListener("click", () => player.act("anti_entropy", { a: $("q-ae-a").value, b: $("q-ae-b").value, depth: num("q-depth") }));
  $("q-which").addEventListener("click", () => player.act("which_nodes", { key: $("q-key").value.trim() }));
  $("q-measure").addEventListener("click", () => player.act("measure", { t: num("q-t"), pairs: num("q-pairs") }));
  $("q-pc").addEventListener("click", () => player.act("p_consistent", { t: num("q-t"), trials: num("q-trials") }));
  if (player.readOnly) root.querySelectorAll(".editable").forEach((el) => { el.hidden = true; });

  function onHello(hello) {
    const p = hello.params;
    $("q-n").value = p.n; $("q-r").value = p.r; $("q-w").value = p.w; $("q-nodes").value = p.nodes;
    $("q-latency").value = p.latency; $("q-latency-ms").value = p.latency_ms; $("q-seed").value = hello.seed;
  }

  function options(select, values, labels, keep) {
    const current = select.value;
    const same = select.options.length === values.length && values.every((v, i) => select.options[i].value === v);
    if (!same) {
      select.replaceChildren(...values.map((v, i) => new Option(labels[i], v)));
      if (values.includes(current)) select.value = current;
      else if (keep !== undefined && values[keep] !== undefined) select.value = values[keep];
    }
  }

  function renderDiagram(s) {
    const rows = [...s.clients, ...s.nodes.map((n) => n.id)];
    const groups = Object.fromEntries(Object.entries(GROUPS).map(([k, g]) => [k, { name: g.name, colour: g.colour, segments: [] }]));
    const lost = { name: "lost or dropped", colour: "#d62728", dash: "dot", segments: [] };
    const flying = { name: "in flight", colour: "#bcbd22", dash: "dash", segments: [] };
    const events = [];
    for (const m of s.legs) {
      const group = Object.keys(GROUPS).find((k) => GROUPS[k].kinds.includes(m.kind));
      const hint = m.owner ? ` (hint for ${m.owner})` : "";
      const hover = plotText(`m${m.id} ${label(m.kind)} #${m.request || ""} ${m.key}${hint}: ${m.from} → ${m.to}, sent ${ms(m.sent_at)}`);
      if (m.status === "delivered") {
        groups[group].segments.push({ x1: m.sent_at, from: m.from, x2: m.received_at, to: m.to, hover: `${hover}, arrived ${ms(m.received_at)}` });
        events.push({ id: m.id, process: m.to, x: m.received_at, colour: GROUPS[group].colour, size: 7, hover: plotText(`${m.to} receives ${label(m.kind)}${hint} at ${ms(m.received_at)}`) });
      } else if (m.status === "in_flight") {
        flying.segments.push({ x1: m.sent_at, from: m.from, x2: m.due, to: m.to, hover: `${hover}, due ${ms(m.due)} (in flight)` });
      } else {
        lost.segments.push({ x1: m.sent_at, from: m.from, x2: m.received_at ?? m.due, to: m.to, hover: `${hover}: ${m.status}` });
      }
    }
    drawSpaceTime($("q-diagram"), {
      processes: rows, end: Math.max(s.now, 1) * 1.05, events, arrows: [...Object.values(groups), flying, lost],
      title: `Request legs at ${ms(s.now)}: ${s.legs.length} messages`, xTitle: "time (ms)",
    });
    const down = s.nodes.filter((n) => !n.up).map((n) => n.id);
    const cut = s.nodes.filter((n) => n.up && n.cut_off).map((n) => n.id);
    describe("q-diagram-desc", `${s.nodes.length} nodes and ${s.clients.length} clients; ${s.legs.length} messages, `
      + `${flying.segments.length} in flight, ${lost.segments.length} lost or dropped. `
      + (down.length ? `Crashed: ${down.join(", ")}. ` : "No node is down. ")
      + (cut.length ? `Cut off: ${cut.join(", ")}.` : ""));
  }

  function cell(tr, text) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }

  function renderHolders(s) {
    const body = $("q-holders").tBodies[0];
    const rows = [];
    for (const k of s.keys) {
      for (const h of k.holders) {
        const tr = document.createElement("tr");
        const home = k.home.indexOf(h.node);
        cell(tr, k.key);
        cell(tr, h.node);
        cell(tr, h.hint_for ? `hint for ${h.hint_for}` : home >= 0 ? `home replica ${home + 1} of ${k.home.length}` : "stand-in (repaired copy)");
        cell(tr, h.versions.map((v) => `${v.value} ${v.label}`).join("; "));
        if (h.hint_for) tr.className = "hint";
        if (s.selected && s.selected.key === k.key) tr.style.fontWeight = "bold";
        rows.push(tr);
      }
    }
    body.replaceChildren(...rows);
    const k = s.selected;
    $("q-selected").textContent = k
      ? `Key ${k.key}: preference list ${k.preference_list.join(", ")}; home replicas ${k.home.join(", ")}; held by `
        + (k.holders.map((h) => h.node + (h.hint_for ? ` (hint for ${h.hint_for})` : "")).join(", ") || "no node yet") + "."
      : "";
    const q = s.quorum;
    $("q-nodes-status").textContent = `(N, R, W) = (${q.n}, ${q.r}, ${q.w}): `
      + (q.strict ? "R + W > N, every read quorum meets every write quorum." : `R + W ≤ N, a partial quorum: with no propagation a read misses the write with probability ${q.p_stale.toFixed(4)}; the smallest R for strong consistency is ${q.smallest_r_for_strong}.`)
      + ` Hints made: ${s.hints_made}; handed off: ${s.handoffs}. `
      + s.nodes.map((n) => `${n.id} ${n.up ? (n.cut_off ? "cut off" : "up") : "crashed"}${n.hints.length ? ` (holds ${n.hints.length} hint${n.hints.length > 1 ? "s" : ""})` : ""}`).join(", ") + ".";
  }

  function renderRequests(s) {
    $("q-requests").tBodies[0].replaceChildren(...s.requests.slice(-40).map((r) => {
      const tr = document.createElement("tr");
      cell(tr, String(r.id));
      cell(tr, `${r.client} ${r.kind} ${r.key}${r.value ? ` = ${r.value}` : ""}`);
      cell(tr, `${r.coordinator}${r.targets.length ? ` → ${r.targets.map((t) => t.node + (t.hint_for ? ` (hint for ${t.hint_for})` : "")).join(", ")}` : ""}`);
      cell(tr, r.status === "failed" ? `failed: ${r.reason}` : r.status === "ok" ? (r.kind === "put" ? `committed at ${ms(r.committed_at)} (${r.acks.join(", ")})` : `answered at ${ms(r.done_at)}`) : r.status);
      cell(tr, r.kind === "put" ? (r.version ? r.version.label : "") : r.result.map((v) => `${v.value} ${v.label}`).join("; ")
        + (r.stale === true ? " ✗ stale" : r.stale === false ? " ✓ latest" : "")
        + (r.repaired.filter(Boolean).length ? `; repaired ${r.repaired.filter(Boolean).join(", ")}` : ""));
      return tr;
    }));
  }

  function renderPbs(s) {
    const p = s.pbs;
    const traces = [
      { type: "scatter", mode: "lines", name: `PBS Monte Carlo (${p.trials.toLocaleString("en-US")} trials)`, x: p.t, y: p.p_consistent, line: { color: "#1f77b4" } },
      { type: "scatter", mode: "lines", name: "closed form 1 − p_stale (no propagation)", x: [p.t[0], p.t[p.t.length - 1]], y: [p.closed_form, p.closed_form], line: { color: "#7f7f7f", dash: "dash" } },
      { type: "scatter", mode: "markers", name: "this cluster's gets", x: s.live.points.map((q) => q.t), y: s.live.points.map((q) => q.p_consistent),
        text: s.live.points.map((q) => `${q.reads} gets`), marker: { color: "#d62728", size: 9, symbol: "diamond" } },
      { type: "scatter", mode: "markers", name: "measured on this cluster (write, wait t, read)", x: s.measured.map((q) => q.t), y: s.measured.map((q) => q.p_consistent),
        text: s.measured.map((q) => `${q.consistent} of ${q.pairs} reads saw the write`), marker: { color: "#ff7f0e", size: 10, symbol: "square" } },
    ];
    Plotly.react($("q-pbs"), traces, {
      margin: { l: 50, r: 10, t: 30, b: 40 }, height: 300, title: { text: "P(a read t ms after a commit sees it)" },
      xaxis: { title: { text: "t (ms after the write commits)" } }, yaxis: { range: [0, 1.02], title: { text: "P(consistent)" } }, legend: { orientation: "h" },
    }, plotConfig);
    const q = s.quorum;
    describe("q-pbs-desc", `For (N, R, W) = (${q.n}, ${q.r}, ${q.w}) with ${q.latency} latency: P(consistent) is ${p.p_consistent[0].toFixed(3)} at t = 0 `
      + `and reaches 99.9% at ${ms(p.t_visibility_ms["p99.9"])}; closed form ${p.closed_form.toFixed(3)}. `
      + `This cluster: ${s.live.reads} gets after a commit, ${s.live.stale} stale.`
      + (s.measured.length ? ` Measured: ${s.measured.map((q) => `${q.p_consistent.toFixed(3)} at ${ms(q.t)} (${q.pairs} pairs)`).join(", ")}.` : ""));
    const ae = s.anti_entropy;
    $("q-anti-entropy-result").textContent = ae
      ? `Merkle anti-entropy ${ae.a} ↔ ${ae.b}: one tree of depth ${ae.depth} per key range both replicate (${ae.ranges} ranges, ${ae.shared_keys.length} keys): ${ae.hashes_exchanged} hashes exchanged against ${ae.full_comparison} for a full comparison; `
        + (ae.differing_keys.length ? `out of sync and repaired: ${ae.differing_keys.join(", ")}.` : "in sync.")
      : "";
    const a = s.answer;
    $("q-answer").textContent = a ? `P(consistent) at t = ${ms(a.t)}: ${a.p_consistent.toFixed(4)} (${a.trials.toLocaleString("en-US")} trials).` : "";
  }

  function render(frame) {
    const s = frame.state;
    state = s;
    const ids = s.nodes.map((n) => n.id);
    options($("q-coordinator"), ["", ...ids], ["first reachable home node", ...ids]);
    options($("q-node"), ids, ids, 0);
    options($("q-ae-a"), ids, ids, 0);
    options($("q-ae-b"), ids, ids, 1);
    renderDiagram(s);
    renderHolders(s);
    renderRequests(s);
    secondary(() => renderPbs(s));
  }

  return { render, onHello, get state() { return state; } };
}
