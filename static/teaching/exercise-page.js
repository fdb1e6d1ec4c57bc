// An exercise or quiz item page: the player on the student's scenario with the lab's
// own view, named by the page in data-view (no inline script under the CSP).
import { startExercise } from "./exercise.js";

const root = document.getElementById("lab");
import(root.dataset.view).then(({ createView }) => startExercise(root, createView));
