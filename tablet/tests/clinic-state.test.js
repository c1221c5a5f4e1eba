// The clinic overview's model (tablet/clinic-state.js): rooms from the clinic broker's messages,
// ordered by what needs attention, and a stop offered only where a session can be stopped.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const ClinicState = require('../clinic-state.js');

const T0 = 1_800_000_000_000;

function clinicWith(messages) {
  const clinic = ClinicState.create();
  for (const [topic, value] of messages) {
    ClinicState.applyMessage(clinic, topic, typeof value === 'string' ? value : JSON.stringify(value), T0);
  }
  return clinic;
}

const calm = { state: 'running', session_id: 's1', profile: 'calm-down', remaining_s: 330, therapist: 'ana' };
const safe = { motion_allowed: true, tripped: false, causes: [] };

test('each room is a row with its session, therapist, link and the age of its last message', () => {
  const clinic = clinicWith([
    ['sensoryd/room-2/availability', 'online'],
    ['sensoryd/room-2/uplink', '1'],
    ['sensoryd/room-2/profiles', [{ id: 'calm-down', title: 'Calm down' }]],
    ['sensoryd/room-2/session', calm],
    ['sensoryd/room-2/safety', safe],
  ]);
  const [row] = ClinicState.rows(clinic, T0 + 5000);
  assert.equal(row.id, 'room-2');
  assert.equal(row.stateText, 'Running');
  assert.equal(row.profile, 'Calm down');
  assert.equal(row.remaining, '5:30 left');
  assert.equal(row.therapist, 'ana');
  assert.equal(row.linkText, 'Link up');
  assert.equal(row.age, 'last message 5 s ago');
  assert.equal(row.attention, ClinicState.ATTENTION.none);
  assert.deepEqual(row.reasons, []);
  assert.equal(row.canStop, true);
});

test('a tripped room comes first, then one offline or cut off, then one with a device not OK, then the rest by id', () => {
  const clinic = clinicWith([
    ['sensoryd/room-a/availability', 'online'],
    ['sensoryd/room-a/safety', safe],
    ['sensoryd/room-b/availability', 'online'],
    ['sensoryd/room-b/devices/swing', { kind: 'swing_drive', health: 'lost', detail: 'no answer' }],
    ['sensoryd/room-c/availability', 'online'],
    ['sensoryd/room-c/uplink', '0'],
    ['sensoryd/room-d/availability', 'online'],
    ['sensoryd/room-d/safety', { motion_allowed: false, tripped: true, causes: [{ cause: 'estop_input', detail: "E-stop 'estop' pressed" }] }],
    ['sensoryd/room-0/availability', 'online'],
  ]);
  const rows = ClinicState.rows(clinic, T0);
  assert.deepEqual(rows.map((r) => r.id), ['room-d', 'room-c', 'room-b', 'room-0', 'room-a']);
  assert.deepEqual(rows[0].reasons, ["Tripped: E-stop 'estop' pressed"]);
  assert.match(rows[1].reasons[0], /link to the clinic is down: what is shown is its last state/);
  assert.deepEqual(rows[2].reasons, ['Not OK: Swing: Not responding (no answer)']);
});

test('the clinic may stop a running or paused session of a room it reaches, and nothing else', () => {
  const canStop = (messages) => ClinicState.rows(clinicWith(messages), T0)[0].canStop;
  const up = [['sensoryd/room-1/availability', 'online'], ['sensoryd/room-1/uplink', '1']];
  assert.equal(canStop([...up, ['sensoryd/room-1/session', calm]]), true);
  assert.equal(canStop([...up, ['sensoryd/room-1/session', { ...calm, state: 'paused' }]]), true);
  assert.equal(canStop([...up, ['sensoryd/room-1/session', { state: 'idle' }]]), false);
  assert.equal(canStop([...up, ['sensoryd/room-1/session', { ...calm, state: 'winding_down' }]]), false);
  assert.equal(canStop([['sensoryd/room-1/availability', 'offline'], ['sensoryd/room-1/session', calm]]), false);
  assert.equal(canStop([['sensoryd/room-1/availability', 'online'], ['sensoryd/room-1/uplink', '0'], ['sensoryd/room-1/session', calm]]), false);
});

test('messages that are not a room\'s are left out', () => {
  const clinic = ClinicState.create();
  assert.equal(ClinicState.applyMessage(clinic, 'homeassistant/button/x/config', '{}', T0), false);
  assert.equal(ClinicState.applyMessage(clinic, 'sensoryd/room-1/session', 'not json', T0), false);
  assert.equal(ClinicState.rows(clinic, T0).length, 1); // room-1 is known, with nothing yet
  assert.equal(ClinicState.rows(clinic, T0)[0].age, 'nothing heard yet');
});
