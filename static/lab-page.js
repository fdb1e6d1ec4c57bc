// A lab or replay page: the shared player with the lab's own view. The page names the
// view's module in data-view (no inline script: the Content-Security-Policy forbids it).
import { enhanceCharts } from "./charts.js";
import { startPlayer } from "./player.js";

const root = document.getElementById("lab");
enhanceCharts(root);
import(root.dataset.view).then(({ createView }) => startPlayer(root, createView));
