// The seed pod's web server: what `httpd` (Apache's default page) answers on port 80.
import http from 'node:http';

const port = Number(process.env.PORT ?? 80);
http
  .createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><body><h1>It works!</h1></body></html>\n');
  })
  .listen(port, () => console.log(`httpd listening on :${port}`));
