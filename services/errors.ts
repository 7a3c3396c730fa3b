// Every error a user can cause has a stable code, an HTTP status and a message staff can read in
// Vietnamese and English. Nothing else (stack traces, driver messages) ever reaches a client.

export interface ErrorSpec {
  status: number;
  vi: string;
  en: string;
}

export const ERRORS = {
  UNAUTHORIZED: { status: 401, vi: 'Thiếu hoặc sai khóa truy cập', en: 'Missing or invalid API key' },
  FORBIDDEN: { status: 403, vi: 'Khóa truy cập không có quyền này', en: 'This API key may not do this' },
  NOT_FOUND: { status: 404, vi: 'Không tìm thấy', en: 'Not found' },
  VALIDATION_FAILED: { status: 400, vi: 'Dữ liệu gửi lên không hợp lệ', en: 'The request is not valid' },
  UNIT_UNKNOWN: { status: 400, vi: 'Mã đơn vị không có trong danh mục', en: 'Unknown unit code' },
  UNIT_CLOSED: { status: 409, vi: 'Đơn vị đã ngừng hoạt động', en: 'The unit is closed' },
  UNIT_EXISTS: { status: 409, vi: 'Mã đơn vị đã tồn tại', en: 'The unit code already exists' },
  INVALID_UNIT_CODE: { status: 400, vi: 'Mã đơn vị sai định dạng', en: 'Malformed unit code' },
  INVALID_PROCEDURE_CODE: { status: 400, vi: 'Mã thủ tục sai định dạng', en: 'Malformed procedure code' },
  INVALID_APPLICANT_ID: {
    status: 400,
    vi: 'Số định danh cá nhân hoặc mã số thuế không hợp lệ',
    en: 'Invalid personal id or tax code',
  },
  INVALID_DOSSIER_CODE: { status: 400, vi: 'Mã hồ sơ sai định dạng', en: 'Malformed dossier code' },
  DOSSIER_EXISTS: { status: 409, vi: 'Mã hồ sơ đã tồn tại', en: 'The dossier code already exists' },
  NO_FILES: { status: 400, vi: 'Chưa có tệp nào được gửi lên', en: 'No file was uploaded' },
  ROLES_MISMATCH: {
    status: 400,
    vi: 'Danh sách vai trò không khớp số tệp',
    en: 'The roles list does not match the files',
  },
  FILE_EMPTY: { status: 400, vi: 'Tệp rỗng', en: 'The file is empty' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    vi: 'Định dạng tệp không được chấp nhận (chỉ JPEG, PNG, TIFF, WebP, AVIF, PDF)',
    en: 'File type not accepted (JPEG, PNG, TIFF, WebP, AVIF, PDF only)',
  },
  FILE_CORRUPT: { status: 422, vi: 'Tệp bị hỏng hoặc không đọc được', en: 'The file is damaged or unreadable' },
  IMAGE_TOO_SMALL: { status: 422, vi: 'Ảnh quá nhỏ, không có nội dung để đọc', en: 'Image too small to read' },
  IMAGE_TOO_LARGE: {
    status: 413,
    vi: 'Ảnh vượt quá số điểm ảnh cho phép',
    en: 'Image exceeds the pixel limit',
  },
  TOO_MANY_PAGES: { status: 413, vi: 'Tệp có quá nhiều trang', en: 'The file has too many pages' },
  FILE_TOO_LARGE: { status: 413, vi: 'Tệp vượt quá dung lượng cho phép', en: 'The file is too large' },
  REQUEST_TOO_LARGE: {
    status: 413,
    vi: 'Tổng dung lượng yêu cầu vượt quá giới hạn',
    en: 'The request is too large',
  },
  TOO_MANY_FILES: { status: 413, vi: 'Quá nhiều tệp trong một yêu cầu', en: 'Too many files in one request' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    vi: 'Yêu cầu đầu tiên với khóa Idempotency-Key này vẫn đang chạy; hãy gửi lại sau ít giây',
    en: 'The first request with this Idempotency-Key is still running; retry in a few seconds',
  },
  INTEGRITY_MISMATCH: {
    status: 500,
    vi: 'Bản gốc lưu trữ không khớp mã băm',
    en: 'Stored original does not match its checksum',
  },
  STORE_UNAVAILABLE: { status: 503, vi: 'Kho lưu trữ tạm thời không sẵn sàng', en: 'Object store unavailable' },
  CATALOG_UNAVAILABLE: {
    status: 503,
    vi: 'Cơ sở dữ liệu tạm thời không sẵn sàng; chưa có gì được lưu, hãy gửi lại sau ít giây',
    en: 'The catalog database is unavailable; nothing was stored, send the request again in a few seconds',
  },
  PAGE_UNREADABLE: { status: 422, vi: 'Không đọc được trang tài liệu', en: 'A page could not be read' },
  OCR_FAILED: { status: 500, vi: 'Nhận dạng ký tự thất bại', en: 'Text recognition failed' },
  OCR_TIMEOUT: { status: 500, vi: 'Nhận dạng ký tự quá thời gian', en: 'Text recognition timed out' },
  LOW_CONFIDENCE: { status: 422, vi: 'Chất lượng nhận dạng thấp, cần kiểm tra', en: 'Low recognition confidence' },
  SIGNER_MISSING: {
    status: 500,
    vi: 'Đơn vị chưa có chứng thư số để ký',
    en: 'No signing certificate for this unit',
  },
  SIGNING_FAILED: { status: 500, vi: 'Ký số thất bại', en: 'Signing failed' },
  NOT_A_PDF: { status: 415, vi: 'Tệp không phải PDF', en: 'The file is not a PDF' },
  NOT_FAILED: { status: 409, vi: 'Tài liệu không ở trạng thái lỗi', en: 'The document has not failed' },
  NOT_IN_REVIEW: { status: 409, vi: 'Tài liệu không ở trạng thái chờ kiểm tra', en: 'The document is not in review' },
  PDF_ACTIVE_CONTENT: {
    status: 422,
    vi: 'Tệp PDF chứa nội dung chủ động (JavaScript, hành động tự chạy, tệp đính kèm hoặc biểu mẫu XFA), không được lưu vào kho hồ sơ; hãy in lại thành PDF thường hoặc quét bản giấy',
    en: 'The PDF carries active content (JavaScript, automatic actions, embedded files or XFA forms), which an archive of records must not store; print it to a plain PDF or scan the paper',
  },
  PDF_BLANK: {
    status: 422,
    vi: 'Tệp PDF không có ảnh quét hay chữ ở trang nào',
    en: 'The PDF has no scanned image and no text on any page',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    vi: 'Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác (khác trường hoặc tệp); hãy dùng khóa mới cho yêu cầu mới',
    en: 'This Idempotency-Key was used for a different request (other fields or files); use a new key for a new request',
  },
  QUEUE_FULL: {
    status: 503,
    vi: 'Hệ thống đang xử lý nhiều hồ sơ; hãy gửi lại sau thời gian trong Retry-After',
    en: 'The pipeline is busy; send the request again after the Retry-After time',
  },
  NOT_DONE: {
    status: 409,
    vi: 'Tài liệu chưa hoàn tất số hóa (đọc, gán mã, ký số), chưa thể tái sử dụng',
    en: 'The document is not done (read, coded and signed) yet and cannot be reused',
  },
  EXPIRED: { status: 409, vi: 'Kết quả đã hết hiệu lực, không tái sử dụng được', en: 'The result has expired and cannot be reused' },
  REVOKED: { status: 409, vi: 'Kết quả đã bị thu hồi, không tái sử dụng được', en: 'The result was revoked and cannot be reused' },
  SUPERSEDED: {
    status: 409,
    vi: 'Kết quả đã được thay thế bằng kết quả mới hơn; hãy tái sử dụng kết quả mới',
    en: 'The result was superseded by a newer one; reuse the newer result',
  },
  OTHER_PERSON: {
    status: 409,
    vi: 'Tài liệu thuộc về người khác, không phải người nộp hồ sơ',
    en: "The document belongs to another person than the dossier's applicant",
  },
  SIGNATURE_INVALID: {
    status: 409,
    vi: 'Chữ ký số của bản lưu trữ không còn hợp lệ (tệp có thể đã bị thay đổi); không tái sử dụng, hãy báo quản trị kiểm tra kho',
    en: 'The stored copy\'s digital signature no longer verifies (the file may have been altered); not reused, ask an administrator to check the archive',
  },
  INTERNAL: { status: 500, vi: 'Lỗi hệ thống', en: 'Internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** A detail in both languages: what was wrong and what is expected, in words a clerk understands. */
export interface Detail {
  vi: string;
  en: string;
}

export const bi = (vi: string, en: string): Detail => ({ vi, en });

export interface ErrorJson {
  code: ErrorCode;
  message: string;
  field?: string;
  file?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** A bilingual detail, or (for operators only: internal failures) an English technical note. */
  readonly detail: Detail | string | undefined;
  /** The request field the error is about, when there is one. */
  readonly field: string | undefined;
  /** The uploaded file the error is about, when there is one. */
  file: string | undefined;
  /** Seconds after which a retry may succeed (sent as Retry-After). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, detail?: Detail | string, opts: { field?: string; cause?: unknown; retryAfter?: number } = {}) {
    const spec: ErrorSpec = ERRORS[code];
    const en = typeof detail === 'string' ? detail : detail?.en;
    // The underlying library's message goes to the log through `cause`, never to the client.
    super(en ? `${spec.en}: ${en}` : spec.en, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.detail = detail;
    this.field = opts.field;
    this.retryAfter = opts.retryAfter;
  }

  /** The bilingual message shown to staff: "<vi>: <detail vi> / <en>: <detail en>". */
  get userMessage(): string {
    const spec: ErrorSpec = ERRORS[this.code];
    const d = this.detail;
    if (d === undefined) return `${spec.vi} / ${spec.en}`;
    if (typeof d === 'string') return `${spec.vi} / ${spec.en} (${d})`;
    return `${spec.vi}: ${d.vi} / ${spec.en}: ${d.en}`;
  }

  toJSON(): ErrorJson {
    const out: ErrorJson = { code: this.code, message: this.userMessage };
    if (this.field !== undefined) out.field = this.field;
    if (this.file !== undefined) out.file = this.file;
    return out;
  }
}

/** The same error about a narrower place ("page 3: …"), in both languages. */
export function within(err: AppError, vi: string, en: string): AppError {
  const d = err.detail;
  const detail = d === undefined ? bi(vi, en) : typeof d === 'string' ? bi(`${vi}: ${d}`, `${en}: ${d}`) : bi(`${vi}: ${d.vi}`, `${en}: ${d.en}`);
  return new AppError(err.code, detail, { field: err.field, cause: err });
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
