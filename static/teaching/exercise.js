// Exercise and quiz pages: the shared player on the student's scenario, plus the
// answer tools: "Use this recording for this question" (construct tasks), picking an
// element in a chart (pick questions), "Back to the scenario" and the quiz timer.
// Nothing here knows an expected answer: grading happens on the server.
import { startPlayer } from "../player.js";

export function startExercise(root, createView, socket = null) {
  const $ = (id) => document.getElementById(id);
  const player = startPlayer(root, createView, socket);
  // The scenario fixes the parameters (the server refuses set_params here): hide the
  // labs' set-up controls, marked .setup.
  for (const fieldset of root.querySelectorAll("fieldset.setup")) fieldset.hidden = true;
  const flags = window.paperlabs;
  flags.teaching = { recordings: {}, picks: {} };
  const quizMode = ($("teaching") || {}).dataset?.mode === "quiz";

  // -- construct tasks: save the session's recording, keep its id in the form ----------
  for (const button of document.querySelectorAll("[data-use-recording]")) {
    button.addEventListener("click", () => {
      const qid = button.dataset.useRecording;
      const status = $(`rec-status-${qid}`);
      const before = window.paperlabs.saved;
      status.textContent = "Saving the recording…";
      player.act("save", { title: `Answer to question ${qid}` });
      const started = performance.now();
      const poll = () => {
        const saved = window.paperlabs.saved;
        if (saved && saved !== before) {
          $(`rec-${qid}`).value = saved.id;
          status.textContent = `Recording saved at step ${saved.step}. It is checked when you ${quizMode ? "submit" : "check your answers"}.`;
          flags.teaching.recordings[qid] = saved.id;
        } else if (performance.now() - started < 10000) {
          setTimeout(poll, 50);
        } else {
          status.textContent = "The recording could not be saved: check the connection and try again.";
        }
      };
      poll();
    });
  }

  // -- pick questions: click an element in any chart ------------------------------------
  let armed = null;
  const pickButtons = [...document.querySelectorAll("[data-pick]")];
  function arm(qid) {
    armed = qid;
    for (const b of pickButtons) b.setAttribute("aria-pressed", String(b.dataset.pick === qid));
    for (const chart of root.querySelectorAll(".chart")) {
      if (chart.on && !chart.dataset.pickBound) {
        chart.dataset.pickBound = "1";
        chart.on("plotly_click", onPick);
      }
    }
    if (qid) player.status(`Question ${qid}: click the element in a chart.`);
  }
  function candidates(point) {
    const out = [];
    for (const c of [point.customdata, point.x, point.label, point.text, point.data && point.data.name]) {
      if (typeof c === "string" || typeof c === "number") out.push(String(c));
    }
    return out;
  }
  function onPick(event) {
    if (!armed) return;
    const select = $(`pick-${armed}`);
    const names = [...select.options].map((o) => o.value).filter(Boolean);
    for (const point of event.points || []) {
      for (const text of candidates(point)) {
        const hit = names.find((n) => text === n || text.startsWith(`${n} `));
        if (hit) {
          select.value = hit;
          flags.teaching.picks[armed] = hit;
          player.status(`Question ${armed}: picked ${hit}.`);
          arm(null);
          return;
        }
      }
    }
    player.status("That is not one of the elements this question picks from.", true);
  }
  for (const b of pickButtons) b.addEventListener("click", () => arm(armed === b.dataset.pick ? null : b.dataset.pick));

  // -- the server asks before submitting with unanswered questions: bring it into view
  const confirm = $("confirm-unanswered");
  if (confirm) {
    confirm.scrollIntoView({ block: "center" });
    confirm.focus();
  }

  // -- back to the scenario's end (a fresh copy of the set-up) ---------------------------
  const scenario = $("btn-scenario");
  if (scenario) scenario.addEventListener("click", () => player.act("reset"));

  // -- the quiz timer (the server enforces the deadline; this only shows it) ----------
  const timer = $("timer");
  if (timer) {
    const end = Date.now() + Number(timer.dataset.seconds) * 1000;
    const form = $("answers");
    let saved = false;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      const m = Math.floor(left / 60), s = left % 60;
      $("timer-text").textContent = `${m}:${String(s).padStart(2, "0")}`;
      if (left <= 5 && !saved && form && Number(timer.dataset.seconds) > 5) {
        // Save what is on the page just before the deadline.
        saved = true;
        const action = document.createElement("input");
        action.type = "hidden"; action.name = "action"; action.value = "save";
        form.append(action);
        form.submit();
        return;
      }
      if (left > 0) setTimeout(tick, 1000);
    };
    tick();
  }
  return player;
}
