// Google's Node.js Gmail client (@googleapis/gmail) and google-auth-library, unchanged,
// aimed at the Gmail emulator. test_node_client.py runs it in two steps and checks what it
// prints (one JSON document) against the emulator's state:
//
//   node gmail_client.js auth-url CONFIG   -> {"url", "codeVerifier"}
//   node gmail_client.js session CONFIG    -> what each step of a mail session returned
//
// CONFIG is JSON: {"emulator", "clientId", "clientSecret", "redirectUri", "code",
// "codeVerifier", "to"}. Only google-auth-library's documented `endpoints` option and the
// Gmail client's documented `rootUrl` option point the libraries at the emulator.
'use strict';

const {gmail: gmailClient} = require('@googleapis/gmail');
const {OAuth2Client} = require('google-auth-library');

const SCOPES = ['openid', 'email', 'https://www.googleapis.com/auth/gmail.modify'];

function oauthClient(config) {
  const base = config.emulator;
  return new OAuth2Client({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: config.redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: base + 'o/oauth2/v2/auth',
      oauth2TokenUrl: base + 'token',
      oauth2RevokeUrl: base + 'revoke',
      tokenInfoUrl: base + 'tokeninfo',
      oauth2FederatedSignonPemCertsUrl: base + 'oauth2/v1/certs',
      oauth2FederatedSignonJwkCertsUrl: base + 'oauth2/v3/certs',
    },
  });
}

async function authUrl(config) {
  const auth = oauthClient(config);
  const {codeVerifier, codeChallenge} = await auth.generateCodeVerifierAsync();
  const url = auth.generateAuthUrl({
    access_type: 'offline',
    scope: SCOPES,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state: 'node-state-1',
  });
  return {url, codeVerifier};
}

function message(from, to, subject, body) {
  return [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`,
    'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
}

// Run `call`; return its answer's status and data, or the error's status and reason.
async function attempt(call) {
  try {
    const answer = await call();
    return {status: answer.status, data: answer.data};
  } catch (error) {
    const status = error.status || (error.response && error.response.status) || null;
    const body = error.response && error.response.data && error.response.data.error;
    const reason = body && body.errors && body.errors[0] ? body.errors[0].reason : null;
    return {status, error: String(error.message), reason, grpcStatus: body ? body.status : null};
  }
}

async function session(config) {
  const auth = oauthClient(config);
  const out = {};
  const {tokens} = await auth.getToken({code: config.code, codeVerifier: config.codeVerifier});
  out.exchange = {hasRefreshToken: Boolean(tokens.refresh_token), scope: tokens.scope,
    hasIdToken: Boolean(tokens.id_token)};
  auth.setCredentials(tokens);
  // verifyIdToken accepts Google's issuer only; the emulator names itself unless it is
  // reached under Google's host names, so the library's own check is given that issuer.
  const {certs} = await auth.getFederatedSignonCertsAsync();
  const ticket = await auth.verifySignedJwtWithCertsAsync(
      tokens.id_token, certs, config.clientId, [config.emulator.replace(/\/$/, '')]);
  out.idToken = {email: ticket.getPayload().email, sub: ticket.getPayload().sub};
  const info = await auth.getTokenInfo(tokens.access_token);
  out.tokenInfo = {email: info.email, scopes: info.scopes.sort()};
  const refreshed = await auth.refreshAccessToken();
  out.refreshed = {changed: refreshed.credentials.access_token !== tokens.access_token};
  auth.setCredentials(refreshed.credentials);

  // Every call below goes to the emulator: rootUrl for the client, and per call (the
  // client's own advice for media uploads, whose URL the global option does not change).
  const root = {rootUrl: config.emulator};
  const gmail = gmailClient({version: 'v1', auth, rootUrl: config.emulator});
  const me = {userId: 'me'};
  const profile = await gmail.users.getProfile(me, root);
  out.profile = profile.data;
  const listed = await gmail.users.messages.list({...me, maxResults: 3, q: 'in:inbox'}, root);
  out.listed = listed.data.messages.map((m) => m.id);
  const first = listed.data.messages[0].id;
  const full = await gmail.users.messages.get({...me, id: first, format: 'full'}, root);
  out.firstHeaders = full.data.payload.headers.map((h) => h.name);
  const meta = await gmail.users.messages.get(
      {...me, id: first, format: 'metadata', metadataHeaders: ['Subject']}, root);
  out.metadataHeaders = meta.data.payload.headers.map((h) => h.name);
  await gmail.users.messages.modify(
      {...me, id: first, requestBody: {addLabelIds: ['STARRED'], removeLabelIds: ['UNREAD']}},
      root);
  out.modified = first;
  const label = await gmail.users.labels.create(
      {...me, requestBody: {name: 'Dari Node', labelListVisibility: 'labelShow'}}, root);
  out.label = label.data;
  await gmail.users.messages.batchModify(
      {...me, requestBody: {ids: out.listed, addLabelIds: [label.data.id]}}, root);

  const sent = await gmail.users.messages.send({...me, media: {mimeType: 'message/rfc822',
    body: message(profile.data.emailAddress, config.to, 'Dari Node: media upload',
        'Halo dari Node.js')}}, root);
  out.sentMedia = sent.data;
  const raw = Buffer.from(message(profile.data.emailAddress, config.to,
      'Dari Node: raw', 'Terkirim sebagai raw')).toString('base64url');
  out.sentRaw = (await gmail.users.messages.send({...me, requestBody: {raw}}, root)).data;
  const draft = await gmail.users.drafts.create({...me, requestBody: {}, media: {
    mimeType: 'message/rfc822',
    body: message(profile.data.emailAddress, config.to, 'Dari Node: draft', 'Konsep')}},
  root);
  out.draft = draft.data;

  const history = await gmail.users.history.list(
      {...me, startHistoryId: profile.data.historyId, historyTypes: ['messageAdded']}, root);
  out.historyAdded = (history.data.history || []).flatMap(
      (h) => (h.messagesAdded || []).map((a) => a.message.id));

  const withFile = await gmail.users.messages.list({...me, q: 'has:attachment', maxResults: 1},
      root);
  const attached = await gmail.users.messages.get({...me, id: withFile.data.messages[0].id},
      root);
  const part = (function find(p) {
    if (p.body && p.body.attachmentId) return p;
    for (const child of p.parts || []) {
      const found = find(child);
      if (found) return found;
    }
    return null;
  })(attached.data.payload);
  const data = await gmail.users.messages.attachments.get(
      {...me, messageId: attached.data.id, id: part.body.attachmentId}, root);
  out.attachment = {messageId: attached.data.id, filename: part.filename,
    size: data.data.size, decoded: Buffer.from(data.data.data, 'base64url').length};

  out.missing = await attempt(() => gmail.users.messages.get(
      {...me, id: 'ffffffffffffffff'}, root));
  out.badQuery = await attempt(() => gmail.users.messages.get(
      {...me, id: first, format: 'everything'}, root));
  await auth.revokeToken(refreshed.credentials.access_token);
  out.afterRevoke = await attempt(() => gmail.users.getProfile(me, root));
  return out;
}

async function main() {
  const [command, configJson] = process.argv.slice(2);
  const config = JSON.parse(configJson);
  const steps = {'auth-url': authUrl, session};
  if (!steps[command]) throw new Error(`unknown command ${command}`);
  process.stdout.write(JSON.stringify(await steps[command](config)) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
