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

function showPoll(poll) {
  flags.poll = poll;
  const box = $("poll");
  box.hidden = false;
  $("poll-prompt").textContent = `Poll ${poll.number}: ${poll.prompt}`;
  const fieldset = $("poll-options");
  const legend = fieldset.querySelector("legend");
  fieldset.replaceChildren(legend, ...poll.options.map((option, i) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "choice";
    input.value = i;
    input.checked = poll.mine === i;
    label.append(input, ` ${option}`);
    if (poll.revealed && poll.correct === i) label.classList.add("is-correct");
    if (poll.counts) label.append(` (${poll.counts[i]})`);
    return label;
  }));
  fieldset.disabled = !poll.open;
  $("poll-submit").disabled = !poll.open;
  let text = poll.open ? "Choose one answer." : "The poll is closed.";
  if (poll.mine !== null && poll.mine !== undefined) text = `Your answer: ${poll.options[poll.mine]}.${poll.open ? " You may change it until the poll closes." : ""}`;
  if (poll.revealed) text += poll.correct === null ? "" : ` The answer: ${poll.options[poll.correct]}.`;
  if (poll.revealed && poll.explanation) text += ` ${poll.explanation}`;
  $("poll-status").textContent = text;
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
    const chosen = root.querySelector('#poll-options input[name="choice"]:checked');
    if (!chosen || !flags.poll) {
      $("poll-status").textContent = "Choose an answer first.";
      return;
    }
    player.send({ action: "answer", poll: flags.poll.id, choice: Number(chosen.value) });
  });
  $("btn-explore").addEventListener("click", () => player.send({ action: "explore" }));
  $("btn-follow").addEventListener("click", () => player.send({ action: "follow" }));
});
