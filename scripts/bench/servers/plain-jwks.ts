/**
 * The service bench's baseline: a plain node:http server answering the JWKS
 * with the same handler code the `auth.jwks` procedure runs — the TokenIssuer
 * built on the auth database — as one JSON body with a Content-Length. No
 * routing table, no validation, no context: the floor for serving this answer
 * from Node.
 */
import http from 'node:http';
import { createTokenIssuer } from '@lockbox/auth-service/token-issuer';
import { listenUntilSignalled, openAuthKit } from './auth-kit';

const JWKS_PATH = '/auth/.well-known/jwks.json';

const kit = await openAuthKit('plain-jwks');
const issuer = await createTokenIssuer(kit.db);

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method === 'GET' && (req.url === JWKS_PATH || req.url === '/health')) {
    const body = JSON.stringify(req.url === JWKS_PATH ? issuer.jwks : { status: 'ok' });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-length': 0 });
  res.end();
});

await listenUntilSignalled(server, () => kit.db.close());
