import { dictionary } from '@zxcvbn-ts/language-common';
import { commonPasswordCount, commonPasswordList, isCommonPassword } from './common-passwords';

describe('the common-password list', () => {
  it('holds at least 10,000 passwords and finds them without regard to case', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    for (const password of ['12345678', 'password123', 'PASSWORD123', 'Sunshine', 'iloveyou']) {
      expect(isCommonPassword(password)).toBe(true);
    }
    for (const password of ['correct horse battery', 'a brand new secret', '']) {
      expect(isCommonPassword(password)).toBe(false);
    }
  });

  it("is the package's list, as `npm run common-passwords` writes it", () => {
    const expected = [
      ...new Set(
        dictionary['passwords-common']
          .map((password) => password.toLowerCase())
          .filter((password) => [...password].length >= 8),
      ),
    ];
    expect(commonPasswordList()).toEqual(expected);
  });
});
