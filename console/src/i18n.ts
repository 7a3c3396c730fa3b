// Vietnamese first, English on request: every label is written in both, side by side, where it is used.
export type Lang = 'vi' | 'en';

let lang: Lang = (sessionStorage.getItem('motcua.lang') as Lang | null) ?? 'vi';
const listeners = new Set<() => void>();

export const currentLang = (): Lang => lang;
export function setLang(l: Lang): void {
  lang = l;
  sessionStorage.setItem('motcua.lang', l);
  document.documentElement.lang = l;
  for (const f of listeners) f();
}
export function onLang(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** The label in the language in use. */
export const tr = (vi: string, en: string): string => (lang === 'vi' ? vi : en);

/** The API's messages are "<vi> / <en>": show the half in the language in use. */
export function apiMessage(message: string): string {
  const i = message.indexOf(' / ');
  if (i < 0) return message;
  return lang === 'vi' ? message.slice(0, i) : message.slice(i + 3);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  // A calendar date (an issue date) has no time of day to show.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return new Date(`${iso}T00:00:00Z`).toLocaleDateString(locale, { timeZone: 'UTC' });
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short' });
}

/** A rate as a percentage; OCR confidences come on a 0-100 scale, everything else 0-1. */
export const percent = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x > 1 ? x : x * 100).toFixed(1)} %`);

// Field names of schemas/document-types.json ("fieldMeanings") as a clerk reads them.
const FIELDS: Record<string, [string, string]> = {
  fullName: ['Họ, chữ đệm, tên', 'Full name'],
  dateOfBirth: ['Ngày sinh', 'Date of birth'],
  gender: ['Giới tính', 'Sex'],
  idNumber: ['Số định danh cá nhân', 'Personal id'],
  documentNumber: ['Số giấy tờ', 'Document number'],
  issueDate: ['Ngày cấp / đăng ký', 'Issue date'],
  issuer: ['Cơ quan cấp', 'Issuer'],
  applicantName: ['Người yêu cầu', 'Applicant'],
  applicantIdNumber: ['Số định danh người yêu cầu', "Applicant's id"],
  applicantAddress: ['Địa chỉ người yêu cầu', "Applicant's address"],
  husbandName: ['Họ tên chồng', "Husband's name"],
  wifeName: ['Họ tên vợ', "Wife's name"],
  husbandIdNumber: ['Số định danh của chồng', "Husband's id"],
  wifeIdNumber: ['Số định danh của vợ', "Wife's id"],
  holderName: ['Người được cấp', 'Holder'],
  holderIdNumber: ['Số định danh người được cấp', "Holder's id"],
  serialNumber: ['Số phát hành (sê-ri)', 'Serial number'],
  parcelNumber: ['Thửa đất số', 'Parcel number'],
  mapSheetNumber: ['Tờ bản đồ số', 'Map sheet'],
  businessCode: ['Mã số hộ kinh doanh', 'Business code'],
  businessName: ['Tên hộ kinh doanh', 'Business name'],
  ownerName: ['Chủ hộ kinh doanh', 'Owner'],
  ownerIdNumber: ['Số định danh chủ hộ', "Owner's id"],
  enterpriseCode: ['Mã số doanh nghiệp', 'Enterprise code'],
  enterpriseName: ['Tên doanh nghiệp', 'Enterprise name'],
  representativeName: ['Người đại diện theo pháp luật', 'Legal representative'],
  representativeIdNumber: ['Số định danh người đại diện', "Representative's id"],
  expiryDate: ['Ngày hết hạn', 'Expiry date'],
};
export const fieldLabel = (name: string): string => {
  const l = FIELDS[name];
  return l ? (lang === 'vi' ? l[0] : l[1]) : name;
};
