import { describe, expect, it } from 'vitest';
import { dictionaryShare, isVietnameseWord } from '../../services/ocr/vietnamese.js';

describe('Vietnamese syllable check (orientation tie-breaker)', () => {
  it('accepts syllables with any tone and modifiers, and numbers; refuses upside-down reads', () => {
    for (const w of ['Kính', 'gửi:', 'Ủy', 'nghiêng', 'Khuyến', 'TRƯỜNG', 'quyết', 'đường', '12/3/2024', 'giấy']) expect(isVietnameseWord(w), w).toBe(true);
    for (const w of ['dVHd', 'ÿZ0Z', 'HĐLLQH', 'ưẹqu', 'Bue1T', 'z†']) expect(isVietnameseWord(w), w).toBe(false);
    expect(dictionaryShare(['Kính', 'gửi:', 'Ủy', 'ban'])).toBe(1);
    expect(dictionaryShare(['ÿc0c', 'ureu', 'g', 'Bượự1'])).toBeLessThan(0.2);
    expect(dictionaryShare(['—', '.'])).toBe(0);
  });
});
