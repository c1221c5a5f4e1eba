// Home Assistant's view of the room (docs/home-assistant.md) on real processes: mosquitto, the
// example room's simulators and sensoryd, which the example room has announce itself by MQTT
// discovery. The test plays Home Assistant: it reads the retained discovery configs, checks
// each against what Home Assistant documents for its component, says `online` on
// homeassistant/status, and presses the discovered buttons.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startRoom, until, source } = require('../../tablet/tests/room.js');
const mqtt = require(path.join(source, 'tablet', 'node_modules', 'mqtt'));

// The configuration variables Home Assistant documents for MQTT discovery
// (home-assistant.io/integrations/sensor.mqtt/, binary_sensor.mqtt/, button.mqtt/, and the
// shared availability, device and origin keys). A key outside these would be ignored or refused
// by Home Assistant, so the test refuses it.
const COMMON = [
  'availability', 'availability_mode', 'availability_template', 'availability_topic',
  'payload_available', 'payload_not_available', 'device', 'enabled_by_default', 'encoding',
  'entity_category', 'entity_picture', 'icon', 'json_attributes_template',
  'json_attributes_topic', 'name', 'object_id', 'default_entity_id', 'origin', 'qos', 'unique_id',
];
const COMPONENTS = {
  sensor: {
    required: ['state_topic'],
    optional: ['device_class', 'expire_after', 'force_update', 'last_reset_value_template',
      'options', 'suggested_display_precision', 'state_class', 'unit_of_measurement', 'value_template'],
  },
  binary_sensor: {
    required: ['state_topic'],
    optional: ['device_class', 'expire_after', 'force_update', 'off_delay', 'payload_off',
      'payload_on', 'value_template'],
  },
  button: {
    required: ['command_topic'],
    optional: ['command_template', 'device_class', 'payload_press', 'retain'],
  },
};
const DEVICE = ['configuration_url', 'connections', 'hw_version', 'identifiers', 'manufacturer',
  'model', 'model_id', 'name', 'serial_number', 'suggested_area', 'sw_version', 'via_device'];
const ORIGIN = ['name', 'sw_version', 'support_url'];
const ENTITY_CATEGORIES = ['config', 'diagnostic'];

let room;
const clients = [];

before(async () => {
  room = await startRoom('home-assistant');
});

after(async () => {
  for (const c of clients) c.end(true);
  if (room) await room.stop();
});

async function connect() {
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:' + room.ports.mqtt, { protocolVersion: 5, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

async function online() {
  const client = await connect();
  let availability = '';
  client.on('message', (topic, payload) => {
    if (topic === 'sensoryd/room-1/availability') availability = payload.toString();
  });
  await client.subscribeAsync('sensoryd/room-1/availability');
  await until(() => availability === 'online', 20000, 'sensoryd online');
  client.end(true);
}

// What the broker holds retained under homeassistant/ now: topic -> payload. The broker sends a
// subscription's retained messages before it answers the next subscription.
async function retainedDiscovery() {
  const client = await connect();
  const held = new Map();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && topic.startsWith('homeassistant/')) held.set(topic, payload.toString());
  });
  await client.subscribeAsync('homeassistant/#', { qos: 0 });
  await client.subscribeAsync('test/after-the-retained', { qos: 0 });
  client.end(true);
  return held;
}

// Checks one config as Home Assistant would read it; returns its unique id.
function check(topic, text) {
  const match = /^homeassistant\/(\w+)\/sensoryd-room-1\/([\w-]+)\/config$/.exec(topic);
  assert.ok(match, 'a discovery topic of the room: ' + topic);
  const component = COMPONENTS[match[1]];
  assert.ok(component, 'a component the room announces: ' + match[1]);
  const config = JSON.parse(text);
  for (const key of Object.keys(config)) {
    assert.ok(COMMON.includes(key) || component.required.includes(key) || component.optional.includes(key),
      topic + ': "' + key + '" is not a documented key of ' + match[1]);
  }
  for (const key of component.required) assert.equal(typeof config[key], 'string', topic + ': ' + key);
  assert.equal(typeof config.unique_id, 'string', topic);
  assert.equal(typeof config.name, 'string', topic);
  assert.equal(config.availability_topic, 'sensoryd/room-1/availability', topic);
  for (const key of Object.keys(config.device)) assert.ok(DEVICE.includes(key), topic + ': device.' + key);
  assert.ok(Array.isArray(config.device.identifiers) && config.device.identifiers.length > 0, topic);
  for (const key of Object.keys(config.origin)) assert.ok(ORIGIN.includes(key), topic + ': origin.' + key);
  if ('entity_category' in config) assert.ok(ENTITY_CATEGORIES.includes(config.entity_category), topic);
  if (match[1] === 'button') {
    assert.match(config.command_topic, /^sensoryd\/room-1\/cmd\/\w+$/, topic);
    assert.doesNotThrow(() => JSON.parse(config.payload_press), topic);
  }
  return config.unique_id;
}

test('the discovery configs are retained, each as Home Assistant documents its component, and sent again when it comes online', async () => {
  await online();
  const held = await retainedDiscovery();
  assert.ok(held.size >= 30, held.size + ' configs');
  const ids = [...held].map(([topic, text]) => check(topic, text));
  assert.equal(new Set(ids).size, ids.length, 'unique ids are unique');
  // One device for the room; every other device is its equipment, linked to it.
  const devices = new Map();
  for (const text of held.values()) {
    const device = JSON.parse(text).device;
    devices.set(device.identifiers[0], device);
  }
  assert.equal(devices.get('sensoryd-room-1').model, 'Sensory room controller');
  for (const [id, device] of devices) {
    if (id !== 'sensoryd-room-1') assert.equal(device.via_device, 'sensoryd-room-1', id);
  }
  for (const equipment of ['swing', 'ceiling-left', 'player', 'cushion', 'estop', 'door']) {
    assert.ok(devices.has('sensoryd-room-1-' + equipment), equipment);
  }
  // Starting stays on the tablet: no start button, no select of profiles.
  assert.ok(![...held.keys()].some((t) => t.includes('/select/') || t.endsWith('/start/config')));

  // Home Assistant's birth message: every config again.
  const ha = await connect();
  const again = new Set();
  ha.on('message', (topic, payload, packet) => {
    if (!packet.retain && held.has(topic) && payload.toString() === held.get(topic)) again.add(topic);
  });
  // Without Retain As Published, a config passed on live arrives unflagged, unlike those the
  // broker sends from its store on subscribing.
  await ha.subscribeAsync('homeassistant/+/sensoryd-room-1/+/config', { qos: 1 });
  await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await until(() => again.size === held.size, 10000, 'every config published again');
});

test('unique ids survive a restart; a device taken out at a restart loses its configs; a reload cannot take one out', async () => {
  await online();
  const before = await retainedDiscovery();
  await room.restartDaemon();
  await online();
  const same = await retainedDiscovery();
  assert.deepEqual([...same.keys()].sort(), [...before.keys()].sort());
  for (const [topic, text] of same) assert.equal(JSON.parse(text).unique_id, JSON.parse(before.get(topic)).unique_id);

  const withoutCushion = (text) =>
    text.replace(/\n\[devices\.cushion\][\s\S]*?\n(?=\[)/, '\n').replace(/\n\[calibrations\.cushion\][\s\S]*?\n(?=#|\[)/, '\n');
  // A reload refuses a change of devices (it needs a restart) and changes nothing.
  const file = path.join(room.dir, 'room.toml');
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, withoutCushion(original));
  assert.ok(!fs.readFileSync(file, 'utf8').includes('[devices.cushion]'));
  room.processes.sensoryd.kill('SIGHUP');
  await until(() => room.log('sensoryd').includes('reload refused: changes to [devices]'), 10000, 'the reload refused');
  assert.equal((await retainedDiscovery()).size, before.size);
  fs.writeFileSync(file, original);

  await room.restartDaemon(withoutCushion);
  await online();
  await until(async () => ![...(await retainedDiscovery()).keys()].some((t) => t.includes('/sensoryd-room-1/cushion-')), 10000, "the cushion's configs removed");
  const after = await retainedDiscovery();
  const gone = [...before.keys()].filter((t) => !after.has(t));
  assert.ok(gone.length >= 2 && gone.every((t) => t.includes('/sensoryd-room-1/cushion-')), gone.join(', '));
  assert.match(room.log('sensoryd'), /Home Assistant: homeassistant\/\w+\/sensoryd-room-1\/cushion-\w+\/config is no longer offered/);
  await room.restartDaemon(() => original);
});

test('the discovered stop and E-stop buttons stop a running session, on what the drive received', async (t) => {
  await online();
  const held = await retainedDiscovery();
  const button = (action) => JSON.parse(held.get('homeassistant/button/sensoryd-room-1/' + action + '/config'));
  const tablet = await connect();
  const session = { state: '' };
  tablet.on('message', (topic, payload) => {
    if (topic === 'sensoryd/room-1/session') Object.assign(session, JSON.parse(payload.toString()));
  });
  await tablet.subscribeAsync('sensoryd/room-1/session');
  // The therapist's tablet stays in the room and renews the supervision lease, as it does.
  const lease = setInterval(() => tablet.publish('sensoryd/room-1/cmd/lease', '{}'), 2000);
  t.after(() => clearInterval(lease));
  const start = async () => {
    await until(async () => {
      if (session.state === 'idle') await tablet.publishAsync('sensoryd/room-1/cmd/start', JSON.stringify({ profile: 'calm-down', therapist: 'ana' }));
      return session.state === 'running';
    }, 30000, 'a running session');
  };
  const press = async (action) => {
    const config = button(action);
    const ha = await connect();
    const at = Date.now() / 1000; // before the publish: the stop may be written before its PUBACK
    await ha.publishAsync(config.command_topic, config.payload_press, { qos: 1 });
    return at;
  };

  await start();
  await until(() => room.recording().some((r) => r.type === 'write' && r.name === 'amplitude' && r.value > 0), 20000, 'the swing set going');
  await press('stop');
  await until(() => ['winding_down', 'idle'].includes(session.state), 10000, 'the session stopping');
  await until(() => session.state === 'idle', 60000, 'the wind-down over');
  // The session's state is published at once; its records reach sessions.jsonl when the disk has them.
  const log = () => fs.readFileSync(path.join(room.dir, 'state', 'sessions.jsonl'), 'utf8').split('\n')
    .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  await until(() => log().some((r) => r.type === 'session_ended' && r.reason === 'stopped'), 5000, 'the session logged as stopped');

  await start();
  const pressed = await press('estop');
  await until(() => room.recording().some((r) => r.type === 'write' && r.name === 'control' && r.value === 0 && r.t > pressed), 5000, 'the drive disabled');
  await until(() => session.state === 'idle', 5000, 'the session ended');
  const tripped = (r) => r.type === 'interlock_tripped' && r.cause === 'estop_command' && Date.parse(r.ts) / 1000 >= pressed - 1;
  await until(() => log().some(tripped), 5000, 'the trip in the clinical log');
  const trip = log().find(tripped);
  assert.equal(trip.source, 'home-assistant', JSON.stringify(trip));
});
