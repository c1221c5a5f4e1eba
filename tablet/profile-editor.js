// The profile editor's model, without the DOM (the page draws it; tablet/tests/ test it in
// Node): a profile's JSON form being edited (docs/profiles.md), with undo, the fields each step
// offers with their ranges from the room's published limits, the daemon's errors placed at
// their fields by JSON pointer, the preview's series for the chart, and a child's plan with a
// profile approved. Nothing here sends anything: the page sends what the therapist asks.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.ProfileEditor = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const MAX_UNDO = 100;
  const clone = (value) => JSON.parse(JSON.stringify(value));

  // An id for a copy of `id` that no profile in `taken` has: <id>-copy, <id>-copy-2, ...
  function copyId(id, taken) {
    const base = (id + '-copy').slice(0, 60);
    if (!taken.includes(base)) return base;
    for (let n = 2; ; n += 1) {
      if (!taken.includes(base + '-' + n)) return base + '-' + n;
    }
  }

  // An edit of a copy of `profile` (as the `profiles` topic lists it, with its `content`).
  function duplicate(profile, takenIds) {
    const form = clone(profile.content || {});
    form.id = copyId(profile.id, takenIds);
    form.title = (form.title || profile.title || profile.id) + ' (copy)';
    return open(form, 0);
  }

  // An edit of `form`, saved as `baseVersion` (0: never saved).
  function open(form, baseVersion) {
    return { form: clone(form), baseVersion, undo: [], errors: {}, general: [], preview: null };
  }

  // The value at a JSON pointer ("/steps/1/swing/amplitude_deg"), or undefined.
  function get(form, pointer) {
    let at = form;
    for (const key of pointer.split('/').slice(1)) {
      if (at === undefined || at === null) return undefined;
      at = at[key];
    }
    return at;
  }

  function remember(edit) {
    edit.undo.push(clone(edit.form));
    if (edit.undo.length > MAX_UNDO) edit.undo.shift();
    edit.preview = null; // a preview shows the form as it was
  }

  // Sets the field at `pointer`; an empty text or a cleared number removes it. Its error goes.
  function setField(edit, pointer, value) {
    remember(edit);
    const keys = pointer.split('/').slice(1);
    let at = edit.form;
    for (const key of keys.slice(0, -1)) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key];
    }
    const last = keys[keys.length - 1];
    if (value === '' || value === undefined || Number.isNaN(value)) delete at[last];
    else at[last] = value;
    delete edit.errors[pointer];
  }

  function undo(edit) {
    if (edit.undo.length === 0) return false;
    edit.form = edit.undo.pop();
    edit.errors = {};
    edit.general = [];
    edit.preview = null;
    return true;
  }

  function steps(edit) {
    if (!Array.isArray(edit.form.steps)) edit.form.steps = [];
    return edit.form.steps;
  }

  // A new step after `index`: a copy of that step (or a plain 1-minute hold).
  function addStep(edit, index) {
    remember(edit);
    const list = steps(edit);
    const from = list[index];
    const step = from ? clone(from) : { name: 'step', duration: '60s' };
    step.name = (step.name || 'step') + '-2';
    list.splice(index + 1, 0, step);
  }

  // A step copied to be pasted into this profile or another (as a chaser editor's clipboard):
  // kept for the page's life, across the profiles opened in it.
  let copied = null;

  function copyStep(edit, index) {
    const from = steps(edit)[index];
    if (!from) return false;
    copied = clone(from);
    return true;
  }

  function hasCopiedStep() {
    return copied !== null;
  }

  // The copied step after `index` (-1: first), named apart from the steps already there; what
  // it uses is added to the profile's needs when the profile lists them.
  function pasteStep(edit, index) {
    if (copied === null) return false;
    remember(edit);
    const list = steps(edit);
    const step = clone(copied);
    const names = new Set(list.map((s) => s.name));
    const base = step.name || 'step';
    for (let n = 2; names.has(step.name); n++) step.name = base + '-' + n;
    list.splice(index + 1, 0, step);
    if (step.lights) needs(edit.form, 'light');
    if (step.sound) needs(edit.form, 'sound');
    if (step.swing) needs(edit.form, 'swing_drive');
    edit.errors = {};
    return true;
  }

  function removeStep(edit, index) {
    if (steps(edit).length <= 1) return false; // a profile needs a step
    remember(edit);
    steps(edit).splice(index, 1);
    edit.errors = {};
    return true;
  }

  function moveStep(edit, index, delta) {
    const list = steps(edit);
    const to = index + delta;
    if (to < 0 || to >= list.length) return false;
    remember(edit);
    const [step] = list.splice(index, 1);
    list.splice(to, 0, step);
    edit.errors = {};
    return true;
  }

  // What a step offers to edit, each with its pointer, label, kind (text, number, or choice
  // with its options) and the room's range.
  function stepFields(form, list, index, limits) {
    const step = (form[list] || [])[index] || {};
    const at = '/' + list + '/' + index;
    const swing = (limits && limits.swing) || {};
    const rotary = (limits && limits.rotary) || {};
    const sound = (limits && limits.sound) || {};
    // The words the room's loader takes, as it publishes them (config/profile_loader.hpp).
    const profile = (limits && limits.profile) || {};
    const curves = profile.fade_curves || [];
    const effects = profile.light_effects || [];
    const fields = [
      { pointer: at + '/name', label: 'Name', kind: 'text' },
      { pointer: at + '/duration', label: 'Duration', kind: 'text', hint: 'e.g. 90s or 2m; empty: waits for Go' },
      { pointer: at + '/fade', label: 'Fade', kind: 'text', hint: 'e.g. 10s' },
      { pointer: at + '/curve', label: 'Fade curve', kind: 'choice', options: curves,
        words: { linear: 'even', 's-curve': 'soft start and end' } },
      { pointer: at + '/swing/mode', label: 'Swing', kind: 'choice', options: ['', 'off', 'linear', 'rotary'],
        words: { '': 'as the step before', off: 'off', linear: 'swinging', rotary: 'spinning' } },
    ];
    const mode = step.swing && step.swing.mode;
    if (mode === 'linear') {
      fields.push({
        pointer: at + '/swing/amplitude_deg',
        label: 'Swing amplitude (degrees)',
        kind: 'number',
        min: 0,
        max: swing.max_amplitude_deg,
        hint: 'up to ' + swing.max_amplitude_deg + ' degrees in this room',
      });
      fields.push({
        pointer: at + '/swing/period',
        label: 'Swing period',
        kind: 'text',
        hint: 'at least ' + swing.min_period_s + 's in this room',
      });
    } else if (mode === 'rotary') {
      fields.push({
        pointer: at + '/swing/speed_rev_s',
        label: 'Spin rate (turns a second)',
        kind: 'number',
        min: 0,
        max: rotary.max_rate_rev_s,
        hint: 'up to ' + rotary.max_rate_rev_s + ' in this room',
      });
      fields.push({ pointer: at + '/swing/direction', label: 'Spin direction', kind: 'choice',
        options: ['clockwise', 'counterclockwise'] });
    }
    const lights = Array.isArray(step.lights) ? step.lights : step.lights ? [step.lights] : [];
    // A choice's `value` is what the form holds in the words of its options.
    fields.push({ pointer: at + '/lights', label: 'Lights', kind: 'choice', options: ['', 'set'],
      words: { '': 'as the step before', set: 'set in this step' }, value: lights.length ? 'set' : '' });
    lights.forEach((light, n) => {
      const p = at + '/lights' + (Array.isArray(step.lights) ? '/' + n : '');
      const which = lights.length > 1 ? ' ' + (n + 1) : '';
      if (light.group !== undefined) fields.push({ pointer: p + '/group', label: 'Light group' + which, kind: 'text' });
      fields.push({ pointer: p + '/color', label: 'Light colour' + which, kind: 'text' });
      fields.push({ pointer: p + '/brightness', label: 'Light brightness' + which, kind: 'text', hint: 'e.g. 30%' });
      fields.push({ pointer: p + '/effect', label: 'Light effect' + which, kind: 'choice',
        options: effects,
        words: { none: 'steady', breathe: 'breathe', color_cycle: 'colour cycle', strobe: 'strobe' } });
      if (light.effect && light.effect !== 'none') {
        fields.push({ pointer: p + '/effect_period', label: 'Effect period' + which, kind: 'text', hint: 'e.g. 8s' });
      }
    });
    fields.push({ pointer: at + '/sound/mute', label: 'Sound', kind: 'choice', options: ['', 'playing', 'muted'],
      words: { '': 'as the step before', playing: 'playing', muted: 'muted' },
      value: !step.sound ? '' : step.sound.mute ? 'muted' : 'playing' });
    if (step.sound) {
      if (!step.sound.mute) {
        fields.push({ pointer: at + '/sound/source', label: 'Sound source', kind: 'text' });
        fields.push({
          pointer: at + '/sound/level',
          label: 'Sound level',
          kind: 'text',
          hint: 'e.g. 50dB; at most ' + sound.max_dba + ' dB in this room',
        });
      }
    }
    return fields;
  }

  // A profile that lists what it needs must list what a step now uses (the loader says so).
  function needs(form, kind) {
    if (Array.isArray(form.needs) && !form.needs.includes(kind)) form.needs.push(kind);
  }

  // A choice made: the setting is rewritten with what the new choice needs and nothing the old
  // one had (the loader refuses keys a mode does not take), keeping its fade.
  function choose(edit, pointer, value) {
    const parts = pointer.split('/');
    const key = parts[parts.length - 1];
    const owner = parts.slice(0, -1).join('/');
    const setting = get(edit.form, owner) || {};
    const keep = {};
    for (const k of ['fade', 'curve']) if (setting[k] !== undefined) keep[k] = setting[k];
    if (key === 'mode' && owner.endsWith('/swing')) {
      remember(edit);
      const step = get(edit.form, parts.slice(0, -2).join('/'));
      if (value === '') delete step.swing;
      else if (value === 'linear') step.swing = { mode: 'linear', amplitude_deg: 5, period: '4s', ...keep };
      else if (value === 'rotary') step.swing = { mode: 'rotary', speed_rev_s: 0.1, direction: 'clockwise', ...keep };
      else step.swing = { mode: 'off', ...keep };
      edit.errors = {};
      return;
    }
    if (key === 'mute' && owner.endsWith('/sound')) {
      remember(edit);
      const step = get(edit.form, parts.slice(0, -2).join('/'));
      if (value === '') delete step.sound;
      else if (value === 'muted' || value === true) step.sound = { mute: true, ...keep };
      else step.sound = { source: 'ocean', level: '45dB', ...keep };
      if (step.sound) needs(edit.form, 'sound');
      edit.errors = {};
      return;
    }
    if (key === 'lights') {
      remember(edit);
      const step = get(edit.form, owner);
      if (value === '') delete step.lights;
      else if (!step.lights) {
        step.lights = { color: 'warm-white', brightness: '20%' }; // every fixture of the room
        needs(edit.form, 'light');
      }
      edit.errors = {};
      return;
    }
    if (key === 'effect') {
      remember(edit);
      if (value === 'none') {
        setting.effect = 'none';
        delete setting.effect_period;
      } else {
        setting.effect = value;
        if (setting.effect_period === undefined) setting.effect_period = '8s';
      }
      edit.errors = {};
      return;
    }
    setField(edit, pointer, value);
  }

  // The daemon's refusal placed on the form: each error at its field, those of no field shown
  // (`shown`: the pointers the page draws) as general ones.
  function applyErrors(edit, reply, shown) {
    edit.errors = {};
    edit.general = [];
    const error = (reply && reply.error) || {};
    const fields = Array.isArray(error.fields) ? error.fields : [];
    for (const f of fields) {
      if (shown.includes(f.pointer)) {
        edit.errors[f.pointer] = (edit.errors[f.pointer] ? edit.errors[f.pointer] + ' ' : '') + f.message;
      } else {
        edit.general.push((f.pointer ? f.pointer + ': ' : '') + f.message);
      }
    }
    if (fields.length === 0 && error.message) edit.general.push(error.message);
  }

  // The preview reply as uPlot's data: seconds, swing amplitude, the mean light brightness and
  // the loudest player; with words for the dose.
  function previewSeries(reply) {
    const s = (reply && reply.samples) || {};
    const t = s.t || [];
    const amplitude = (s.swing && s.swing.amplitude_deg) || [];
    const lights = Object.values(s.lights || {});
    const brightness = t.map((_, i) =>
      lights.length ? lights.reduce((sum, l) => sum + (l.brightness_pct[i] || 0), 0) / lights.length : 0,
    );
    const players = Object.values(s.sound || {});
    const sound = t.map((_, i) => players.reduce((most, p) => Math.max(most, p.level_dba[i] || 0), 0));
    const dose = (reply && reply.dose) || {};
    const linear = dose.linear || {};
    const words = [
      'About ' + Math.round((reply.duration_s || 0) / 60) + ' min',
      'swing at most ' + Math.max(0, ...amplitude) + '°',
      Math.round(linear.oscillations || 0) + ' swings',
    ];
    const clamps = (reply.events || []).filter((e) => e.type === 'limit_clamped');
    if (clamps.length) {
      words.push(clamps.length + ' limit' + (clamps.length > 1 ? 's' : '') + ' applied (' +
        [...new Set(clamps.map((c) => (c.by === 'child' ? "the child's " : "the room's ") + (c.limit || '')))].join(', ') + ')');
    }
    if (reply.approved === false && reply.not_approved) words.push(reply.not_approved);
    return { data: [t, amplitude, brightness, sound], summary: words.join('; ') };
  }

  // A child's plan (as the `children` topic lists it) with `profileId` approved too; null when
  // the plan lists no profiles (the child may use any profile its flags allow: nothing to add).
  // A profile_history reply as rows to show, newest first: each version in words, whether it can
  // be opened (to edit from it) or restored (saved again as the next version), and the version
  // a restore must name as the latest seen.
  function historyRows(reply) {
    const versions = (reply && Array.isArray(reply.versions) ? reply.versions : []).slice();
    if (versions.length === 0) return { latest: 0, rows: [] };
    const latest = Math.max(...versions.map((v) => v.version));
    const inForce = versions.find((v) => v.version === latest && !v.deleted) ? latest : 0;
    const rows = versions
      .sort((a, b) => b.version - a.version)
      .map((v) => ({
        version: v.version,
        words: 'Version ' + v.version + (v.deleted ? ': deleted' : v.version === inForce ? ': in force' : ''),
        canOpen: !v.deleted,
        canRestore: !v.deleted && v.version !== inForce,
      }));
    return { latest, rows };
  }

  function planApproving(child, profileId) {
    const plan = clone((child && child.plan) || {});
    if (!Array.isArray(plan.profiles) || plan.profiles.length === 0) return null;
    if (!plan.profiles.includes(profileId)) plan.profiles.push(profileId);
    return plan;
  }

  return {
    duplicate,
    open,
    get,
    setField,
    undo,
    addStep,
    copyStep,
    hasCopiedStep,
    pasteStep,
    removeStep,
    moveStep,
    stepFields,
    choose,
    applyErrors,
    previewSeries,
    historyRows,
    planApproving,
  };
});
