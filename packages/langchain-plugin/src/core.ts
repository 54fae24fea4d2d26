// The parts of @tollgate/core-native this package uses, in one place.
export {
  acquireAll,
  countChatTokens,
  countTokens,
  estimateCost,
  getEncodingNameForModel,
  runRouted,
  TollgateError,
  type ChatTokenCount,
  type ChatToolChoice,
  type ChatToolDefinition,
  type EncodingName,
  type Limiter,
  type Router,
  type RoutedDeployment,
} from '@tollgate/core-native';
import { TollgateError } from '@tollgate/core-native';

/** Renders a value for an error message without ever showing prompt text (long strings by length). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** The standard "Expected `field` to be X, got Y." error, code `ERR_INVALID_ARGUMENT`. */
export function invalidArgumentError(field: string, expected: string, value: unknown): TollgateError {
  const shown = describeValue(value);
  return new TollgateError('ERR_INVALID_ARGUMENT', `Expected \`${field}\` to be ${expected}, got ${shown}.`, { field, value: shown });
}
