// Plotly renders a subset of HTML in every label it draws (trace names, tick text, hover
// text, titles, annotations): <a href>, <span style>, <b>, <br>. User text (node names,
// key names, ShiViz host names) goes through plotText first, so it is shown as written
// and never becomes a link or a style. Plotly decodes the entities when it draws.
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

export function plotText(value) {
  return String(value ?? "").replace(/[&<>]/g, (ch) => ENTITIES[ch]);
}
