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
    vi: 'Định dạng tệp không được chấp nhận (chỉ JPEG, PNG, TIFF, PDF)',
    en: 'File type not accepted (JPEG, PNG, TIFF, PDF only)',
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
    vi: 'Khóa Idempotency-Key đã dùng cho một yêu cầu khác hoặc đang xử lý',
    en: 'Idempotency-Key was used for another request or is still in progress',
  },
  INTEGRITY_MISMATCH: {
    status: 500,
    vi: 'Bản gốc lưu trữ không khớp mã băm',
    en: 'Stored original does not match its checksum',
  },
  STORE_UNAVAILABLE: { status: 503, vi: 'Kho lưu trữ tạm thời không sẵn sàng', en: 'Object store unavailable' },
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
  INTERNAL: { status: 500, vi: 'Lỗi hệ thống', en: 'Internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  /** The uploaded file the error is about, when there is one. */
  file: string | undefined;

  constructor(code: ErrorCode, detail?: string) {
    const spec: ErrorSpec = ERRORS[code];
    super(detail ? `${spec.en}: ${detail}` : spec.en);
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.detail = detail;
  }

  /** The bilingual message shown to staff. */
  get userMessage(): string {
    const spec: ErrorSpec = ERRORS[this.code];
    const base = `${spec.vi} / ${spec.en}`;
    return this.detail ? `${base} (${this.detail})` : base;
  }

  toJSON(): { code: ErrorCode; message: string; file?: string } {
    return this.file === undefined
      ? { code: this.code, message: this.userMessage }
      : { code: this.code, message: this.userMessage, file: this.file };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
