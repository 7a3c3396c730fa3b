// The identifiers codes are made of, as data (schemas/code-schemes.json "parts"): one regular
// expression and one description per part. API schemas, intake, review and the coder all derive their
// patterns from here, so a rule is changed in the data and nowhere else.
import data from './code-schemes.json' with { type: 'json' };

export type PartName = 'unit' | 'procedure' | 'resultType' | 'owner' | 'date' | 'segment';

export interface Part {
  /** Unanchored regular expression source. */
  pattern: string;
  vi: string;
  en: string;
}

export const PARTS: Readonly<Record<PartName, Part>> = data.parts;

/** `^(?:part)$`, for JSON schemas and whole-value checks. */
export const anchored = (name: PartName) => `^(?:${PARTS[name].pattern})$`;

export const UNIT_CODE_PATTERN = anchored('unit');
export const PROCEDURE_CODE_PATTERN = anchored('procedure');
export const RESULT_TYPE_CODE_PATTERN = anchored('resultType');

/** The raw scheme list of code-schemes.json (parsed and checked by services/codes/schemes.ts). */
export const SCHEME_DATA: unknown = data;
