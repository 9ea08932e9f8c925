import { countSegments } from '../../src/shared/segments';

describe('countSegments', () => {
  it('counts GSM-7 at 160 then 153 per segment', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306))).toMatchObject({ segments: 2 });
    expect(countSegments('a'.repeat(307))).toMatchObject({ segments: 3 });
  });

  it('counts extension characters as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('€'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
  });

  it('counts Chinese as UCS-2 at 70 then 67 per segment', () => {
    expect(countSegments('验'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('验'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('验'.repeat(135))).toMatchObject({ segments: 3 });
  });

  it('switches the whole message to UCS-2 for one non-GSM character', () => {
    expect(countSegments(`${'a'.repeat(100)}验`)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('counts an emoji as two UTF-16 units', () => {
    expect(countSegments('😀')).toMatchObject({ encoding: 'UCS-2', units: 2 });
  });
});
