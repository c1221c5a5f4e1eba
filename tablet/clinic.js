// The clinic overview page (docs/clinic.md): subscribed to every room on the clinic's broker,
// it draws ClinicState's rows and sends a room's `stop` on the clinic account's own path. It
// never starts anything: the clinic's broker would refuse it, and no room's bridge brings it down.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const broker = RoomState.brokerUrl(location.href, null).url;
  const clientId = 'clinic-overview-' + Math.random().toString(16).slice(2, 10);
  // The password for this tab only (sessionStorage), as on the tablet page.
  const store = {
    get: (key) => {
      try {
        return (key === 'password' ? sessionStorage : localStorage).getItem('sensoryd.clinic.' + key) || '';
      } catch (e) {
        return '';
      }
    },
    set: (key, value) => {
      try {
        (key === 'password' ? sessionStorage : localStorage).setItem('sensoryd.clinic.' + key, value);
      } catch (e) {
        /* private mode: not remembered */
      }
    },
  };
  const clinic = ClinicState.create();
  const pending = new Map(); // request_id -> room
  let client = null;
  let requests = 0;
  let stopping = null; // the room whose Stop waits for its confirmation

  function setConnection(text, online) {
    $('connection').textContent = text;
    $('connection').className = 'connection ' + (online ? 'online' : 'offline');
  }

  function showOutcome(text, ok) {
    $('outcome').textContent = text;
    $('outcome').className = 'outcome ' + (ok ? 'ok' : 'refused');
    $('outcome').hidden = false;
  }

  function connect() {
    if (client) client.end(true);
    const user = store.get('username');
    if (!user) {
      openSignIn();
      return;
    }
    client = mqtt.connect(broker, {
      protocolVersion: 5,
      clientId,
      username: user,
      password: store.get('password'),
      clean: true,
      keepalive: RoomState.KEEPALIVE_S,
      timerVariant: 'native', // as app.js: no blob: Worker (a Content-Security-Policy may refuse it)
      reconnectPeriod: 2000,
      connectTimeout: 5000,
    });
    client.on('connect', () => {
      setConnection("Connected to the clinic's broker as " + user, true);
      client.subscribe(['sensoryd/+/availability', 'sensoryd/+/uplink', 'sensoryd/+/session', 'sensoryd/+/safety',
        'sensoryd/+/profiles', 'sensoryd/+/devices/+', 'sensoryd/+/reply/' + clientId], { qos: 1 });
    });
    client.on('close', () => setConnection("No connection to the clinic's broker: trying again…", false));
    client.on('error', (error) => {
      if ([4, 5, 134, 135].includes(error && error.code)) {
        client.end(true);
        setConnection("The clinic's broker refused the sign-in: check the user name and password.", false);
        openSignIn();
      }
    });
    client.on('message', RoomState.isolated((topic, payload) => onMessage(topic, payload.toString())));
  }

  function onMessage(topic, text) {
    const reply = /^sensoryd\/([^/]+)\/reply\//.exec(topic);
    if (reply) {
      const answer = JSON.parse(text);
      const room = pending.get(answer.request_id);
      if (!room) return;
      pending.delete(answer.request_id);
      if (answer.ok) showOutcome('Stop in ' + room + ': done.', true);
      else showOutcome('Stop in ' + room + ' refused: ' + answer.error.message + ' (' + answer.error.code + ')', false);
      return;
    }
    if (ClinicState.applyMessage(clinic, topic, text, Date.now())) render();
  }

  // Each room's row and its Stop button stay the same elements from one redraw to the next
  // (once a second, and at each message): a tap, or a test's click, that lands between two
  // redraws reaches the button it aimed at, never a replaced one.
  const shown = new Map(); // room id -> its row's elements

  function rowOf(id) {
    let row = shown.get(id);
    if (row) return row;
    row = {
      item: document.createElement('li'),
      title: document.createElement('h2'),
      session: paragraph('', 'session'),
      reasons: document.createElement('ul'),
      meta: paragraph('', 'meta'),
      stop: document.createElement('button'),
    };
    row.item.dataset.room = id;
    row.reasons.className = 'reasons';
    row.stop.type = 'button';
    row.stop.className = 'stop';
    row.stop.textContent = 'Stop';
    row.stop.setAttribute('aria-label', 'Stop the session in ' + id);
    row.stop.addEventListener('click', () => askStop(id));
    shown.set(id, row);
    return row;
  }

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  // `parent` holds exactly `children`, in order; nothing is moved when it already does.
  function keepChildren(parent, children) {
    const same = parent.children.length === children.length && children.every((child, i) => parent.children[i] === child);
    if (!same) parent.replaceChildren(...children);
  }

  function render() {
    const rows = ClinicState.rows(clinic, Date.now());
    $('no-rooms').hidden = rows.length > 0;
    for (const id of [...shown.keys()]) {
      if (!rows.some((row) => row.id === id)) shown.delete(id);
    }
    keepChildren($('rooms'), rows.map((row) => {
      const el = rowOf(row.id);
      el.item.className = 'room attention-' + row.attention;
      setText(el.title, row.id + ' · ' + (row.online ? row.stateText : 'Offline'));
      const session = [row.profile, row.remaining, row.therapist && 'therapist ' + row.therapist].filter(Boolean).join(' · ');
      setText(el.session, session);
      const reasons = row.reasons.join('\n');
      if (el.reasons.dataset.shown !== reasons) {
        el.reasons.replaceChildren(...row.reasons.map((reason) => {
          const li = document.createElement('li');
          li.textContent = reason;
          return li;
        }));
        el.reasons.dataset.shown = reasons;
      }
      setText(el.meta, row.linkText + ' · ' + row.age);
      keepChildren(el.item, [el.title, session && el.session, row.reasons.length && el.reasons, el.meta, row.canStop && el.stop].filter(Boolean));
      return el.item;
    }));
  }

  function paragraph(text, className) {
    const p = document.createElement('p');
    p.className = className;
    p.textContent = text;
    return p;
  }

  function askStop(room) {
    stopping = room;
    $('stop-text').textContent = 'The session in ' + room + ' winds down as its profile says, and ends.';
    $('stop-dialog').showModal();
  }

  $('stop-dialog').addEventListener('close', () => {
    const room = stopping;
    stopping = null;
    if ($('stop-dialog').returnValue !== 'stop' || !room || !client || !client.connected) return;
    const requestId = clientId + '-' + ++requests;
    pending.set(requestId, room);
    const user = store.get('username');
    client.publish('sensoryd/' + room + '/user/' + user + '/cmd/stop', JSON.stringify({ request_id: requestId }), {
      qos: 1,
      properties: { responseTopic: 'sensoryd/' + room + '/reply/' + clientId },
    });
    showOutcome('Stop in ' + room + ': sent…', true);
  });

  function openSignIn() {
    const dialog = $('sign-in-dialog');
    if (dialog.open) return;
    $('username').value = store.get('username');
    $('password').value = '';
    dialog.showModal();
  }

  $('sign-in-dialog').addEventListener('close', () => {
    if ($('sign-in-dialog').returnValue !== 'sign-in') return;
    store.set('username', $('username').value.trim());
    store.set('password', $('password').value);
    connect();
  });

  // The ages on the list move on with the clock.
  setInterval(render, 1000);
  connect();
})();
