// A clinic's broker as scripts/provision-clinic writes it (docs/clinic.md), on loopback, for the
// clinic's e2e test, its scale bench and its demo: provisioned for the given rooms, run with
// no state kept between runs, its log kept in its folder, and with `web` the clinic's nginx
// serving the overview page. Rooms bridge to it with startRoom(..., { uplink: clinic.uplink(id) }).
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { until, build, source, freePorts, accepts, writeNginxConf, nginxArgs } = require('./room.js');

async function startClinic(roomIds, { web = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensoryd-clinic-'));
  const taken = [];
  const port = await freePorts(0, taken);
  const wsPort = await freePorts(0, taken);
  const webPort = await freePorts(0, taken);
  const folder = path.join(dir, 'clinic');
  execFileSync(path.join(source, 'scripts', 'provision-clinic'), [
    '--out', folder, '--mqtt-port', String(port), '--ws-port', String(wsPort), '--web-port', String(webPort),
    '--bind', '127.0.0.1', '--http-dir', path.join(build, 'tablet', 'www'), ...roomIds.flatMap((id) => ['--room', id]),
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  let conf = fs.readFileSync(path.join(folder, 'mosquitto.conf'), 'utf8') +
    'persistence false\nlog_dest file ' + path.join(dir, 'broker.log') + '\nlog_type all\n';
  if (process.getuid && process.getuid() === 0) conf += 'user root\n';
  fs.writeFileSync(path.join(dir, 'run.conf'), conf);

  const clinic = {
    dir,
    folder, // what provision-clinic wrote
    port,
    wsPort,
    webPort,
    ca: fs.readFileSync(path.join(folder, 'ca.pem')),
    process: null, // the clinic's mosquitto while it runs
    nginx: null,
    secret: (user) => fs.readFileSync(path.join(folder, 'secrets', user), 'utf8').trim(),
    // A room's uplink to this clinic, as provision-room --clinic-uplink takes it.
    uplink: (id, passwordFile = path.join(folder, 'secrets', id + '-uplink')) => ({
      address: '127.0.0.1:' + port,
      ca: path.join(folder, 'ca.pem'),
      passwordFile,
    }),
    async startBroker() {
      const child = spawn('mosquitto', ['-c', path.join(dir, 'run.conf')], { stdio: 'ignore' });
      child.exited = new Promise((resolve) => child.once('exit', resolve));
      clinic.process = child;
      await until(() => accepts(port), 30000, 'the clinic broker', child);
    },
    async stopBroker() {
      if (!clinic.process || clinic.process.exitCode !== null) return;
      clinic.process.kill('SIGTERM');
      await clinic.process.exited;
    },
    async stop() {
      if (clinic.nginx) clinic.nginx.kill('SIGTERM');
      await clinic.stopBroker();
    },
  };
  await clinic.startBroker();
  if (web) {
    await until(() => accepts(wsPort), 30000, "the clinic broker's websockets");
    writeNginxConf(dir, path.join(folder, 'nginx-clinic.conf'));
    clinic.nginx = spawn('nginx', nginxArgs(dir), { stdio: 'ignore' });
    await until(() => accepts(webPort), 30000, "the clinic's nginx", clinic.nginx);
  }
  return clinic;
}

module.exports = { startClinic };
