// A lab or replay page: the shared player with the lab's own view. The page names the
// view's module in data-view (no inline script: the Content-Security-Policy forbids it).
// This module loads async: it opens the socket at once, while Plotly (a deferred script,
// run by DOMContentLoaded) and the view are still loading, then draws.
import { enhanceCharts } from "./charts.js";
import { openSocket, startPlayer } from "./player.js";
import { plotlyReady } from "./plotly-ready.js";

const root = document.getElementById("lab");
const socket = openSocket(root);
Promise.all([import(root.dataset.view), plotlyReady()]).then(([{ createView }]) => {
  enhanceCharts(root);
  startPlayer(root, createView, socket);
});
