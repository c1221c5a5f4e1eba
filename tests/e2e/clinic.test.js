// A clinic of three rooms (docs/clinic.md) on real processes: a clinic mosquitto provisioned by
// scripts/provision-clinic, and three secure rooms (each its own mosquitto, nginx, Modbus
// simulator and sensoryd) provisioned by scripts/provision-room --clinic-uplink, their brokers
// bridged to the clinic's. The clinic is watched as its account sees it, and through the clinic
// overview page (tablet/clinic.html, served by the clinic's broker) in headless Chromium.
'use strict';

const { test, before, after } = require('node:test');
const { spawn, spawnSync } = require('node:child_process');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { startRoom, until, source, build, command, freePorts } = require('../../tablet/tests/room.js');
const { startClinic } = require('../../tablet/tests/clinic.js');
const { layoutProblems } = require('../../tablet/tests/layout.js');
const { launchWebKit } = require('../../tablet/tests/webkit.js');
const mqtt = require(path.join(source, 'tablet', 'node_modules', 'mqtt'));
const { chromium } = require(path.join(source, 'tablet', 'node_modules', 'playwright-core'));

const ROOMS = ['room-1', 'room-2', 'room-3'];
// The overview's browser (tablet/tests/browser.test.js reads the same variable).
const engine = process.env.SENSORYD_BROWSER || 'chromium';
if (!['chromium', 'webkit'].includes(engine)) throw new Error('SENSORYD_BROWSER is chromium or webkit, not ' + engine);
const OVERVIEW = { width: 1280, height: 800 };
const S3_BOUND_S = 0.03; // docs/safety.md S3: one 20 ms poll + 10 ms
let clinic; // tablet/tests/clinic.js
const rooms = {};
const clients = [];

before(async () => {
  clinic = await startClinic([...ROOMS, 'room-4'], { web: true });
  for (const id of ROOMS) rooms[id] = await startRoom('clinic-' + id, { secure: true, id, uplink: clinic.uplink(id) });
});

after(async () => {
  for (const c of clients) c.end(true);
  for (const room of Object.values(rooms)) await room.stop();
  if (clinic) await clinic.stop();
});

async function connect(url, ca, user, password) {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5, ca, username: user, password, reconnectPeriod: 500, connectTimeout: 5000,
  });
  clients.push(client);
  return client;
}

// What a client has seen: the latest text on each topic and when each arrived.
async function watch(client, filter) {
  const seen = { latest: new Map(), log: [] };
  client.on('message', (topic, payload) => {
    const text = payload.toString();
    seen.latest.set(topic, text);
    seen.log.push({ topic, text, at: Date.now() });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return seen;
}

const json = (text) => (text ? JSON.parse(text) : {});
const clinicUrl = () => 'mqtts://127.0.0.1:' + clinic.port;
const roomUrl = (id) => 'mqtts://127.0.0.1:' + rooms[id].ports.mqtt;
// In a room: ana's tablet (commands), and the tests' witness account (reads the whole room;
// tablet/tests/room.js). One connection per account: the brokers bind client ids to accounts.
const tablet = (id) => connect(roomUrl(id), rooms[id].ca, 'ana', rooms[id].secret('ana'));
const witness = (id) => connect(roomUrl(id), rooms[id].ca, 'witness', rooms[id].secret('witness'));

// The overview page signed in as the clinic, in the browser SENSORYD_BROWSER names (chromium,
// the default, or webkit: tablet/tests/webkit.js), trusting the clinic's server certificate and
// nothing else besides. `errors()`: what the page threw; `close()`: the browser gone.
async function openOverview() {
  const certificate = path.join(clinic.folder, 'server.pem');
  let browser;
  let context;
  if (engine === 'webkit') {
    browser = await launchWebKit();
    context = await browser.newContext({ viewport: OVERVIEW, certificates: [{ host: '127.0.0.1', certificateFile: certificate }] });
  } else {
    const cert = new crypto.X509Certificate(fs.readFileSync(certificate));
    const spki = crypto.createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    browser = await chromium.launch({
      executablePath: process.env.SENSORYD_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--ignore-certificate-errors-spki-list=' + spki],
    });
    context = await browser.newContext({ viewport: OVERVIEW });
  }
  const page = await context.newPage();
  const thrown = [];
  if (engine === 'chromium') page.on('pageerror', (e) => thrown.push(e.message));
  await page.goto('https://127.0.0.1:' + clinic.webPort + '/clinic.html');
  await page.getByLabel('User name').fill('clinic');
  await page.getByLabel('Password').fill(clinic.secret('clinic'));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  return {
    page,
    errors: async () => (engine === 'webkit' ? page.errors() : thrown),
    screenshot: (name) => {
      const dir = path.join(build, 'tablet', 'screenshots', engine === 'webkit' ? 'webkit' : '');
      fs.mkdirSync(dir, { recursive: true });
      return page.screenshot({ path: path.join(dir, name), fullPage: true });
    },
    close: () => browser.close(),
  };
}

async function startSession(id, client) {
  await command(client, 'ana', 'reset', {}, 10000, id).catch(() => {});
  const started = await until(async () => {
    const reply = await command(client, 'ana', 'start', { profile: 'calm-down' }, 10000, id);
    return reply.ok ? reply : ['not_allowed_in_state', 'device_unavailable'].includes(reply.error.code) ? false : reply;
  }, 30000, 'a start in ' + id);
  assert.equal(started.ok, true, JSON.stringify(started));
}

test('the clinic sees every room, a session within 1 s, keeps the rooms running without it, catches up, and may only stop', { timeout: 300000 }, async (t) => {
  // The clinic's account, as an overview would use it: reads every room, sends stop.
  const desk = await connect(clinicUrl(), clinic.ca, 'clinic', clinic.secret('clinic'));
  const overview = await watch(desk, 'sensoryd/#');
  // 1. Every room is there: online, its link up, its safety state.
  for (const id of ROOMS) {
    await until(() => overview.latest.get('sensoryd/' + id + '/availability') === 'online', 60000, id + ' online at the clinic');
    await until(() => overview.latest.get('sensoryd/' + id + '/uplink') === '1', 10000, id + "'s link up");
    assert.ok(overview.latest.has('sensoryd/' + id + '/safety'), id + "'s safety state at the clinic");
  }

  // 2. A session in room 2 shows at the clinic within 1 s of the room's own broker.
  const inRoom2 = await watch(await witness('room-2'), 'sensoryd/room-2/#');
  await startSession('room-2', await tablet('room-2'));
  const running = (seen) => seen.log.find((m) => m.topic === 'sensoryd/room-2/session' && json(m.text).state === 'running');
  await until(() => running(inRoom2), 10000, 'running in room 2');
  await until(() => running(overview), 10000, 'running at the clinic');
  const lag = running(overview).at - running(inRoom2).at;
  t.diagnostic('room 2 running at the clinic ' + lag + ' ms after its own broker');
  assert.ok(lag <= 1000, 'shown after ' + lag + ' ms');

  // 3. The clinic's broker goes: room 2's session runs on, and its E-stop stops the swing within
  // S3 on the recording.
  await clinic.stopBroker();
  const room2 = rooms['room-2'];
  const session = () => json(inRoom2.latest.get('sensoryd/room-2/session'));
  const elapsed = session().elapsed_s || 0;
  await until(() => session().state === 'running' && session().elapsed_s >= elapsed + 3, 20000, 'room 2 running on, 3 s more');
  await room2.cabinet('unit 3 input 0 0'); // the E-stop pressed
  const recording = await until(() => {
    const lines = room2.recording();
    const pressed = lines.find((l) => l.event === 'input' && l.unit === 3 && l.value === 0);
    const stop = pressed && lines.find((l) => l.type === 'write' && l.name === 'control' && l.t >= pressed.t);
    return stop ? { pressed, stop } : false;
  }, 5000, "room 2's stop on the recording");
  assert.equal(recording.stop.value, 0, 'the first control write after the press');
  const took = recording.stop.t - recording.pressed.t;
  t.diagnostic('room 2 E-stop -> stop write ' + (took * 1000).toFixed(1) + ' ms with the clinic down');
  assert.ok(took <= S3_BOUND_S, 'S3: ' + took + ' s');
  await room2.cabinet('unit 3 input 0 1');
  // The loss is said in the room: its broker holds the link's state.
  await until(() => inRoom2.latest.get('sensoryd/room-2/uplink') === '0', 15000, "room 2's link said down");

  // 4. The clinic's broker back: room 2's state is at the clinic again within 5 s (the tripped
  // safety state included), and its link is up.
  overview.latest.clear();
  const back = Date.now();
  await clinic.startBroker();
  await until(() => {
    const safety = json(overview.latest.get('sensoryd/room-2/safety'));
    return safety.motion_allowed === false && overview.latest.get('sensoryd/room-2/uplink') === '1';
  }, 15000, "room 2's state back at the clinic");
  const caughtUp = Date.now() - back;
  t.diagnostic("room 2's state at the clinic " + caughtUp + ' ms after its broker started again');
  assert.ok(caughtUp <= 5000, 'caught up after ' + caughtUp + ' ms');

  // 5. A start from the clinic's side reaches no room: the clinic's broker refuses it from the
  // clinic's account, and no room's bridge takes any topic down but stop and estop.
  const refused = await desk.publishAsync('sensoryd/room-1/user/clinic/cmd/start', JSON.stringify({ request_id: 'x', profile: 'calm-down' }), { qos: 1 })
    .then((packet) => (packet && packet.reasonCode) || 0, (e) => e.code);
  assert.equal(refused, 135, 'the clinic broker took a start from the clinic account');
  for (const id of ROOMS) {
    const log = fs.readFileSync(path.join(rooms[id].dir, 'broker.log'), 'utf8');
    // What the room's bridge asks the clinic's broker for (its subscriptions there).
    const down = [...log.matchAll(/Bridge \S+ sending SUBSCRIBE \(Mid: \d+, Topic: ([^,]+),/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(down)].sort(), ['sensoryd/' + id + '/user/clinic/cmd/estop', 'sensoryd/' + id + '/user/clinic/cmd/stop'], id);
  }
  desk.end(true); // the page signs in as the clinic's account next: one connection per account

  // 6. The overview page: every room, room 2 (its trip latched) first; a stop from it winds room
  // 3's session down, and its reply comes back up.
  const inRoom3 = await watch(await witness('room-3'), 'sensoryd/room-3/session');
  await startSession('room-3', await tablet('room-3'));
  const overviewPage = await openOverview();
  try {
    const { page } = overviewPage;
    const order = () => page.locator('#rooms > li').evaluateAll((items) => items.map((i) => i.dataset.room));
    await until(async () => (await order()).length === 3, 15000, 'three rooms on the page');
    await until(async () => (await page.locator('[data-room="room-3"] h2').textContent()) === 'room-3 · Running', 10000, 'room 3 running on the page');
    assert.equal((await order())[0], 'room-2', 'the tripped room first');
    assert.match(await page.locator('[data-room="room-2"] .reasons').textContent(), /Tripped: .*E-stop/);
    assert.match(await page.locator('[data-room="room-3"] .session').textContent(), /therapist ana/);
    assert.equal(await page.getByRole('button', { name: 'Start', exact: false }).count(), 0, 'a start on the overview');
    assert.deepEqual(await layoutProblems(page), [], 'the overview');
    await overviewPage.screenshot('clinic.png');
    // The page redraws at each message; room 3's Stop button stays the same element through
    // it, so a tap between two redraws lands on it (a marked button survives the redraw that
    // moves room 3's time left on, which its session message brings each second).
    const stop3 = page.locator('[data-room="room-3"] button.stop');
    await stop3.evaluate((button) => { button.dataset.probe = 'kept'; });
    const left3 = await page.locator('[data-room="room-3"] .session').textContent();
    await until(async () => (await page.locator('[data-room="room-3"] .session').textContent()) !== left3, 5000, 'a redraw');
    assert.equal(await page.locator('[data-room="room-3"] button.stop[data-probe="kept"]').count(), 1, 'the Stop button redrawn');
    await page.getByRole('button', { name: 'Stop the session in room-3', exact: true }).click();
    await page.getByRole('button', { name: 'Stop now', exact: true }).click();
    await until(async () => (await page.locator('#outcome').textContent()) === 'Stop in room-3: done.', 15000, 'the stop answered');
    await until(() => ['winding_down', 'idle'].includes(json(inRoom3.latest.get('sensoryd/room-3/session')).state), 10000, 'room 3 winding down');
    assert.deepEqual(await overviewPage.errors(), [], 'the page threw');
  } finally {
    await overviewPage.close();
  }

  // 7. An E-stop from the clinic's account (for tools; the page has none) reaches room 1 and is
  // recorded there as the clinic's.
  const tool = await connect(clinicUrl(), clinic.ca, 'clinic', clinic.secret('clinic'));
  const estopped = await command(tool, 'clinic', 'estop', {}, 15000, 'room-1');
  assert.equal(estopped.ok, true, JSON.stringify(estopped));
  const tripped = await until(() => fs.readFileSync(path.join(rooms['room-1'].dir, 'state', 'sessions.jsonl'), 'utf8')
    .split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    .find((r) => r.type === 'interlock_tripped' && r.cause === 'estop_command'), 5000, "room 1's trip in its log");
  assert.equal(tripped.source, 'clinic', JSON.stringify(tripped));
});

// What scripts/clinic-link-status says of a room's uplink, from the room broker's log.
function linkStatus(brokerDir, log) {
  const status = spawnSync(path.join(source, 'scripts', 'clinic-link-status'),
    ['--bridge-conf', path.join(brokerDir, 'bridge-clinic.conf'), '--log', log], { encoding: 'utf8' });
  return { code: status.status, text: status.stdout + status.stderr };
}

test('an uplink the clinic refuses leaves its room running and says why; two rooms with one id are said, never mixed', { timeout: 240000 }, async (t) => {
  const desk = await connect(clinicUrl(), clinic.ca, 'clinic', clinic.secret('clinic'));
  const atClinic = await watch(desk, 'sensoryd/#');

  // 1. Room 4 with a wrong uplink password: the clinic's broker refuses it, and the room runs a
  // session as if it had no link at all; its broker says the link is down, and the status tool
  // says why from the broker's log.
  const wrong = path.join(clinic.dir, 'wrong-uplink-password');
  fs.writeFileSync(wrong, 'not-the-clinics\n', { mode: 0o600 });
  rooms['room-4'] = await startRoom('clinic-room-4', { secure: true, id: 'room-4', uplink: clinic.uplink('room-4', wrong) });
  const inRoom4 = await watch(await witness('room-4'), 'sensoryd/room-4/#');
  await startSession('room-4', await tablet('room-4'));
  const session4 = () => json(inRoom4.latest.get('sensoryd/room-4/session'));
  await until(() => session4().state === 'running' && session4().elapsed_s >= 2, 20000, 'room 4 running 2 s');
  await until(() => rooms['room-4'].recording().some((l) => l.type === 'write' && l.name === 'amplitude' && l.value > 0), 10000, "room 4's swing set going");
  assert.equal(inRoom4.latest.get('sensoryd/room-4/uplink'), '0', "room 4's link said down in the room");
  const log4 = path.join(rooms['room-4'].dir, 'broker.log');
  const refused = await until(() => {
    const status = linkStatus(rooms['room-4'].broker, log4);
    return status.code === 1 ? status : false;
  }, 10000, "room 4's link status");
  t.diagnostic(refused.text.split('\n').slice(0, 3).join(' | '));
  assert.match(refused.text, /DOWN since/);
  assert.match(refused.text, /Connection Refused: Not authorized/);
  assert.match(refused.text, /refused the account room-4-uplink/);
  assert.equal([...atClinic.latest.keys()].filter((k) => k.startsWith('sensoryd/room-4/')).length, 0, 'room 4 at the clinic');

  // 2. The same bridge trusting another CA (room 4's own, not the clinic's): the status tool says
  // the clinic's certificate is not trusted. A bare broker with room 4's provisioned bridge.
  const untrusted = path.join(clinic.dir, 'untrusted');
  fs.mkdirSync(untrusted);
  const bridge = fs.readFileSync(path.join(rooms['room-4'].broker, 'bridge-clinic.conf'), 'utf8')
    .replace(/^bridge_cafile .*$/m, 'bridge_cafile ' + path.join(rooms['room-4'].broker, 'ca.pem'));
  fs.writeFileSync(path.join(untrusted, 'bridge-clinic.conf'), bridge);
  const port = await freePorts(0, []);
  const untrustedLog = path.join(untrusted, 'broker.log');
  fs.writeFileSync(path.join(untrusted, 'mosquitto.conf'), 'persistence false\nlistener ' + port + ' 127.0.0.1\nallow_anonymous false\n' +
    'log_dest file ' + untrustedLog + '\n' + (process.getuid && process.getuid() === 0 ? 'user root\n' : '') + bridge);
  const bare = spawn('mosquitto', ['-c', path.join(untrusted, 'mosquitto.conf')], { stdio: 'ignore' });
  try {
    const status = await until(() => {
      const s = fs.existsSync(untrustedLog) && linkStatus(untrusted, untrustedLog);
      return s && s.code === 1 ? s : false;
    }, 10000, 'the untrusted link said down', bare);
    assert.match(status.text, /certificate verify failed/);
    assert.match(status.text, /clinic's server certificate is not trusted/);
  } finally {
    bare.kill('SIGKILL'); // (mosquitto 2.0.11 may abort on SIGTERM after a failed TLS bridge)
  }
  // A link that is up says so.
  assert.equal(linkStatus(rooms['room-1'].broker, path.join(rooms['room-1'].dir, 'broker.log')).code, 0, "room 1's link");

  // 3. A second room provisioned as room 3 (room 3's id and uplink password): the two bridges
  // take turns at the clinic, and the overview says two rooms use the id, shows neither's state
  // and offers no stop, while the other rooms are shown as before.
  const seenRuns = () => new Set(atClinic.log.filter((m) => m.topic === 'sensoryd/room-3/session').map((m) => json(m.text).instance));
  const before3 = seenRuns();
  rooms['room-3b'] = await startRoom('clinic-room-3b', { secure: true, id: 'room-3', uplink: clinic.uplink('room-3') });
  await until(() => seenRuns().size > before3.size, 20000, "the second room 3's session at the clinic");
  desk.end(true); // the page signs in as the clinic's account
  const overviewPage = await openOverview();
  try {
    const { page } = overviewPage;
    const room3 = page.locator('[data-room="room-3"]');
    await until(async () => (await room3.count()) === 1 && (await room3.locator('h2').textContent()) === 'room-3 · Two rooms use this id', 30000, 'the conflict on the page');
    const order = await page.locator('#rooms > li').evaluateAll((items) => items.map((i) => i.dataset.room));
    assert.equal(order[0], 'room-3', 'the conflict first');
    assert.match(await room3.locator('.reasons').textContent(), /Two rooms send as room-3/);
    assert.equal(await room3.locator('.session').count(), 0, "either room's session shown");
    assert.equal(await page.getByRole('button', { name: 'Stop the session in room-3', exact: true }).count(), 0, 'a stop for two rooms');
    assert.equal((await page.locator('[data-room="room-1"] h2').textContent()).startsWith('room-1 · '), true);
    assert.deepEqual(await layoutProblems(page), [], 'the overview with a conflict');
    await overviewPage.screenshot('clinic-conflict.png');
    assert.deepEqual(await overviewPage.errors(), [], 'the page threw');
  } finally {
    await overviewPage.close();
  }
});
