import { describe, expect, it } from 'vitest';
import { canMessage, canSeeFullProfile, canSeeUser, type Relationship } from './privacy.policy.js';

const rel = (overrides: Partial<Relationship> = {}): Relationship => ({
  isSelf: false,
  areFriends: false,
  blockedEitherWay: false,
  arePartners: false,
  mutualFriends: 0,
  ...overrides,
});

describe('privacy policy', () => {
  it('a block hides each user from the other, whatever else holds', () => {
    const blocked = rel({ blockedEitherWay: true, areFriends: true, mutualFriends: 3 });
    expect(canSeeUser(blocked)).toBe(false);
    expect(canSeeFullProfile(blocked, 'everyone')).toBe(false);
    expect(canMessage(blocked, 'everyone')).toBe(false);
  });

  it('profile visibility: everyone / friends_only / private', () => {
    expect(canSeeFullProfile(rel(), 'everyone')).toBe(true);
    expect(canSeeFullProfile(rel(), 'friends_only')).toBe(false);
    expect(canSeeFullProfile(rel({ areFriends: true }), 'friends_only')).toBe(true);
    expect(canSeeFullProfile(rel({ areFriends: true }), 'private')).toBe(false);
    expect(canSeeFullProfile(rel({ isSelf: true }), 'private')).toBe(true);
  });

  it('who_can_send_messages: everyone / friends_only', () => {
    expect(canMessage(rel(), 'everyone')).toBe(true);
    expect(canMessage(rel(), 'friends_only')).toBe(false);
    expect(canMessage(rel({ areFriends: true }), 'friends_only')).toBe(true);
    expect(canMessage(rel({ isSelf: true }), 'everyone')).toBe(false);
  });
});
