// A whole simulated room for the browser tests, as processes on loopback: a real mosquitto with
// the room's websockets listener serving the tablet page, sensoryd-sim-room (the example room's
// Modbus cabinet and MQTT equipment, recording what they receive) and sensoryd with the example
// room. Ports are free ones found at start; everything is stopped by stop().
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const source = path.resolve(__dirname, '..', '..');
const build = path.resolve(process.env.SENSORYD_BUILD_DIR || path.join(source, 'build'));

// A port free now on 127.0.0.1, with `following` more free ports right after it. Below Linux's
// ephemeral range (32768-60999): a port picked inside it could be taken, between this check and
// the server's bind, by the local end of any outgoing connection (seen: the Modbus simulator's
// "Address already in use" while Chromium and the room's clients were connecting).
// Ports in `taken` (chosen for this room, not bound yet) are never given again.
async function freePorts(following, taken = []) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + Math.floor(Math.random() * 12000);
    let ok = true;
    for (let p = first; p <= first + following && ok; p++) ok = !taken.includes(p) && (await portFree(p));
    if (ok) {
      for (let p = first; p <= first + following; p++) taken.push(p);
      return first;
    }
  }
  throw new Error('no free loopback ports found');
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// Polls `check` (async, returns truthy when done) every 50 ms until it holds or `ms` pass. With
// `child`, stops early when that process has exited: waiting on a program that is gone only
// hides why (its log says).
async function until(check, ms, what, child = null) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(what + ' exited (' + (child.exitCode ?? child.signalCode) + ') before it was ready');
    }
    if (Date.now() > deadline) throw new Error('timed out after ' + ms + ' ms waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(program, args, stdio = 'inherit') {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(program + ' exited ' + code))));
  });
}

// The secure room (docs/security.md): scripts/provision-room writes the broker's files from the
// shipped templates (accounts sensoryd, zigbee2mqtt, player, monitor, the tablets ana and ben,
// and cleo, a tablet that may edit profiles), the broker runs that configuration as written
// (plus what a test run as root needs), nginx serves the page over HTTPS with the written server
// block and passes /mqtt to the broker, and sensoryd connects over TLS with its password and
// require_identity.
// nginx as a room's (or a clinic's) would run it, in `dir` (nginx.conf, logs, its own folder),
// around the server block provisioning wrote (`server`). Started with nginxArgs(dir).
function writeNginxConf(dir, server) {
  const root = process.getuid && process.getuid() === 0;
  fs.mkdirSync(path.join(dir, 'nginx'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), [
    ...(root ? ['user root;'] : []),
    'daemon off;',
    'worker_processes 1;',
    'pid ' + path.join(dir, 'nginx', 'nginx.pid') + ';',
    'error_log ' + path.join(dir, 'nginx.log') + ' info;',
    'events { worker_connections 64; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  access_log ' + path.join(dir, 'nginx.log') + ';',
    '  client_body_temp_path ' + path.join(dir, 'nginx', 'body') + ';',
    '  proxy_temp_path ' + path.join(dir, 'nginx', 'proxy') + ';',
    '  include ' + server + ';',
    '}',
  ].join('\n') + '\n');
}

function nginxArgs(dir) {
  return ['-e', path.join(dir, 'nginx.log'), '-p', path.join(dir, 'nginx'), '-c', path.join(dir, 'nginx.conf')];
}

// `uplink`: { address, ca, passwordFile } of a clinic's broker (scripts/provision-clinic) this
// room's broker bridges to, as provision-room --clinic-uplink writes it.
async function secureBroker(room, dir, config, mqttPort, tabletPort, wsPort, uplink) {
  const broker = path.join(dir, 'broker');
  const bridge = uplink
    ? ['--clinic-uplink', uplink.address, '--clinic-ca', uplink.ca, '--clinic-password-file', uplink.passwordFile]
    : [];
  await run(path.join(source, 'scripts', 'provision-room'), [
    '--room', room.id, '--out', broker, '--tablet', 'ana', '--tablet', 'ben', '--editor', 'cleo', '--lead', 'lena',
    '--mqtt-port', String(mqttPort), '--tablet-port', String(tabletPort), '--ws-port', String(wsPort),
    '--bind', '127.0.0.1', '--http-dir', path.join(build, 'tablet', 'www'), ...bridge,
  ], 'ignore');
  room.broker = broker;
  room.secret = (user) => fs.readFileSync(path.join(broker, 'secrets', user), 'utf8').trim();
  // A witness for the tests, beside what provision-room wrote: it reads every topic of the room
  // (commands too, which no role but sensoryd may), to see whether a forged message landed.
  fs.writeFileSync(path.join(broker, 'secrets', 'witness'), 'witness-password\n', { mode: 0o600 });
  await run('mosquitto_passwd', ['-b', path.join(broker, 'passwords'), 'witness', 'witness-password']);
  fs.appendFileSync(path.join(broker, 'acl'), '\nuser witness\ntopic read sensoryd/' + room.id + '/#\ntopic read zigbee2mqtt/#\n');
  room.ca = fs.readFileSync(path.join(broker, 'ca.pem'));
  const root = process.getuid && process.getuid() === 0;
  // The broker's log says which connection each message was sent on (secure_room.test.js).
  let conf = fs.readFileSync(path.join(broker, 'mosquitto.conf'), 'utf8') + 'persistence false\n' +
    'log_dest file ' + path.join(dir, 'broker.log') + '\nlog_type all\n';
  if (root) conf += 'user root\n';
  if (uplink) conf += fs.readFileSync(path.join(broker, 'bridge-clinic.conf'), 'utf8');
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf);
  writeNginxConf(dir, path.join(broker, 'nginx-tablet.conf'));
  const secure = config.replace(
    'uri = "tcp://127.0.0.1:' + mqttPort + '"',
    'uri = "ssl://127.0.0.1:' + mqttPort + '"\nusername = "sensoryd"\n' +
      'password_file = "' + path.join(broker, 'secrets', 'sensoryd') + '"\n' +
      'estop_username = "sensoryd-estop"\n' +
      'estop_password_file = "' + path.join(broker, 'secrets', 'sensoryd-estop') + '"\nrequire_identity = true',
  ).replace(
    // Home Assistant as the monitoring account (docs/home-assistant.md, "In a secure room").
    'discovery_prefix = "homeassistant"',
    'discovery_prefix = "homeassistant"\nuser = "monitor"\nbuttons = ["stop", "estop"]',
  );
  fs.writeFileSync(path.join(dir, 'room.toml'), secure + '\n[mqtt.tls]\nca_file = "' + path.join(broker, 'ca.pem') + '"\n');
}

class Room {
  constructor(dir, id) {
    this.dir = dir;
    this.id = id;
    this.processes = {};
  }

  start(name, program, args) {
    const log = fs.openSync(path.join(this.dir, name + '.log'), 'a');
    const child = spawn(program, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.processes[name] = child;
    return child;
  }

  log(name) {
    try {
      return fs.readFileSync(path.join(this.dir, name + '.log'), 'utf8');
    } catch (e) {
      return '';
    }
  }

  // One line to the Modbus cabinet simulator's control port, as the room's hands: "unit 3 input
  // 0 0" presses the E-stop (its contact opens), "unit 4 input 0 1" opens the door. Resolves with
  // the simulator's answer.
  cabinet(line) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.ports.modbus + 1, '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.once('connect', () => socket.write(line + '\n'));
      socket.on('data', (chunk) => {
        answer += chunk;
        if (answer.includes('\n')) {
          socket.destroy();
          const first = answer.split('\n')[0];
          if (first.startsWith('ok')) resolve(first);
          else reject(new Error('the cabinet simulator answered "' + first + '" to "' + line + '"'));
        }
      });
      socket.once('error', reject);
    });
  }

  // What the Modbus cabinet's simulator recorded so far, one object per line.
  recording() {
    const file = path.join(this.dir, 'cabinet-recording.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim().startsWith('{') && line.trim().endsWith('}'))
      .map((line) => JSON.parse(line));
  }

  // Stops sensoryd as systemd would (SIGTERM, its wind-down), lets `edit` change the room file
  // (its text in, the new text out), and starts it again on the same state directory.
  async restartDaemon(edit = (text) => text) {
    const daemon = this.processes.sensoryd;
    daemon.kill('SIGTERM');
    await daemon.exited;
    const file = path.join(this.dir, 'room.toml');
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
    this.startDaemon();
  }

  startDaemon() {
    this.start('sensoryd', path.join(build, 'daemon', 'sensoryd'), [
      '--config', path.join(this.dir, 'room.toml'),
      '--state-dir', path.join(this.dir, 'state'),
    ]);
  }

  // The broker stops answering without closing anything (SIGSTOP), as a socket does that a
  // locked iPad or a dropped Wi-Fi left "open"; thawBroker() lets it go on.
  freezeBroker() {
    this.processes.mosquitto.kill('SIGSTOP');
  }
  thawBroker() {
    this.processes.mosquitto.kill('SIGCONT');
  }

  // Kills sensoryd as a power cut or a crash would: no clean "offline" of its own.
  async killDaemon() {
    const daemon = this.processes.sensoryd;
    daemon.kill('SIGKILL');
    await daemon.exited;
  }

  async stop() {
    // sensoryd first, so it brings the swing to rest while the simulators still answer.
    const order = ['sensoryd', 'sim-room', 'nginx', 'mosquitto'];
    this.thawBroker(); // a test that failed while the broker was frozen
    for (const name of order) {
      const child = this.processes[name];
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await child.exited;
      clearTimeout(timer);
    }
  }
}

// Starts the example room; resolves once sensoryd is started (the page tells when it is online).
// Options: `secure` (the provisioned room), `edit` (a function of the room file's text),
// `checks` (keep its daily E-stop and door checks on), `tabletUser`, `clientId`.
// A room that fails to start is stopped before the error is thrown, with each process's log
// tail in the message: a test that failed there has no room to stop, and a process left running
// would keep the test file from ever ending.
async function startRoom(name, options = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensoryd-tablet-' + name + '-'));
  // `options.id`: the room's id (default the example's, room-1).
  const room = new Room(dir, options.id || 'room-1');
  try {
    await startProcesses(room, dir, options);
    return room;
  } catch (e) {
    for (const name of Object.keys(room.processes)) {
      e.message += '\n--- ' + name + ' log (tail) ---\n' + room.log(name).split('\n').slice(-15).join('\n');
    }
    await room.stop();
    throw e;
  }
}

// Processes start on a loaded machine too (CI's two cores, every test before this one): the
// waits are polls with a generous bound, and stop early when the awaited process has exited.
const startWithinMs = 30000;

async function startProcesses(room, dir, options) {
  const taken = [];
  const mqttPort = await freePorts(1, taken); // the MQTT simulator's control port is the next one
  const modbusPort = await freePorts(1, taken); // and the Modbus simulator's
  const tabletPort = await freePorts(0, taken);
  const wsPort = await freePorts(0, taken); // the secure room's broker websockets, behind nginx
  room.ports = { mqtt: mqttPort, modbus: modbusPort, tablet: tabletPort, ws: wsPort };
  room.url = (options.secure ? 'https' : 'http') + '://127.0.0.1:' + tabletPort + '/';

  // `options.edit` changes the example room's text for this test (a limit, a device).
  const example = fs.readFileSync(path.join(source, 'config', 'examples', 'room.toml'), 'utf8');
  const edit = options.edit || ((text) => text);
  // The daily E-stop and door checks (S21) are off, with a reason, unless a test is about them.
  const checks = options.checks
    ? (text) => text
    : (text) =>
        text
          .replace(/^estop_interval = .*$/m, 'estop_interval = "off"\nestop_interval_reason = "a test of other things"')
          .replace(/^door_interval = .*$/m, 'door_interval = "off"\ndoor_interval_reason = "a test of other things"');
  const config = edit(checks(example))
    .replace('tcp://127.0.0.1:1883', 'tcp://127.0.0.1:' + mqttPort)
    .replace(/^port = 1502/m, 'port = ' + modbusPort)
    .replace(/^profiles_dir = "profiles"/m, 'profiles_dir = "' + path.join(source, 'config', 'examples', 'profiles') + '"')
    .replace(/^id = "room-1"/m, 'id = "' + room.id + '"');
  fs.symlinkSync(path.join(source, 'config', 'templates'), path.join(dir, 'templates'));

  if (options.secure) {
    await secureBroker(room, dir, config, mqttPort, tabletPort, wsPort, options.uplink);
  } else {
    // As the room's broker runs it (config/examples/mosquitto-room.conf): a plain listener for
    // sensoryd and the equipment, one websockets listener for the tablet that also serves the
    // page; with `tabletUser`, the tablet's listener takes only that user and password.
    fs.writeFileSync(path.join(dir, 'room.toml'), config);
    const conf = ['per_listener_settings true', 'set_tcp_nodelay true', 'persistence false'];
    if (process.getuid && process.getuid() === 0) conf.push('user root');
    conf.push('listener ' + mqttPort + ' 127.0.0.1', 'allow_anonymous true');
    conf.push(
      'listener ' + tabletPort + ' 127.0.0.1',
      'protocol websockets',
      'socket_domain ipv4',
      'http_dir ' + path.join(build, 'tablet', 'www'),
    );
    if (options.tabletUser) {
      const passwords = path.join(dir, 'passwords');
      fs.writeFileSync(passwords, '');
      await run('mosquitto_passwd', ['-b', passwords, options.tabletUser.name, options.tabletUser.password]);
      conf.push('allow_anonymous false', 'password_file ' + passwords);
    } else {
      conf.push('allow_anonymous true');
    }
    fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf.join('\n') + '\n');
  }

  const broker = room.start('mosquitto', 'mosquitto', ['-c', path.join(dir, 'mosquitto.conf')]);
  const brokerPage = options.secure ? wsPort : tabletPort;
  await until(async () => (await accepts(mqttPort)) && (await accepts(brokerPage)), startWithinMs, 'mosquitto', broker);
  let simulator;
  if (options.secure) {
    const nginx = room.start('nginx', 'nginx', nginxArgs(dir));
    await until(() => accepts(tabletPort), startWithinMs, 'nginx', nginx);
    // The Modbus cabinet only: the MQTT equipment's simulator has no account on this broker
    // (lights and the player are then lost, which never stops motion).
    simulator = room.start('sim-room', path.join(build, 'simulators', 'sensoryd-modbus-sim'), [
      '--port', String(modbusPort),
      '--control-port', String(modbusPort + 1),
      '--record', path.join(dir, 'cabinet-recording.jsonl'),
      '--config', path.join(dir, 'room.toml'),
      '--bus', 'cabinet',
    ]);
  } else {
    simulator = room.start('sim-room', path.join(build, 'simulators', 'sensoryd-sim-room'), [
      '--config', path.join(dir, 'room.toml'),
      '--record-dir', dir,
      '--mqtt-control-port', String(mqttPort + 1),
    ]);
  }
  await until(() => accepts(modbusPort), startWithinMs, 'the Modbus simulator', simulator);
  room.startDaemon();
}

// A command as a tablet sends it over MQTT 5, on `user`'s authenticated path (or the open path
// when `user` is empty), answered on the client's own reply topic; resolves to the reply.
// `room`: the room's id (default room-1).
async function command(client, user, action, fields = {}, replyWithin = 10000, room = 'room-1') {
  const replyTopic = 'sensoryd/' + room + '/reply/' + client.options.clientId;
  if (!client.replies) {
    client.replies = new Map();
    client.on('message', (topic, payload) => {
      if (topic !== replyTopic) return;
      const reply = JSON.parse(payload.toString());
      client.replies.set(reply.request_id, reply);
    });
    await client.subscribeAsync(replyTopic, { qos: 1 });
  }
  const id = action + '-' + Math.random().toString(16).slice(2);
  const path = user ? 'sensoryd/' + room + '/user/' + user + '/cmd/' : 'sensoryd/' + room + '/cmd/';
  await client.publishAsync(path + action, JSON.stringify({ request_id: id, ...fields }), {
    qos: 1,
    properties: { responseTopic: replyTopic },
  });
  return until(() => client.replies.get(id), replyWithin, 'the reply to ' + action);
}

module.exports = { startRoom, until, build, source, command, freePorts, accepts, writeNginxConf, nginxArgs };
