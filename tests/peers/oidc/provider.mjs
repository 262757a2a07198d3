// A real OpenID Connect provider (the npm package oidc-provider) for Job
// Copilot's sign-in tests. It is the real thing on loopback, with three test
// hooks: a scriptable login (/interaction/:uid?sub=…), key rotation, and
// "attack" modes that tamper with ID tokens the way a hostile network would.
//
//   node provider.mjs --client-id ID --client-secret SECRET --redirect-uri URI
// prints "listening <port>" once ready.

import http from 'node:http';
import { parseArgs } from 'node:util';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});

const accounts = new Map();
let mode = 'normal';
let codeTtl = 60;
let currentKey;
let provider;

async function newKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid: `key-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`, alg: 'RS256', use: 'sig' };
}

function build(issuer, key) {
  const p = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: [args['redirect-uri']],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    jwks: { keys: [key] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: {
      names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_resume', state: 'op_state' },
      keys: ['jobcopilot-test-cookie-key'],
    },
    ttl: { AuthorizationCode: () => codeTtl },
    async findAccount(ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.verified, name: account.name };
        },
      };
    },
  });
  // Tampering with issued ID tokens, as an attacker between us and the app would.
  p.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token || mode === 'normal') return;
    const claims = jose.decodeJwt(ctx.body.id_token);
    const header = jose.decodeProtectedHeader(ctx.body.id_token);
    let signer = await jose.importJWK(currentKey, 'RS256');
    if (mode === 'forge-key') {
      // Same key id, different key: the signature cannot verify.
      signer = await jose.importJWK(await newKey(), 'RS256');
    } else if (mode === 'wrong-nonce') {
      claims.nonce = 'not-the-nonce-you-sent';
    }
    ctx.body.id_token = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid }).sign(signer);
  });
  return p;
}

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  if (url.searchParams.get('deny')) {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The user declined to sign in',
    }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'login') {
    const sub = url.searchParams.get('sub') || 'alice';
    accounts.set(sub, {
      email: url.searchParams.get('email') || `${sub}@example.com`,
      verified: url.searchParams.get('verified') !== '0',
      name: url.searchParams.get('name') || sub,
    });
    return provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  try {
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
    if (url.pathname === '/__test/mode') {
      mode = url.searchParams.get('name') || 'normal';
      codeTtl = Number(url.searchParams.get('code_ttl') || 60);
      res.end('ok');
      return;
    }
    if (url.pathname === '/__test/rotate') {
      currentKey = await newKey();
      provider = build(provider.issuer, currentKey);
      res.end(currentKey.kid);
      return;
    }
    return provider.callback()(req, res);
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e && e.stack || e));
  }
});

server.listen(Number(args.port), '127.0.0.1', async () => {
  const { port } = server.address();
  currentKey = await newKey();
  provider = build(`http://127.0.0.1:${port}`, currentKey);
  process.stdout.write(`listening ${port}\n`);
});

// Stop with the test run.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
