/**
 * Local HTTP servers that speak the push protocols, for tests of the real FCM and Web Push senders:
 * - FCM HTTP v1: the OAuth 2 token endpoint (JWT-bearer grant, RS256 assertion verified with the
 *   service account's public key) and `POST /v1/projects/{project}/messages:send` (Bearer token
 *   checked against the tokens it issued);
 * - a Web Push service (RFC 8030): `POST /push/{id}`, recording the VAPID header, TTL, encoding and
 *   the encrypted body, which `decryptWebPush` opens with the subscription's private key (RFC 8291).
 * Each server answers 2xx unless a test scripted responses for a device token / subscription id.
 */
import { createDecipheriv, createECDH, createHmac, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, r: ScriptedResponse): void {
  res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
  res.end(r.body === undefined ? '' : JSON.stringify(r.body));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface FcmSend {
  authorization: string | undefined;
  project: string;
  message: {
    token: string;
    notification: { title: string; body: string; image?: string };
    data: Record<string, string>;
    android: { ttl: string; priority: string; collapse_key?: string };
    apns: { headers: Record<string, string>; payload: { aps: Record<string, unknown> } };
  };
}

export interface FcmServer {
  url: string;
  tokenUrl: string;
  projectId: string;
  /** The service-account JSON for FCM_CREDENTIALS_JSON (its key signs the assertions this server verifies). */
  credentialsJson: string;
  tokenRequests: Array<{ claims: Record<string, unknown>; header: Record<string, unknown> }>;
  sends: FcmSend[];
  /** Responses to give, in order, for a device token (after them: 200). */
  script(deviceToken: string, ...responses: ScriptedResponse[]): void;
  stop(): Promise<void>;
}

export async function startFcmServer(): Promise<FcmServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const projectId = 'tribe-test';
  const issued = new Set<string>();
  const scripts = new Map<string, ScriptedResponse[]>();
  const tokenRequests: FcmServer['tokenRequests'] = [];
  const sends: FcmSend[] = [];
  let url = '';
  const clientEmail = 'push@tribe-test.iam.gserviceaccount.com';

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method === 'POST' && req.url === '/token') {
        const form = new URLSearchParams(body.toString());
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return reply(res, { status: 400, body: { error: 'unsupported_grant_type' } });
        try {
          const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey as KeyObject, {
            algorithms: ['RS256'],
            issuer: clientEmail,
            audience: `${url}/token`,
          });
          if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('scope');
          tokenRequests.push({ claims: payload as Record<string, unknown>, header: protectedHeader as Record<string, unknown> });
        } catch {
          return reply(res, { status: 400, body: { error: 'invalid_grant' } });
        }
        const accessToken = `ya29.${randomBytes(16).toString('hex')}`;
        issued.add(accessToken);
        return reply(res, { status: 200, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } });
      }
      const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
      if (req.method === 'POST' && match) {
        const authorization = req.headers.authorization;
        if (!authorization?.startsWith('Bearer ') || !issued.has(authorization.slice(7))) {
          return reply(res, { status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED', message: 'bad token' } } });
        }
        const parsed = JSON.parse(body.toString()) as { message: FcmSend['message'] };
        sends.push({ authorization, project: decodeURIComponent(match[1] ?? ''), message: parsed.message });
        const next = scripts.get(parsed.message.token)?.shift();
        return reply(res, next ?? { status: 200, body: { name: `projects/${projectId}/messages/${randomBytes(6).toString('hex')}` } });
      }
      reply(res, { status: 404, body: { error: { status: 'NOT_FOUND' } } });
    })();
  });
  url = await listen(server);
  return {
    url,
    tokenUrl: `${url}/token`,
    projectId,
    credentialsJson: JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: clientEmail,
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
    tokenRequests,
    sends,
    script: (deviceToken, ...responses) => scripts.set(deviceToken, [...(scripts.get(deviceToken) ?? []), ...responses]),
    stop: () => close(server),
  };
}

export interface WebPushRequest {
  id: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** A browser's subscription: the JSON the app registers, and the private half that decrypts. */
export interface BrowserSubscription {
  id: string;
  json: string;
  endpoint: string;
  privateKey: Buffer;
  publicKey: Buffer;
  auth: Buffer;
}

export interface WebPushServer {
  url: string;
  requests: WebPushRequest[];
  /** A new subscription whose endpoint is on this server. */
  subscribe(): BrowserSubscription;
  script(id: string, ...responses: ScriptedResponse[]): void;
  stop(): Promise<void>;
}

export async function startWebPushServer(): Promise<WebPushServer> {
  const scripts = new Map<string, ScriptedResponse[]>();
  const requests: WebPushRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const match = /^\/push\/([\w-]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match?.[1]) return reply(res, { status: 404 });
      const headers: Record<string, string | undefined> = {};
      for (const name of ['authorization', 'ttl', 'content-encoding', 'content-type', 'urgency', 'topic']) {
        const v = req.headers[name];
        headers[name] = Array.isArray(v) ? v.join(',') : v;
      }
      requests.push({ id: match[1], headers, body });
      reply(res, scripts.get(match[1])?.shift() ?? { status: 201 });
    })();
  });
  const url = await listen(server);
  return {
    url,
    requests,
    subscribe() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(8).toString('hex');
      const endpoint = `${url}/push/${id}`;
      return {
        id,
        endpoint,
        privateKey: ecdh.getPrivateKey(),
        publicKey: ecdh.getPublicKey(),
        auth,
        json: JSON.stringify({ endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } }),
      };
    },
    script: (id, ...responses) => scripts.set(id, [...(scripts.get(id) ?? []), ...responses]),
    stop: () => close(server),
  };
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) =>
  hmac(hmac(salt, ikm), Buffer.concat([info, Buffer.from([1])])).subarray(0, length);

/** The user agent's side of RFC 8291 / RFC 8188 (one record): opens what a push service delivered. */
export function decryptWebPush(body: Buffer, uaPrivate: Buffer, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idlen = body.readUInt8(20);
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(uaPrivate);
  const uaPublic = ecdh.getPublicKey();
  const ikm = hkdf(authSecret, ecdh.computeSecret(asPublic), Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]), 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('not a final record (padding delimiter 0x02 missing)');
  return padded.subarray(0, end);
}

/** Verifies a `vapid t=..., k=...` Authorization header; returns the JWT claims and the key. */
export async function verifyVapidHeader(header: string | undefined): Promise<{ claims: Record<string, unknown>; publicKey: string }> {
  const match = /^vapid t=([\w.-]+), ?k=([\w-]+)$/.exec(header ?? '');
  if (!match?.[1] || !match[2]) throw new Error(`not a VAPID Authorization header: ${header ?? '(none)'}`);
  const pub = Buffer.from(match[2], 'base64url');
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') }, 'ES256');
  const { payload } = await jwtVerify(match[1], key, { algorithms: ['ES256'] });
  return { claims: payload as Record<string, unknown>, publicKey: match[2] };
}

/** A VAPID key pair in the environment's format (base64url raw keys). */
export function vapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const d = ecdh.getPrivateKey();
  // getPrivateKey drops leading zero bytes; the environment format is always 32 bytes.
  const padded = Buffer.concat([Buffer.alloc(32 - d.length), d]);
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: padded.toString('base64url') };
}
