import { createCipheriv, createECDH, createHmac, randomBytes, type ECDH } from 'node:crypto';

/** HMAC-SHA-256, the PRF of HKDF. */
function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** HKDF (RFC 5869) with a single output block, which every length here fits in. */
function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  const prk = hmac(salt, ikm);
  return hmac(prk, Buffer.concat([info, Buffer.from([1])])).subarray(0, length);
}

const RECORD_SIZE = 4096;

export interface EncryptOptions {
  /** Fixed salt (tests reproduce RFC 8291 Appendix A); random by default. */
  salt?: Buffer;
  /** Fixed sender key pair (tests); a fresh one per message by default. */
  senderKeys?: ECDH;
}

/**
 * Encrypts a push message for one subscription, `Content-Encoding: aes128gcm` (RFC 8188) with the
 * Web Push key derivation of RFC 8291: a single record, padding delimiter 0x02, the sender's
 * ephemeral public key as the key id.
 */
export function encryptWebPushPayload(plaintext: Buffer, uaPublic: Buffer, authSecret: Buffer, options: EncryptOptions = {}): Buffer {
  const sender = options.senderKeys ?? createECDH('prime256v1');
  if (!options.senderKeys) sender.generateKeys();
  const asPublic = sender.getPublicKey();
  const salt = options.salt ?? randomBytes(16);
  if (plaintext.length + 1 + 16 > RECORD_SIZE - 86) throw new Error('web push payload too large');

  const ecdhSecret = sender.computeSecret(uaPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);

  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  const ciphertext = Buffer.concat([cipher.update(Buffer.concat([plaintext, Buffer.from([2])])), cipher.final(), cipher.getAuthTag()]);

  const header = Buffer.alloc(16 + 4 + 1);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_SIZE, 16);
  header.writeUInt8(asPublic.length, 20);
  return Buffer.concat([header, asPublic, ciphertext]);
}
