// The seed pod's second app: the Kubernetes bootcamp server on port 8080.
import http from 'node:http';
import os from 'node:os';

const port = Number(process.env.PORT ?? 8080);
http
  .createServer((req, res) => {
    console.log(`${new Date().toISOString()} ${req.method} ${req.url}`);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`Hello Kubernetes bootcamp! | Running on: ${os.hostname()} | v=1\n`);
  })
  .listen(port, () => console.log(`Kubernetes Bootcamp App Started At: ${new Date().toISOString()} | Running On: ${os.hostname()}`));
