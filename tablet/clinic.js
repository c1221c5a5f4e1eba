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

  function render() {
    const rows = ClinicState.rows(clinic, Date.now());
    $('no-rooms').hidden = rows.length > 0;
    const list = $('rooms');
    list.replaceChildren(
      ...rows.map((row) => {
        const item = document.createElement('li');
        item.className = 'room attention-' + row.attention;
        item.dataset.room = row.id;
        const title = document.createElement('h2');
        title.textContent = row.id + ' · ' + (row.online ? row.stateText : 'Offline');
        item.append(title);
        const session = [row.profile, row.remaining, row.therapist && 'therapist ' + row.therapist].filter(Boolean).join(' · ');
        if (session) item.append(paragraph(session, 'session'));
        if (row.reasons.length) {
          const reasons = document.createElement('ul');
          reasons.className = 'reasons';
          for (const reason of row.reasons) {
            const li = document.createElement('li');
            li.textContent = reason;
            reasons.append(li);
          }
          item.append(reasons);
        }
        item.append(paragraph(row.linkText + ' · ' + row.age, 'meta'));
        if (row.canStop) {
          const stop = document.createElement('button');
          stop.type = 'button';
          stop.className = 'stop';
          stop.textContent = 'Stop';
          stop.setAttribute('aria-label', 'Stop the session in ' + row.id);
          stop.addEventListener('click', () => askStop(row.id));
          item.append(stop);
        }
        return item;
      }),
    );
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
