// The space-time (Lamport) diagram, shared by every lab whose subject is processes
// exchanging messages: one row per process, time running to the right, an arrow per
// message. A lab turns its state into plain shapes and this module draws them:
//
//   drawSpaceTime(element, {
//     processes: ["P1", "P2"],                      // rows, top to bottom
//     end: 12,                                      // where process lines stop
//     events: [{ id, process, x, colour, size, label, hover }],
//     arrows: [{ name, colour, dash, width, segments: [{ x1, from, x2, to, hover }] }],
//     cuts: [{ name, colour, points: [{ x, process }] }],   // e.g. a snapshot's cut
//     title, xTitle,
//   }, { onEvent(id) {...} })
//
// Arrow heads sit short of the receive event so clicks reach the event; over 400
// events the traces switch to WebGL. Returns a one-line description for the text
// alternative.
import { plotText } from "./escape.js";
import { plotConfig } from "./player.js";

const GL_FROM = 400;

export function drawSpaceTime(el, picture, handlers = {}) {
  const { processes, events, arrows = [], cuts = [] } = picture;
  const row = Object.fromEntries(processes.map((p, i) => [p, i]));
  const gl = events.length > GL_FROM ? "scattergl" : "scatter";
  const traces = [];
  const lx = [], ly = [];
  for (const p of processes) { lx.push(-0.5, picture.end, null); ly.push(row[p], row[p], null); }
  traces.push({ type: "scatter", mode: "lines", x: lx, y: ly, line: { color: "#bbb", width: 1 }, hoverinfo: "skip", showlegend: false });

  const hx = [], hy = [], htext = [];
  for (const group of arrows) {
    const x = [], y = [];
    for (const s of group.segments) {
      const y1 = typeof s.from === "number" ? s.from : row[s.from];
      const y2 = typeof s.to === "number" ? s.to : row[s.to];
      x.push(s.x1, s.x2, null);
      y.push(y1, y2, null);
      hx.push(s.x1 + 0.8 * (s.x2 - s.x1));
      hy.push(y1 + 0.8 * (y2 - y1));
      htext.push(s.hover || group.name);
    }
    traces.push({ type: gl, mode: "lines", x, y, name: group.name, hoverinfo: "skip",
      line: { color: group.colour, width: group.width || 1.5, dash: group.dash || "solid" } });
  }
  traces.push({ type: gl, mode: "markers", x: hx, y: hy, text: htext, hoverinfo: "text", showlegend: false,
    marker: { symbol: "diamond", size: 6, color: "#555" } });

  for (const cut of cuts) {
    traces.push({ type: "scatter", mode: "lines+markers", name: cut.name, hoverinfo: "name",
      x: cut.points.map((p) => p.x), y: cut.points.map((p) => row[p.process]),
      line: { color: cut.colour, width: 2.5, dash: "dashdot" }, marker: { symbol: "line-ew-open", size: 14, color: cut.colour } });
  }

  traces.push({
    type: gl, mode: events.length <= 60 ? "markers+text" : "markers", name: "events", customdata: events.map((e) => e.id),
    x: events.map((e) => e.x), y: events.map((e) => row[e.process]),
    text: events.map((e) => e.label ?? ""), textposition: "top center",
    hovertext: events.map((e) => e.hover ?? ""), hoverinfo: "text",
    marker: { size: events.map((e) => e.size || 10), color: events.map((e) => e.colour || "#444"),
      symbol: events.map((e) => e.symbol || "circle"), line: { color: "#fff", width: 1 } },
  });

  Plotly.react(el, traces, {
    margin: { l: 50, r: 10, t: 30, b: 30 }, height: Math.max(260, 70 * processes.length),
    title: { text: picture.title || "Space-time diagram" },
    xaxis: { title: { text: picture.xTitle || "time runs to the right" }, zeroline: false, tickformat: "d",
      dtick: picture.end <= 40 ? 1 : undefined },
    yaxis: { tickvals: processes.map((_, i) => i), ticktext: processes.map(plotText), autorange: "reversed", zeroline: false },
    legend: { orientation: "h" }, hovermode: "closest", dragmode: "pan",
  }, plotConfig);

  if (handlers.onEvent && !el.dataset.spacetimeClick) {
    el.dataset.spacetimeClick = "1";
    el.on("plotly_click", (data) => {
      const point = data.points.find((p) => p.data.name === "events");
      if (point) handlers.onEvent(point.customdata);
    });
  }
}
