// A flood of commands from one account, for secure_room.test.js: a process of its own, so that
// the other account's E-stop is not held back by this client's own writes. Prints "half" once
// half of them are written to its socket and "done" when all are.
//   node flood.js URL USER PASSWORD_FILE CA_FILE TOPIC PAYLOAD COUNT
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { source } = require('../../tablet/tests/room.js');
const mqtt = require(path.join(source, 'tablet', 'node_modules', 'mqtt'));

const [url, username, passwordFile, caFile, topic, payload, count] = process.argv.slice(2);

(async () => {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    username,
    password: fs.readFileSync(passwordFile, 'utf8').trim(),
    ca: fs.readFileSync(caFile),
    clientId: username + '-flood',
    reconnectPeriod: 0,
  });
  // In batches of 500, each handed over as soon as the previous one is written: as fast as the
  // socket takes them, without a listener per message waiting for it to drain.
  const total = Number(count);
  for (let i = 0; i < total; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + 500); j++) batch.push(client.publishAsync(topic, payload, { qos: 0 }));
    await Promise.all(batch);
    if (i < total / 2 && i + 500 >= total / 2) process.stdout.write('half\n');
  }
  process.stdout.write('done\n');
  await client.endAsync();
})().catch((e) => {
  process.stderr.write('flood: ' + e.message + '\n');
  process.exit(1);
});
