import { Type } from 'typebox';
import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { RealtimeService } from './realtime.service.js';

const tags = ['realtime'];

const MissedEventsQuery = Type.Object({
  since: Type.Integer({ minimum: 0, description: 'the last `seq` the client received (0: none yet)' }),
});

const MissedEventsBody = Type.Object({
  events: Type.Array(
    Type.Object(
      { event: Type.String(), seq: Type.Integer() },
      { additionalProperties: true, description: 'a server event exactly as the WebSocket delivered it' },
    ),
    { description: 'events with seq > since, oldest first, seqs contiguous (ephemeral events such as typing carry no seq and are not kept)' },
  ),
  latest_seq: Type.Integer({ description: 'the newest seq of the caller' }),
  resync_required: Type.Boolean({
    description:
      'true when some missed events are no longer kept (older than the log keeps, or `since` is not from the current sequence): ' +
      'reload state over REST. False for since=0 while nothing of the sequence was lost (a new user: no events, latest_seq 0)',
  }),
});

/** `GET /api/v1/realtime/events?since=` — the HTTP twin of reconnecting with `/ws?since=`. */
export function registerRealtimeRoutes(app: TypedApp, realtime: RealtimeService): void {
  app.get(
    '/api/v1/realtime/events',
    {
      schema: {
        operationId: 'listMissedEvents',
        tags,
        summary: 'Server events the caller missed since a seq (catch-up after a disconnect)',
        description:
          'Returns the durable events (messages, reads, notifications, goal updates) with seq > since in order, ' +
          'for at least the last 24 hours or 1,000 events; beyond that `resync_required` is true and `events` is empty. ' +
          'Only these durable events carry `seq`, one more per event per user, so a client that receives seq > last + 1 knows it missed ' +
          'something and calls this with since=last. since=0 means "nothing received yet".',
        querystring: MissedEventsQuery,
        response: { 200: MissedEventsBody, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const missed = await realtime.missedEvents(principalOf(request).userId, request.query.since);
      return {
        events: missed.frames.map((frame) => JSON.parse(frame) as { event: string; seq: number }),
        latest_seq: missed.latest,
        resync_required: missed.resyncRequired,
      };
    },
  );
}
