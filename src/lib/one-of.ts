/**
 * Whether `value` is one of a closed vocabulary's `values` (a feature's `const` array), narrowing it
 * to the vocabulary's type: for text the schemas do not see (multipart fields) and for rows read as
 * plain strings, where `values.includes(value)` would not type-check.
 */
export function isOneOf<const Values extends readonly string[]>(values: Values, value: string): value is Values[number] {
  return values.includes(value);
}
