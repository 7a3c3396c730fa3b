// Messages in Vietnamese and English. The language is --lang, else SOHOA_LANG, else the locale
// (LC_ALL, LC_MESSAGES, LANG): "vi…" means Vietnamese; anything else English. Codes (FILE_CORRUPT, …)
// and JSON output never change with the language, so scripts do not depend on it.

export type Lang = 'vi' | 'en';

const CATALOG = {
  // program and options
  'program.description': {
    vi: 'Công cụ dòng lệnh của hệ thống số hóa Một cửa: gửi hồ sơ, số hóa kho lưu trữ, tra cứu',
    en: 'Command-line tool of the one-stop-shop digitization service: send dossiers, digitize backlogs, look things up',
  },
  'opt.url': { vi: 'địa chỉ API (mặc định: SOHOA_URL)', en: 'API base URL (default: SOHOA_URL)' },
  'opt.key': { vi: 'khóa truy cập API (mặc định: SOHOA_KEY)', en: 'API key (default: SOHOA_KEY)' },
  'opt.lang': { vi: 'ngôn ngữ thông báo: vi hoặc en', en: 'message language: vi or en' },
  'opt.json': { vi: 'in kết quả dạng JSON (cho script)', en: 'print the result as JSON (for scripts)' },
  'opt.timeout': { vi: 'thời gian chờ tối đa cho mỗi lần gửi (giây)', en: 'time limit of one attempt, in seconds' },
  'opt.retryFor': {
    vi: 'thử lại tối đa bao lâu khi API không trả lời hoặc bận (giây)',
    en: 'how long to keep retrying while the API is down or busy, in seconds',
  },
  'opt.unit': { vi: 'mã đơn vị tiếp nhận, ví dụ 000.03.21.H54', en: 'receiving unit code, e.g. 000.03.21.H54' },
  'opt.procedure': { vi: 'mã thủ tục, ví dụ 1.001193', en: 'procedure code, e.g. 1.001193' },
  'opt.applicant': { vi: 'số định danh cá nhân hoặc mã số thuế của người nộp', en: "applicant's personal id or tax code" },
  'opt.channel': { vi: 'kênh tiếp nhận', en: 'intake channel' },
  'opt.dossierCode': { vi: 'mã hồ sơ (bỏ trống: hệ thống cấp)', en: 'dossier code (omit to let the service assign one)' },
  'opt.receivedAt': {
    vi: 'ngày tiếp nhận: YYYY-MM-DD, DD/MM/YYYY hoặc ngày giờ ISO',
    en: 'date received: YYYY-MM-DD, DD/MM/YYYY or an ISO date-time',
  },
  'opt.role': { vi: 'vai trò của tệp: component (thành phần) hoặc result (kết quả)', en: 'role of the files: component or result' },
  'opt.roles': {
    vi: 'vai trò của từng tệp theo thứ tự, cách nhau bởi dấu phẩy',
    en: 'comma-separated roles, one per file in order',
  },
  'opt.wait': {
    vi: 'chờ đến khi mọi tài liệu dừng ở done, review hoặc failed',
    en: 'follow every document until it rests (done, review, failed)',
  },
  'opt.manifest': { vi: 'tệp CSV mô tả hồ sơ của từng tệp', en: 'CSV file with the dossier of each file' },
  'opt.concurrency': { vi: 'số yêu cầu gửi đồng thời', en: 'requests in flight at once' },
  'opt.report': { vi: 'ghi báo cáo CSV vào tệp này', en: 'write a CSV report to this file' },
  'opt.state': {
    vi: 'tệp trạng thái để tiếp tục khi bị ngắt (mặc định: <thư mục>.sohoa-state.json bên cạnh thư mục)',
    en: 'state file used to resume (default: <folder>.sohoa-state.json beside the folder)',
  },
  'opt.waitTimeout': {
    vi: 'với --wait: dừng chờ sau số phút này (0: không giới hạn)',
    en: 'with --wait: stop following after this many minutes (0: no limit)',
  },
  'opt.verbose': { vi: 'in một dòng cho mỗi tệp được nhận', en: 'print a line for every accepted file' },
  'opt.dryRun': { vi: 'chỉ kiểm tra thư mục và CSV, không gửi gì', en: 'check the folder and the CSV, send nothing' },
  'cmd.upload': { vi: 'gửi một hồ sơ với một hoặc nhiều tệp', en: 'send one dossier with one or more files' },
  'cmd.status': { vi: 'trạng thái của một tài liệu (id) hoặc một hồ sơ (mã hồ sơ)', en: 'status of a document (id) or a dossier (dossier code)' },
  'cmd.search': { vi: 'tìm tài liệu trong kho số hóa', en: 'search the digitized archive' },
  'cmd.person': { vi: 'các giấy tờ của một công dân (số định danh)', en: "a citizen's papers (personal id)" },
  'cmd.verify': { vi: 'kiểm tra chữ ký số của một tệp PDF', en: 'check the digital signature of a PDF' },
  'cmd.progress': { vi: 'tiến độ số hóa và tái sử dụng theo đơn vị', en: 'digitization and reuse progress by unit' },
  'cmd.ingest': {
    vi: 'gửi mọi bản quét trong một thư mục (có thể tiếp tục khi bị ngắt)',
    en: 'send every scan of a folder (resumable)',
  },
  'opt.search.q': { vi: 'từ khóa', en: 'words to look for' },
  'opt.search.person': { vi: 'số định danh của công dân', en: "citizen's personal id" },
  'opt.search.docType': { vi: 'loại giấy tờ (slug)', en: 'document type (slug)' },
  'opt.search.code': { vi: 'mã giấy tờ', en: 'document code' },
  'opt.search.from': { vi: 'ngày ban hành từ (YYYY-MM-DD)', en: 'issued from (YYYY-MM-DD)' },
  'opt.search.to': { vi: 'ngày ban hành đến (YYYY-MM-DD)', en: 'issued until (YYYY-MM-DD)' },
  'opt.search.status': { vi: 'trạng thái tài liệu', en: 'document status' },
  'opt.search.limit': { vi: 'số kết quả mỗi trang', en: 'results per page' },
  'opt.search.cursor': { vi: 'trang tiếp theo (nextCursor)', en: 'next page (nextCursor)' },
  'opt.search.all': { vi: 'lấy tất cả các trang', en: 'fetch every page' },
  'opt.progress.period': { vi: 'kỳ: YYYY, YYYY-MM, YYYY-Qn hoặc YYYY-MM-DD', en: 'period: YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD' },
  'opt.progress.groupBy': { vi: 'gộp theo unit (đơn vị) hoặc level (cấp)', en: 'group by unit or level' },
  'opt.progress.csv': { vi: 'in bảng dạng CSV (GET /v1/progress.csv)', en: 'print the CSV export (GET /v1/progress.csv)' },

  // configuration and usage
  'err.noUrl': { vi: 'Chưa có địa chỉ API: đặt SOHOA_URL hoặc dùng --url', en: 'No API address: set SOHOA_URL or use --url' },
  'err.badUrl': { vi: 'Địa chỉ API không hợp lệ: {url}', en: 'Not a valid API address: {url}' },
  'err.noKey': { vi: 'Chưa có khóa API: đặt SOHOA_KEY hoặc dùng --key', en: 'No API key: set SOHOA_KEY or use --key' },
  'err.badNumber': { vi: '{option} phải là số nguyên dương (nhận: {value})', en: '{option} must be a positive whole number (got {value})' },
  'err.badChoice': { vi: '{option} phải là một trong: {choices} (nhận: {value})', en: '{option} must be one of: {choices} (got {value})' },
  'err.fileMissing': { vi: 'Không tìm thấy tệp: {path}', en: 'File not found: {path}' },
  'err.folderMissing': { vi: 'Không tìm thấy thư mục: {path}', en: 'Folder not found: {path}' },
  'err.invalidField': { vi: '{field} không hợp lệ: {detail}', en: 'Invalid {field}: {detail}' },
  'err.invalidFieldOf': { vi: '{option}: {detail_vi}', en: '{option}: {detail_en}' },
  'err.rolesCount': { vi: '--roles có {roles} giá trị cho {files} tệp', en: '--roles has {roles} values for {files} files' },
  'err.manifestRead': { vi: 'Không đọc được tệp CSV {path}: {detail}', en: 'Cannot read the CSV file {path}: {detail}' },
  'err.manifestNoFile': {
    vi: 'Tệp CSV {path} thiếu cột "file" (các cột: {columns})',
    en: 'The CSV file {path} has no "file" column (columns: {columns})',
  },
  'err.stateMismatch': {
    vi: 'Tệp trạng thái {path} thuộc về một đợt khác (đơn vị {unit}, API {url}); dùng --state để chọn tệp khác',
    en: 'The state file {path} belongs to another batch (unit {unit}, API {url}); use --state to choose another file',
  },
  'err.stateCorrupt': {
    vi: 'Tệp trạng thái {path} bị hỏng ({detail}); hãy đổi tên nó hoặc dùng --state để chọn tệp khác',
    en: 'The state file {path} is damaged ({detail}); rename it or use --state to choose another file',
  },
  'err.stateLocked': {
    vi: 'Một lần chạy khác đang dùng tệp trạng thái {path} (tiến trình {pid}); chờ nó xong hoặc xóa {lock} nếu nó đã dừng',
    en: 'Another run is using the state file {path} (process {pid}); wait for it, or delete {lock} if it has stopped',
  },
  'err.unreachable': {
    vi: 'Không liên lạc được với API {url} sau {seconds} giây ({detail})',
    en: 'Could not reach the API at {url} for {seconds} s ({detail})',
  },
  'err.auth': { vi: 'API từ chối khóa truy cập ({code}): {message}', en: 'The API refused the key ({code}): {message}' },
  'err.notFound': { vi: 'Không tìm thấy: {what}', en: 'Not found: {what}' },
  'err.refused': { vi: 'API từ chối yêu cầu ({code}): {message}', en: 'The API refused the request ({code}): {message}' },
  'err.internal': { vi: 'Lỗi nội bộ của sohoa: {message}', en: 'Internal error in sohoa: {message}' },
  'ingest.resumeHint': {
    vi: 'Các tệp đã được nhận được ghi trong {path}; chạy lại đúng lệnh này để tiếp tục.',
    en: 'The accepted scans are recorded in {path}; run the same command again to continue.',
  },
  'err.interruptedPlain': { vi: 'Đã dừng theo yêu cầu.', en: 'Stopped on request.' },

  // retries
  'retry.busy': { vi: 'API đang bận ({detail}), chờ {seconds} giây theo yêu cầu', en: 'API busy ({detail}), waiting {seconds} s as asked' },
  'retry.unreachable': { vi: 'API không trả lời ({detail}), thử lại sau {seconds} giây', en: 'API not answering ({detail}), retrying in {seconds} s' },
  'retry.other': { vi: 'API trả lời {detail}, thử lại sau {seconds} giây', en: 'API answered {detail}, retrying in {seconds} s' },

  // ingest
  'ingest.found': {
    vi: 'Tìm thấy {scans} bản quét trong {folder} (bỏ qua {ignored} tệp khác)',
    en: 'Found {scans} scans in {folder} ({ignored} other files ignored)',
  },
  'ingest.resume': { vi: '{count} tệp đã được nhận ở lần chạy trước, không gửi lại', en: '{count} files were accepted in an earlier run and are not sent again' },
  'ingest.accepted': { vi: 'đã nhận {file} → hồ sơ {dossier}, tài liệu {document}', en: 'accepted {file} → dossier {dossier}, document {document}' },
  'ingest.acceptedDuplicate': { vi: ' (trùng nội dung với {of})', en: ' (same bytes as {of})' },
  'ingest.sameContent': {
    vi: '{file}: cùng nội dung và hồ sơ với {other}, không gửi lại',
    en: '{file}: same content and dossier as {other}, not sent twice',
  },
  'ingest.refused': { vi: 'bị từ chối {file}: {code}: {message}', en: 'refused {file}: {code}: {message}' },
  'ingest.issue': { vi: 'CSV dòng {line} ({file}): {code}: {message}', en: 'CSV line {line} ({file}): {code}: {message}' },
  'ingest.issueNoLine': { vi: '{file}: {code}: {message}', en: '{file}: {code}: {message}' },
  'ingest.unknownColumns': { vi: 'Bỏ qua các cột CSV không biết: {columns}', en: 'Ignoring unknown CSV columns: {columns}' },
  'ingest.dryRun': { vi: 'Chạy thử: {dossiers} hồ sơ, {files} tệp sẽ được gửi; không gửi gì.', en: 'Dry run: {dossiers} dossiers, {files} files would be sent; nothing sent.' },
  'ingest.following': {
    vi: 'Theo dõi {count} tài liệu đến khi dừng (done, review, failed)…',
    en: 'Following {count} documents until they rest (done, review, failed)…',
  },
  'ingest.waitTimedOut': {
    vi: 'Hết thời gian chờ: {count} tài liệu vẫn đang xử lý',
    en: 'Stopped following: {count} documents are still in progress',
  },
  'bar.upload': { vi: 'Gửi', en: 'Upload' },
  'bar.wait': { vi: 'Xử lý', en: 'Process' },

  // summary
  'sum.title': { vi: 'Kết quả', en: 'Summary' },
  'sum.files': { vi: 'Bản quét', en: 'Scans' },
  'sum.accepted': { vi: 'Đã nhận', en: 'Accepted' },
  'sum.acceptedDetail': { vi: '{now} ở lần này, {before} trước đó', en: '{now} in this run, {before} before' },
  'sum.duplicates': { vi: 'Trùng nội dung', en: 'Duplicates' },
  'sum.refused': { vi: 'Bị từ chối', en: 'Refused' },
  'sum.invalid': { vi: 'Dòng CSV lỗi', en: 'Bad CSV rows' },
  'sum.notSent': { vi: 'Chưa gửi', en: 'Not sent' },
  'sum.done': { vi: 'Hoàn tất', en: 'Done' },
  'sum.review': { vi: 'Chờ kiểm tra', en: 'In review' },
  'sum.failed': { vi: 'Thất bại', en: 'Failed' },
  'sum.pending': { vi: 'Đang xử lý', en: 'In progress' },
  'sum.ppm': { vi: 'Trang/phút', en: 'Pages per minute' },
  'sum.requests': { vi: 'Yêu cầu gửi đi', en: 'Requests sent' },
  'sum.elapsed': { vi: 'Thời gian', en: 'Elapsed' },
  'sum.report': { vi: 'Báo cáo', en: 'Report' },
  'sum.state': { vi: 'Tệp trạng thái', en: 'State file' },

  // issues of a manifest row or a file
  'issue.FILE_NOT_FOUND': { vi: 'không có tệp này trong thư mục', en: 'no such file in the folder' },
  'issue.NOT_A_SCAN': { vi: 'không phải bản quét (PDF, TIFF, JPEG, PNG)', en: 'not a scan (PDF, TIFF, JPEG, PNG)' },
  'issue.EMPTY_FILE_CELL': { vi: 'cột file bị trống', en: 'the file column is empty' },
  'issue.DUPLICATE_ROW': { vi: 'tệp đã có ở dòng {first}', en: 'the file is already listed on line {first}' },
  'issue.INVALID_ROLE': { vi: 'role phải là component hoặc result (nhận: {value})', en: 'role must be component or result (got {value})' },
  'issue.INVALID_RECEIVED_AT': {
    vi: 'receivedAt phải là ngày đã qua, dạng YYYY-MM-DD, DD/MM/YYYY hoặc ngày giờ ISO (nhận: {value})',
    en: 'receivedAt must be a past date as YYYY-MM-DD, DD/MM/YYYY or an ISO date-time (got {value})',
  },
  'issue.INVALID_FIELD': { vi: '{detail_vi}', en: '{detail_en}' },
  'issue.MISSING_FIELD': { vi: '{field} trống và không có giá trị mặc định --{flag}', en: '{field} is empty and no --{flag} default was given' },
  'issue.GROUP_CONFLICT': {
    vi: '{field} khác nhau trong cùng hồ sơ {group} (dòng {lines})',
    en: '{field} differs within dossier {group} (lines {lines})',
  },
  'issue.CSV_SYNTAX': { vi: 'dòng CSV không đọc được', en: 'this CSV line cannot be read' },
  'issue.CSV_QUOTE_NOT_CLOSED': {
    vi: 'dấu ngoặc kép mở ở dòng này không được đóng; phần còn lại của tệp bị đọc thành một ô',
    en: 'a quote opened on this line is never closed; the rest of the file reads as one cell',
  },
  'issue.CSV_BAD_QUOTE': {
    vi: 'có ký tự sau dấu ngoặc kép đóng; bỏ ngoặc kép hoặc đặt cả ô trong ngoặc kép',
    en: 'text follows a closing quote; remove the quotes or quote the whole cell',
  },
  'issue.NOT_IN_MANIFEST': {
    vi: 'không có trong CSV và không có --procedure/--applicant mặc định',
    en: 'not in the CSV, and no --procedure/--applicant defaults',
  },

  // other commands
  'status.dossier': { vi: 'Hồ sơ {code} · đơn vị {unit} · thủ tục {procedure} · kênh {channel} · nhận {receivedAt}', en: 'Dossier {code} · unit {unit} · procedure {procedure} · channel {channel} · received {receivedAt}' },
  'upload.sent': { vi: 'Đã gửi hồ sơ {code}', en: 'Sent dossier {code}' },
  'verify.valid': { vi: 'Chữ ký hợp lệ', en: 'The signature is valid' },
  'verify.invalid': { vi: 'Chữ ký KHÔNG hợp lệ', en: 'The signature is NOT valid' },
  'search.total': { vi: '{total} kết quả', en: '{total} results' },
  'search.more': { vi: 'Còn nữa: --cursor {cursor} (hoặc --all)', en: 'More: --cursor {cursor} (or --all)' },
  'person.none': { vi: 'Không có giấy tờ nào', en: 'No papers' },
  'col.file': { vi: 'Tệp', en: 'File' },
  'col.id': { vi: 'Mã tài liệu', en: 'Document id' },
  'col.status': { vi: 'Trạng thái', en: 'Status' },
  'col.docType': { vi: 'Loại giấy tờ', en: 'Type' },
  'col.code': { vi: 'Mã', en: 'Code' },
  'col.pages': { vi: 'Trang', en: 'Pages' },
  'col.error': { vi: 'Lỗi', en: 'Error' },
  'col.title': { vi: 'Tiêu đề', en: 'Title' },
  'col.unit': { vi: 'Đơn vị', en: 'Unit' },
  'col.issueDate': { vi: 'Ngày cấp', en: 'Issued' },
  'col.validUntil': { vi: 'Hiệu lực đến', en: 'Valid until' },
  'col.reusable': { vi: 'Tái sử dụng', en: 'Reusable' },
  'col.level': { vi: 'Cấp', en: 'Level' },
  'col.received': { vi: 'Nhận', en: 'Received' },
  'col.digitized': { vi: 'Số hóa', en: 'Digitized' },
  'col.rate': { vi: 'Tỷ lệ', en: 'Rate' },
  'col.reuse': { vi: 'Tái sử dụng', en: 'Reuse' },
  'col.onTrack': { vi: 'Đạt', en: 'On track' },
  'col.field': { vi: 'Mục', en: 'Field' },
  'col.value': { vi: 'Giá trị', en: 'Value' },
  'yes': { vi: 'có', en: 'yes' },
  'no': { vi: 'không', en: 'no' },
} as const satisfies Record<string, { vi: string; en: string }>;

export type MessageKey = keyof typeof CATALOG;
export type Vars = Record<string, string | number | null | undefined>;

export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const explicit = flag ?? env.SOHOA_LANG;
  if (explicit) return explicit.toLowerCase().startsWith('vi') ? 'vi' : 'en';
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

/** --lang must be known before the commands are built, so their help is in the right language. */
export function langFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--lang') return argv[i + 1];
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return undefined;
}

export type Translate = (key: MessageKey, vars?: Vars) => string;

export function translator(lang: Lang): Translate {
  return (key, vars = {}) =>
    CATALOG[key][lang].replace(/\{(\w+)\}/g, (whole, name: string) => {
      const v = vars[name];
      return v === undefined || v === null ? whole : String(v);
    });
}

export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(CATALOG, key);
}
