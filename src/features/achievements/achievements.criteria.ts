/**
 * The rule language of `achievements.criteria` (JSONB), interpreted here so a new catalogue row over
 * a known metric needs no code:
 *
 * - `{"type":"count","metric":M,"threshold":N}` — earned when the metric's value is at least N;
 * - `{"type":"streak","metric":M,"threshold":N}` — earned when the metric's activity happened on N
 *   consecutive calendar days in the user's time zone (users.timezone); M must be an activity metric.
 *
 * Metrics are computed from database state by AchievementMetricsRepo, so evaluating is idempotent.
 */

/** Every metric the evaluator can compute (see achievements.metrics.repo.ts for their SQL). */
export const METRICS = [
  'goals_joined',
  'goals_created',
  'contributions',
  'amount_contributed',
  'milestones_achieved',
  'goals_achieved',
  'group_goals_completed',
  'friends',
  'posts',
] as const;
export type Metric = (typeof METRICS)[number];

/** Metrics made of dated activity (one row per act), the only ones a streak can run over. */
export const ACTIVITY_METRICS = ['goals_joined', 'goals_created', 'contributions', 'posts'] as const satisfies readonly Metric[];
export type ActivityMetric = (typeof ACTIVITY_METRICS)[number];

export type Criteria =
  | { type: 'count'; metric: Metric; threshold: number }
  | { type: 'streak'; metric: ActivityMetric; threshold: number };

/** What the evaluator must compute for a criteria: a metric's value, or its longest daily streak. */
export type Measure = { kind: 'value'; metric: Metric } | { kind: 'streak'; metric: ActivityMetric };

const isMetric = (m: unknown): m is Metric => typeof m === 'string' && (METRICS as readonly string[]).includes(m);
const isActivityMetric = (m: unknown): m is ActivityMetric =>
  typeof m === 'string' && (ACTIVITY_METRICS as readonly string[]).includes(m);

/** The criteria of a catalogue row, or undefined when it is not one this interpreter understands. */
export function parseCriteria(raw: unknown): Criteria | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { type, metric, threshold } = raw as Record<string, unknown>;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) return undefined;
  if (type === 'count' && isMetric(metric)) return { type, metric, threshold };
  if (type === 'streak' && isActivityMetric(metric) && Number.isInteger(threshold)) return { type, metric, threshold };
  return undefined;
}

export function measureOf(c: Criteria): Measure {
  return c.type === 'streak' ? { kind: 'streak', metric: c.metric } : { kind: 'value', metric: c.metric };
}

/** A stable key for a measure (`contributions`, `streak:contributions`), used to compute each once. */
export function measureKey(m: Measure): string {
  return m.kind === 'streak' ? `streak:${m.metric}` : m.metric;
}

/** Whether the measured value satisfies the criteria. */
export function isMet(c: Criteria, measured: number): boolean {
  return measured >= c.threshold;
}
