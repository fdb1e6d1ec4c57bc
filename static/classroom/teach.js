// The instructor's page: the lab's own view and player on the classroom socket, plus
// polls with a live histogram, presence, and ending the session.
import { startPlayer } from "../player.js";

const root = document.getElementById("lab");
const $ = (id) => document.getElementById(id);
const flags = (window.classroom = { role: "teach", presence: null, poll: null, ended: false });

// One row per option, or per number (or range of numbers) answered; the right ones
// marked. The table is the chart and its own text alternative.
function histogram(poll) {
  const body = $("histogram").tBodies[0];
  const rows = poll.rows || [];
  const most = Math.max(1, ...rows.map((r) => r.count));
  body.replaceChildren(...rows.map((row, i) => {
    const tr = document.createElement("tr");
    const label = document.createElement("th");
    label.scope = "row";
    const numbered = poll.kind === "numeric" || i >= poll.options.length ? "" : `${i + 1}. `;
    label.textContent = `${numbered}${row.label}${row.right ? " ✓" : ""}`;
    const cell = document.createElement("td");
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${(80 * row.count) / most}%`;
    if (row.right) bar.classList.add("is-correct");
    const n = document.createElement("span");
    n.className = "count";
    n.dataset.option = i;
    n.textContent = String(row.count);
    cell.append(bar, n);
    tr.append(label, cell);
    return tr;
  }));
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 2;
    td.textContent = "No answers yet.";
    tr.append(td);
    body.append(tr);
  }
  let text = poll.answer_text ? `The answer: ${poll.answer_text}.` : "No right answer was set.";
  if (poll.right !== undefined && poll.answered) text += ` ${poll.right} of ${poll.answered} right.`;
  if (poll.stats) text += ` Lowest ${poll.stats.min}, median ${poll.stats.median}, highest ${poll.stats.max}.`;
  $("poll-summary").textContent = text;
}

function onPresence(message) {
  flags.presence = message;
  const answered = message.poll ? `, ${message.answered} answered poll ${message.poll.number}` : "";
  $("presence").textContent = `${message.students} student${message.students === 1 ? "" : "s"} connected (${message.joined} joined)${answered}.`;
  $("presence").dataset.students = message.students;
  if (message.poll) {
    flags.poll = message.poll;
    $("poll-live").hidden = false;
    $("poll-live-prompt").textContent = `Poll ${message.poll.number} (step ${message.poll.step}): ${message.poll.prompt}${message.poll.open ? "" : " (closed)"}`;
    $("poll-answered").textContent = `${message.answered} answer${message.answered === 1 ? "" : "s"}.`;
    $("poll-answered").dataset.answered = message.answered;
    $("poll-close").disabled = !message.poll.open;
    $("poll-reveal").disabled = message.poll.revealed;
    histogram(message.poll);
  }
}

function classroomMessage(message) {
  switch (message.type) {
    case "presence": onPresence(message); return true;
    case "ended":
      flags.ended = true;
      $("status").textContent = "The session has ended.";
      location.href = message.results;
      return true;
    default: return false;
  }
}

import(root.dataset.view).then(({ createView }) => {
  const player = startPlayer(root, (r, p) => {
    const view = createView(r, p);
    const own = view.onMessage ? view.onMessage.bind(view) : null;
    view.onMessage = (m) => classroomMessage(m) || (own && own(m));
    return view;
  });
  $("poll-new").addEventListener("submit", (e) => {
    e.preventDefault();
    const options = $("poll-options-in").value.split("\n").map((o) => o.trim()).filter(Boolean);
    const raw = $("poll-correct-in").value.trim();
    const message = { prompt: $("poll-prompt-in").value, options };
    if (raw !== "") message.correct = Number(raw) - 1;
    player.act("poll_open", message);
  });
  const exercise = $("poll-exercise");
  if (exercise) {
    exercise.addEventListener("submit", (e) => {
      e.preventDefault();
      player.act("poll_question", { question: $("poll-question-in").value });
    });
  }
  $("poll-close").addEventListener("click", () => player.act("poll_close"));
  $("poll-reveal").addEventListener("click", () => player.act("poll_reveal"));
  $("btn-end-session").addEventListener("click", () => {
    if (window.confirm("End the session for every student?")) player.act("end");
  });
});
