import type { MediaType } from '../media/media.vocabulary.js';

/** Events the stories feature publishes. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'story.created': { storyId: string; userId: string; mediaType: MediaType; expiresAt: string; at: string };
    'story.viewed': { storyId: string; ownerId: string; viewerId: string; at: string };
    'story.deleted': { storyId: string; userId: string; at: string };
  }
}

export {};
