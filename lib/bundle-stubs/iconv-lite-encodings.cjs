'use strict';

/**
 * Stands in for iconv-lite's table of encodings (encodings/index.js) in the function bundles
 * (see esbuild.config.cjs). It keeps iconv-lite's own codecs for the encodings Node has built
 * in (utf8, cesu8, ucs2, binary, base64, hex): mysql2 decodes the server version and auth
 * plugin names in the handshake as CESU-8, and everything else we exchange is utf8mb4. The legacy encodings
 * mysql2 maps other MySQL charsets to throw instead of being looked up in missing tables.
 */
const builtin = require('iconv-lite/encodings/internal.js');

// The values of mysql2/lib/constants/charset_encodings.js that are not Node encodings.
const legacy = [
  'armscii8',
  'big5',
  'cp1250',
  'cp1251',
  'cp1256',
  'cp1257',
  'cp850',
  'cp852',
  'cp866',
  'cp932',
  'dec8',
  'eucjp',
  'eucjpms',
  'euckr',
  'gb18030',
  'gb2312',
  'gbk',
  'geostd8',
  'greek',
  'hebrew',
  'hp8',
  'keybcs2',
  'koi8r',
  'koi8u',
  'latin2',
  'latin5',
  'latin7',
  'macintosh',
  'macroman',
  'sjis',
  'swe7',
  'tis620',
  'utf16',
  'utf32',
];

/** iconv-lite constructs a codec on first use of an encoding: this one refuses. */
function notBundled(codecOptions) {
  throw new Error(
    `iconv-lite encoding '${codecOptions.encodingName}' is not bundled (esbuild.config.cjs); ` +
      'this service talks utf8mb4 to MySQL',
  );
}

module.exports = {
  ...builtin,
  ...Object.fromEntries(legacy.map((name) => [name, notBundled])),
};
