// How many rooms one clinic broker carries on this machine (docs/clinic.md, issue #33): for each
// room count, a clinic mosquitto and that many secure rooms (each its own mosquitto, nginx,
// Modbus simulator and sensoryd, as provisioned), bridged to it; a session runs in every room.
// Printed per room count: the clinic broker's message rate, the delay from a room's broker to
// the clinic's (the overview's update latency), and the CPU of each kind of process. A figure
// program, never a test: `node bench/clinic_scale.js [N ...]` (default 1 2 4), or scripts/bench.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startRoom, until, source, command } = require('../tablet/tests/room.js');
const { startClinic } = require('../tablet/tests/clinic.js');
const mqtt = require(path.join(source, 'tablet', 'node_modules', 'mqtt'));

const WINDOW_MS = 10000;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString());

function cpuTicks(pid) {
  try {
    const fields = fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch (e) {
    return 0;
  }
}

// Every pid of a process tree (the simulator forks its units).
function tree(pid) {
  const out = [pid];
  try {
    for (const child of execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n')) {
      if (child) out.push(...tree(Number(child)));
    }
  } catch (e) {
    /* no children */
  }
  return out;
}

function percentile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

async function measure(n) {
  const ids = Array.from({ length: n }, (_, i) => 'room-' + (i + 1));
  const clinic = await startClinic(ids);
  const rooms = [];
  const clients = [];
  try {
    for (const id of ids) {
      rooms.push(await startRoom('bench-' + id, { secure: true, id, uplink: clinic.uplink(id) }));
    }
    const connect = async (port, ca, user, password) => {
      const c = await mqtt.connectAsync('mqtts://127.0.0.1:' + port, { protocolVersion: 5, ca, username: user, password, reconnectPeriod: 0 });
      clients.push(c);
      return c;
    };
    // The clinic's view, and each room's own, stamped on arrival.
    const atClinic = [];
    const overview = await connect(clinic.port, clinic.ca, 'clinic', clinic.secret('clinic'));
    overview.on('message', (topic, payload) => atClinic.push({ topic, text: payload.toString(), at: performance.now() }));
    await overview.subscribeAsync('sensoryd/#', { qos: 1 });
    const atRoom = [];
    for (const room of rooms) {
      const witness = await connect(room.ports.mqtt, room.ca, 'witness', room.secret('witness'));
      witness.on('message', (topic, payload) => atRoom.push({ topic, text: payload.toString(), at: performance.now() }));
      await witness.subscribeAsync('sensoryd/' + room.id + '/#', { qos: 1 });
    }
    for (const id of ids) {
      await until(() => atClinic.some((m) => m.topic === 'sensoryd/' + id + '/availability' && m.text === 'online'), 60000, id + ' at the clinic');
    }
    // A session in every room, kept supervised (its lease renewed, as a tablet does).
    const tablets = [];
    for (const room of rooms) {
      const tablet = await connect(room.ports.mqtt, room.ca, 'ana', room.secret('ana'));
      tablets.push([room.id, tablet]);
      await command(tablet, 'ana', 'reset', {}, 10000, room.id).catch(() => {});
      await until(async () => (await command(tablet, 'ana', 'start', { profile: 'calm-down' }, 10000, room.id)).ok, 30000, 'a start in ' + room.id);
    }
    const renew = setInterval(() => {
      for (const [id, tablet] of tablets) command(tablet, 'ana', 'lease', {}, 10000, id).catch(() => {});
    }, 2000);
    await new Promise((r) => setTimeout(r, 3000)); // the sessions under way

    const kinds = { 'clinic broker': [clinic.process.pid], 'room brokers': [], sensoryd: [], simulators: [], nginx: [] };
    for (const room of rooms) {
      kinds['room brokers'].push(room.processes.mosquitto.pid);
      kinds.sensoryd.push(room.processes.sensoryd.pid);
      kinds.simulators.push(...tree(room.processes['sim-room'].pid));
      kinds.nginx.push(...tree(room.processes.nginx.pid));
    }
    const before = Object.fromEntries(Object.entries(kinds).map(([k, pids]) => [k, pids.reduce((s, p) => s + cpuTicks(p), 0)]));
    const clinicFrom = atClinic.length;
    const roomFrom = atRoom.length;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(renew);
    const cpu = Object.fromEntries(Object.entries(kinds).map(([k, pids]) => [k, (100 * (pids.reduce((s, p) => s + cpuTicks(p), 0) - before[k])) / TICKS / seconds]));

    // The delay of each room message that reached the clinic: its arrival there minus its
    // arrival at the room's own broker (same topic and text, first match after it).
    const clinicMessages = atClinic.slice(clinicFrom);
    const delays = [];
    const pending = new Map();
    for (const m of atRoom.slice(roomFrom)) {
      const key = m.topic + '\u0000' + m.text;
      if (!pending.has(key)) pending.set(key, []);
      pending.get(key).push(m.at);
    }
    for (const m of clinicMessages) {
      const queue = pending.get(m.topic + '\u0000' + m.text);
      if (queue && queue.length) delays.push(m.at - queue.shift());
    }
    return {
      n,
      rate: clinicMessages.length / seconds,
      delayP50: percentile(delays, 0.5),
      delayP99: percentile(delays, 0.99),
      delays: delays.length,
      cpu,
    };
  } finally {
    for (const c of clients) c.end(true);
    for (const room of rooms) await room.stop();
    await clinic.stop();
    fs.rmSync(clinic.dir, { recursive: true, force: true });
  }
}

(async () => {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  console.log('clinic scale: rooms bridged to one clinic broker, a session in each, ' + WINDOW_MS / 1000 + ' s window (' + os.cpus().length + ' cores)');
  for (const n of counts.length ? counts : [1, 2, 4]) {
    const r = await measure(n);
    const cpu = Object.entries(r.cpu).map(([k, v]) => k + ' ' + v.toFixed(1) + '%').join(', ');
    console.log(`  ${String(r.n).padStart(2)} rooms: clinic ${r.rate.toFixed(0)} msg/s; room -> clinic p50 ${r.delayP50.toFixed(2)} ms, p99 ${r.delayP99.toFixed(2)} ms (n ${r.delays}); CPU of a core: ${cpu}`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
