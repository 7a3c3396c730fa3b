// The file types an upload may be, decided from its bytes (services/preflight.ts). One list, so the
// preflight, the OCR stage and the OpenAPI description of originals cannot drift apart.
import sharp from 'sharp';

/** Accepted everywhere: the image library this build ships always decodes these. */
export const BASE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/avif', 'application/pdf'] as const;
/** Phone photos in HEVC-coded HEIF: accepted only where libvips has an HEVC decoder (see `heicDecodable`). */
export const OPTIONAL_MEDIA_TYPES = ['image/heic'] as const;
export const MEDIA_TYPES = [...BASE_MEDIA_TYPES, ...OPTIONAL_MEDIA_TYPES] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Single-image formats: one page, whatever the file says. */
export const SINGLE_PAGE_IMAGE_TYPES: ReadonlySet<MediaType> = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic']);

/**
 * sharp's prebuilt libvips reads AVIF (AV1) but has no HEVC decoder, so iPhone HEIC photos cannot be
 * decoded; a libvips built with libde265 lists `.heic` among the HEIF loader's suffixes.
 */
export function heicDecodable(): boolean {
  const heif = (sharp.format as unknown as Record<string, { input?: { buffer?: boolean; fileSuffix?: string[] } } | undefined>).heif;
  return Boolean(heif?.input?.buffer && heif.input.fileSuffix?.includes('.heic'));
}

/** What this build accepts, in words for the README and the refusal message. */
export function acceptedFormatNames(): string {
  return ['JPEG', 'PNG', 'TIFF', 'WebP', 'AVIF', ...(heicDecodable() ? ['HEIC'] : []), 'PDF'].join(', ');
}
