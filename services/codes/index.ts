// Public API of the code module: schemes as dated data, formatting, counter scopes, validators.
export { type CodeKind, type CodeScheme, type CounterPart, DEFAULT_TIME_ZONE, loadSchemes, localDate, schemeFor, schemesFromObject } from './schemes.js';
export {
  CodeFormatError,
  type CounterKey,
  type CounterRequest,
  DIGITIZED_CODE_RE,
  DOSSIER_CODE_RE,
  type DigitizedParts,
  OWNER_ID_RE,
  PROCEDURE_CODE_RE,
  RESULT_CODE_RE,
  RESULT_TYPE_CODE_RE,
  UNIT_CODE_RE,
  counterKey,
  digitizedSegments,
  formatDigitizedCode,
  formatDossierCode,
  formatResultCode,
  isValidCode,
  sanitizeSegment,
  yymmdd,
} from './format.js';
