// Loaded (node --require) into the SES emulator, aws-ses-v2-local, which keeps Node's
// default 5 s keep-alive. The SDK keeps idle connections open and reuses them; one the
// server closes at that moment fails as "socket hang up", and a send that fails so is
// never retried (it may have been sent). AWS's endpoints keep idle connections for
// minutes; so does the emulator, with this.
const http = require('node:http');

const createServer = http.createServer;
http.createServer = function keepingAlive(...args) {
  const server = createServer.apply(this, args);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  return server;
};
