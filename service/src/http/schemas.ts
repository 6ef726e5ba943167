import { IDENTIFIER_MAX_LENGTH, IDENTIFIER_SOURCE } from '../domain/identifiers.js';

/** A client-chosen name; length and pattern are separate keywords, so the error says which one failed. */
export function identifier(description: string) {
  return {
    type: 'string',
    minLength: 1,
    maxLength: IDENTIFIER_MAX_LENGTH,
    pattern: IDENTIFIER_SOURCE,
    description,
  } as const;
}

/** The API's bodies are small; anything larger is refused with 413 before parsing. */
export const API_BODY_LIMIT_BYTES = 4096;
