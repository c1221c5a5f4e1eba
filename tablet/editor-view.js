// The profile editor on the page (docs/profiles.md): the room's and the therapists' profiles
// with Duplicate, Edit, History (open or restore a version) and Delete; a copy's steps with their fields, ranges and the daemon's
// errors at each field; Undo, Check, Preview (a chart of what the room computes) and Save; and,
// once saved, Approve for the chosen child (the child's plan). Editing sends nothing to any
// equipment: Check and Preview are computed by sensoryd, Save only stores the profile.
// The model is ProfileEditor (no DOM); this file only draws it and wires the controls.
(function () {
  'use strict';

  // `page`: send(action, fields, onReply, {lookup}), state() (RoomState's), child() (the child chosen).
  function EditorView(page) {
    const $ = (id) => document.getElementById(id);
    let edit = null; // ProfileEditor's edit, while one is open
    let chart = null;
    let listed = '';

    const fieldId = (pointer) => 'field' + pointer.replace(/\//g, '-');

    function shownPointers() {
      if (!edit) return [];
      const state = page.state();
      const pointers = ['/id', '/title'];
      for (const list of ['steps', 'wind_down']) {
        (edit.form[list] || []).forEach((_, i) => {
          for (const f of ProfileEditor.stepFields(edit.form, list, i, state.limits)) pointers.push(f.pointer);
        });
      }
      return pointers;
    }

    function renderList() {
      const state = page.state();
      const key = JSON.stringify(state.profiles.map((p) => [p.id, p.title, p.origin, p.version, !p.content]));
      if (key === listed) return;
      listed = key;
      const list = $('editor-profiles');
      list.replaceChildren();
      for (const p of state.profiles) {
        const item = document.createElement('li');
        const name = document.createElement('span');
        name.className = 'name';
        name.textContent = p.title + (p.origin === 'authored' ? ' (v' + p.version + ')' : ' (room)');
        item.append(name);
        const buttons = [];
        if (p.content) {
          buttons.push(['Duplicate', () => openEdit(ProfileEditor.duplicate(p, state.profiles.map((q) => q.id)))]);
        } else {
          // The room left its form out of the profiles message (too large beside the others).
          name.textContent += ': too large to open here';
        }
        if (p.origin === 'authored') {
          if (p.content) buttons.push(['Edit', () => openEdit(ProfileEditor.open(p.content, p.version))]);
          buttons.push(['History', () => showHistory(p)]);
          buttons.push([
            'Delete',
            () => page.send('profile_delete', { profile_id: p.id, base_version: p.version }),
          ]);
        }
        for (const [words, act] of buttons) {
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'secondary';
          button.textContent = words;
          button.setAttribute('aria-label', words + ' ' + p.title);
          button.addEventListener('click', act);
          item.append(button);
        }
        list.append(item);
      }
    }

    // A field's label, naming the control the field's pointer identifies.
    function labelFor(field) {
      const label = document.createElement('label');
      label.className = 'field';
      label.htmlFor = fieldId(field.pointer);
      label.textContent = field.label;
      return label;
    }

    function choice(field) {
      const label = labelFor(field);
      const select = document.createElement('select');
      select.id = fieldId(field.pointer);
      const current = 'value' in field ? field.value : ProfileEditor.get(edit.form, field.pointer);
      const shown = current === undefined ? field.options[0] : current;
      for (const value of field.options) {
        const option = document.createElement('option');
        option.value = String(value);
        option.textContent = (field.words && field.words[String(value)]) || String(value);
        option.selected = String(value) === String(shown);
        select.append(option);
      }
      select.addEventListener('change', () => {
        const picked = field.options.find((v) => String(v) === select.value);
        ProfileEditor.choose(edit, field.pointer, picked);
        renderForm();
        const again = $(select.id);
        if (again) again.focus();
      });
      const error = errorFor(select, field.pointer);
      select.setAttribute('aria-describedby', error.id);
      label.append(select, error);
      return label;
    }

    // The daemon's error for the field at `pointer`, beside `control` (hidden when none).
    function errorFor(control, pointer) {
      const error = document.createElement('span');
      error.className = 'field-error';
      error.id = control.id + '-error';
      error.setAttribute('role', 'alert');
      const message = edit.errors[pointer];
      error.textContent = message || '';
      error.hidden = !message;
      if (message) control.setAttribute('aria-invalid', 'true');
      return error;
    }

    function input(field) {
      if (field.kind === 'choice') return choice(field);
      const label = labelFor(field);
      const box = document.createElement('input');
      box.id = fieldId(field.pointer);
      box.type = field.kind === 'number' ? 'number' : 'text';
      if (field.kind === 'number') {
        box.step = 'any';
        if (field.min !== undefined) box.min = String(field.min);
        if (field.max !== undefined) box.max = String(field.max);
      }
      const value = ProfileEditor.get(edit.form, field.pointer);
      box.value = value === undefined ? '' : String(value);
      box.addEventListener('input', () => {
        const v = field.kind === 'number' ? (box.value === '' ? '' : Number(box.value)) : box.value;
        ProfileEditor.setField(edit, field.pointer, v);
        box.removeAttribute('aria-invalid');
        $(box.id + '-error').hidden = true;
        $('edit-undo').disabled = false;
      });
      const described = [];
      if (field.hint) {
        const hint = document.createElement('span');
        hint.className = 'hint';
        hint.id = box.id + '-hint';
        hint.textContent = field.hint;
        described.push(hint.id);
        label.append(box, hint);
      } else {
        label.append(box);
      }
      const error = errorFor(box, field.pointer);
      described.push(error.id);
      box.setAttribute('aria-describedby', described.join(' '));
      label.append(error);
      return label;
    }

    function stepButton(words, label, act) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = words;
      button.setAttribute('aria-label', label);
      button.addEventListener('click', () => {
        act();
        renderForm();
      });
      return button;
    }

    function renderForm() {
      $('editor-form').hidden = !edit;
      if (!edit) return;
      const state = page.state();
      $('edit-heading').textContent = edit.baseVersion ? 'Editing version ' + edit.baseVersion : 'A new profile';
      const head = $('edit-head');
      head.replaceChildren(
        input({ pointer: '/id', label: 'Id', kind: 'text', hint: 'a-z, 0-9, - and _' }),
        input({ pointer: '/title', label: 'Title', kind: 'text' }),
      );
      const stepsBox = $('edit-steps');
      stepsBox.replaceChildren();
      for (const list of ['steps', 'wind_down']) {
        (edit.form[list] || []).forEach((step, i) => {
          const set = document.createElement('fieldset');
          set.className = 'step';
          const legend = document.createElement('legend');
          const name = (list === 'steps' ? 'Step ' + (i + 1) : 'Wind-down ' + (i + 1)) + ': ' + (step.name || '');
          legend.textContent = name;
          set.append(legend);
          for (const f of ProfileEditor.stepFields(edit.form, list, i, state.limits)) set.append(input(f));
          if (list === 'steps') {
            const row = document.createElement('div');
            row.className = 'controls';
            const n = i + 1;
            row.append(
              stepButton('Up', 'Move step ' + n + ' up', () => ProfileEditor.moveStep(edit, i, -1)),
              stepButton('Down', 'Move step ' + n + ' down', () => ProfileEditor.moveStep(edit, i, 1)),
              stepButton('Duplicate', 'Duplicate step ' + n, () => ProfileEditor.addStep(edit, i)),
              stepButton('Copy', 'Copy step ' + n + ' to paste here or into another profile', () =>
                ProfileEditor.copyStep(edit, i),
              ),
              stepButton('Remove', 'Remove step ' + n, () => ProfileEditor.removeStep(edit, i)),
            );
            if (ProfileEditor.hasCopiedStep()) {
              row.append(stepButton('Paste', 'Paste the copied step after step ' + n, () => ProfileEditor.pasteStep(edit, i)));
            }
            set.append(row);
          }
          stepsBox.append(set);
        });
      }
      $('edit-general').textContent = edit.general.join(' ');
      $('edit-general').hidden = edit.general.length === 0;
      $('edit-undo').disabled = edit.undo.length === 0;
      const child = page.child();
      $('edit-approve').hidden = !(edit.baseVersion > 0 && child);
      $('edit-approve').textContent = 'Approve for ' + child;
      renderPreview();
    }

    function renderPreview() {
      const box = $('preview-chart');
      const summary = $('preview-summary');
      if (!edit || !edit.preview) {
        if (chart) chart.destroy();
        chart = null;
        box.hidden = true;
        summary.textContent = '';
        return;
      }
      const series = ProfileEditor.previewSeries(edit.preview);
      box.hidden = false;
      summary.textContent = series.summary;
      if (chart) chart.destroy();
      chart = null;
      if (typeof uPlot !== 'function') {
        box.textContent = RoomState.CHART_UNAVAILABLE_TEXT;
        return;
      }
      chart = new uPlot(
        {
          width: Math.max(280, box.clientWidth || 600),
          height: 200,
          scales: { x: { time: false } },
          axes: [{ label: 'seconds' }, { label: 'degrees / % / dB' }],
          series: [
            {},
            { label: 'Swing (°)', stroke: '#1f5a85', width: 2 },
            { label: 'Light (%)', stroke: '#b06a00', width: 2 },
            { label: 'Sound (dB)', stroke: '#1d6b3a', width: 2 },
          ],
        },
        series.data,
        box,
      );
    }

    // A profile's saved versions, newest first: Open one to edit from it (Save makes it the
    // next version), or Restore it as it was.
    function showHistory(profile) {
      const lookup = { lookup: true };
      page.send('profile_history', { profile_id: profile.id }, (reply) => {
        if (!reply.ok) return; // the page's outcome line says why
        const { latest, rows } = ProfileEditor.historyRows(reply);
        $('history-heading').textContent = 'History of ' + profile.title;
        const list = $('history-versions');
        list.replaceChildren();
        for (const row of rows) {
          const item = document.createElement('li');
          const words = document.createElement('span');
          words.className = 'name';
          words.textContent = row.words;
          item.append(words);
          const add = (label, act) => {
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'secondary';
            button.textContent = label;
            button.setAttribute('aria-label', label + ' version ' + row.version + ' of ' + profile.title);
            button.addEventListener('click', act);
            item.append(button);
          };
          if (row.canOpen) {
            add('Open', () =>
              page.send('profile_history', { profile_id: profile.id, version: row.version }, (one) => {
                if (one.ok && one.profile) openEdit(ProfileEditor.open(one.profile, latest));
              }, lookup),
            );
          }
          if (row.canRestore) {
            add('Restore', () =>
              page.send('profile_restore', { profile_id: profile.id, version: row.version, base_version: latest }, (done) => {
                if (done.ok) showHistory(profile);
              }),
            );
          }
          list.append(item);
        }
        $('editor-history').hidden = false;
      }, lookup);
    }

    function openEdit(opened) {
      edit = opened;
      renderForm();
      $('editor-form').scrollIntoView({ block: 'start' });
    }

    // A refusal is placed at its fields; anything else is in the page's outcome line already.
    function placeErrors(reply) {
      if (!edit) return;
      ProfileEditor.applyErrors(edit, reply, shownPointers());
      renderForm();
    }

    function childField() {
      const child = page.child();
      return child ? { child } : {};
    }

    $('edit-undo').addEventListener('click', () => {
      if (edit && ProfileEditor.undo(edit)) renderForm();
    });
    $('edit-check').addEventListener('click', () => {
      if (!edit) return;
      page.send('profile_validate', { profile: edit.form, ...childField() }, (reply) => {
        if (reply.ok) {
          edit.errors = {};
          edit.general = (reply.warnings || []).map((w) => w.message);
          renderForm();
        } else {
          placeErrors(reply);
        }
      });
    });
    $('edit-preview').addEventListener('click', () => {
      if (!edit) return;
      const asked = edit;
      page.send('profile_preview', { profile: edit.form, ...childField() }, (reply) => {
        if (edit !== asked) return;
        if (reply.ok) {
          edit.errors = {};
          edit.general = [];
          edit.preview = reply;
          renderForm();
        } else {
          placeErrors(reply);
        }
      });
    });
    $('edit-save').addEventListener('click', () => {
      if (!edit) return;
      page.send('profile_save', { profile: edit.form, base_version: edit.baseVersion }, (reply) => {
        if (reply.ok) {
          edit.baseVersion = reply.version;
          edit.errors = {};
          edit.general = [];
          renderForm();
        } else {
          placeErrors(reply);
        }
      });
    });
    $('edit-approve').addEventListener('click', () => {
      const childId = page.child();
      if (!edit || !childId) return;
      const child = page.state().children.find((c) => c.id === childId);
      const plan = ProfileEditor.planApproving(child, edit.form.id);
      if (!plan) {
        // The plan lists no profiles: the child may use any its flags allow. Said, not silent.
        edit.general = [childId + "'s plan approves any profile the child's flags allow: nothing to add"];
        renderForm();
        return;
      }
      page.send('child_plan_save', { child: childId, plan, base_version: (child && child.plan_version) || 0 });
    });
    $('history-close').addEventListener('click', () => {
      $('editor-history').hidden = true;
    });
    $('edit-close').addEventListener('click', () => {
      edit = null;
      renderForm();
    });

    return {
      render() {
        renderList();
        if (edit) {
          const child = page.child();
          $('edit-approve').hidden = !(edit.baseVersion > 0 && child);
          $('edit-approve').textContent = 'Approve for ' + child;
        }
      },
    };
  }

  window.EditorView = EditorView;
})();
