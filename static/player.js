// The shared player: one websocket per lab page, the step/back/play/scrub controls,
// the keyboard, the event log (the text alternative of every chart) and replay
// save/export. Each lab supplies a view: createView(root, player) -> { render(frame) }.

const LOG_MAX = 500;

export function startPlayer(root, createView) {
  const $ = (id) => document.getElementById(id);
  const readOnly = root.dataset.readOnly === "1";
  const slug = root.dataset.slug;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/ws/labs/${slug}/${root.dataset.wsQuery || ""}`;
  const flags = (window.paperlabs = { ready: false, frames: 0, errors: [], step: 0, length: 0 });

  let socket = null;
  let hello = null;
  let last = null;
  let pending = null;
  let drawScheduled = false;
  let scrubbing = false;
  let retry = 0;

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
      player.send({ action, ...fields });
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
        if (next) {
          view.render(next);
          flags.frames += 1;
          flags.step = next.step;
          flags.length = next.length;
          root.dataset.step = next.step;
          root.dataset.length = next.length;
          flags.ready = true;
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
    status(frame.playing ? `Playing at ${frame.fps} steps a second` : `Step ${frame.step} of ${frame.length}`);
  }

  function onMessage(message) {
    switch (message.type) {
      case "hello":
        hello = message;
        if (view.onHello) view.onHello(message);
        break;
      case "frame":
        onFrame(message);
        break;
      case "error":
        flags.errors.push(message);
        status(`Refused: ${message.message}`, true);
        if (view.onError) view.onError(message);
        break;
      case "notice":
        status(message.message);
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

  function connect() {
    socket = new WebSocket(url);
    socket.addEventListener("open", () => { retry = 0; status("Connected"); flags.connected = true; });
    socket.addEventListener("message", (e) => onMessage(JSON.parse(e.data)));
    socket.addEventListener("close", (e) => {
      flags.connected = false;
      if (e.code === 4404) { status("This lab or replay does not exist.", true); return; }
      retry = Math.min(retry + 1, 5);
      status(`Disconnected; reconnecting in ${retry} s…`, true);
      setTimeout(connect, retry * 1000);
    });
  }

  // -- controls ------------------------------------------------------------------------
  const seek = (step) => player.act("seek", { step: Math.max(0, Math.min(step, last ? last.length : 0)) });
  const togglePlay = () => player.act(last && last.playing ? "pause" : "play", { fps: Number($("speed").value) });
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

  connect();
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

export const plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
