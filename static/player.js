// The shared player: one websocket per lab page, the step/back/play/scrub controls,
// the keyboard, the event log (the text alternative of every chart), the branches of
// the session, and replay save/export. Each lab supplies a view:
// createView(root, player) -> { render(frame) }.
//
// Refusals are shown next to the control that caused them, in the words of its label
// ("Initial nodes must be an integer between 0 and 64, got 500"), and announced.

import { finishSecondary, firstChartFirst } from "./charts.js";

const LOG_MAX = 500;

function socketUrl(root) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // data-ws-path: another socket that speaks the lab protocol (a live classroom).
  const path = root.dataset.wsPath || `/ws/labs/${root.dataset.slug}/`;
  return `${scheme}://${location.host}${path}${root.dataset.wsQuery || ""}`;
}

// The lab's socket, opened before Plotly and the lab's view have loaded: the server
// builds the lab while the browser is still busy with them. What arrives meanwhile is
// kept for startPlayer(root, createView, socket).
export function openSocket(root) {
  const socket = new WebSocket(socketUrl(root));
  const early = { socket, events: [] };
  early.handle = (e) => early.events.push(e);
  for (const type of ["open", "message", "close"]) socket.addEventListener(type, (e) => early.handle(e));
  return early;
}

export function startPlayer(root, createView, early = null) {
  const $ = (id) => document.getElementById(id);
  const readOnly = root.dataset.readOnly === "1";
  const flags = (window.paperlabs = { ready: false, frames: 0, errors: [], step: 0, length: 0 });

  let socket = null;
  let hello = null;
  let last = null;
  let pending = null;
  let drawScheduled = false;
  let firstDrawn = false;
  let scrubbing = false;
  let retry = 0;
  // The control that sent the last action: its refusal is shown next to it.
  let origin = null;
  // Fields read as blank or not a number while building the action being sent.
  let invalid = [];
  // An error in the status line stays until the next action.
  let statusHeld = false;

  const player = {
    readOnly,
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        status("Not connected; trying again…");
        return;
      }
      socket.send(JSON.stringify(message));
    },
    act(action, fields = {}) {
      const problems = invalid;
      invalid = [];
      clearFieldErrors();
      statusHeld = false;
      origin = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
      if (problems.length) {
        for (const [el, rule] of problems) showFieldError(el, `${labelOf(el)} ${rule}.`);
        problems[0][0].focus();
        return;
      }
      player.send({ action, ...fields });
    },
    // A number field's value, or null (and the action is not sent) when blank or not a
    // number: a blank field is refused as required, never read as 0.
    num(id) {
      const el = document.getElementById(id);
      const raw = el.value.trim();
      if (raw === "" || (el.validity && el.validity.badInput)) {
        invalid.push([el, el.validity && el.validity.badInput ? "must be a number" : "is required"]);
        return null;
      }
      const value = Number(raw);
      if (!Number.isFinite(value)) {
        invalid.push([el, `must be a number, got "${raw.slice(0, 40)}"`]);
        return null;
      }
      return value;
    },
    get hello() { return hello; },
    get frame() { return last; },
    status,
  };

  const view = createView(root, player);

  function status(text, isError = false) {
    const el = $("status");
    el.textContent = text;
    el.classList.toggle("is-error", isError);
  }

  // -- refusals next to their controls ----------------------------------------------
  function labelOf(el) {
    const label = el.labels && el.labels[0];
    if (label) {
      const copy = label.cloneNode(true);
      copy.querySelectorAll("input, select, textarea, output, .field-error, .help").forEach((c) => c.remove());
      const text = copy.textContent.replace(/\s+/g, " ").trim();
      if (text) return text;
    }
    const legend = el.tagName === "FIELDSET" && el.querySelector("legend");
    if (legend && legend.textContent.trim()) return legend.textContent.trim();
    return el.getAttribute("aria-label") || el.title || el.textContent.trim() || el.id;
  }

  function clearFieldErrors() {
    root.querySelectorAll(".field-error").forEach((e) => e.remove());
    root.querySelectorAll("[aria-invalid]").forEach((e) => {
      e.removeAttribute("aria-invalid");
      const ids = (e.getAttribute("aria-describedby") || "").split(" ").filter((i) => i && !i.endsWith("-error"));
      if (ids.length) e.setAttribute("aria-describedby", ids.join(" "));
      else e.removeAttribute("aria-describedby");
    });
  }

  function showFieldError(el, text) {
    const note = document.createElement("span");
    note.className = "field-error";
    note.id = `${el.id || "control"}-error`;
    note.setAttribute("role", "alert");
    note.textContent = text;
    const host = (el.labels && el.labels[0]) || el;
    host.after(note);
    el.setAttribute("aria-invalid", "true");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    el.setAttribute("aria-describedby", [...ids, note.id].join(" "));
    flags.fieldErrors = (flags.fieldErrors || 0) + 1;
  }

  const shown = (value) => (typeof value === "string" ? `"${value}"` : value === null ? "nothing" : String(value));

  // The control a refusal is about: the field of that name near the control that sent
  // the message (its fieldset), else anywhere in the lab.
  function controlFor(err) {
    if (!err.field) return null;
    const name = String(err.field).replace(/\[.*$/, "");
    const selector = `[data-field="${CSS.escape(name)}"]`;
    const scope = origin && root.contains(origin) ? origin.closest("fieldset") : null;
    return (scope && scope.querySelector(selector)) || root.querySelector(selector);
  }

  function showRefusal(err) {
    const control = controlFor(err);
    if (control) {
      showFieldError(control, `${labelOf(control)} ${err.rule}, got ${shown(err.value)}.`);
    } else if (origin && root.contains(origin) && origin.closest("fieldset")) {
      // A refusal inside a pasted file ("line 2: process ...") belongs to its text box.
      const box = origin.closest("fieldset").querySelectorAll("textarea[data-field]");
      if (box.length === 1) showFieldError(box[0], `${labelOf(box[0])}, ${err.message}`);
      else showFieldError(origin, err.message);
    }
    status(`Refused: ${control ? `${labelOf(control)} ${err.rule}, got ${shown(err.value)}` : err.message}`, true);
    statusHeld = true;
  }

  function logSentence(step, event) {
    const li = document.createElement("li");
    li.dataset.step = step;
    li.dataset.kind = event.kind;
    li.textContent = `Step ${step}: ${event.text}`;
    return li;
  }

  function replaceLog(entries) {
    const log = $("event-log");
    log.replaceChildren(...entries.map(([step, event]) => logSentence(step, event)));
    log.scrollTop = log.scrollHeight;
  }

  function appendLog(step, events) {
    const log = $("event-log");
    for (const event of events) log.append(logSentence(step, event));
    while (log.children.length > LOG_MAX) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  }

  function onFrame(frame) {
    const previous = last;
    // The server sends the state as a delta: keys named in `unchanged` keep their values.
    if (frame.unchanged && frame.unchanged.length && previous) {
      for (const key of frame.unchanged) frame.state[key] = previous.state[key];
    }
    last = frame;
    if (frame.log) replaceLog(frame.log);
    else if (!previous || frame.step !== previous.step) appendLog(frame.step, frame.events);
    updateControls(frame);
    // Drawing is coalesced: at most one render per animation frame, of the newest state.
    pending = frame;
    if (!drawScheduled) {
      drawScheduled = true;
      requestAnimationFrame(() => {
        drawScheduled = false;
        const next = pending;
        pending = null;
        if (!next) return;
        // The frame counts as drawn once every chart of it is.
        const drawn = () => {
          flags.frames += 1;
          flags.step = next.step;
          flags.length = next.length;
          root.dataset.step = next.step;
          root.dataset.length = next.length;
          flags.ready = true;
        };
        if (!firstDrawn) {
          firstDrawn = true;
          firstChartFirst(() => view.render(next), drawn);
        } else {
          finishSecondary();
          view.render(next);
          drawn();
        }
      });
    }
  }

  function updateControls(frame) {
    $("step-label").textContent = `${frame.step} / ${frame.length}`;
    const scrub = $("scrub");
    scrub.max = frame.length;
    if (!scrubbing) scrub.value = frame.step;
    scrub.setAttribute("aria-valuetext", `Step ${frame.step} of ${frame.length}`);
    const play = $("btn-play");
    play.textContent = frame.playing ? "❚❚" : "▶";
    play.setAttribute("aria-label", frame.playing ? "Pause" : "Play");
    $("btn-back").disabled = frame.step === 0;
    $("btn-start").disabled = frame.step === 0;
    $("btn-end").disabled = frame.step === frame.length;
    const caption = $("caption");
    caption.hidden = !frame.caption;
    caption.textContent = frame.caption || "";
    if (frame.answer) {
      const answer = $("answer");
      answer.hidden = false;
      answer.textContent = frame.answer.map((e) => e.text).join(" ");
    }
    if (frame.notice) {
      status(frame.notice);
      statusHeld = true;
    } else if (!statusHeld) {
      status(frame.playing ? `Playing at ${frame.fps} steps a second` : `Step ${frame.step} of ${frame.length}`);
    }
    renderBranches(frame);
    // "Open in the lab" starts the what-if at the step being watched.
    const fork = $("fork-link");
    if (fork) {
      const link = new URL(fork.href, location.href);
      link.searchParams.set("step", frame.step);
      fork.href = link.pathname + link.search;
    }
  }

  function renderBranches(frame) {
    const box = $("branches");
    const branches = frame.branches || [];
    if (!box) return;
    box.hidden = branches.length < 2;
    // A new branch opens the list, so the kept future is in plain sight.
    if (branches.length > (flags.branches || []).length && branches.length > 1) box.open = true;
    flags.branch = frame.branch;
    flags.branches = branches;
    if (branches.length < 2) return;
    $("branch-count").textContent = String(branches.length);
    $("branch-list").replaceChildren(...branches.map((b) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.branch = b.id;
      const from = b.parent === null ? "the first recording" : `a what-if from branch ${b.parent} at step ${b.fork}`;
      button.textContent = `Branch ${b.id}: ${from}, ${b.length} step${b.length === 1 ? "" : "s"}`;
      if (b.current) {
        button.setAttribute("aria-current", "true");
        button.textContent += " (watching)";
      }
      button.addEventListener("click", () => player.act("switch_branch", { branch: b.id }));
      li.append(button);
      return li;
    }));
  }

  function onMessage(message) {
    switch (message.type) {
      case "hello":
        hello = message;
        flags.hello = message;
        if (view.onHello) view.onHello(message);
        break;
      case "frame":
        onFrame(message);
        break;
      case "error":
        flags.errors.push(message);
        showRefusal(message);
        if (view.onError) view.onError(message);
        break;
      case "notice":
        status(message.message);
        statusHeld = true;
        break;
      case "saved": {
        flags.saved = message;
        // Only the lab page offers sharing; exercise pages save answers, not links.
        if (!$("save-form")) break;
        const link = new URL(message.url, location.href);
        link.searchParams.set("step", message.step);
        const share = $("share");
        share.replaceChildren("Saved. Share this link: ");
        const a = document.createElement("a");
        a.href = link.href;
        a.id = "share-link";
        a.textContent = link.href;
        share.append(a);
        break;
      }
      case "export":
        download(`${message.replay.lab}-replay.json`, JSON.stringify(message.replay, null, 1));
        flags.exported = message.replay;
        break;
      default:
        if (view.onMessage) view.onMessage(message);
    }
  }

  function download(name, text) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    a.download = name;
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  let parts = [];
  const onSocket = {
    open() { retry = 0; status("Connected"); flags.connected = true; },
    message(e) {
      const message = JSON.parse(e.data);
      // A message over the server's frame size arrives as parts: join, then handle.
      if (message.type !== "part") { onMessage(message); return; }
      if (message.index === 0) parts = [];
      parts.push(message.text);
      if (parts.length === message.count) { const text = parts.join(""); parts = []; onMessage(JSON.parse(text)); }
    },
    close(e) {
      flags.connected = false;
      flags.closeCode = e.code;
      if (e.code === 4404) { status("This lab or replay does not exist.", true); return; }
      // Refused for good, or over: trying again would only be refused again.
      if (e.code === 4403) {
        const why = flags.errors.length ? `: ${flags.errors[flags.errors.length - 1].message}` : "";
        status(`The server refused this page${why}. Join the session again, or sign in as its instructor, then reload.`, true);
        return;
      }
      if (e.code === 4410) { status("This session has ended: nothing more will arrive.", true); return; }
      retry = Math.min(retry + 1, 5);
      status(`Disconnected; reconnecting in ${retry} s…`, true);
      setTimeout(() => freshToken().finally(() => connect()), retry * 1000);
    },
  };
  // In an LMS's iframe the socket signs in with a short-lived token, not a cookie: a
  // page open longer than the token lives asks for a new one before it reconnects.
  async function freshToken() {
    if (!root.dataset.tokenUrl) return;
    try {
      const answer = await fetch(root.dataset.tokenUrl, { credentials: "omit", cache: "no-store" });
      if (!answer.ok) return;
      const { ws_token: token, frame_session: session } = await answer.json();
      const query = new URLSearchParams(root.dataset.wsQuery || "");
      query.set("ws_token", token);
      root.dataset.wsQuery = `?${query}`;
      const url = new URL(root.dataset.tokenUrl, location.href);
      url.searchParams.set("frame_session", session);
      root.dataset.tokenUrl = `${url.pathname}${url.search}`;
    } catch {
      // The reconnect goes ahead with the token it has; the server says if it is refused.
    }
  }

  // The first time with the socket the page opened early (and what it has received
  // so far, in order); after a disconnection with a new one.
  function connect(opened = null) {
    parts = [];
    const s = opened || openSocket(root);
    socket = s.socket;
    const received = s.events;
    s.events = [];
    s.handle = (e) => onSocket[e.type](e);
    for (const e of received) onSocket[e.type](e);
  }

  // -- controls ------------------------------------------------------------------------
  const seek = (step) => player.act("seek", { step: Math.max(0, Math.min(step, last ? last.length : 0)) });
  // Pause takes no fields; play carries the chosen speed.
  const togglePlay = () => (last && last.playing ? player.act("pause") : player.act("play", { fps: Number($("speed").value) }));
  $("btn-start").addEventListener("click", () => seek(0));
  $("btn-back").addEventListener("click", () => player.act("back"));
  $("btn-play").addEventListener("click", togglePlay);
  $("btn-step").addEventListener("click", () => player.act("step"));
  $("btn-end").addEventListener("click", () => last && seek(last.length));
  $("speed").addEventListener("change", () => player.act("speed", { fps: Number($("speed").value) }));
  const scrub = $("scrub");
  let scrubTimer = null;
  scrub.addEventListener("input", () => {
    scrubbing = true;
    clearTimeout(scrubTimer);
    scrubTimer = setTimeout(() => seek(Number(scrub.value)), 60);
  });
  scrub.addEventListener("change", () => {
    clearTimeout(scrubTimer);
    scrubbing = false;
    seek(Number(scrub.value));
  });
  $("btn-export").addEventListener("click", () => {
    const replay = root.dataset.replay;
    if (replay) location.href = `/replays/${replay}/export.json`;
    else player.act("export");
  });
  const saveForm = $("save-form");
  if (saveForm) {
    saveForm.addEventListener("submit", (e) => {
      e.preventDefault();
      player.act("save", { title: $("save-title").value });
    });
  }

  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName) || "";
    if (["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(tag) && e.key === " ") return;
    if (["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const keys = {
      ArrowRight: () => player.act("step"),
      ArrowLeft: () => player.act("back"),
      " ": togglePlay,
      Home: () => seek(0),
      End: () => last && seek(last.length),
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
    }
  });

  connect(early);
  return player;
}

// Small helpers shared by the lab views.
export const PALETTE = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
];

export function colour(index) {
  if (index < PALETTE.length) return PALETTE[index];
  return `hsl(${(index * 137.508) % 360}, 60%, 45%)`;
}

export function describe(id, text) {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

// No mode bar: its buttons would come before the player in the tab order, and its
// "Share chart" needs the internet. static/charts.js adds PNG, CSV and table buttons.
export const plotConfig = { displayModeBar: false, displaylogo: false, responsive: true };
