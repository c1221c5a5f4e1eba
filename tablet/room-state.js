// What the tablet knows about the room and what it may offer, as plain data: the MQTT messages
// sensoryd publishes go in, a view model for the page comes out. No DOM and no network here, so
// node's test runner checks every rule (tests/room-state.test.js); app.js only draws the view
// and sends commands. A classic script (not a module): the broker's file server sends no
// Content-Type, which browsers refuse for module scripts.
(function (root, factory) {
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.RoomState = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // Longest series kept for the timeline: a sample a second for two hours.
  const MAX_SAMPLES = 7200;
  // A command not answered within this is shown as unanswered.
  const REPLY_TIMEOUT_MS = 5000;
  // An E-stop not answered within this is said to be unconfirmed, and sent again as often
  // until the room answers (docs/tablet.md).
  const ESTOP_CONFIRM_MS = 1000;
  // A connection closed sooner than this after it opened is short; this many short ones in a
  // row and the page says the account is most likely signed in elsewhere too (docs/tablet.md).
  const SHORT_CONNECTION_MS = 10000;
  const SHORT_CONNECTIONS_TO_SAY = 3;
  // The MQTT keep-alive the page asks for. MQTT.js pings after a keep-alive without an answer
  // from the broker and gives the connection up half a keep-alive later: a socket that says
  // "open" while it is dead (a locked iPad, a frozen broker) is noticed within 4.5 s.
  const KEEPALIVE_S = 3;
  const CONNECTION_LOST_TEXT = "Room connection lost: check the tablet's Wi-Fi. Trying again…";

  function create(roomId) {
    return {
      room: roomId,
      broker: 'connecting', // connecting | connected | disconnected | unauthorized
      brokerError: '',
      connectedAtMs: null, // when the current connection opened
      shortConnections: 0, // connections in a row closed within SHORT_CONNECTION_MS
      availability: null, // 'online' | 'offline' | null (not heard yet)
      lastHeardMs: null, // when sensoryd last published anything we saw
      session: null,
      safety: null,
      profiles: [],
      children: [],
      limits: null, // the supervisor's ranges, for the editor's fields
      devices: {}, // id -> payload
      timeline: { sessionId: null, t: [], amplitude: [], brightness: [], sound: [] },
      sessionStartMs: null,
    };
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return undefined;
    }
  }

  // Feeds one message from the broker in. `topic` is the full topic, `text` the payload.
  // Returns true when it was one of the room's topics.
  function applyMessage(state, topic, text, nowMs) {
    const prefix = 'sensoryd/' + state.room + '/';
    if (!topic.startsWith(prefix)) return false;
    const rest = topic.slice(prefix.length);
    if (rest === 'availability') {
      state.availability = text === 'online' ? 'online' : 'offline';
      if (state.availability === 'online') state.lastHeardMs = nowMs;
      return true;
    }
    const value = parse(text);
    if (value === undefined) return false;
    if (rest === 'session') {
      applySession(state, value, nowMs);
    } else if (rest === 'safety') {
      state.safety = value;
    } else if (rest === 'profiles' && Array.isArray(value)) {
      state.profiles = value;
    } else if (rest === 'children' && Array.isArray(value)) {
      state.children = value;
    } else if (rest === 'limits' && value && typeof value === 'object') {
      state.limits = value;
    } else if (rest.startsWith('devices/')) {
      state.devices[rest.slice('devices/'.length)] = value;
      sample(state, nowMs);
    } else {
      return false;
    }
    state.lastHeardMs = nowMs;
    return true;
  }

  function applySession(state, session, nowMs) {
    state.session = session;
    const id = session.state !== 'idle' ? session.session_id : null;
    if (id && id !== state.timeline.sessionId) {
      // A new session: a fresh timeline, its clock from the session's own elapsed time.
      state.timeline = { sessionId: id, t: [], amplitude: [], brightness: [], sound: [] };
      state.sessionStartMs = nowMs - (session.elapsed_s || 0) * 1000;
      sample(state, nowMs);
    }
  }

  // The swing amplitude, mean light brightness and sound level now, as one timeline sample.
  function levelsNow(state) {
    let amplitude = null;
    const lights = [];
    let sound = null;
    for (const device of Object.values(state.devices)) {
      if (device.kind === 'swing_drive' && typeof device.amplitude_deg === 'number') {
        amplitude = device.amplitude_deg;
      } else if (device.kind === 'light' && typeof device.brightness_pct === 'number') {
        lights.push(device.brightness_pct);
      } else if (device.kind === 'sound' && typeof device.level_dba === 'number') {
        sound = device.level_dba;
      }
    }
    const brightness = lights.length ? lights.reduce((a, b) => a + b, 0) / lights.length : null;
    return { amplitude, brightness, sound };
  }

  function sample(state, nowMs) {
    const tl = state.timeline;
    if (!tl.sessionId || state.sessionStartMs === null) return;
    const t = Math.max(0, (nowMs - state.sessionStartMs) / 1000);
    const levels = levelsNow(state);
    const last = tl.t.length - 1;
    if (last >= 0 && t - tl.t[last] < 0.25) {
      // Several devices report in the same moment: one sample, the latest levels.
      tl.amplitude[last] = levels.amplitude;
      tl.brightness[last] = levels.brightness;
      tl.sound[last] = levels.sound;
      return;
    }
    tl.t.push(t);
    tl.amplitude.push(levels.amplitude);
    tl.brightness.push(levels.brightness);
    tl.sound.push(levels.sound);
    if (tl.t.length > MAX_SAMPLES) {
      for (const key of ['t', 'amplitude', 'brightness', 'sound']) tl[key].shift();
    }
  }

  function formatSeconds(seconds) {
    if (typeof seconds !== 'number' || !isFinite(seconds)) return '';
    const s = Math.max(0, Math.round(seconds));
    const m = Math.floor(s / 60);
    return m + ':' + String(s % 60).padStart(2, '0');
  }

  function formatAgo(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 2) return 'just now';
    if (s < 90) return s + ' s ago';
    return Math.round(s / 60) + ' min ago';
  }

  // The broker connection opened or closed. The room's broker allows one connection per account
  // (it binds client ids to accounts), so two tabs or tablets signed in as one account close
  // each other's connection every time either reconnects; mosquitto 2.0.11 sends no "session
  // taken over" when it does, so the page infers it from connections that keep closing soon
  // after they open.
  function connectionOpened(state, nowMs) {
    state.broker = 'connected';
    state.brokerError = '';
    state.connectedAtMs = nowMs;
  }
  function connectionClosed(state, nowMs) {
    if (state.broker !== 'unauthorized') state.broker = 'disconnected';
    if (state.connectedAtMs === null) return; // an attempt that never connected
    const short = nowMs - state.connectedAtMs < SHORT_CONNECTION_MS;
    state.shortConnections = short ? state.shortConnections + 1 : 0;
    state.connectedAtMs = null;
  }
  // Said once, while a session runs, when the browser will not keep the screen on (no Screen
  // Wake Lock: Safari before 16.4, a home-screen app on iOS before 18.4; or the lock refused).
  const SCREEN_MAY_SLEEP_TEXT =
    'This tablet cannot keep its screen on by itself. If the screen sleeps, the page stops ' +
    'renewing supervision, the lease lapses and the session pauses: the swing comes to rest. ' +
    'Keep the screen awake during sessions (on an iPad: Settings, Display & Brightness, Auto-Lock: Never).';
  function screenNote(sessionRunning, screenKeptOn, dismissed) {
    return sessionRunning && !screenKeptOn && !dismissed ? SCREEN_MAY_SLEEP_TEXT : '';
  }

  // What the page does with its connection when it comes back in front (visibilitychange): none
  // is open, so try at once rather than at the next retry; or one is open but the broker has
  // said nothing for a keep-alive, as a socket a lock left dead says nothing: start afresh.
  function reconnectOnShow(connected, lastPacketMs, nowMs) {
    if (!connected) return 'now';
    if (lastPacketMs === null || nowMs - lastPacketMs > KEEPALIVE_S * 1000) return 'afresh';
    return 'none';
  }
  function accountSharedLikely(state, nowMs) {
    if (state.shortConnections < SHORT_CONNECTIONS_TO_SAY) return false;
    // A connection that has lasted longer than a short one ends the suspicion.
    return state.connectedAtMs === null || nowMs - state.connectedAtMs < SHORT_CONNECTION_MS;
  }
  const ACCOUNT_SHARED_TEXT =
    'The connection to the room keeps closing soon after it opens: this account is most likely ' +
    'signed in on another tablet or tab too, and the room allows one connection per account. ' +
    'Sign out there, or give each tablet its own account.';

  // Whether the page may send commands, and what the connection line says.
  function connectionView(state, nowMs) {
    const ago = state.lastHeardMs === null ? '' : formatAgo(nowMs - state.lastHeardMs);
    if (accountSharedLikely(state, nowMs)) {
      // Commands stay possible while connected: the E-stop above all.
      const online = state.broker === 'connected' && state.availability === 'online';
      return { level: 'offline', online, text: ACCOUNT_SHARED_TEXT };
    }
    if (state.broker === 'unauthorized') {
      return {
        level: 'offline',
        online: false,
        text: 'The room\'s broker refused this tablet\'s sign-in: check the user name and password.',
      };
    }
    if (state.broker !== 'connected') {
      return {
        level: 'offline',
        online: false,
        text:
          state.broker === 'connecting'
            ? 'Connecting to the room…'
            : CONNECTION_LOST_TEXT + (ago ? ' Last news ' + ago + '.' : ''),
      };
    }
    if (state.availability === 'online') {
      return { level: 'online', online: true, text: 'Room online · updated ' + ago };
    }
    if (state.availability === 'offline') {
      return {
        level: 'offline',
        online: false,
        text:
          'Room offline: sensoryd is not running, so no command can reach the equipment.' +
          (ago ? ' Last news ' + ago + '.' : ''),
      };
    }
    return { level: 'offline', online: false, text: 'Waiting to hear from the room…' };
  }

  const HEALTH_WORDS = {
    online: 'OK',
    degraded: 'Unreliable',
    lost: 'Not responding',
    fault: 'Fault',
  };

  const INPUT_WORDS = {
    estop: ['released', 'PRESSED'],
    door: ['closed', 'OPEN'],
    occupancy: ['empty', 'occupied'],
    child_switch: ['not pressed', 'pressed'],
  };

  function round(value) {
    return Math.round(value);
  }

  // One device in words: its health, and what it is doing.
  function deviceView(id, device) {
    const health = HEALTH_WORDS[device.health] || 'Unknown';
    const parts = [];
    if (device.kind === 'swing_drive') {
      if (device.health === 'fault' && device.fault_code) parts.push('fault code ' + device.fault_code);
      if (device.watchdog_confirmed === false) parts.push('not ready: drive watchdog not confirmed');
      if (typeof device.amplitude_deg === 'number') {
        parts.push(device.amplitude_deg >= 0.5 ? 'swinging ' + round(device.amplitude_deg) + '°' : 'at rest');
      }
      if (typeof device.speed_rev_s === 'number' && Math.abs(device.speed_rev_s) > 0.001) {
        parts.push('turning ' + device.speed_rev_s.toFixed(2) + ' rev/s');
      }
    } else if (device.kind === 'input') {
      const words = INPUT_WORDS[device.role] || ['inactive', 'active'];
      if (typeof device.active === 'boolean') parts.push(words[device.active ? 1 : 0]);
      else parts.push('no reading');
    } else if (device.kind === 'light') {
      if (typeof device.brightness_pct === 'number') {
        parts.push(device.brightness_pct > 0 ? round(device.brightness_pct) + '%' : 'off');
      }
    } else if (device.kind === 'sound') {
      if (typeof device.level_dba === 'number') {
        parts.push(device.level_dba > 0 ? round(device.level_dba) + ' dBA' : 'quiet');
      }
    }
    if (device.detail && device.health !== 'online') parts.push(device.detail);
    const label = id.replace(/[-_]/g, ' ');
    return {
      id,
      label: label.charAt(0).toUpperCase() + label.slice(1),
      kind: device.kind,
      health: device.health || 'unknown',
      healthText: health,
      text: parts.join(' · '),
      color: device.kind === 'light' && typeof device.color === 'string' ? device.color : null,
      alarm:
        device.health !== 'online' ||
        (device.kind === 'input' && (device.role === 'estop' || device.role === 'door') && device.active === true),
    };
  }

  const PAUSE_WORDS = {
    therapist: 'Paused by a therapist.',
    lease_lapsed:
      'Paused because no tablet renewed supervision in time (this tablet was locked, hidden or lost its connection). Check on the child, then resume.',
    door_open: 'Paused because the door opened. Close it, then resume.',
    device_lost: 'Paused because a device stopped responding.',
    device_fault: 'Paused because a device reported a fault.',
    safety_input_stale: 'Paused because a safety input has no current reading.',
  };

  function pauseText(reason) {
    if (!reason) return '';
    return PAUSE_WORDS[reason] || 'Paused (' + reason + ').';
  }

  // Why motion is not allowed, in the page's words, from sensoryd's code and its parameters
  // (`safety.refusal`, docs/mqtt-api.md); a code this page does not know shows sensoryd's own
  // words (`safety.detail`).
  const REFUSAL_WORDS = {
    trip_latched: (p) =>
      'a safety trip is latched (' +
      p.cause +
      '): ' +
      (p.reset_possible === 'true' ? 'check the room, then tap Reset' : 'remove the cause, check the room, then tap Reset'),
    door_open: () => 'the door is open: close it, then try again',
    drive_unusable: (p) => "the swing drive '" + p.device + "' is " + p.health + ' (' + p.detail + '): check its power and cable, then try again',
    watchdog_unconfirmed: () => "the swing drive's safety watchdog is not confirmed yet: wait a moment and try again",
    input_stale: (p) => "the safety input '" + p.device + "' has no current reading (" + p.detail + '): check the I/O module, then try again',
    lease_lapsed: () => 'no tablet renewed supervision in time: keep this page open and in front while a session runs',
  };
  function refusalText(safety) {
    const refusal = safety.refusal;
    const words = refusal && Object.prototype.hasOwnProperty.call(REFUSAL_WORDS, refusal.code) ? REFUSAL_WORDS[refusal.code] : null;
    if (words) return words(refusal.params || {});
    return safety.detail ? String(safety.detail) : '';
  }

  // ---- functional checks of the E-stop and door (docs/functional-checks.md, S21) -------------

  // "08:02" today, "6 Dec 08:02" on another day, in the tablet's own time zone.
  function formatClock(iso, nowMs) {
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return '';
    const two = (n) => String(n).padStart(2, '0');
    const time = two(at.getHours()) + ':' + two(at.getMinutes());
    const now = new Date(nowMs);
    if (at.toDateString() === now.toDateString()) return time;
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    return at.getDate() + ' ' + months[at.getMonth()] + ' ' + time;
  }

  // One check as the page shows it: what it needs, where a guided check stands, when it passed.
  function checkView(check, nowMs, canCheck, sameRole) {
    const door = check.role === 'door';
    const noun = door ? 'door' : 'E-stop';
    const name = noun + (sameRole > 1 ? " '" + check.input + "'" : '');
    const last = check.last || null;
    const passed = last
      ? 'Checked ' +
        formatClock(last.at, nowMs) +
        (last.by ? ' by ' + last.by : ' in use') +
        (typeof last.press_to_stop_ms === 'number' ? ' (stop in ' + Math.round(last.press_to_stop_ms) + ' ms)' : '') +
        '.'
      : 'Not checked yet.';
    const guided = typeof check.guided_by === 'string' && check.guided_by !== '';
    const steps = {
      unknown: door ? 'Close the door first.' : 'Release the E-stop first.',
      ready: guided ? (door ? 'Open the door now.' : 'Press the E-stop now.') : '',
      pressed: door ? 'Door open: writing the stop to the swing…' : 'Press seen: writing the stop to the swing…',
      stop_written: door ? 'The swing took the stop. Now close the door.' : 'The swing took the stop. Now release the E-stop.',
      stop_unconfirmed: door
        ? 'The swing did not confirm the stop: close the door, check the drive, then try again.'
        : 'The swing did not confirm the stop: release the E-stop, check the drive, then try again.',
    };
    // A step is shown while a check is under way: guided, or a press seen in ordinary use.
    const underWay = guided || check.stage === 'pressed' || check.stage === 'stop_written' || check.stage === 'stop_unconfirmed';
    return {
      input: check.input,
      role: check.role,
      due: check.due === true,
      off: check.interval_s === null,
      text:
        check.interval_s === null
          ? (door ? 'Door' : 'E-stop') + ' check switched off in this room. ' + passed
          : check.due === true
            ? (door ? 'Door' : 'E-stop') + ' check due. ' + passed
            : passed,
      step: underWay ? steps[check.stage] || '' : '',
      button: { label: 'Check the ' + name, enabled: canCheck && check.stage === 'ready' && !guided },
    };
  }

  function checksView(safety, nowMs, canCheck) {
    const checks = Array.isArray(safety.checks) ? safety.checks : [];
    return checks.map((c) => checkView(c, nowMs, canCheck, checks.filter((o) => o.role === c.role).length));
  }

  // S22: the room's validation in words; '' when the room keeps none. `warning` when outdated.
  function validationView(safety, nowMs) {
    const v = safety.validation;
    if (!v || typeof v !== 'object') return { text: '', warning: false };
    if (!v.last) {
      return {
        text: 'Safety validation: never signed on this room' + (v.required ? ' (required before a session).' : '.'),
        warning: !!v.required,
      };
    }
    if (v.current) return { text: 'Safety validation: signed by ' + v.last.by + ' on ' + formatClock(v.last.at, nowMs) + '.', warning: false };
    return {
      text:
        'Validation outdated since ' +
        formatClock(v.outdated_since, nowMs) +
        ': the safety configuration changed after ' +
        v.last.by +
        ' signed it. A technician checks the room and validates it again.',
      warning: true,
    };
  }

  // The first check due, in the page's words for the start hint; '' when none.
  function checkDueText(safety) {
    const due = (Array.isArray(safety.checks) ? safety.checks : []).find((c) => c.due === true);
    if (!due) return '';
    return due.role === 'door'
      ? "the door '" + due.input + "' is due its check: tap Check the door, then open and close it"
      : "the E-stop '" + due.input + "' is due its check: tap Check the E-stop, then press and release it";
  }

  // The profiles offered for `childId` (or for no child: ''), with why any is not allowed.
  function profilesFor(state, childId) {
    const child = state.children.find((c) => c.id === childId);
    const refused = new Map();
    if (child && Array.isArray(child.contraindicated)) {
      for (const r of child.contraindicated) refused.set(r.profile, r);
    }
    return state.profiles.map((p) => {
      const r = refused.get(p.id);
      return {
        id: p.id,
        title: p.title || p.id,
        purpose: p.purpose || '',
        duration: formatSeconds(p.duration_s),
        allowed: !r,
        reason: r ? r.message : '',
        code: r ? r.code : '',
      };
    });
  }

  // Everything the page shows and which controls it offers now.
  // A session's state in words (the tablet's session panel, the clinic overview's rows).
  const SESSION_STATE_TEXT = { idle: 'No session', running: 'Running', paused: 'Paused', winding_down: 'Winding down' };

  function view(state, nowMs, choice) {
    const connection = connectionView(state, nowMs);
    const s = state.session || { state: 'idle' };
    const sessionState = s.state || 'idle';
    const idle = sessionState === 'idle';
    const safety = state.safety || {};
    const can = connection.online;
    const allowed = new Set(Array.isArray(s.allowed_actions) ? s.allowed_actions : []);
    const may = (action) => can && allowed.has(action);
    const selected = choice && choice.profile ? choice.profile : '';
    const profiles = profilesFor(state, choice && choice.child ? choice.child : '');
    const chosen = profiles.find((p) => p.id === selected && p.allowed);
    const profileTitle = (state.profiles.find((p) => p.id === s.profile) || {}).title || s.profile;
    let step = '';
    if (!idle && s.step) {
      step = (sessionState === 'winding_down' ? 'Winding down: ' : 'Step ' + (s.step.index + 1) + ': ') + s.step.name;
      if (s.waiting_for_go) step += ' · waiting for Go';
      else if (typeof s.step.remaining_s === 'number') step += ' · ' + formatSeconds(s.step.remaining_s) + ' left';
    }
    const causes = Array.isArray(safety.causes) ? safety.causes : [];
    return {
      connection,
      idle,
      sessionState,
      stateText: SESSION_STATE_TEXT[sessionState] || sessionState,
      profileTitle: idle ? '' : profileTitle,
      step,
      remaining: idle ? '' : formatSeconds(s.remaining_s) + ' left in all',
      intensityPct: typeof s.intensity === 'number' ? Math.round(s.intensity * 100) : 100,
      child: s.child || '',
      pause: pauseText(sessionState === 'paused' ? s.pause_reason : ''),
      profiles,
      children: state.children.map((c) => ({ id: c.id, flags: c.flags || [] })),
      safety: {
        known: !!state.safety,
        ok: safety.motion_allowed === true,
        tripped: safety.tripped === true,
        text:
          safety.motion_allowed === true
            ? checkDueText(safety)
              ? 'Safe to move, but a daily check is due before the next session (below).'
              : 'Safe to move: every safety check passes.'
            : refusalText(safety)
              ? refusalText(safety)
              : state.safety
                ? 'Motion not allowed.'
                : 'No safety state yet.',
        causes: causes.map((c) => ({
          cause: c.cause,
          text: c.detail || c.cause,
          active: c.active === true,
          latched: c.latched === true,
        })),
        resetPossible: safety.reset_possible === true,
        lease: typeof safety.lease_remaining_s === 'number' ? Math.round(safety.lease_remaining_s) : null,
        logProblem: safety.session_log && safety.session_log.ok === false ? safety.session_log.detail : '',
        checks: checksView(safety, nowMs, can && idle && allowed.has('check')),
        validation: validationView(safety, nowMs),
      },
      devices: Object.keys(state.devices)
        .sort()
        .map((id) => deviceView(id, state.devices[id])),
      controls: {
        // Which actions sensoryd takes now is its own word (`allowed_actions`, the rule its
        // commands are refused by); the page never works it out again.
        start: { visible: idle, enabled: may('start') && !!chosen },
        pause: { visible: sessionState === 'running', enabled: may('pause') },
        resume: { visible: sessionState === 'paused', enabled: may('resume') },
        go: { visible: !idle, enabled: may('go') },
        next: { visible: !idle, enabled: may('next') },
        previous: { visible: !idle, enabled: may('previous') },
        adjust: { visible: !idle, enabled: may('adjust') },
        stop: { visible: !idle, enabled: may('stop') },
        reset: { visible: safety.reset_possible === true, enabled: can && safety.reset_possible === true },
        // The E-stop is never disabled: pressing it always tries, and says when it cannot reach.
        estop: { visible: true, enabled: true },
      },
      // Start stays tappable (sensoryd decides, and its answer says what to do), but the page
      // says beforehand when it will be refused.
      startHint:
        idle && can && state.safety && safety.motion_allowed !== true
          ? 'Starting is not possible now: ' + (refusalText(safety) || 'motion is not allowed') + '.'
          : idle && can && checkDueText(safety)
            ? 'Starting is not possible now: ' + checkDueText(safety) + '.'
            : idle && can && safety.validation && safety.validation.required && !safety.validation.current
              ? 'Starting is not possible now: this room needs its safety validation signed again by a technician.'
              : '',
      sessionIntensityPct: idle ? null : typeof s.intensity === 'number' ? Math.round(s.intensity * 100) : null,
      sessionId: idle ? null : s.session_id || null,
      // Renew the supervision lease while a session is on and this tablet can reach the room,
      // at a third of the lease's length as the room publishes it (two renewals may be lost).
      leaseWanted: may('lease'),
      leaseEveryMs: leaseEveryMs(safety),
    };
  }

  // Before sensoryd says how long its lease lasts (an older daemon never does), the page
  // renews as often as its default 10 s lease needs.
  const DEFAULT_LEASE_EVERY_MS = 3000;
  function leaseEveryMs(safety) {
    if (typeof safety.lease_s !== 'number' || !(safety.lease_s > 0)) return DEFAULT_LEASE_EVERY_MS;
    return Math.max(250, Math.floor((safety.lease_s * 1000) / 3));
  }

  const ACTION_WORDS = {
    start: 'Start',
    stop: 'Stop',
    pause: 'Pause',
    resume: 'Resume',
    go: 'Go',
    next: 'Next',
    previous: 'Previous',
    adjust: 'Intensity',
    estop: 'E-stop',
    reset: 'Reset',
    lease: 'Supervision',
    note: 'Note',
    response: 'Response',
    check: 'Safety check',
    validate: 'Validate',
    profile_validate: 'Check profile',
    profile_preview: 'Preview profile',
    profile_save: 'Save profile',
    profile_delete: 'Delete profile',
    profile_history: 'Profile history',
    profile_restore: 'Restore profile',
    child_plan_save: 'Save child plan',
    child_plan_history: 'Child plan history',
  };

  // The message for a command: its topic, JSON payload and MQTT 5 properties. The reply comes
  // on `replyTopic` (MQTT 5 Response Topic) with `request_id` echoed. No `sent_at`: a tablet's
  // clock may be off by more than the 5 s sensoryd allows; the Message Expiry Interval (kept by
  // the broker's clock) keeps a late command from reaching sensoryd instead.
  //
  // Signed in to the broker as `user`, the command goes on the authenticated path
  // sensoryd/<room>/user/<user>/cmd/<action>, which the room's ACL lets only that user publish:
  // sensoryd records the user as the therapist (docs/security.md).
  function commandMessage(room, action, fields, requestId, replyTopic, therapist, user) {
    const payload = Object.assign({ request_id: requestId }, fields || {});
    if (therapist) payload.therapist = therapist;
    return {
      topic: 'sensoryd/' + room + '/' + (user ? 'user/' + user + '/' : '') + 'cmd/' + action,
      payload: JSON.stringify(payload),
      options: {
        qos: 1,
        retain: false,
        properties: { responseTopic: replyTopic, messageExpiryInterval: 5 },
      },
    };
  }

  function actionName(action) {
    return ACTION_WORDS[action] || action;
  }

  // What the page says about a command's reply.
  function replyOutcome(action, reply) {
    const name = ACTION_WORDS[action] || action;
    if (reply && reply.ok === true) {
      return { ok: true, text: name + ': done.' };
    }
    const error = (reply && reply.error) || {};
    return {
      ok: false,
      code: error.code || 'unknown',
      text: name + ' refused: ' + (error.message || error.code || 'no reason given') + (error.code ? ' (' + error.code + ')' : ''),
    };
  }

  function timeoutOutcome(action) {
    const name = ACTION_WORDS[action] || action;
    return {
      ok: false,
      code: 'no_reply',
      text: name + ': no answer from the room within ' + REPLY_TIMEOUT_MS / 1000 + ' s. Check the room before trying again.',
    };
  }

  // The broker's address for a page at `pageUrl`: its own address, at /mqtt (wss when the page
  // came over https). `?broker=` (`asked`) may change the path only: the page never signs in,
  // with its user's password, anywhere but where it came from. `ignored` says what was refused.
  function brokerUrl(pageUrl, asked) {
    const page = new URL(pageUrl);
    const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
    const own = scheme + '//' + page.host + '/mqtt';
    if (!asked) return { url: own, ignored: '' };
    let url;
    try {
      url = new URL(asked, own);
    } catch (e) {
      return { url: own, ignored: asked };
    }
    if (url.protocol !== scheme || url.host !== page.host || url.username || url.password) {
      return { url: own, ignored: asked };
    }
    return { url: url.href, ignored: '' };
  }

  // `handler`, made safe to give mqtt.js: an exception it throws (a mistake in drawing) is thrown
  // again on its own, where the browser reports it, instead of into mqtt.js's packet handling,
  // which would close the connection, E-stop and all.
  function isolated(handler) {
    return (...args) => {
      try {
        handler(...args);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    };
  }

  // Where a chart would be, when this browser could not load the chart library (its file did
  // not arrive, or it refused to start): the figures it would draw are in the panels' words.
  const CHART_UNAVAILABLE_TEXT = 'This browser could not draw the chart; the figures are in the words above.';

  // An E-stop with no answer yet: the therapist must not rely on it.
  function estopUnconfirmedOutcome() {
    return {
      ok: false,
      code: 'estop_unconfirmed',
      text: "E-stop NOT confirmed: use the room's E-stop. This tablet keeps sending it until the room answers.",
    };
  }

  return {
    MAX_SAMPLES,
    REPLY_TIMEOUT_MS,
    ESTOP_CONFIRM_MS,
    SHORT_CONNECTION_MS,
    KEEPALIVE_S,
    CONNECTION_LOST_TEXT,
    CHART_UNAVAILABLE_TEXT,
    SESSION_STATE_TEXT,
    isolated,
    reconnectOnShow,
    screenNote,
    connectionOpened,
    connectionClosed,
    estopUnconfirmedOutcome,
    brokerUrl,
    create,
    applyMessage,
    view,
    deviceView,
    profilesFor,
    formatSeconds,
    formatAgo,
    formatClock,
    pauseText,
    commandMessage,
    actionName,
    replyOutcome,
    timeoutOutcome,
    refusalCodes: Object.keys(REFUSAL_WORDS),
  };
});
