import { isPrivateKey, PRIVATE_KEY_PREFIX, type ObjectStorage } from '../../infra/storage/storage.js';

/** Whose upload a stored object is, as its key says (the bucket layout of media.variants.ts). */
export type UploadOwner =
  | { purpose: 'profile' | 'cover'; userId: string }
  | { purpose: 'post' | 'story' | 'goal'; itemId: string }
  | { purpose: 'chat'; conversationId: string; uploaderId: string };

const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// One upload's object: a folder (a random version, or none for old posts and stories) and a file name.
const OBJECT = '(?:[0-9a-f]+/)?[a-z]+\\.[a-z0-9]+';
const LAYOUT: Array<[RegExp, (m: RegExpExecArray) => UploadOwner]> = [
  [new RegExp(`^users/(${ID})/(profile|cover)/${OBJECT}$`), (m) => ({ purpose: m[2] as 'profile' | 'cover', userId: m[1]! })],
  [new RegExp(`^(posts|stories|goals)/(${ID})/${OBJECT}$`), (m) => ({ purpose: PLURALS[m[1]!]!, itemId: m[2]! })],
  [new RegExp(`^chat/(${ID})/(${ID})/${OBJECT}$`), (m) => ({ purpose: 'chat', conversationId: m[1]!, uploaderId: m[2]! })],
];
const PLURALS: Record<string, 'post' | 'story' | 'goal'> = { posts: 'post', stories: 'story', goals: 'goal' };

/**
 * The owner of the upload `url` names, if it is a URL this server's storage minted (public, or
 * signed private) or a private key; undefined for anything else, e.g. a URL of another host.
 * Only the key decides, so a signed URL and its key give the same answer.
 */
export function uploadOwnerOf(storage: ObjectStorage, url: string): UploadOwner | undefined {
  const key = isPrivateKey(url) ? url : storage.keyFromUrl(url);
  if (!key) return undefined;
  const path = isPrivateKey(key) ? key.slice(PRIVATE_KEY_PREFIX.length) : key;
  for (const [pattern, owner] of LAYOUT) {
    const match = pattern.exec(path);
    if (match) return owner(match);
  }
  return undefined;
}
