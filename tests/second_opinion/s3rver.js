// Starts s3rver bound to 127.0.0.1 with a throwaway directory.
// Usage: node s3rver.js PORT DIR READYFILE
'use strict';
const fs = require('fs');
const S3rver = require('s3rver');
const server = new S3rver({ address: '127.0.0.1', port: parseInt(process.argv[2], 10),
                            directory: process.argv[3], silent: true });
server.run().then(({ address, port }) => {
  const url = 'http://' + address + ':' + port;
  fs.writeFileSync(process.argv[4], url + '\n');
  console.log('s3rver at ' + url);
}, (e) => { console.error(e); process.exit(1); });
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
