// The tablet's state logic (room-state.js) on its own: messages in, what the page shows and
// offers out. Payloads are shaped as docs/mqtt-api.md gives them; sessions are the daemon's own,
// from the golden files its unit tests write (tests/golden, tests/unit/golden_test.cpp).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const RoomState = require('../room-state.js');

const goldenDir = path.join(__dirname, '..', '..', 'tests', 'golden');
const golden = (name) => JSON.parse(fs.readFileSync(path.join(goldenDir, name), 'utf8'));

const T0 = 1_800_000_000_000;
const base = 'sensoryd/room-1/';

function room(messages, now = T0) {
  const state = RoomState.create('room-1');
  state.broker = 'connected';
  for (const [topic, payload] of messages) {
    RoomState.applyMessage(state, base + topic, typeof payload === 'string' ? payload : JSON.stringify(payload), now);
  }
  return state;
}

const idle = golden('session-idle.json');
// The daemon's running session, with this room's profile, child and times.
const running = {
  ...golden('session-running.json'),
  state: 'running',
  profile: 'calm-down',
  session_id: 's-1',
  step: { index: 0, name: 'settle', remaining_s: 42.4 },
  elapsed_s: 17.6,
  remaining_s: 312,
  intensity: 0.8,
  waiting_for_go: false,
  pause_reason: null,
  child: 'c-014',
  therapist: 'ana',
};
const safe = { motion_allowed: true, tripped: false, causes: [], reset_possible: false, lease_remaining_s: null, session_log: { ok: true } };
const profiles = [
  { id: 'calm-down', title: 'Calm down', purpose: 'calming', duration_s: 300, needs: ['swing_drive'], steps: [] },
  { id: 'cause-and-effect', title: 'Button play', purpose: 'play', duration_s: 300, needs: ['swing_drive'], steps: [] },
];
const children = [
  { id: 'c-014', flags: ['photosensitive'], contraindicated: [] },
  {
    id: 'c-022',
    flags: ['vestibular_sensitive'],
    contraindicated: [{ profile: 'cause-and-effect', code: 'contraindicated', message: "profile 'cause-and-effect' is not among the profiles approved for child c-022" }],
  },
];

test('idle and online: Start needs an allowed profile; session controls are hidden', () => {
  const state = room([['availability', 'online'], ['session', idle], ['safety', safe], ['profiles', profiles], ['children', children]]);
  let view = RoomState.view(state, T0 + 3000, { child: '', profile: '' });
  assert.equal(view.connection.online, true);
  assert.equal(view.connection.text, 'Room online · updated 3 s ago');
  assert.deepEqual(view.controls.start, { visible: true, enabled: false });
  assert.equal(view.controls.pause.visible, false);
  assert.equal(view.controls.stop.visible, false);
  assert.equal(view.leaseWanted, false);
  view = RoomState.view(state, T0, { child: '', profile: 'calm-down' });
  assert.deepEqual(view.controls.start, { visible: true, enabled: true });
  assert.equal(view.startHint, '');
});

test('a child\'s contraindicated profiles are greyed with the daemon\'s message, and cannot be started', () => {
  const state = room([['availability', 'online'], ['session', idle], ['safety', safe], ['profiles', profiles], ['children', children]]);
  const none = RoomState.profilesFor(state, '');
  assert.ok(none.every((p) => p.allowed));
  const c022 = RoomState.profilesFor(state, 'c-022');
  const play = c022.find((p) => p.id === 'cause-and-effect');
  assert.equal(play.allowed, false);
  assert.equal(play.code, 'contraindicated');
  assert.match(play.reason, /not among the profiles approved for child c-022/);
  assert.equal(c022.find((p) => p.id === 'calm-down').allowed, true);
  const view = RoomState.view(state, T0, { child: 'c-022', profile: 'cause-and-effect' });
  assert.equal(view.controls.start.enabled, false);
  assert.equal(RoomState.view(state, T0, { child: 'c-022', profile: 'calm-down' }).controls.start.enabled, true);
});

test('running: step, times and intensity in words; the lease is wanted; Go only when the step waits', () => {
  const state = room([['availability', 'online'], ['session', running], ['safety', safe], ['profiles', profiles]]);
  let view = RoomState.view(state, T0, null);
  assert.equal(view.stateText, 'Running');
  assert.equal(view.profileTitle, 'Calm down');
  assert.equal(view.step, 'Step 1: settle · 0:42 left');
  assert.equal(view.remaining, '5:12 left in all');
  assert.equal(view.intensityPct, 80);
  assert.equal(view.leaseWanted, true);
  assert.equal(view.controls.go.enabled, false);
  assert.equal(view.controls.start.visible, false);
  for (const c of ['pause', 'next', 'previous', 'stop', 'adjust']) assert.equal(view.controls[c].enabled, true, c);
  RoomState.applyMessage(state, base + 'session', JSON.stringify({ ...running, waiting_for_go: true, step: { index: 1, name: 'wait', remaining_s: null }, allowed_actions: golden('session-waiting-for-go.json').allowed_actions }), T0);
  view = RoomState.view(state, T0, null);
  assert.equal(view.controls.go.enabled, true);
  assert.equal(view.step, 'Step 2: wait · waiting for Go');
});

test('the lease is renewed at a third of the length the room publishes', () => {
  for (const [leaseS, everyMs] of [[10, 3333], [2, 666], [120, 40000]]) {
    const state = room([['availability', 'online'], ['session', running], ['safety', { ...safe, lease_s: leaseS }]]);
    assert.equal(RoomState.view(state, T0, null).leaseEveryMs, everyMs, leaseS + ' s');
  }
  // A room that does not say (an older sensoryd): as often as the default 10 s lease needs.
  const quiet = room([['availability', 'online'], ['session', running], ['safety', safe]]);
  assert.equal(RoomState.view(quiet, T0, null).leaseEveryMs, 3000);
});

test('paused by a lapsed lease: the page says why and offers Resume', () => {
  const state = room([['availability', 'online'], ['session', { ...running, state: 'paused', pause_reason: 'lease_lapsed', allowed_actions: golden('session-paused.json').allowed_actions }], ['safety', safe]]);
  const view = RoomState.view(state, T0, null);
  assert.equal(view.stateText, 'Paused');
  assert.match(view.pause, /no tablet renewed supervision/);
  assert.deepEqual(view.controls.resume, { visible: true, enabled: true });
  assert.equal(view.controls.pause.visible, false);
  assert.equal(view.leaseWanted, true);
});

test('a latched trip: the safety text in the daemon\'s words, Reset only when possible', () => {
  const tripped = {
    motion_allowed: false,
    tripped: true,
    reset_possible: false,
    lease_remaining_s: null,
    causes: [{ cause: 'estop_input', source: 'estop', since: '2026-11-28T08:05:52.114Z', active: true, latched: true, detail: "the E-stop 'estop' is pressed" }],
    detail: "a safety trip is latched (the E-stop 'estop' is pressed): remove the cause, check the room, then send reset",
    refusal: { code: 'trip_latched', params: { cause: "the E-stop 'estop' is pressed", reset_possible: 'false' } },
  };
  const state = room([['availability', 'online'], ['session', idle], ['safety', tripped], ['profiles', profiles]]);
  let view = RoomState.view(state, T0, { child: '', profile: 'calm-down' });
  assert.equal(view.safety.tripped, true);
  assert.equal(view.safety.text, "a safety trip is latched (the E-stop 'estop' is pressed): remove the cause, check the room, then tap Reset");
  assert.deepEqual(view.safety.causes, [{ cause: 'estop_input', text: "the E-stop 'estop' is pressed", active: true, latched: true }]);
  assert.equal(view.controls.reset.visible, false);
  assert.match(view.startHint, /^Starting is not possible now: a safety trip is latched/);
  RoomState.applyMessage(state, base + 'safety', JSON.stringify({ ...tripped, reset_possible: true, causes: [{ ...tripped.causes[0], active: false }], refusal: { ...tripped.refusal, params: { ...tripped.refusal.params, reset_possible: 'true' } } }), T0);
  view = RoomState.view(state, T0, null);
  assert.deepEqual(view.controls.reset, { visible: true, enabled: true });
});

test('offline: every command but the E-stop is off, and the page says why', () => {
  const state = room([['availability', 'online'], ['session', running], ['safety', safe]]);
  RoomState.applyMessage(state, base + 'availability', 'offline', T0 + 5000);
  let view = RoomState.view(state, T0 + 20000, null);
  assert.equal(view.connection.online, false);
  assert.match(view.connection.text, /^Room offline: sensoryd is not running/);
  // The last news is what sensoryd itself said: the "offline" is the broker's last will.
  assert.match(view.connection.text, /Last news 20 s ago\./);
  for (const c of ['pause', 'next', 'previous', 'stop', 'adjust', 'go']) assert.equal(view.controls[c].enabled, false, c);
  assert.deepEqual(view.controls.estop, { visible: true, enabled: true });
  assert.equal(view.leaseWanted, false);
  state.broker = 'disconnected';
  view = RoomState.view(state, T0 + 20000, null);
  assert.match(view.connection.text, /^Room connection lost: check the tablet's Wi-Fi/);
  state.broker = 'unauthorized';
  assert.match(RoomState.view(state, T0, null).connection.text, /refused this tablet's sign-in/);
});

test('connections that keep closing soon after they open: the page says the account is most likely in use elsewhere', () => {
  const state = room([['availability', 'online'], ['session', idle], ['safety', safe]]);
  const shared = /signed in on another tablet or tab too/;
  let t = T0;
  // Two tabs with one account: each connection lasts the other's reconnect delay (2 s).
  for (let i = 0; i < 2; i++) {
    RoomState.connectionOpened(state, t);
    RoomState.connectionClosed(state, (t += 2000));
    t += 2000;
  }
  assert.doesNotMatch(RoomState.view(state, t, null).connection.text, shared); // two could be the Wi-Fi
  RoomState.connectionOpened(state, t);
  RoomState.connectionClosed(state, (t += 2000));
  let view = RoomState.view(state, t, null);
  assert.match(view.connection.text, shared);
  assert.equal(view.connection.online, false);
  // Connected again meanwhile: still said, and the E-stop and commands work while it lasts.
  RoomState.connectionOpened(state, (t += 2000));
  view = RoomState.view(state, t + 1000, null);
  assert.match(view.connection.text, shared);
  assert.equal(view.connection.online, true);
  assert.equal(view.controls.estop.enabled, true);
  // A connection that lasts longer than a short one ends it, and so does its close later.
  assert.match(RoomState.view(state, t + RoomState.SHORT_CONNECTION_MS + 1, null).connection.text, /^Room online/);
  RoomState.connectionClosed(state, t + 60000);
  assert.match(RoomState.view(state, t + 60000, null).connection.text, /^Room connection lost: check the tablet's Wi-Fi/);
  // An attempt that never connected counts neither way.
  RoomState.connectionClosed(state, t + 61000);
  assert.equal(state.shortConnections, 0);
});

test('back in front, a closed connection is tried at once and one silent for a keep-alive is started afresh', () => {
  const keepalive = RoomState.KEEPALIVE_S * 1000;
  assert.equal(RoomState.reconnectOnShow(false, T0, T0 + 1), 'now');
  assert.equal(RoomState.reconnectOnShow(true, T0, T0 + keepalive), 'none'); // a ping's answer due
  // A lock left the socket saying "open": nothing came for longer than a keep-alive.
  assert.equal(RoomState.reconnectOnShow(true, T0, T0 + keepalive + 1), 'afresh');
  assert.equal(RoomState.reconnectOnShow(true, null, T0), 'afresh');
  // A dead socket is given up within 1.5 keep-alives (MQTT.js), inside the 5 s the page promises.
  assert.ok(RoomState.KEEPALIVE_S * 1.5 <= 5);
});

test('without a wake lock, a running session says once what a sleeping screen does', () => {
  assert.equal(RoomState.screenNote(false, false, false), ''); // no session: nothing to say
  assert.equal(RoomState.screenNote(true, true, false), ''); // the screen is kept on
  assert.match(RoomState.screenNote(true, false, false), /lease lapses and the session pauses/);
  assert.equal(RoomState.screenNote(true, false, true), ''); // said, and dismissed
});

test('messages of another room, bad JSON and unknown topics change nothing', () => {
  const state = room([['availability', 'online'], ['session', running]]);
  const before = JSON.stringify(state);
  assert.equal(RoomState.applyMessage(state, 'sensoryd/room-2/session', JSON.stringify(idle), T0 + 1), false);
  assert.equal(RoomState.applyMessage(state, base + 'session', '{not json', T0 + 1), false);
  assert.equal(RoomState.applyMessage(state, base + 'cmd/start', '{}', T0 + 1), false);
  assert.equal(JSON.stringify(state), before);
});

test('devices in words: health, motion, inputs, lights and sound', () => {
  const swing = RoomState.deviceView('swing', { kind: 'swing_drive', health: 'online', watchdog_confirmed: true, amplitude_deg: 7.6, angle_deg: 3 });
  assert.equal(swing.healthText, 'OK');
  assert.equal(swing.text, 'swinging 8°');
  assert.equal(swing.alarm, false);
  const fault = RoomState.deviceView('swing', { kind: 'swing_drive', health: 'fault', fault_code: 7, detail: 'the drive reports fault 7' });
  assert.equal(fault.healthText, 'Fault');
  assert.equal(fault.text, 'fault code 7 · the drive reports fault 7');
  assert.equal(fault.alarm, true);
  const estop = RoomState.deviceView('estop', { kind: 'input', role: 'estop', health: 'online', active: true });
  assert.equal(estop.text, 'PRESSED');
  assert.equal(estop.alarm, true);
  assert.equal(RoomState.deviceView('door', { kind: 'input', role: 'door', health: 'lost', detail: 'no answer' }).text, 'no reading · no answer');
  const light = RoomState.deviceView('ceiling-left', { kind: 'light', health: 'online', color: '#3050c0', brightness_pct: 29.7 });
  assert.equal(light.label, 'Ceiling left');
  assert.equal(light.text, '30%');
  assert.equal(light.color, '#3050c0');
  assert.equal(RoomState.deviceView('player', { kind: 'sound', health: 'online', level_dba: 0 }).text, 'quiet');
});

test('the timeline: a new session starts a fresh one from its own elapsed time; samples carry every level', () => {
  const state = room([['availability', 'online'], ['session', running]], T0);
  assert.equal(state.timeline.sessionId, 's-1');
  assert.equal(state.sessionStartMs, T0 - 17600);
  RoomState.applyMessage(state, base + 'devices/swing', JSON.stringify({ kind: 'swing_drive', health: 'online', amplitude_deg: 5 }), T0 + 1000);
  RoomState.applyMessage(state, base + 'devices/ceiling-left', JSON.stringify({ kind: 'light', health: 'online', brightness_pct: 40 }), T0 + 1100);
  RoomState.applyMessage(state, base + 'devices/ceiling-right', JSON.stringify({ kind: 'light', health: 'online', brightness_pct: 20 }), T0 + 2000);
  RoomState.applyMessage(state, base + 'devices/player', JSON.stringify({ kind: 'sound', health: 'online', level_dba: 45 }), T0 + 3000);
  const tl = state.timeline;
  assert.deepEqual(tl.t, [17.6, 18.6, 19.6, 20.6]);
  assert.deepEqual(tl.amplitude, [null, 5, 5, 5]); // the light at +1.1 s joined the +1.0 s sample
  assert.deepEqual(tl.brightness, [null, 40, 30, 30]);
  assert.deepEqual(tl.sound, [null, null, null, 45]);
  RoomState.applyMessage(state, base + 'session', JSON.stringify({ ...running, session_id: 's-2', elapsed_s: 0 }), T0 + 9000);
  assert.equal(state.timeline.sessionId, 's-2');
  assert.equal(state.timeline.t.length, 1);
});

test('the timeline keeps at most MAX_SAMPLES samples', () => {
  const state = room([['availability', 'online'], ['session', running]], T0);
  for (let i = 1; i <= RoomState.MAX_SAMPLES + 10; i++) {
    RoomState.applyMessage(state, base + 'devices/swing', JSON.stringify({ kind: 'swing_drive', health: 'online', amplitude_deg: i % 30 }), T0 + i * 1000);
  }
  assert.equal(state.timeline.t.length, RoomState.MAX_SAMPLES);
  assert.equal(state.timeline.t.at(-1), 17.6 + RoomState.MAX_SAMPLES + 10);
});

test('a command: its topic, request_id, therapist and MQTT 5 response topic; never a sent_at', () => {
  const m = RoomState.commandMessage('room-1', 'start', { profile: 'calm-down', intensity: 0.8 }, 'tablet-1-3', 'sensoryd/room-1/reply/tablet-1', 'ana');
  assert.equal(m.topic, 'sensoryd/room-1/cmd/start');
  assert.deepEqual(JSON.parse(m.payload), { request_id: 'tablet-1-3', profile: 'calm-down', intensity: 0.8, therapist: 'ana' });
  assert.equal(m.options.retain, false);
  assert.equal(m.options.qos, 1);
  assert.deepEqual(m.options.properties, { responseTopic: 'sensoryd/room-1/reply/tablet-1', messageExpiryInterval: 5 });
  const bare = RoomState.commandMessage('room-1', 'estop', {}, 'x', 'r', '');
  assert.deepEqual(JSON.parse(bare.payload), { request_id: 'x' });
  // Signed in: the authenticated path, which only that broker user may publish on.
  const signed = RoomState.commandMessage('room-1', 'estop', {}, 'x', 'r', '', 'ana');
  assert.equal(signed.topic, 'sensoryd/room-1/user/ana/cmd/estop');
});

test('replies in words: done, or the daemon\'s message with its code', () => {
  assert.deepEqual(RoomState.replyOutcome('start', { request_id: 'a', ok: true, session_id: 's' }), { ok: true, text: 'Start: done.' });
  const refused = RoomState.replyOutcome('resume', { ok: false, error: { code: 'interlock_active', message: 'the door is open: close it first' } });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'interlock_active');
  assert.equal(refused.text, 'Resume refused: the door is open: close it first (interlock_active)');
  assert.match(RoomState.timeoutOutcome('estop').text, /^E-stop: no answer from the room within 5 s/);
});

test('times in words', () => {
  assert.equal(RoomState.formatSeconds(0), '0:00');
  assert.equal(RoomState.formatSeconds(59.6), '1:00');
  assert.equal(RoomState.formatSeconds(330), '5:30');
  assert.equal(RoomState.formatSeconds(null), '');
  assert.equal(RoomState.formatAgo(1500), 'just now');
  assert.equal(RoomState.formatAgo(30000), '30 s ago');
  assert.equal(RoomState.formatAgo(300000), '5 min ago');
});

test('in every state the daemon publishes, a control is offered exactly when sensoryd allows its action', () => {
  const actions = { start: 'start', pause: 'pause', resume: 'resume', go: 'go', next: 'next', previous: 'previous', adjust: 'adjust', stop: 'stop' };
  const files = fs.readdirSync(goldenDir).filter((f) => f.startsWith('session-') && f.endsWith('.json'));
  assert.ok(files.length >= 5, files.join(', '));
  const calm = [{ id: 'calm', title: 'Calm', purpose: '', duration_s: 60, needs: ['swing_drive'], steps: [] }];
  for (const file of files) {
    const session = golden(file);
    const state = room([['availability', 'online'], ['session', session], ['safety', golden('safety-safe.json')], ['profiles', calm]]);
    const view = RoomState.view(state, T0, { child: '', profile: 'calm' });
    for (const [control, action] of Object.entries(actions)) {
      assert.equal(view.controls[control].enabled, session.allowed_actions.includes(action), file + ': ' + control);
    }
    assert.equal(view.leaseWanted, session.allowed_actions.includes('lease'), file + ': the lease');
    assert.deepEqual(view.controls.estop, { visible: true, enabled: true }, file);
  }
});

test('the page words every refusal code the API lists, and shows sensoryd\'s words for one it does not know', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'mqtt-api.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| code | params | when |'));
  const codes = [];
  for (const line of table.slice(0, table.indexOf('\n\n')).split('\n').slice(2)) {
    const match = /^\| `([a-z_]+)` \|/.exec(line);
    if (match) codes.push(match[1]);
  }
  assert.deepEqual([...RoomState.refusalCodes].sort(), [...codes].sort());
  const daemon = golden('safety-tripped.json');
  const state = room([['availability', 'online'], ['session', idle], ['safety', daemon]]);
  assert.equal(RoomState.view(state, T0, null).safety.text, 'a safety trip is latched (E-stop sent by tablet): check the room, then tap Reset');
  RoomState.applyMessage(state, base + 'safety', JSON.stringify({ ...daemon, refusal: { code: 'something_new', params: {} } }), T0);
  assert.equal(RoomState.view(state, T0, null).safety.text, daemon.detail);
});

test('?broker= may change the path only: the page never signs in anywhere but where it came from', () => {
  const page = 'https://room-1.clinic.lan:9443/?room=room-1';
  assert.deepEqual(RoomState.brokerUrl(page, null), { url: 'wss://room-1.clinic.lan:9443/mqtt', ignored: '' });
  assert.deepEqual(RoomState.brokerUrl(page, '/other'), { url: 'wss://room-1.clinic.lan:9443/other', ignored: '' });
  assert.equal(RoomState.brokerUrl(page, 'wss://room-1.clinic.lan:9443/mqtt').ignored, '');
  for (const elsewhere of [
    'wss://elsewhere.example/mqtt',
    'wss://room-1.clinic.lan:9444/mqtt',
    'ws://room-1.clinic.lan:9443/mqtt', // the password in clear
    'wss://user:pw@room-1.clinic.lan:9443/mqtt',
    '//elsewhere.example/mqtt',
    'http://[',
  ]) {
    assert.deepEqual(RoomState.brokerUrl(page, elsewhere), { url: 'wss://room-1.clinic.lan:9443/mqtt', ignored: elsewhere }, elsewhere);
  }
  assert.equal(RoomState.brokerUrl('http://127.0.0.1:9001/', null).url, 'ws://127.0.0.1:9001/mqtt');
});

// S21: the checks as the daemon publishes them (tests/golden/safety-safe.json: the E-stop checked
// by ana, the door never), and a guided check under way.
test('daily checks: what is due, who checked when, the step a guided check is at', () => {
  const safety = golden('safety-safe.json');
  const state = room([['availability', 'online'], ['session', idle], ['safety', safety]], T0);
  const view = RoomState.view(state, T0, null);
  const [estop, door] = view.safety.checks;
  assert.equal(estop.input, 'estop');
  assert.match(estop.text, /^Checked (\d+ Nov )?\d\d:\d\d by ana \(stop in 32 ms\)\.$/);
  assert.equal(estop.due, false);
  assert.equal(door.text, 'Door check due. Not checked yet.');
  assert.equal(door.button.label, 'Check the door');
  assert.equal(view.safety.text, 'Safe to move, but a daily check is due before the next session (below).');
  assert.equal(
    view.startHint,
    "Starting is not possible now: the door 'door' is due its check: tap Check the door, then open and close it.",
  );
  // `check` is offered only when sensoryd allows it (idle, the swing at rest).
  assert.equal(door.button.enabled, false);
  const checkable = room([['availability', 'online'], ['session', { ...idle, allowed_actions: [...idle.allowed_actions, 'check'] }], ['safety', safety]], T0);
  assert.equal(RoomState.view(checkable, T0, null).safety.checks[1].button.enabled, true);

  // Guided: press now, the stop taken, release.
  const guided = (stage) => ({
    ...safety,
    checks: [safety.checks[0], { ...safety.checks[1], guided_by: 'ana', stage }],
  });
  const step = (stage) => RoomState.view(room([['availability', 'online'], ['session', idle], ['safety', guided(stage)]], T0), T0, null).safety.checks[1].step;
  assert.equal(step('ready'), 'Open the door now.');
  assert.equal(step('pressed'), 'Door open: writing the stop to the swing…');
  assert.equal(step('stop_written'), 'The swing took the stop. Now close the door.');
  assert.match(step('stop_unconfirmed'), /did not confirm the stop/);
  assert.equal(step('unknown'), 'Close the door first.');
  // No check under way: no step shown.
  assert.equal(door.step, '');
});

test('a check switched off shows no button, and no check means no hint', () => {
  const safety = golden('safety-safe.json');
  const off = { ...safety, checks: [{ ...safety.checks[1], interval_s: null, due: false }] };
  const view = RoomState.view(room([['availability', 'online'], ['session', idle], ['safety', off]], T0), T0, null);
  assert.equal(view.safety.checks[0].off, true);
  assert.equal(view.startHint, '');
  assert.equal(view.safety.text, 'Safe to move: every safety check passes.');
});

test('the validation: signed, outdated, required', () => {
  const safety = golden('safety-safe.json'); // signed by tom, current
  const view = (s) => RoomState.view(room([['availability', 'online'], ['session', idle], ['safety', s]], T0), T0, null);
  assert.match(view(safety).safety.validation.text, /^Safety validation: signed by tom on /);
  assert.equal(view(safety).safety.validation.warning, false);
  const outdated = {
    ...safety,
    checks: [],
    validation: { ...safety.validation, current: false, required: true, outdated_since: '2026-11-28T08:00:00.000Z' },
  };
  const v = view(outdated);
  assert.match(v.safety.validation.text, /^Validation outdated since .*: the safety configuration changed after tom signed it\./);
  assert.equal(v.safety.validation.warning, true);
  assert.equal(v.startHint, 'Starting is not possible now: this room needs its safety validation signed again by a technician.');
  assert.equal(view({ ...safety, validation: null }).safety.validation.text, '');
});

test('a handler made isolated runs, and what it throws is thrown again apart from its caller', () => {
  const seen = [];
  const handler = RoomState.isolated((a, b) => {
    seen.push(a + b);
    if (a === 'x') throw new Error('drawing failed');
  });
  handler(1, 2);
  assert.deepEqual(seen, [3]);
  const later = [];
  const realSetTimeout = global.setTimeout;
  global.setTimeout = (fn) => later.push(fn);
  try {
    assert.doesNotThrow(() => handler('x', 'y')); // the caller (mqtt.js) never sees it
  } finally {
    global.setTimeout = realSetTimeout;
  }
  assert.equal(later.length, 1);
  assert.throws(later[0], /drawing failed/); // thrown on its own task, where the browser says it
});
