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

test('two rooms that share an id are said, first, with nothing of either shown and no stop; a restart is not that', () => {
  const clinic = ClinicState.create();
  const apply = (topic, value, at) => ClinicState.applyMessage(clinic, topic, JSON.stringify(value), at);
  ClinicState.applyMessage(clinic, 'sensoryd/room-3/availability', 'online', T0);
  ClinicState.applyMessage(clinic, 'sensoryd/room-1/availability', 'online', T0);
  apply('sensoryd/room-1/safety', { motion_allowed: false, tripped: true, causes: [{ cause: 'estop_input', detail: 'pressed' }] }, T0);
  // room-3: a run, then a restart (a new run, the old one never heard again): one room.
  apply('sensoryd/room-3/session', { ...calm, instance: 'aaaa' }, T0);
  apply('sensoryd/room-3/session', { state: 'idle', instance: 'bbbb' }, T0 + 1000);
  apply('sensoryd/room-3/session', { ...calm, instance: 'bbbb' }, T0 + 2000);
  let row = ClinicState.rows(clinic, T0 + 2000).find((r) => r.id === 'room-3');
  assert.equal(row.attention, ClinicState.ATTENTION.none);
  assert.equal(row.therapist, 'ana');
  // The first run heard again after the second began: two rooms send as room-3.
  apply('sensoryd/room-3/session', { ...calm, therapist: 'tom', instance: 'aaaa' }, T0 + 3000);
  const rows = ClinicState.rows(clinic, T0 + 3000);
  assert.deepEqual(rows.map((r) => r.id), ['room-3', 'room-1'], 'the conflict before a trip');
  row = rows[0];
  assert.equal(row.attention, ClinicState.ATTENTION.conflict);
  assert.equal(row.stateText, 'Two rooms use this id');
  assert.match(row.reasons[0], /Two rooms send as room-3 .* none of it is shown/);
  assert.deepEqual([row.profile, row.remaining, row.therapist, row.canStop], ['', '', '', false]);
  // Said while they take turns, and until one run alone has been heard for the hold.
  apply('sensoryd/room-3/session', { ...calm, instance: 'bbbb' }, T0 + 4000);
  const later = T0 + 4000 + ClinicState.CONFLICT_HOLD_MS;
  assert.equal(ClinicState.rows(clinic, later).find((r) => r.id === 'room-3').attention, ClinicState.ATTENTION.conflict);
  apply('sensoryd/room-3/session', { ...calm, instance: 'bbbb' }, later);
  row = ClinicState.rows(clinic, later + 1).find((r) => r.id === 'room-3');
  assert.equal(row.attention, ClinicState.ATTENTION.none);
  assert.equal(row.therapist, 'ana');
});
