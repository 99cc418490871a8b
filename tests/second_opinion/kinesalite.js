// Starts kinesalite bound to 127.0.0.1 only (its CLI listens on every
// interface). Usage: node kinesalite.js PORT READYFILE
'use strict';
const fs = require('fs');
const kinesalite = require('kinesalite');
const port = parseInt(process.argv[2], 10);
const server = kinesalite({ createStreamMs: 50, deleteStreamMs: 50, updateStreamMs: 50, shardLimit: 50 });
server.listen(port, '127.0.0.1', () => {
  const url = 'http://127.0.0.1:' + server.address().port;
  fs.writeFileSync(process.argv[3], url + '\n');
  console.log('kinesalite at ' + url);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
