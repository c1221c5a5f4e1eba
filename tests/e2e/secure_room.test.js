// The secure room (docs/security.md) on real processes: the broker runs the configuration that
// scripts/provision-room writes from config/broker/, sensoryd connects over TLS with its own
// account and require_identity, and clients connect as the roles do. What each role cannot do
// is checked where it would land: a forged message is published first (its PUBACK awaited),
// then a legitimate one, and the legitimate one arriving without the forged one shows the
// broker dropped it.
'use strict';

const { test, before, after } = require('node:test');
const { spawn, spawnSync } = require('node:child_process');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startRoom, until, source, command } = require('../../tablet/tests/room.js');
const mqtt = require(path.join(source, 'tablet', 'node_modules', 'mqtt'));

let room;
const clients = [];

before(async () => {
  room = await startRoom('secure', { secure: true });
  // startRoom returns once sensoryd runs; the tests below need it connected, its retained state
  // and Home Assistant's configs on the broker (sent before `online`).
  const witness = await connect('witness');
  const availability = await collect(witness, 'sensoryd/room-1/availability');
  await until(() => availability.some(([, text]) => text === 'online'), 60000, 'sensoryd online');
  witness.end(true);
});

after(async () => {
  for (const c of clients) c.end(true);
  if (room) await room.stop();
});

function url() {
  return 'mqtts://127.0.0.1:' + room.ports.mqtt;
}

// Connects as `user` (with `password`, by default the provisioned one) trusting `ca`.
async function connect(user, { password, ca = room.ca, clientId } = {}) {
  const options = { protocolVersion: 5, ca, reconnectPeriod: 0, connectTimeout: 5000, clientId };
  if (user) {
    options.username = user;
    options.password = password === undefined ? room.secret(user) : password;
  }
  const client = await mqtt.connectAsync(url(), options);
  clients.push(client);
  return client;
}

// Messages arriving on `client` for `filter`, as [topic, text].
async function collect(client, filter) {
  const seen = [];
  client.on('message', (topic, payload) => seen.push([topic, payload.toString()]));
  await client.subscribeAsync(filter, { qos: 1 });
  return seen;
}

// Publishes the forged message, then a legitimate marker; waits for the marker at `seen` and
// tells whether the forged one got there too.
async function landed(forger, topic, legit, seen, legitTopic) {
  const forged = 'forged-' + Math.random().toString(16).slice(2);
  await forger.publishAsync(topic, forged, { qos: 1 }).catch(() => {});
  const marker = 'marker-' + Math.random().toString(16).slice(2);
  await legit.publishAsync(legitTopic, marker, { qos: 1 });
  await until(() => seen.some(([, text]) => text === marker), 5000, 'the marker on ' + legitTopic);
  return seen.some(([, text]) => text === forged);
}

async function refusedToConnect(user, options) {
  try {
    await connect(user, options);
  } catch (e) {
    return e.message || String(e);
  }
  return '';
}

// Starts calm-down as `user` once the room lets it: after a reset (a trip an earlier test left
// latched), waiting out a wind-down still under way or a drive not confirmed yet.
async function startSession(client, user, fields = {}) {
  await command(client, user, 'reset').catch(() => {});
  const started = await until(async () => {
    const reply = await command(client, user, 'start', { profile: 'calm-down', ...fields });
    return reply.ok ? reply : ['not_allowed_in_state', 'device_unavailable'].includes(reply.error.code) ? false : reply;
  }, 20000, 'a start ' + user + ' may make');
  assert.equal(started.ok, true, JSON.stringify(started));
  return started;
}

test('no one connects anonymously, with a wrong password, or without trusting the room CA', async () => {
  assert.match(await refusedToConnect(undefined), /Not authorized|Bad User Name or Password/i);
  assert.match(await refusedToConnect('ana', { password: 'not-it' }), /Not authorized|Bad User Name or Password/i);
  const stranger = fs.readFileSync(path.join(room.broker, 'server.pem')); // not a CA: trusts nothing here
  assert.notEqual(await refusedToConnect('ana', { ca: stranger }), '');
  assert.notEqual(await refusedToConnect('ana', { ca: [] }), ''); // the system's CAs only
});

test('a tablet cannot publish the room\'s state, a device\'s command, or another user\'s command', async () => {
  const ana = await connect('ana');
  const ben = await connect('ben');
  const monitor = await connect('monitor');
  const roomTopics = await collect(await connect('witness'), 'sensoryd/room-1/#');
  assert.equal(await landed(ana, 'sensoryd/room-1/session', ben, roomTopics, 'sensoryd/room-1/user/ben/cmd/lease'), false);
  assert.equal(await landed(ana, 'sensoryd/room-1/user/ben/cmd/estop', ben, roomTopics, 'sensoryd/room-1/user/ben/cmd/lease'), false);
  assert.equal(await landed(ana, 'sensoryd/room-1/cmd/estop', ben, roomTopics, 'sensoryd/room-1/user/ben/cmd/lease'), false);
  const bridge = await connect('zigbee2mqtt');
  const deviceTopics = await collect(bridge, 'zigbee2mqtt/#');
  assert.equal(await landed(ana, 'zigbee2mqtt/ceiling-left/set', bridge, deviceTopics, 'zigbee2mqtt/ceiling-left'), false);
  // The check itself can see a message land: ben's own command path is open to ben.
  assert.equal(await landed(ben, 'sensoryd/room-1/user/ben/cmd/lease', ana, roomTopics, 'sensoryd/room-1/user/ana/cmd/lease'), true);
});

test('the bridge and the player cannot give commands; monitoring may send only stop and estop', async () => {
  const ben = await connect('ben');
  const monitor = await connect('monitor');
  const roomTopics = await collect(await connect('witness'), 'sensoryd/room-1/#');
  const legit = 'sensoryd/room-1/user/ben/cmd/lease';
  // (sensoryd's own accounts deny commands in the ACL too; signing in with them here would close
  // sensoryd's connections, each account being one connection.)
  for (const user of ['zigbee2mqtt', 'player']) {
    const c = await connect(user, { clientId: user + '-test' });
    assert.equal(await landed(c, 'sensoryd/room-1/user/' + user + '/cmd/start', ben, roomTopics, legit), false, user);
  }
  assert.equal(await landed(monitor, 'sensoryd/room-1/user/monitor/cmd/start', ben, roomTopics, legit), false);
  assert.equal(await landed(monitor, 'sensoryd/room-1/user/monitor/cmd/resume', ben, roomTopics, legit), false);
  assert.equal(await landed(monitor, 'sensoryd/room-1/user/monitor/cmd/note', ben, roomTopics, legit), false);
  assert.equal(await landed(monitor, 'sensoryd/room-1/user/monitor/cmd/response', ben, roomTopics, legit), false);
  assert.equal(await landed(monitor, 'sensoryd/room-1/user/monitor/cmd/stop', ben, roomTopics, legit), true);
});

test('Home Assistant, as the monitoring account, discovers the room with only the buttons it may press, on its own path', async () => {
  const ha = await connect('monitor', { clientId: 'home-assistant' });
  const configs = new Map();
  ha.on('message', (topic, payload, packet) => {
    if (packet.retain && topic.startsWith('homeassistant/')) configs.set(topic, JSON.parse(payload.toString()));
  });
  await ha.subscribeAsync('homeassistant/#', { qos: 0 });
  await ha.subscribeAsync('test/after-the-retained', { qos: 0 });
  assert.ok(configs.has('homeassistant/sensor/sensoryd-room-1/session/config'), 'the room discovered');
  const buttons = [...configs].filter(([topic]) => topic.startsWith('homeassistant/button/'));
  assert.deepEqual(buttons.map(([, c]) => c.command_topic).sort(),
    ['sensoryd/room-1/user/monitor/cmd/estop', 'sensoryd/room-1/user/monitor/cmd/stop']);
  // Its birth message is allowed and answered: the configs come again.
  let again = 0;
  ha.on('message', (topic, payload, packet) => {
    if (!packet.retain && topic.startsWith('homeassistant/button/sensoryd-room-1/')) again++;
  });
  await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await until(() => again === buttons.length, 10000, 'the buttons announced again');
});

test('sensoryd runs a session started by a signed-in user over TLS, and the log names that user', async () => {
  const ana = await connect('ana');
  await until(() => room.log('sensoryd').includes('comm-loss watchdog confirmed'), 15000, 'the drive confirmed');
  assert.match(room.log('sensoryd'), /commands are taken only on sensoryd\/room-1\/user\/<user>\/cmd\/\+/);
  assert.doesNotMatch(room.log('sensoryd'), /set \[mqtt\] require_identity = true/);
  await startSession(ana, 'ana', { therapist: 'mallory' });
  await command(ana, 'ana', 'lease');
  // The equipment received it: the drive enabled and given an amplitude.
  await until(
    () => room.recording().some((r) => r.type === 'write' && r.name === 'amplitude' && r.eng > 0),
    15000,
    'an amplitude written to the drive',
  );
  const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const start = log.find((r) => r.type === 'session_started');
  assert.equal(start.therapist, 'ana'); // the broker's user, not what the payload typed
  const stopped = await command(ana, 'ana', 'stop');
  assert.equal(stopped.ok, true);
});

// sensoryd's peak resident memory since it started, in KiB (VmHWM).
function peakRssKib() {
  const status = fs.readFileSync('/proc/' + room.processes.sensoryd.pid + '/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
}

for (const size of [20000, 100000, 300000]) {
  test(`a flood of ${size} commands from one tablet account does not keep another account's E-stop from stopping the drive`, { timeout: 240000 }, async (t) => {
    const ben = await connect('ben', { clientId: 'ben-estop' });
    await startSession(ben, 'ben');
    // The commands from ana (another process), and ben's E-stop when half are written.
    const before = Date.now() / 1000;
    const flood = spawn(process.execPath, [
      path.join(__dirname, 'flood.js'), url(), 'ana', path.join(room.broker, 'secrets', 'ana'),
      path.join(room.broker, 'ca.pem'), 'sensoryd/room-1/user/ana/cmd/adjust', '{"intensity":0.5}', String(size),
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    const floodDone = new Promise((resolve) => flood.once('exit', resolve));
    // ben's tablet keeps renewing the session's lease, as the page does, so that the swing is
    // still moving when the E-stop comes however long the flood takes (a slow sanitizer build).
    let renewals = 0;
    const renewing = setInterval(() => {
      ben.publish('sensoryd/room-1/user/ben/cmd/lease', JSON.stringify({ request_id: 'keep-' + renewals++ }), { qos: 0 });
    }, 2000);
    let out = '';
    flood.stdout.on('data', (chunk) => (out += chunk));
    try {
      await until(() => out.includes('half'), 120000, 'half of the flood written');
    } finally {
      clearInterval(renewing);
    }
    const estopAt = Date.now() / 1000;
    // The reply and the room's state reach tablets over sensoryd's main connection, where they
    // wait behind the flood's traffic (docs/security.md); the stop does not.
    const estop = await command(ben, 'ben', 'estop', {}, 120000);
    t.diagnostic('E-stop published -> its reply: ' + (Date.now() / 1000 - estopAt).toFixed(1) + ' s');
    assert.equal(estop.ok, true, JSON.stringify(estop));
    assert.equal(await floodDone, 0, 'the flood ran to its end');
    const stop = room.recording().find((r) => r.type === 'write' && r.name === 'control' && r.value === 0 && r.t > before);
    assert.ok(stop, 'the drive was written disabled');
    assert.ok(stop.t >= estopAt - 0.05, 'the stop came from the E-stop, not before it');
    t.diagnostic(`E-stop published -> drive disabled: ${((stop.t - estopAt) * 1000).toFixed(1)} ms, ana's ${size} commands around it`);
    t.diagnostic(`sensoryd's peak RSS so far: ${peakRssKib()} KiB`);
    const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8')
      .trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(log.some((r) => r.type === 'interlock_tripped' && r.source === 'ben' && Date.parse(r.ts) / 1000 >= estopAt - 1),
      'the trip recorded as ben\'s');
    // Why the flood cannot hold it back (docs/safety.md S19): the broker sent ben's E-stop to
    // sensoryd's E-stop connection, which carried none of ana's flood, so it queued behind
    // nothing on its way (the figures are scripts/bench's, "floods").
    const sent = fs.readFileSync(path.join(room.dir, 'broker.log'), 'utf8').split('\n')
      .filter((line) => line.includes('Sending PUBLISH to sensoryd-estop '));
    assert.ok(sent.some((line) => line.includes("'sensoryd/room-1/user/ben/cmd/estop'")), 'the E-stop on the E-stop connection');
    assert.deepEqual(sent.filter((line) => !/'sensoryd\/room-1\/user\/\w+\/cmd\/estop'/.test(line)), []);
    // sensoryd is still the room's: a command after the flood is answered.
    assert.equal((await command(ben, 'ben', 'reset', {}, 60000)).ok, true);
  });
}

test('a profile save from a tablet account is dropped by the broker; an editor\'s is saved and recorded as hers', async () => {
  const profile = {
    id: 'calm-cleo', title: 'Calm, by cleo', purpose: 'calming',
    steps: [{ name: 'swing', duration: '30s', fade: '1s', swing: { mode: 'linear', amplitude_deg: 5, period: '3s' } }],
  };
  const ana = await connect('ana');
  const brokerLog = () => fs.readFileSync(path.join(room.dir, 'broker.log'), 'utf8');
  // ana's save never reaches sensoryd: the broker answers her publish "Not authorized" (MQTT 5
  // reason code 135), its log says it denied it, and nothing is saved.
  await assert.rejects(
    ana.publishAsync('sensoryd/room-1/user/ana/cmd/profile_save',
      JSON.stringify({ request_id: 'ana-save', profile, base_version: 0 }), { qos: 1 }),
    (error) => error.code === 135,
  );
  assert.match(brokerLog(), /Denied PUBLISH from ana [^\n]*'sensoryd\/room-1\/user\/ana\/cmd\/profile_save'/);
  assert.equal(fs.existsSync(path.join(room.dir, 'state', 'profiles', 'calm-cleo.toml')), false);

  const cleo = await connect('cleo');
  const saved = await command(cleo, 'cleo', 'profile_save', { profile, base_version: 0 });
  assert.equal(saved.ok, true, JSON.stringify(saved));
  assert.equal(saved.version, 1);
  const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const record = log.find((r) => r.type === 'profile_saved' && r.profile_id === 'calm-cleo');
  assert.equal(record && record.author, 'cleo', JSON.stringify(record));
});

test('a child\'s plan from a tablet or an editor is dropped by the broker; the lead\'s is saved and recorded as hers', async () => {
  const plan = { flags: ['vestibular_sensitive', 'sound_sensitive'], max_amplitude_deg: 7, max_dba: 60, profiles: ['calm-down'] };
  const brokerLog = () => fs.readFileSync(path.join(room.dir, 'broker.log'), 'utf8');
  for (const user of ['ana', 'cleo']) {
    const client = await connect(user);
    await assert.rejects(
      client.publishAsync('sensoryd/room-1/user/' + user + '/cmd/child_plan_save',
        JSON.stringify({ request_id: user + '-plan', child: 'c-022', plan, base_version: 0 }), { qos: 1 }),
      (error) => error.code === 135,
      user,
    );
    assert.match(brokerLog(), new RegExp('Denied PUBLISH from ' + user + " [^\\n]*'sensoryd/room-1/user/" + user + "/cmd/child_plan_save'"));
  }
  assert.equal(fs.existsSync(path.join(room.dir, 'state', 'children', 'c-022.toml')), false);

  const lena = await connect('lena');
  const saved = await command(lena, 'lena', 'child_plan_save', { child: 'c-022', plan, base_version: 0 });
  assert.equal(saved.ok, true, JSON.stringify(saved));
  assert.equal(saved.version, 1);
  assert.equal(fs.existsSync(path.join(room.dir, 'state', 'children', 'c-022.toml')), true);
  const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const record = log.find((r) => r.type === 'child_plan_saved' && r.child === 'c-022');
  assert.equal(record && record.author, 'lena', JSON.stringify(record));
  // The lead is a tablet too, but not an editor: her profile_save is dropped.
  await assert.rejects(
    lena.publishAsync('sensoryd/room-1/user/lena/cmd/profile_save', JSON.stringify({ request_id: 'x', profile: {}, base_version: 0 }), { qos: 1 }),
    (error) => error.code === 135,
  );
});

test('a validation sign-off from a tablet or an editor is dropped by the broker; the lead\'s is recorded as hers (S22)', async () => {
  const brokerLog = () => fs.readFileSync(path.join(room.dir, 'broker.log'), 'utf8');
  for (const user of ['ana', 'cleo']) {
    const client = await connect(user);
    await assert.rejects(
      client.publishAsync('sensoryd/room-1/user/' + user + '/cmd/validate', JSON.stringify({ request_id: user + '-validate' }), { qos: 1 }),
      (error) => error.code === 135,
      user,
    );
    assert.match(brokerLog(), new RegExp('Denied PUBLISH from ' + user + " [^\\n]*'sensoryd/room-1/user/" + user + "/cmd/validate'"));
  }
  const lena = await connect('lena');
  const signed = await command(lena, 'lena', 'validate', {});
  assert.equal(signed.ok, true, JSON.stringify(signed));
  const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const records = log.filter((r) => r.type === 'validation_signed');
  assert.deepEqual(records.map((r) => r.by), ['lena']);
  assert.match(records[0].safety_sha256, /^[0-9a-f]{64}$/);
});

test('an account that asks for sensoryd\'s client ids or the bridge\'s closes none of them, and another tablet\'s E-stop acts', async (t) => {
  const ben = await connect('ben');
  const monitor = await connect('monitor');
  const availability = await collect(monitor, 'sensoryd/room-1/availability');
  await startSession(ben, 'ben');
  const brokerLog = () => fs.readFileSync(path.join(room.dir, 'broker.log'), 'utf8');
  const logBefore = brokerLog().length;
  // ana, a tablet, asks for each id in turn: sensoryd's, its E-stop connection's, the bridge's.
  for (const clientId of ['sensoryd-room-1', 'sensoryd-room-1-estop', 'sensoryd', 'sensoryd-estop', 'zigbee2mqtt']) {
    const ana = await connect('ana', { clientId });
    assert.equal(ana.connected, true, clientId);
  }
  // The broker gave each of ana's connections ana's own id, and closed none of sensoryd's.
  const since = brokerLog().slice(logBefore);
  assert.doesNotMatch(since, /Client (sensoryd|sensoryd-estop|sensoryd-room-1|sensoryd-room-1-estop|zigbee2mqtt) already connected/);
  assert.match(since, /New client connected from [^\n]* as ana /);
  // ben's E-stop still reaches sensoryd, is answered and stops the drive.
  const estopAt = Date.now() / 1000;
  const estop = await command(ben, 'ben', 'estop', {}, 10000);
  assert.equal(estop.ok, true, JSON.stringify(estop));
  const stop = await until(
    () => room.recording().find((r) => r.type === 'write' && r.name === 'control' && r.value === 0 && r.t > estopAt - 0.5),
    5000,
    'the drive written disabled',
  );
  t.diagnostic('E-stop published -> drive disabled: ' + ((stop.t - estopAt) * 1000).toFixed(1) + ' ms');
  assert.deepEqual(availability.map(([, text]) => text).filter((text) => text !== 'online'), [], 'sensoryd never went offline');
});

test('provision-room refuses a tablet named like a role\'s account, twice, or "..", before writing anything', () => {
  const out = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sensoryd-provision-'));
  for (const tablets of [['sensoryd'], ['sensoryd-estop'], ['monitor'], ['zigbee2mqtt'], ['..'], ['ana', 'ana']]) {
    const args = ['--room', 'room-1', '--out', path.join(out, 'room')];
    for (const t of tablets) args.push('--tablet', t);
    const run = spawnSync(path.join(source, 'scripts', 'provision-room'), args, { encoding: 'utf8' });
    assert.equal(run.status, 64, tablets.join(' ') + ': ' + run.stderr);
    assert.match(run.stderr, /provision-room: /, tablets.join(' '));
    assert.equal(fs.existsSync(path.join(out, 'room')), false, tablets.join(' ') + ': nothing written');
  }
  fs.rmSync(out, { recursive: true, force: true });
});

test('no tablet and not monitoring reads another user\'s note or a child\'s response; the event says one was written', async () => {
  const ben = await connect('ben');
  const readers = {};
  for (const user of ['ana', 'monitor']) readers[user] = await collect(await connect(user), 'sensoryd/room-1/#');
  await startSession(ben, 'ben');
  const secret = 'calmer-after-swinging-' + Math.random().toString(16).slice(2);
  const noted = await command(ben, 'ben', 'note', { text: secret });
  assert.equal(noted.ok, true, JSON.stringify(noted));
  const responded = await command(ben, 'ben', 'response', { before: 4, after: 2 });
  assert.equal(responded.ok, true, JSON.stringify(responded));
  for (const [user, seen] of Object.entries(readers)) {
    // Their subscription delivers: the events of both arrive (without the note's text)...
    await until(() => seen.some(([topic, text]) => topic === 'sensoryd/room-1/events' && text.includes('"session_response"')), 10000, user + ' sees the events');
    assert.ok(seen.some(([topic, text]) => topic === 'sensoryd/room-1/events' && text.includes('"session_note"')), user);
    // ...and nothing of ben's commands.
    assert.deepEqual(seen.filter(([topic]) => topic.includes('/cmd/')), [], user);
    assert.equal(seen.some(([, text]) => text.includes(secret)), false, user + ' read the note');
  }
  const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8');
  assert.ok(log.includes(secret), 'the note is in the clinical log');
  assert.equal((await command(ben, 'ben', 'stop')).ok, true);
});

test('the broker disconnects an account that sends a message over 256 KiB, before sensoryd sees it', async () => {
  const ana = await connect('ana');
  const witness = await collect(await connect('witness'), 'sensoryd/room-1/#');
  const closed = new Promise((resolve) => ana.once('close', resolve));
  ana.publish('sensoryd/room-1/user/ana/cmd/note', JSON.stringify({ request_id: 'big', text: 'a'.repeat(1024 * 1024) }), { qos: 0 });
  await closed;
  // A marker after it arrives; the big one never did.
  const ben = await connect('ben');
  await ben.publishAsync('sensoryd/room-1/user/ben/cmd/lease', '{"request_id":"marker"}', { qos: 1 });
  await until(() => witness.some(([, text]) => text.includes('"marker"')), 5000, 'the marker');
  assert.equal(witness.some(([, text]) => text.includes('"big"')), false);
});

test('5,000 retained 10 KB commands from one account are each cleared from the broker, and none is acted on', { timeout: 240000 }, async (t) => {
  const ana = await connect('ana');
  const body = JSON.stringify({ request_id: 'kept', text: 'x'.repeat(10 * 1024) });
  const started = Date.now();
  for (let i = 0; i < 5000; i += 250) {
    const batch = [];
    for (let j = i; j < i + 250; j++) batch.push(ana.publishAsync('sensoryd/room-1/user/ana/cmd/r' + j, body, { qos: 1, retain: true }));
    await Promise.all(batch);
  }
  t.diagnostic('5,000 retained commands published in ' + ((Date.now() - started) / 1000).toFixed(1) + ' s');
  // A new subscriber to those topics (the witness, who may read them) is handed none once
  // sensoryd has cleared them all: asked again on a fresh connection until so.
  await until(async () => {
    const witness = await connect('witness');
    const seen = [];
    const marker = 'done-' + Math.random().toString(16).slice(2);
    const markerSeen = new Promise((resolve) => witness.on('message', (topic, payload, packet) => {
      if (packet.retain && payload.length > 0) seen.push(topic);
      if (payload.toString().includes(marker)) resolve();
    }));
    await witness.subscribeAsync('sensoryd/room-1/user/ana/cmd/#', { qos: 0 });
    // The broker hands a new subscriber the retained messages at once; a live message sent
    // after the SUBACK comes after them.
    await ana.publishAsync('sensoryd/room-1/user/ana/cmd/marker', JSON.stringify({ request_id: marker }), { qos: 1 });
    // While more are retained than the broker queues for one subscriber, it drops the rest
    // and maybe the marker: then this look is over after 10 s, and counts as not yet cleared.
    let bound;
    const seenAll = await Promise.race([
      markerSeen.then(() => true),
      new Promise((resolve) => (bound = setTimeout(() => resolve(false), 10000))),
    ]);
    clearTimeout(bound);
    witness.end(true);
    if (!seenAll) return false;
    return seen.length === 0;
  }, 120000, 'every retained command cleared');
  t.diagnostic('all cleared ' + ((Date.now() - started) / 1000).toFixed(1) + ' s after the first was published');
  // Refused as retained (at the bounded rate, the rest counted), none carried out.
  const log = fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(log.some((r) => r.type === 'command_refused' && r.code === 'retained_command' && r.action.startsWith('r')));
  assert.ok(!log.some((r) => r.type === 'command_refused' && r.code === 'busy' && r.action.startsWith('r')), 'none refused busy');
});

test('one account opening 3,000 connections holds one at a time; sensoryd stays connected and another tablet is answered', { timeout: 300000 }, async (t) => {
  const monitor = await connect('monitor');
  const availability = await collect(monitor, 'sensoryd/room-1/availability');
  const opened = [];
  const started = Date.now();
  for (let batch = 0; batch < 60; batch++) {
    const tries = [];
    for (let i = 0; i < 50; i++) {
      tries.push(mqtt.connectAsync(url(), { protocolVersion: 5, ca: room.ca, reconnectPeriod: 0, connectTimeout: 10000, username: 'ana', password: room.secret('ana'), clientId: 'flood-' + batch + '-' + i }).then((c) => opened.push(c), () => {}));
    }
    await Promise.all(tries);
  }
  t.diagnostic(opened.length + ' of 3000 connections accepted in ' + ((Date.now() - started) / 1000).toFixed(1) + ' s');
  // Each took the account's one connection from the one before: at most one is still open.
  await until(() => opened.filter((c) => c.connected).length <= 1, 10000, 'all but the last closed');
  for (const c of opened) c.end(true);
  const ben = await connect('ben');
  const answer = await command(ben, 'ben', 'lease');
  assert.ok(answer.request_id, JSON.stringify(answer));
  assert.deepEqual(availability.map(([, text]) => text).filter((text) => text !== 'online'), [], 'sensoryd never went offline');
});

// Last: the attacks above (floods up to 300,000 commands, a 1 MiB note, 3,000 connections,
// retained commands) each left sensoryd's memory bounded (issue #27: under 32 MiB throughout).
// Not under the sanitizers, whose shadow memory is counted in the resident set too.
test('sensoryd\'s resident memory stayed under 32 MiB through every attack above', (t) => {
  const peak = peakRssKib();
  t.diagnostic(`sensoryd's peak RSS since it started: ${peak} KiB`);
  if (process.env.SENSORYD_SANITIZE === '1') return;
  assert.ok(peak < 32 * 1024, `peak RSS ${peak} KiB`);
});
