// A real OpenID Connect provider on loopback for Portico's relying-party tests: panva's
// oidc-provider (certified by the OpenID Foundation), written apart from Portico. Only the login
// screen is ours: the test says who signs in next (POST /_test/login), and the interaction is
// finished for that person without a form. Everything a relying party sees (discovery, JWKS,
// authorization with PKCE, the token endpoint, ID tokens, userinfo) is oidc-provider's own.
//
// A test may also ask the provider to misbehave once (POST /_test/tamper): the next token
// response's ID token is re-signed with the provider's own key with another `nonce`, `aud`,
// `iss` or `exp`, or has its payload changed without a new signature, so that the relying
// party's own checks are what refuse it.
//
// Environment: OP_CLIENTS (JSON array of clients in oidc-provider's metadata), OP_ACCOUNTS (JSON
// object: sub -> claims). Prints `listening <issuer>` when ready.

import { createServer } from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OP_CLIENTS || '[]');
const accounts = JSON.parse(process.env.OP_ACCOUNTS || '{}');

function jwk(kind, options, alg) {
  const { privateKey } = crypto.generateKeyPairSync(kind, options);
  const key = privateKey.export({ format: 'jwk' });
  return { ...key, alg, use: 'sig', kid: `${alg.toLowerCase()}-${crypto.randomUUID()}` };
}
const keys = [
  jwk('rsa', { modulusLength: 2048 }, 'RS256'),
  jwk('ec', { namedCurve: 'P-256' }, 'ES256'),
  jwk('ed25519', {}, 'EdDSA'),
];

const b64 = (buf) => Buffer.from(buf).toString('base64url');
function resign(idToken, change) {
  const [h, p, s] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = { ...JSON.parse(Buffer.from(p, 'base64url')), ...change.claims };
  const body = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  if (change.keepSignature) return `${body}.${s}`;
  const key = crypto.createPrivateKey({ key: keys.find((k) => k.kid === header.kid), format: 'jwk' });
  const data = Buffer.from(body);
  let sig;
  if (header.alg === 'RS256') sig = crypto.sign('sha256', data, key);
  else if (header.alg === 'ES256') sig = crypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  else sig = crypto.sign(null, data, key);
  return `${body}.${b64(sig)}`;
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

let nextLogin = null;
let tamper = null;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  acrValues: ['http://eidas.europa.eu/LoA/low', 'http://eidas.europa.eu/LoA/substantial', 'http://eidas.europa.eu/LoA/high'],
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'name'],
    email: ['email', 'email_verified'],
    person: ['person_identifier'],
  },
  scopes: ['openid', 'profile', 'email', 'person'],
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  async findAccount(_ctx, sub) {
    if (!accounts[sub]) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
});

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body ? JSON.parse(body) : {};
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/_test/login') {
    nextLogin = await readJson(ctx.req);
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/_test/tamper') {
    tamper = await readJson(ctx.req);
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'GET' && ctx.path.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session } = details;
    let result;
    if (prompt.name === 'login') {
      if (!nextLogin) {
        ctx.status = 400;
        ctx.body = 'the test has not said who signs in';
        return;
      }
      result = { login: { accountId: nextLogin.sub, acr: nextLogin.acr } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, tamper) };
    tamper = null;
  }
});

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
provider.on("server_error", (ctx, err) => console.error("server_error", err));
process.on('SIGTERM', () => process.exit(0));
