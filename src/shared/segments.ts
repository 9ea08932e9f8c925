/**
 * SMS billing units as vendors count them: GSM-7 content is 160 characters in
 * one segment and 153 per segment when split; anything else (Chinese, emoji)
 * is UCS-2: 70 in one, 67 per segment when split.
 */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Extension-table characters cost two septets each. */
const GSM7_EXTENDED = '^{}\\[~]|€\f';

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  units: number;
  segments: number;
}

export function countSegments(content: string): SegmentCount {
  let septets = 0;
  for (const char of content) {
    if (GSM7_BASIC.includes(char)) septets += 1;
    else if (GSM7_EXTENDED.includes(char)) septets += 2;
    else return ucs2Count(content);
  }
  return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

function ucs2Count(content: string): SegmentCount {
  // UTF-16 code units: characters outside the BMP (emoji) take two.
  const units = content.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
