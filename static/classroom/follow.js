// A student's page: the instructor's frames drawn by the lab's own view, the poll, and
// a private branch ("Explore from this step") that rejoins the live state in one click.
import { startPlayer } from "../player.js";

const root = document.getElementById("lab");
const $ = (id) => document.getElementById(id);
const flags = (window.classroom = { role: "follow", following: true, poll: null, acks: [], ended: false });

function setFollowing(following) {
  flags.following = following;
  root.classList.toggle("following", following);
  // While following, the lab's controls belong to the instructor (the server refuses
  // them anyway); exploring gives them back.
  root.querySelectorAll(".controls fieldset").forEach((f) => { f.disabled = following; });
  $("btn-explore").hidden = !following;
  $("btn-follow").hidden = following;
  $("mode").textContent = following
    ? "Following the instructor."
    : "Exploring on your own from the lecture's step; the lecture goes on without you.";
}

let player = null;

// An answer in words: option texts, or the number.
function shownAnswer(poll, value) {
  if (value === null || value === undefined) return "";
  if (poll.kind === "numeric") return String(value);
  if (poll.kind === "construct") return `your lab (${value.actions} action${value.actions === 1 ? "" : "s"} of yours)`;
  const picked = Array.isArray(value) ? value : [value];
  return picked.map((i) => poll.options[i]).join("; ") || "nothing ticked";
}

const isRight = (poll, i) => (poll.kind === "single" ? poll.correct === i : Array.isArray(poll.expected) && poll.expected.includes(i));

const PROMPTS = {
  single: "Choose one answer.",
  pick: "Choose one element.",
  multiple: "Tick every right option (or none), then press Answer.",
  numeric: "Type a number, then press Answer.",
  construct: "Press Explore from this step, act in the lab until you reach the goal, then press Use my lab for this poll.",
};

function showPoll(poll) {
  flags.poll = poll;
  const box = $("poll");
  box.hidden = false;
  $("poll-prompt").textContent = `Poll ${poll.number}: ${poll.prompt}`;
  const fieldset = $("poll-options");
  const legend = fieldset.querySelector("legend");
  const mine = poll.mine;
  let controls;
  legend.textContent = "Your answer";
  $("poll-submit").textContent = "Answer";
  if (poll.kind === "construct") {
    // The answer is the student's own explored lab; a refusal names it "Your lab".
    legend.textContent = "Your lab";
    fieldset.dataset.field = "lab";
    $("poll-submit").textContent = "Use my lab for this poll";
    controls = [];
  } else if (poll.kind === "numeric") {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "text";
    input.inputMode = "decimal";
    input.id = "poll-number";
    input.dataset.field = "choice";
    input.autocomplete = "off";
    input.size = 12;
    if (mine !== null && mine !== undefined) input.value = String(mine);
    label.append("Your answer (a number) ", input);
    controls = [label];
    delete fieldset.dataset.field;
  } else {
    const type = poll.kind === "multiple" ? "checkbox" : "radio";
    controls = poll.options.map((option, i) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = type;
      input.name = "choice";
      input.value = i;
      input.checked = Array.isArray(mine) ? mine.includes(i) : mine === i;
      label.append(input, ` ${option}`);
      if (poll.revealed && isRight(poll, i)) label.classList.add("is-correct");
      if (poll.counts) label.append(` (${poll.counts[i]})`);
      return label;
    });
    // A refusal about the answer is shown at the group of options.
    fieldset.dataset.field = "choice";
  }
  fieldset.replaceChildren(legend, ...controls);
  fieldset.disabled = !poll.open;
  $("poll-submit").disabled = !poll.open;
  let text = poll.open ? PROMPTS[poll.kind] || PROMPTS.single : "The poll is closed.";
  if (mine !== null && mine !== undefined) text = `Your answer: ${shownAnswer(poll, mine)}.${poll.open ? " You may change it until the poll closes." : ""}`;
  if (poll.revealed && poll.kind === "construct" && mine) text += ` ${mine.done ? "You reached the goal" : "Not yet"}: ${mine.message}`;
  if (poll.revealed && poll.answer_text) text += ` The answer: ${poll.answer_text}.`;
  if (poll.revealed && poll.stats) text += ` The class: lowest ${poll.stats.min}, median ${poll.stats.median}, highest ${poll.stats.max}.`;
  if (poll.revealed && poll.explanation) text += ` ${poll.explanation}`;
  $("poll-status").textContent = text;
}

// The answer as the server takes it, or null (nothing chosen yet).
function answerOf(poll) {
  if (poll.kind === "numeric") {
    const raw = $("poll-number").value.trim();
    return raw === "" ? null : raw;
  }
  const checked = [...root.querySelectorAll('#poll-options input[name="choice"]:checked')].map((c) => Number(c.value));
  if (poll.kind === "multiple") return checked;
  return checked.length ? checked[0] : null;
}

function classroomMessage(message) {
  switch (message.type) {
    case "poll": showPoll(message.poll); return true;
    case "ack":
      flags.acks.push(message);
      if (flags.poll && flags.poll.id === message.poll) {
        flags.poll.mine = message.choice;
        showPoll(flags.poll);
      }
      return true;
    case "following": setFollowing(message.following); return true;
    case "ended":
      flags.ended = true;
      $("mode").textContent = "The instructor has ended this session. Thank you!";
      return true;
    default: return false;
  }
}

import(root.dataset.view).then(({ createView }) => {
  player = startPlayer(root, (r, p) => {
    const view = createView(r, p);
    const own = view.onMessage ? view.onMessage.bind(view) : null;
    view.onMessage = (m) => classroomMessage(m) || (own && own(m));
    return view;
  });
  setFollowing(true);
  $("poll-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!flags.poll) return;
    if (flags.poll.kind === "construct") {
      player.send({ action: "submit_lab", poll: flags.poll.id });
      return;
    }
    const choice = answerOf(flags.poll);
    if (choice === null) {
      $("poll-status").textContent = flags.poll.kind === "numeric" ? "Type a number first." : "Choose an answer first.";
      return;
    }
    player.send({ action: "answer", poll: flags.poll.id, choice });
  });
  $("btn-explore").addEventListener("click", () => player.send({ action: "explore" }));
  $("btn-follow").addEventListener("click", () => player.send({ action: "follow" }));
});
