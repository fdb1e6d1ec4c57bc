// An exercise or quiz item page: the player on the student's scenario with the lab's
// own view, named by the page in data-view (no inline script under the CSP), and the
// same chart tools as a lab page (Download PNG and CSV, the data as a table). Like
// lab-page.js it loads async and opens the socket before Plotly and the view are in.
import { enhanceCharts } from "../charts.js";
import { openSocket } from "../player.js";
import { plotlyReady } from "../plotly-ready.js";
import { startExercise } from "./exercise.js";

const root = document.getElementById("lab");
const socket = openSocket(root);
Promise.all([import(root.dataset.view), plotlyReady()]).then(([{ createView }]) => {
  enhanceCharts(root);
  startExercise(root, createView, socket);
});
