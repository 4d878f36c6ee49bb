import type { UserCard } from '../users/user-card.js';
import type { PostType, PostVisibility } from './posts.vocabulary.js';

/** Events the posts feature publishes (notifications, achievements, feed and realtime subscribe). */
/** The author, liker, commenter or replier: their public card. */
export type PostAuthorCard = UserCard;

declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'post.created': {
      postId: string;
      author: PostAuthorCard;
      postType: PostType;
      visibility: PostVisibility;
      goalId: string | null;
      at: string;
    };
    'post.deleted': { postId: string; authorId: string; at: string };
    'post.liked': { postId: string; postAuthorId: string; liker: PostAuthorCard; at: string };
    'post.unliked': { postId: string; postAuthorId: string; userId: string; at: string };
    'post.commented': {
      postId: string;
      postAuthorId: string;
      commentId: string;
      commenter: PostAuthorCard;
      excerpt: string;
      at: string;
    };
    'comment.replied': {
      postId: string;
      postAuthorId: string;
      commentId: string;
      parentCommentId: string;
      parentAuthorId: string;
      replier: PostAuthorCard;
      excerpt: string;
      at: string;
    };
    'comment.liked': { postId: string; commentId: string; commentAuthorId: string; liker: PostAuthorCard; at: string };
  }
}

export {};
