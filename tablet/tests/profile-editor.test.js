// The profile editor's model (tablet/profile-editor.js) in Node, without a page: copies get
// ids of their own, edits undo, fields carry the room's published ranges, the daemon's errors
// land at their fields, the preview becomes chart series, and a plan approves a profile.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const ProfileEditor = require('../profile-editor.js');

const calm = {
  id: 'calm-down',
  title: 'Calm down',
  origin: 'room',
  version: 0,
  content: {
    id: 'calm-down',
    title: 'Calm down',
    purpose: 'calming',
    steps: [
      { name: 'settle', duration: '60s', swing: { mode: 'linear', amplitude_deg: 8, period: '4s' }, lights: { color: '#3050c0', brightness: '30%' } },
      { name: 'gentle', duration: '2m', swing: { mode: 'linear', amplitude_deg: 12, period: '5s' }, sound: { source: 'ocean', level: '50dB' } },
    ],
  },
};
// The example room's limits as sensoryd publishes them (tests/golden, written by its unit tests).
const limits = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'golden', 'limits.json'), 'utf8'));

test('a copy gets an id no profile has, and " (copy)" in its title; the original is untouched', () => {
  const edit = ProfileEditor.duplicate(calm, ['calm-down', 'calm-down-copy']);
  assert.equal(edit.form.id, 'calm-down-copy-2');
  assert.equal(edit.form.title, 'Calm down (copy)');
  assert.equal(edit.baseVersion, 0);
  edit.form.steps[0].name = 'changed';
  assert.equal(calm.content.steps[0].name, 'settle');
});

test('edits undo one by one, and steps are added, moved and removed', () => {
  const edit = ProfileEditor.duplicate(calm, []);
  ProfileEditor.setField(edit, '/steps/1/swing/amplitude_deg', 6);
  ProfileEditor.setField(edit, '/steps/1/swing/period', '7s');
  assert.equal(ProfileEditor.get(edit.form, '/steps/1/swing/period'), '7s');
  ProfileEditor.undo(edit);
  assert.equal(ProfileEditor.get(edit.form, '/steps/1/swing/period'), '5s');
  assert.equal(ProfileEditor.get(edit.form, '/steps/1/swing/amplitude_deg'), 6);
  ProfileEditor.addStep(edit, 0);
  assert.equal(edit.form.steps.length, 3);
  assert.equal(edit.form.steps[1].name, 'settle-2');
  assert.equal(ProfileEditor.moveStep(edit, 2, -1), true);
  assert.equal(edit.form.steps[1].name, 'gentle');
  assert.equal(ProfileEditor.moveStep(edit, 0, -1), false);
  ProfileEditor.removeStep(edit, 0);
  ProfileEditor.removeStep(edit, 0);
  assert.equal(ProfileEditor.removeStep(edit, 0), false, 'a profile keeps one step');
  while (ProfileEditor.undo(edit));
  assert.deepEqual(edit.form.steps, calm.content.steps);
});

test("each step's fields carry the room's ranges; the daemon's errors land at their fields", () => {
  const edit = ProfileEditor.duplicate(calm, []);
  const fields = ProfileEditor.stepFields(edit.form, 'steps', 1, limits);
  const amplitude = fields.find((f) => f.pointer === '/steps/1/swing/amplitude_deg');
  assert.equal(amplitude.max, 20);
  assert.equal(amplitude.kind, 'number');
  assert.ok(fields.some((f) => f.pointer === '/steps/1/sound/level' && /70 dB/.test(f.hint)));
  assert.ok(ProfileEditor.stepFields(edit.form, 'steps', 0, limits).some((f) => f.pointer === '/steps/0/lights/brightness'));
  const reply = {
    ok: false,
    error: {
      code: 'invalid_profile',
      message: '2 error(s)',
      fields: [
        { pointer: '/steps/1/swing/amplitude_deg', message: 'over the limit of 20' },
        { pointer: '/triggers', message: 'unknown key' },
      ],
    },
  };
  ProfileEditor.applyErrors(edit, reply, fields.map((f) => f.pointer));
  assert.equal(edit.errors['/steps/1/swing/amplitude_deg'], 'over the limit of 20');
  assert.deepEqual(edit.general, ['/triggers: unknown key']);
  ProfileEditor.setField(edit, '/steps/1/swing/amplitude_deg', 6);
  assert.equal(edit.errors['/steps/1/swing/amplitude_deg'], undefined, 'an edit clears its error');
});

test('a preview becomes the chart series and words for its dose', () => {
  const reply = {
    duration_s: 300,
    approved: true,
    samples: {
      t: [0, 1, 2],
      swing: { amplitude_deg: [0, 4, 8] },
      lights: { a: { brightness_pct: [10, 20, 30] }, b: { brightness_pct: [30, 40, 50] } },
      sound: { p: { level_dba: [0, 40, 50] } },
    },
    dose: { linear: { oscillations: 12.4 } },
    events: [{ type: 'limit_clamped', by: 'child', limit: 'max_amplitude_deg' }],
  };
  const series = ProfileEditor.previewSeries(reply);
  assert.deepEqual(series.data, [[0, 1, 2], [0, 4, 8], [20, 30, 40], [0, 40, 50]]);
  assert.match(series.summary, /About 5 min; swing at most 8°; 12 swings; 1 limit applied \(the child's max_amplitude_deg\)/);
});

test("a plan approves the profile too; a plan that lists none needs nothing added", () => {
  const child = { id: 'c-022', plan_version: 2, plan: { profiles: ['calm-down'], max_amplitude_deg: 8, flags: [] } };
  assert.deepEqual(ProfileEditor.planApproving(child, 'calm-down-copy').profiles, ['calm-down', 'calm-down-copy']);
  assert.deepEqual(child.plan.profiles, ['calm-down'], 'the published plan is untouched');
  assert.equal(ProfileEditor.planApproving({ id: 'c-014', plan: { profiles: [] } }, 'x'), null);
});

test('a choice rewrites the setting with what it needs and nothing the old one had, keeping its fade', () => {
  const edit = ProfileEditor.duplicate(calm, []);
  edit.form.steps[0].swing.fade = '5s';
  ProfileEditor.choose(edit, '/steps/0/swing/mode', 'rotary');
  assert.deepEqual(edit.form.steps[0].swing, { mode: 'rotary', speed_rev_s: 0.1, direction: 'clockwise', fade: '5s' });
  const rotaryFields = ProfileEditor.stepFields(edit.form, 'steps', 0, { ...limits, rotary: { max_rate_rev_s: 0.5 } });
  assert.equal(rotaryFields.find((f) => f.pointer === '/steps/0/swing/speed_rev_s').max, 0.5);
  assert.ok(!rotaryFields.some((f) => f.pointer === '/steps/0/swing/amplitude_deg'));
  ProfileEditor.choose(edit, '/steps/0/swing/mode', '');
  assert.equal(edit.form.steps[0].swing, undefined, 'as the step before: no swing setting');
  ProfileEditor.choose(edit, '/steps/1/sound/mute', true);
  assert.deepEqual(edit.form.steps[1].sound, { mute: true });
  ProfileEditor.choose(edit, '/steps/0/lights/effect', 'breathe');
  assert.equal(edit.form.steps[0].lights.effect_period, '8s');
  ProfileEditor.choose(edit, '/steps/0/lights/effect', 'none');
  assert.equal(edit.form.steps[0].lights.effect_period, undefined);
  ProfileEditor.undo(edit);
  assert.equal(edit.form.steps[0].lights.effect, 'breathe');
});

test('a step without lights or sound gets them, and gives them back to the step before', () => {
  const edit = ProfileEditor.duplicate({ ...calm, content: { ...calm.content, needs: ['swing_drive', 'light'] } }, []);
  const choiceOf = (pointer) =>
    ProfileEditor.stepFields(edit.form, 'steps', 1, limits).find((f) => f.pointer === pointer);
  // Step 2 has sound and no lights: it shows "as the step before" for its lights.
  assert.equal(choiceOf('/steps/1/lights').value, '');
  assert.equal(choiceOf('/steps/1/sound/mute').value, 'playing');
  ProfileEditor.choose(edit, '/steps/1/lights', 'set');
  assert.deepEqual(edit.form.steps[1].lights, { color: 'warm-white', brightness: '20%' });
  assert.equal(choiceOf('/steps/1/lights').value, 'set');
  assert.ok(choiceOf('/steps/1/lights/brightness'), 'its brightness can be edited');
  ProfileEditor.choose(edit, '/steps/1/sound/mute', 'muted');
  assert.equal(choiceOf('/steps/1/sound/mute').value, 'muted');
  ProfileEditor.choose(edit, '/steps/1/sound/mute', '');
  assert.equal(edit.form.steps[1].sound, undefined);
  // Step 1 had no sound: playing adds it, and the profile's list of needs says so.
  ProfileEditor.choose(edit, '/steps/0/sound/mute', 'playing');
  assert.deepEqual(edit.form.steps[0].sound, { source: 'ocean', level: '45dB' });
  assert.deepEqual(edit.form.needs, ['swing_drive', 'light', 'sound']);
  ProfileEditor.choose(edit, '/steps/1/lights', '');
  assert.equal(edit.form.steps[1].lights, undefined);
  ProfileEditor.undo(edit);
  assert.ok(edit.form.steps[1].lights, 'undone');
});

test('a step copied in one profile is pasted into another, named apart, and can be undone', () => {
  const calmCopy = ProfileEditor.duplicate(calm, []);
  assert.equal(ProfileEditor.hasCopiedStep(), false);
  assert.equal(ProfileEditor.pasteStep(calmCopy, 0), false, 'nothing to paste yet');
  assert.ok(ProfileEditor.copyStep(calmCopy, 1)); // "gentle", with its sound
  assert.equal(calmCopy.undo.length, 0, 'copying changes nothing');
  const other = ProfileEditor.open({ id: 'alert', title: 'Alert', purpose: 'alerting', needs: ['swing_drive'],
    steps: [{ name: 'gentle', duration: '30s' }, { name: 'go', duration: '30s' }] }, 1);
  assert.ok(ProfileEditor.pasteStep(other, 0));
  assert.deepEqual(other.form.steps.map((s) => s.name), ['gentle', 'gentle-2', 'go']);
  assert.deepEqual(other.form.steps[1].sound, { source: 'ocean', level: '50dB' });
  assert.deepEqual(other.form.needs, ['swing_drive', 'sound']);
  // The clipboard holds its own copy: a change to the pasted step is not in the next paste.
  other.form.steps[1].duration = '5m';
  ProfileEditor.pasteStep(other, -1);
  assert.equal(other.form.steps[0].name, 'gentle-3');
  assert.equal(other.form.steps[0].duration, '2m');
  ProfileEditor.undo(other);
  ProfileEditor.undo(other);
  assert.deepEqual(other.form.steps.map((s) => s.name), ['gentle', 'go']);
});

test("the choices offered are the words the room's loader takes, as the room publishes them", () => {
  const edit = ProfileEditor.duplicate(calm, []);
  const fields = ProfileEditor.stepFields(edit.form, 'steps', 0, limits);
  const options = (pointer) => fields.find((f) => f.pointer === pointer).options;
  assert.deepEqual(options('/steps/0/curve'), ['linear', 's-curve']);
  assert.deepEqual(options('/steps/0/lights/effect'), ['none', 'breathe', 'color_cycle', 'strobe']);
  ProfileEditor.choose(edit, '/steps/0/curve', 's-curve');
  assert.equal(edit.form.steps[0].curve, 's-curve');
});

test("a profile's history: newest first, the version in force marked, older ones restorable", () => {
  const reply = { ok: true, profile_id: 'calm-slower', versions: [
    { version: 1, sha256: 'a', deleted: false },
    { version: 2, sha256: 'b', deleted: false },
    { version: 3, sha256: '', deleted: true },
    { version: 4, sha256: 'a', deleted: false },
  ] };
  const { latest, rows } = ProfileEditor.historyRows(reply);
  assert.equal(latest, 4);
  assert.deepEqual(rows.map((r) => r.words), ['Version 4: in force', 'Version 3: deleted', 'Version 2', 'Version 1']);
  assert.deepEqual(rows.map((r) => r.canRestore), [false, false, true, true]);
  assert.deepEqual(rows.map((r) => r.canOpen), [true, false, true, true]);
  // Deleted last: nothing is in force, every saved version may come back.
  const gone = ProfileEditor.historyRows({ versions: reply.versions.slice(0, 3) });
  assert.equal(gone.latest, 3);
  assert.deepEqual(gone.rows.map((r) => r.canRestore), [false, true, true]);
  assert.deepEqual(ProfileEditor.historyRows({}).rows, []);
});
