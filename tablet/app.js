// The tablet page: connects to the room's broker over MQTT on WebSockets (MQTT.js), keeps
// RoomState current from what sensoryd publishes, draws RoomState.view() into the page and
// sends the therapist's commands. Everything shown comes from the broker's messages as text
// (textContent), never as markup.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  // What the page remembers: the room, the user name and the therapist across visits
  // (localStorage); the password only for this tab's session (sessionStorage: a reload keeps
  // it, closing the tab forgets it), so that it never rests on the tablet in plain text.
  const storageFor = (key) => (key === 'password' ? sessionStorage : localStorage);
  const store = {
    get: (key) => {
      try {
        return storageFor(key).getItem('sensoryd.' + key) || '';
      } catch (e) {
        return '';
      }
    },
    set: (key, value) => {
      try {
        storageFor(key).setItem('sensoryd.' + key, value);
      } catch (e) {
        /* private mode: not remembered */
      }
    },
  };

  // MQTT is on the address that served this page, at /mqtt: mosquitto's websockets listener
  // with http_dir (a development room), or nginx passing it to the broker (the secure room,
  // docs/security.md); wss when the page came over https. ?broker= may change the path only.
  const broker = RoomState.brokerUrl(location.href, params.get('broker'));
  const brokerUrl = broker.url;
  if (broker.ignored) console.warn('?broker=' + broker.ignored + ' ignored: the page connects only to its own address');
  const clientId = 'tablet-' + Math.random().toString(16).slice(2, 10);

  let room = params.get('room') || store.get('room');
  let state = RoomState.create(room || '');
  let client = null;
  let lastPacketMs = null; // when the broker last sent this page anything
  let choice = { child: '', profile: '' };
  let pending = new Map(); // request_id -> { action, timer }
  let requestCount = 0;
  let rooms = new Set();
  let wakeLock = null;
  let wakeLockUnavailable = false; // no Screen Wake Lock in this browser, or the lock refused
  let screenNoteDismissed = false; // said once: dismissed, it stays away for this page
  let lastView = null;
  let adjustedFor = null; // the session the intensity control was last set from

  function replyTopic() {
    return 'sensoryd/' + room + '/reply/' + clientId;
  }

  // ---- connection ---------------------------------------------------------------------------

  function connect() {
    if (client) client.end(true);
    const options = {
      protocolVersion: 5,
      clientId,
      clean: true,
      keepalive: RoomState.KEEPALIVE_S, // a dead socket is noticed within 1.5 keep-alives
      // The page's own timers for the keep-alive: mqtt.js's default starts a Worker from a blob:
      // URL, which the secure room's Content-Security-Policy refuses (WebKit throws, Chromium
      // says nothing), and then no ping is ever sent. A hidden page needs none: it is not
      // supervising, and is started afresh when shown (reconnectIfStale).
      timerVariant: 'native',
      reconnectPeriod: 2000,
      connectTimeout: 5000,
      resubscribe: false, // subscribe() runs again on every connect
    };
    const username = store.get('username');
    if (username) {
      options.username = username;
      options.password = store.get('password');
    }
    state.broker = 'connecting';
    client = mqtt.connect(brokerUrl, options);
    client.on('connect', () => {
      RoomState.connectionOpened(state, Date.now());
      subscribe();
      render();
    });
    client.on('close', () => {
      RoomState.connectionClosed(state, Date.now());
      render();
    });
    client.on('error', (error) => {
      // Not authorized (MQTT 5 reason 135 / 134, MQTT 3 return code 5 / 4): ask for a sign-in.
      if ([4, 5, 134, 135].includes(error && error.code)) {
        state.broker = 'unauthorized';
        client.end(true);
        render();
        openSignIn();
      }
    });
    // A mistake in drawing the room must not cost the connection (RoomState.isolated).
    client.on('message', RoomState.isolated((topic, payload) => onMessage(topic, payload.toString())));
    // Anything from the broker (an answer to a ping included) says the socket is alive.
    client.on('packetreceive', () => {
      lastPacketMs = Date.now();
    });
  }

  // Back in front after a lock: a closed connection is tried at once, and one that has heard
  // nothing for a keep-alive is started afresh (it may say "open" while it is dead).
  function reconnectIfStale() {
    if (!client || state.broker === 'unauthorized') return;
    const how = RoomState.reconnectOnShow(client.connected, lastPacketMs, Date.now());
    if (how === 'now') client.reconnect();
    if (how === 'afresh') connect();
  }

  function subscribe() {
    client.subscribe('sensoryd/+/availability', { qos: 1 });
    if (!room) return;
    const base = 'sensoryd/' + room + '/';
    client.subscribe(
      [base + 'session', base + 'safety', base + 'profiles', base + 'children', base + 'limits', base + 'devices/+', replyTopic()],
      { qos: 1 },
    );
  }

  function chooseRoom(id) {
    if (id === room) return;
    if (client && room) {
      const base = 'sensoryd/' + room + '/';
      client.unsubscribe([base + 'session', base + 'safety', base + 'profiles', base + 'children', base + 'limits', base + 'devices/+', replyTopic()]);
    }
    room = id;
    store.set('room', id);
    const previous = state;
    state = RoomState.create(id);
    // The connection is the same whatever the room.
    state.broker = previous.broker;
    state.connectedAtMs = previous.connectedAtMs;
    state.shortConnections = previous.shortConnections;
    choice = { child: '', profile: '' };
    renderedProfiles = '';
    if (client && client.connected) subscribe();
    render();
  }

  function onMessage(topic, text) {
    const match = /^sensoryd\/([^/]+)\/availability$/.exec(topic);
    if (match) {
      if (!rooms.has(match[1])) {
        rooms.add(match[1]);
        renderRooms();
      }
      if (!room) chooseRoom(match[1]); // the first room heard of, until one is chosen
    }
    if (topic === replyTopic()) {
      onReply(text);
      return;
    }
    if (RoomState.applyMessage(state, topic, text, Date.now())) render();
  }

  // ---- commands -----------------------------------------------------------------------------

  function showOutcome(outcome) {
    const line = $('outcome');
    line.textContent = outcome.text;
    line.className = 'outcome ' + (outcome.ok ? 'ok' : 'refused');
    line.hidden = false;
  }

  // `quiet`: an E-stop sent again while unconfirmed; the page already says so. `onReply`: also
  // given the reply (the editor places errors at their fields). `lookup`: a question (a
  // profile's history) whose answer the caller shows: the outcome line tells only a refusal.
  function send(action, fields, { quiet = false, onReply = null, lookup = false } = {}) {
    if (!client || !client.connected || !room) {
      if (quiet) return;
      showOutcome({
        ok: false,
        text:
          RoomState.actionName(action) + (action === 'estop' ? ' NOT sent' : ' not sent') +
          ': this tablet has no connection to the room.' +
          (action === 'estop' ? ' Use the E-stop button in the room.' : ''),
      });
      return;
    }
    requestCount += 1;
    const requestId = clientId + '-' + requestCount;
    const message = RoomState.commandMessage(
      room,
      action,
      fields,
      requestId,
      replyTopic(),
      store.get('therapist'),
      store.get('username'),
    );
    if (action !== 'lease') {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        // An unanswered E-stop is already told, and sent again, until one is answered.
        if (action !== 'estop') showOutcome(RoomState.timeoutOutcome(action));
      }, RoomState.REPLY_TIMEOUT_MS);
      pending.set(requestId, { action, timer, onReply, lookup });
      if (!quiet && !lookup) showOutcome({ ok: true, text: RoomState.actionName(action) + ': sent…' });
    }
    client.publish(message.topic, message.payload, message.options);
  }

  // The E-stop is sent at once and, while no answer has come, again every ESTOP_CONFIRM_MS,
  // the page saying plainly that it is not confirmed; any answer to any of them ends it.
  let estopRetry = null;
  function pressEstop() {
    send('estop');
    if (estopRetry) return; // already insisting
    estopRetry = setInterval(() => {
      showOutcome(RoomState.estopUnconfirmedOutcome());
      send('estop', undefined, { quiet: true });
    }, RoomState.ESTOP_CONFIRM_MS);
  }
  function estopAnswered() {
    if (!estopRetry) return;
    clearInterval(estopRetry);
    estopRetry = null;
    for (const [id, entry] of pending) {
      if (entry.action !== 'estop') continue;
      clearTimeout(entry.timer);
      pending.delete(id);
    }
  }

  function onReply(text) {
    let reply;
    try {
      reply = JSON.parse(text);
    } catch (e) {
      return;
    }
    const entry = pending.get(reply.request_id);
    if (!entry) return; // a lease's answer, or one that came after its time-out
    clearTimeout(entry.timer);
    pending.delete(reply.request_id);
    if (entry.action === 'estop') estopAnswered();
    if (!(entry.lookup && reply.ok === true)) showOutcome(RoomState.replyOutcome(entry.action, reply));
    if (entry.onReply) entry.onReply(reply);
    // Recorded: the form is cleared for the next one (refused, it keeps what was written).
    if (reply.ok === true && entry.action === 'note') $('note-text').value = '';
    if (reply.ok === true && entry.action === 'response') {
      for (const id of ['response-before', 'response-after', 'goal', 'goal-progress']) $(id).value = '';
    }
  }

  function renewLease() {
    if (lastView && lastView.leaseWanted && document.visibilityState === 'visible') send('lease');
  }

  // Re-armed each time with the view's interval: a third of the lease the room publishes.
  function renewLeaseRegularly() {
    renewLease();
    setTimeout(renewLeaseRegularly, lastView ? lastView.leaseEveryMs : 1000);
  }

  // Keeps the screen on while a session runs and the page is in front (Screen Wake Lock).
  async function keepAwake(wanted) {
    if (!('wakeLock' in navigator)) {
      wakeLockUnavailable = true;
      return;
    }
    if (wanted && !wakeLock && document.visibilityState === 'visible') {
      try {
        wakeLock = await navigator.wakeLock.request('screen');
        wakeLockUnavailable = false;
        wakeLock.addEventListener('release', () => {
          wakeLock = null;
        });
      } catch (e) {
        // Refused (battery saver, no user gesture yet): the lease still guards, and the page
        // says what a sleeping screen will do.
        wakeLock = null;
        wakeLockUnavailable = true;
      }
    } else if (!wanted && wakeLock) {
      wakeLock.release();
      wakeLock = null;
    }
  }

  // ---- drawing ------------------------------------------------------------------------------

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function control(id, c) {
    const button = $(id);
    button.hidden = !c.visible;
    button.disabled = !c.enabled;
  }

  let renderedProfiles = '';
  function renderProfiles(view) {
    const key = JSON.stringify([view.profiles, choice, view.connection.online]);
    if (key === renderedProfiles) return;
    renderedProfiles = key;
    const box = $('profiles');
    box.replaceChildren();
    for (const p of view.profiles) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'profile';
      button.dataset.profile = p.id;
      button.setAttribute('aria-pressed', String(choice.profile === p.id && p.allowed));
      const title = document.createElement('span');
      title.className = 'title';
      title.textContent = p.title;
      button.append(title);
      const about = document.createElement('span');
      about.className = 'about';
      about.id = 'profile-about-' + p.id;
      about.textContent = [p.purpose, p.duration].filter(Boolean).join(' · ');
      button.append(about);
      // The accessible name is the title; purpose and any reason describe it.
      button.setAttribute('aria-label', p.title);
      const described = [about.id];
      if (!p.allowed) {
        button.disabled = true;
        const reason = document.createElement('span');
        reason.className = 'reason';
        reason.id = 'profile-reason-' + p.id;
        reason.textContent = 'Not for this child: ' + p.reason;
        button.append(reason);
        described.push(reason.id);
      }
      button.setAttribute('aria-describedby', described.join(' '));
      button.addEventListener('click', () => {
        choice.profile = p.id;
        render();
      });
      box.append(button);
    }
  }

  let renderedChildren = '';
  function renderChildren(view) {
    const key = JSON.stringify(view.children);
    if (key === renderedChildren) return;
    renderedChildren = key;
    const select = $('child');
    const keep = select.value;
    select.replaceChildren();
    const none = document.createElement('option');
    none.value = '';
    none.textContent = 'No child selected';
    select.append(none);
    for (const c of view.children) {
      const option = document.createElement('option');
      option.value = c.id;
      option.textContent = c.id + (c.flags.length ? ' (' + c.flags.join(', ').replace(/_/g, ' ') + ')' : '');
      select.append(option);
    }
    select.value = view.children.some((c) => c.id === keep) ? keep : '';
    choice.child = select.value;
  }

  function renderRooms() {
    const select = $('room-select');
    select.replaceChildren();
    for (const id of [...rooms].sort()) {
      const option = document.createElement('option');
      option.value = id;
      option.textContent = id;
      select.append(option);
    }
    select.value = room;
    show('room-select-label', rooms.size > 1);
  }

  function renderDevices(view) {
    const list = $('devices');
    list.replaceChildren();
    for (const d of view.devices) {
      const item = document.createElement('li');
      item.className = d.alarm ? 'alarm' : '';
      item.dataset.device = d.id;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = d.label;
      const health = document.createElement('span');
      health.className = 'health';
      health.textContent = d.healthText;
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = d.text;
      item.append(name, health);
      if (d.color) {
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.backgroundColor = d.color;
        swatch.setAttribute('aria-hidden', 'true');
        item.append(swatch);
      }
      item.append(text);
      list.append(item);
    }
  }

  function renderSafety(view) {
    const s = view.safety;
    const panel = $('safety');
    panel.className = 'panel' + (s.tripped ? ' tripped' : s.ok ? ' ok' : '');
    $('safety-text').textContent = s.text + (s.lease !== null && !view.idle ? ' Supervision: ' + s.lease + ' s.' : '');
    const causes = $('causes');
    causes.replaceChildren();
    for (const c of s.causes) {
      const item = document.createElement('li');
      item.dataset.cause = c.cause;
      item.textContent =
        c.text + (c.latched ? (c.active ? ' (still there)' : ' (gone: can be reset)') : c.active ? '' : ' (gone)');
      causes.append(item);
    }
    $('log-problem').textContent = s.logProblem ? 'The clinical log cannot be written: ' + s.logProblem : '';
    show('log-problem', !!s.logProblem);
    renderChecks(s.checks);
    $('validation').textContent = s.validation.text;
    $('validation').className = s.validation.warning ? 'warning' : '';
    show('validation', !!s.validation.text);
  }

  // Each E-stop and door check keeps its element (and its button) across renders, so that a
  // render between a press and its click never swallows the tap.
  function renderChecks(checks) {
    const list = $('checks');
    show('checks-title', checks.length > 0);
    const kept = new Set(checks.map((c) => c.input));
    for (const item of Array.from(list.children)) {
      if (!kept.has(item.dataset.input)) item.remove();
    }
    for (const c of checks) {
      let item = list.querySelector('li[data-input="' + CSS.escape(c.input) + '"]');
      if (!item) {
        item = document.createElement('li');
        item.dataset.input = c.input;
        const text = document.createElement('span');
        text.className = 'text';
        const step = document.createElement('span');
        step.className = 'check-step';
        step.setAttribute('role', 'status');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary';
        button.addEventListener('click', () => send('check', { input: c.input }));
        item.append(text, step, button);
        list.append(item);
      }
      item.className = c.due ? 'due' : '';
      item.querySelector('.text').textContent = c.text;
      const step = item.querySelector('.check-step');
      step.textContent = c.step;
      step.hidden = !c.step;
      const button = item.querySelector('button');
      button.textContent = c.button.label;
      button.disabled = !c.button.enabled;
      button.hidden = c.off;
    }
  }

  function renderSession(view) {
    $('session-state').textContent = view.stateText;
    $('session-profile').textContent = view.idle
      ? ''
      : view.profileTitle + (view.child ? ' · child ' + view.child : '') + ' · intensity ' + view.intensityPct + '%';
    $('session-step').textContent = view.step;
    $('session-remaining').textContent = view.remaining;
    $('pause-reason').textContent = view.pause;
    show('pause-reason', !!view.pause);
    show('running-controls', !view.idle);
    show('adjust-controls', !view.idle);
    show('start', view.idle);
    for (const id of ['pause', 'resume', 'go', 'next', 'previous', 'stop']) control(id, view.controls[id]);
    control('adjust', view.controls.adjust);
    control('start-button', view.controls.start);
    $('start-hint').textContent = view.startHint;
    show('start-hint', !!view.startHint);
    if (view.sessionId && view.sessionId !== adjustedFor) {
      // A new session: the intensity control starts from the session's own intensity.
      adjustedFor = view.sessionId;
      $('adjust-intensity').value = String(view.sessionIntensityPct);
      $('adjust-value').textContent = view.sessionIntensityPct + '%';
    }
    control('reset', view.controls.reset);
  }

  function render() {
    const now = Date.now();
    const view = RoomState.view(state, now, choice);
    lastView = view;
    const connection = $('connection');
    connection.textContent = view.connection.text;
    connection.className = 'connection ' + view.connection.level;
    $('room-title').textContent = room ? 'Sensory room · ' + room : 'Sensory room';
    const note = $('estop-note');
    note.textContent = view.connection.online
      ? ''
      : 'Commands are off while the room is offline. In an emergency use the E-stop button in the room.';
    note.hidden = view.connection.online;
    renderChildren(view);
    renderProfiles(view);
    renderSafety(view);
    renderSession(view);
    renderDevices(view);
    editor.render();
    timeline.update(state.timeline);
    keepAwake(!view.idle);
    // Without a wake lock (none in this browser, or refused), the page says once what a
    // sleeping screen does to a session.
    const screen = RoomState.screenNote(!view.idle, !wakeLockUnavailable, screenNoteDismissed);
    $('screen-note-text').textContent = screen;
    show('screen-note', screen !== '');
  }

  // ---- the session timeline (uPlot) -----------------------------------------------------------

  const timeline = (function () {
    let plot = null;
    let drawnSession = null;
    let drawnLength = -1;
    const box = $('timeline');
    function make() {
      const options = {
        width: Math.max(280, box.clientWidth),
        height: 220,
        scales: { x: { time: false }, deg: { range: [0, 35] }, level: { range: [0, 100] } },
        axes: [
          { label: 'seconds into the session' },
          { scale: 'deg', label: 'swing (°)' },
          { scale: 'level', side: 1, label: 'light % · sound dBA', grid: { show: false } },
        ],
        series: [
          { label: 's' },
          { label: 'Swing amplitude °', scale: 'deg', stroke: '#1f5a85', width: 2, points: { show: false } },
          { label: 'Light brightness %', scale: 'level', stroke: '#a86b00', width: 2, points: { show: false } },
          { label: 'Sound dBA', scale: 'level', stroke: '#6b3fa0', width: 2, dash: [6, 4], points: { show: false } },
        ],
        cursor: { show: false },
        legend: { live: false },
      };
      plot = new uPlot(options, [[], [], [], []], box);
      // Redrawn at the next frame, and only for a new width: resizing the chart inside the
      // observer's own callback resized the box again ("ResizeObserver loop completed with
      // undelivered notifications", an error event in WebKit).
      let drawnWidth = options.width;
      new ResizeObserver(() => {
        const width = Math.max(280, box.clientWidth);
        if (width === drawnWidth) return;
        drawnWidth = width;
        requestAnimationFrame(() => plot.setSize({ width, height: 220 }));
      }).observe(box);
    }
    return {
      update(tl) {
        if (typeof uPlot !== 'function') {
          box.textContent = RoomState.CHART_UNAVAILABLE_TEXT;
          return;
        }
        if (!plot) make();
        if (tl.sessionId === drawnSession && tl.t.length === drawnLength) return;
        drawnSession = tl.sessionId;
        drawnLength = tl.t.length;
        plot.setData([tl.t, tl.amplitude, tl.brightness, tl.sound]);
      },
    };
  })();

  // ---- sign-in ------------------------------------------------------------------------------

  function openSignIn() {
    const dialog = $('sign-in-dialog');
    if (dialog.open) return;
    $('username').value = store.get('username');
    $('password').value = store.get('password');
    dialog.showModal();
  }

  $('sign-in-dialog').addEventListener('close', () => {
    if ($('sign-in-dialog').returnValue !== 'sign-in') return;
    store.set('username', $('username').value);
    store.set('password', $('password').value);
    connect();
  });
  $('sign-in-open').addEventListener('click', openSignIn);

  // ---- the controls -------------------------------------------------------------------------

  $('estop').addEventListener('click', pressEstop);
  for (const action of ['pause', 'resume', 'go', 'next', 'previous', 'stop']) {
    $(action).addEventListener('click', () => send(action));
  }
  $('save-note').addEventListener('click', () => {
    const text = $('note-text').value.trim();
    if (!text) {
      showOutcome({ ok: false, text: 'Note: write what you observed first.' });
      return;
    }
    send('note', { text });
  });
  $('save-response').addEventListener('click', () => {
    const fields = {};
    for (const [id, key] of [['response-before', 'before'], ['response-after', 'after'], ['goal-progress', 'goal_progress']]) {
      if ($(id).value !== '') fields[key] = Number($(id).value);
    }
    if ($('goal').value.trim()) fields.goal = $('goal').value.trim();
    send('response', fields); // sensoryd says what is missing, if anything
  });
  $('adjust').addEventListener('click', () => send('adjust', { intensity: Number($('adjust-intensity').value) / 100 }));
  $('start-button').addEventListener('click', () => {
    const fields = { profile: choice.profile, intensity: Number($('start-intensity').value) / 100 };
    if (choice.child) fields.child = choice.child;
    send('start', fields);
  });
  $('child').addEventListener('change', () => {
    choice.child = $('child').value;
    render();
  });
  for (const [input, output] of [
    ['start-intensity', 'start-value'],
    ['adjust-intensity', 'adjust-value'],
  ]) {
    $(input).addEventListener('input', () => {
      $(output).textContent = $(input).value + '%';
    });
  }
  $('reset').addEventListener('click', () => $('reset-dialog').showModal());
  $('reset-cancel').addEventListener('click', () => $('reset-dialog').close());
  $('reset-confirm').addEventListener('click', () => {
    $('reset-dialog').close();
    send('reset');
  });
  $('screen-note-dismiss').addEventListener('click', () => {
    screenNoteDismissed = true;
    show('screen-note', false);
  });
  $('room-select').addEventListener('change', () => chooseRoom($('room-select').value));
  $('therapist').value = store.get('therapist');
  $('therapist').addEventListener('change', () => store.set('therapist', $('therapist').value.trim()));

  document.addEventListener('visibilitychange', () => {
    // Back in front: renew at once (if the lease lapsed meanwhile, the page says so and offers
    // Resume), and take the screen wake lock again.
    if (document.visibilityState === 'visible') {
      reconnectIfStale();
      renewLease();
      render();
    }
  });

  // The profile editor: it sends through send() and reads the room's state and the chosen child.
  const editor = EditorView({
    send: (action, fields, onReply, options = {}) => send(action, fields, { onReply, ...options }),
    state: () => state,
    child: () => choice.child,
  });

  // The page's files kept for a reload without the network (sw.js). Browsers allow a service
  // worker only in a secure context: HTTPS (the secure room's nginx), or 127.0.0.1.
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn('no offline copy of the page: ' + e.message));
  }

  setTimeout(renewLeaseRegularly, 1000);
  setInterval(render, 1000); // "updated N s ago" and the remaining times between messages
  connect();
  render();
})();
