// scripts/demo --clinic: a clinic of three simulated secure rooms on this machine, on loopback
// (docs/clinic.md). A clinic broker from scripts/provision-clinic with its overview page, and
// three rooms from scripts/provision-room --clinic-uplink, each its own mosquitto, nginx,
// simulators and sensoryd, bridged to it. A session runs in room 2 (its lease renewed as a
// tablet does). What the clinic sees is printed every 2 s, read by the overview page's own
// model (tablet/clinic-state.js). Then the clinic's link is cut (its broker stopped for 15 s):
// room 2 runs on, as its own broker says; and restored: the clinic catches up.
//   node scripts/demo-clinic.js [--for SECONDS]   (default: until Ctrl-C)
'use strict';

const path = require('node:path');
const { startRoom, until, source, command } = require('../tablet/tests/room.js');
const { startClinic } = require('../tablet/tests/clinic.js');
const ClinicState = require('../tablet/clinic-state.js');
const mqtt = require(path.join(source, 'tablet', 'node_modules', 'mqtt'));

const ROOMS = ['room-1', 'room-2', 'room-3'];
const CUT_AT_S = 20;
const CUT_FOR_S = 15;

const forIndex = process.argv.indexOf('--for');
const runForS = forIndex > 0 ? Number(process.argv[forIndex + 1]) : Infinity;
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0).padStart(3) + ' s';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let clinic = null;
const rooms = [];
const clients = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of clients) c.end(true);
  for (const room of rooms) await room.stop().catch(() => {});
  if (clinic) await clinic.stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function connect(port, ca, user, password) {
  const client = await mqtt.connectAsync('mqtts://127.0.0.1:' + port, { protocolVersion: 5, ca, username: user, password, reconnectPeriod: 500 });
  clients.push(client);
  return client;
}

// One line: each room as the clinic's overview shows it.
function clinicLine(model, up) {
  if (!up) return "clinic: (the clinic's broker is down)";
  const rows = ClinicState.rows(model, Date.now());
  if (rows.length === 0) return 'clinic: no room heard yet';
  return 'clinic: ' + rows.map((r) => r.id + ' ' + (r.online ? r.stateText : 'Offline') + (r.remaining ? ' (' + r.remaining + ')' : '') + ', ' + r.linkText.toLowerCase()).join(' | ');
}

(async () => {
  console.log('demo: starting a clinic broker and three secure rooms bridged to it (about 30 s)...');
  clinic = await startClinic(ROOMS, { web: true });
  for (const id of ROOMS) rooms.push(await startRoom('demo-clinic-' + id, { secure: true, id, uplink: clinic.uplink(id) }));
  const room2 = rooms[1];

  const model = ClinicState.create();
  const desk = await connect(clinic.port, clinic.ca, 'clinic', clinic.secret('clinic'));
  desk.on('message', (topic, payload) => ClinicState.applyMessage(model, topic, payload.toString(), Date.now()));
  desk.on('connect', () => desk.subscribe('sensoryd/#', { qos: 1 }));
  await desk.subscribeAsync('sensoryd/#', { qos: 1 });

  console.log('');
  console.log('The clinic overview: https://127.0.0.1:' + clinic.webPort + '/clinic.html');
  console.log('  sign in as clinic, password ' + clinic.secret('clinic') + ' (the certificate is the clinic CA\'s: ' + path.join(clinic.folder, 'ca.pem') + ')');
  for (const room of rooms) console.log('Room ' + room.id + "'s tablet page: " + room.url + ' (ana, password ' + room.secret('ana') + ')');
  console.log('Each room\'s uplink, as the room\'s technician would ask: scripts/clinic-link-status --bridge-conf ' +
    path.join(room2.broker, 'bridge-clinic.conf') + ' --log ' + path.join(room2.dir, 'broker.log'));
  console.log('');

  // A session in room 2, started and supervised by ana's tablet in the room.
  const tablet = await connect(room2.ports.mqtt, room2.ca, 'ana', room2.secret('ana'));
  const inRoom = await connect(room2.ports.mqtt, room2.ca, 'witness', room2.secret('witness'));
  let roomSession = {};
  inRoom.on('message', (topic, payload) => {
    if (topic.endsWith('/session')) roomSession = JSON.parse(payload.toString());
  });
  await inRoom.subscribeAsync('sensoryd/room-2/session', { qos: 1 });
  await until(async () => (await command(tablet, 'ana', 'start', { profile: 'calm-down' }, 10000, 'room-2')).ok, 30000, 'a start in room 2');
  console.log(seconds() + "  room 2: ana started 'calm-down' on her tablet in the room");
  const renew = setInterval(() => command(tablet, 'ana', 'lease', {}, 10000, 'room-2').catch(() => {}), 3000);

  let clinicUp = true;
  let cut = false;
  let restoredAt = null;
  while (Date.now() - started < runForS * 1000) {
    await sleep(2000);
    const elapsed = (Date.now() - started) / 1000;
    if (!cut && elapsed >= CUT_AT_S) {
      cut = true;
      console.log(seconds() + "  cutting the clinic's link: its broker stopped for " + CUT_FOR_S + ' s. The rooms go on:');
      clinicUp = false;
      await clinic.stopBroker();
      model.rooms.clear(); // the clinic's broker keeps nothing (persistence off): start afresh
      setTimeout(async () => {
        console.log(seconds() + "  the clinic's broker is back: the clinic catches up");
        await clinic.startBroker();
        clinicUp = true;
        restoredAt = Date.now();
      }, CUT_FOR_S * 1000);
    }
    const inRoom2 = 'room 2 (its own broker): ' + (roomSession.state || '?') + ', ' + (roomSession.elapsed_s || 0).toFixed(0) + ' s in';
    console.log(seconds() + '  ' + clinicLine(model, clinicUp) + (clinicUp ? '' : '   ' + inRoom2));
    if (restoredAt) {
      const rows = ClinicState.rows(model, Date.now());
      const back = rows.find((r) => r.id === 'room-2');
      if (back && back.link === 'up' && back.sessionState === 'running') {
        console.log(seconds() + "  room 2's state and link are at the clinic again, " + ((Date.now() - restoredAt) / 1000).toFixed(1) + ' s after its broker came back');
        restoredAt = null;
      }
    }
  }
  clearInterval(renew);
  await stopAll(0);
})().catch(async (e) => {
  console.error('demo: ' + (e && e.message ? e.message : e));
  await stopAll(1);
});
