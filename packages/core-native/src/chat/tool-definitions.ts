import { invalidArgument } from '../errors.js';
import type { ToolConstants } from './chat-rules.js';
import type { TokenTally } from './token-tally.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutFinalPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

function optionalString(field: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalidArgument(field, 'a string', value);
  return value;
}

function addProperty(tally: TokenTally, constants: ToolConstants, field: string, key: string, property: unknown): void {
  if (!isRecord(property)) throw invalidArgument(field, 'a JSON schema object', property);
  tally.fixedTokens += constants.propertyKey;

  const type = Array.isArray(property.type) ? property.type.join(',') : optionalString(`${field}.type`, property.type);
  const description = optionalString(`${field}.description`, property.description);
  if (Array.isArray(property.enum)) {
    tally.fixedTokens += constants.enumInit;
    for (const item of property.enum) {
      tally.fixedTokens += constants.enumItem;
      tally.addText(typeof item === 'string' ? item : JSON.stringify(item));
    }
  }
  if ('properties' in property || 'items' in property || 'anyOf' in property || 'oneOf' in property) {
    tally.estimate('a tool parameter has a nested schema, which the cookbook rule does not count');
  }
  tally.addText(`${key}:${type}:${withoutFinalPeriod(description)}`);
}

/**
 * Adds the tokens of the request's `tools` with the cookbook's `num_tokens_for_tools` rule: per
 * function `func_init` + `name:description`, `prop_init` when it has properties, per property
 * `prop_key` + `key:type:description` (final period dropped) and, for enums, `enum_init` plus
 * `enum_item` + the item per item; `func_end` once after all functions.
 *
 * @throws TollgateError `ERR_INVALID_ARGUMENT` naming e.g. `options.tools[0].function.name`.
 */
export function addToolDefinitions(tally: TokenTally, constants: ToolConstants, tools: unknown): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools)) throw invalidArgument('options.tools', 'an array of tool definitions', tools);
  if (tools.length === 0) return;

  for (const [index, tool] of tools.entries()) {
    const field = `options.tools[${index}]`;
    if (!isRecord(tool) || !isRecord(tool.function)) throw invalidArgument(`${field}.function`, 'a function definition object', isRecord(tool) ? tool.function : tool);
    if (tool.type !== undefined && tool.type !== 'function') {
      tally.estimate('a tool of a type other than `function` was counted like a function');
    }
    const { name, description, parameters } = tool.function;
    if (typeof name !== 'string') throw invalidArgument(`${field}.function.name`, 'a string', name);
    const text = optionalString(`${field}.function.description`, description);

    tally.fixedTokens += constants.functionInit;
    tally.addText(`${name}:${withoutFinalPeriod(text)}`);
    if (parameters === undefined || parameters === null) continue;
    if (!isRecord(parameters)) throw invalidArgument(`${field}.function.parameters`, 'a JSON schema object', parameters);
    const properties = parameters.properties;
    if (properties === undefined || properties === null) continue;
    if (!isRecord(properties)) throw invalidArgument(`${field}.function.parameters.properties`, 'an object', properties);
    const keys = Object.keys(properties);
    if (keys.length === 0) continue;
    tally.fixedTokens += constants.propertyInit;
    for (const key of keys) {
      addProperty(tally, constants, `${field}.function.parameters.properties.${key.slice(0, 40)}`, key, properties[key]);
    }
  }
  tally.fixedTokens += constants.functionEnd;
}

/**
 * Adds the tokens of `tool_choice`. Not published by OpenAI: `auto` adds 0, `none` and `required`
 * add 1, a named function adds 4 + its name (the constants of the widely used openai-chat-tokens
 * estimate); anything but `auto` marks the count as an estimate.
 *
 * @throws TollgateError `ERR_INVALID_ARGUMENT` naming `options.toolChoice`.
 */
export function addToolChoice(tally: TokenTally, toolChoice: unknown): void {
  if (toolChoice === undefined || toolChoice === null || toolChoice === 'auto') return;
  if (toolChoice === 'none' || toolChoice === 'required') {
    tally.fixedTokens += 1;
  } else if (isRecord(toolChoice) && isRecord(toolChoice.function) && typeof toolChoice.function.name === 'string') {
    tally.fixedTokens += 4;
    tally.addText(toolChoice.function.name);
  } else {
    throw invalidArgument('options.toolChoice', '"auto", "none", "required" or { type: "function", function: { name } }', toolChoice);
  }
  tally.estimate('tool_choice tokens follow an unpublished estimate');
}
