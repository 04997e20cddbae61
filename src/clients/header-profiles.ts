/**
 * What a polling client sends besides the request line and Host: the header
 * profile decides most of the per-poll overhead, which is the point of the
 * comparison.
 *  - minimal: nothing else (what a bare HTTP/1.1 client sends);
 *  - browser: a current desktop Chrome's fetch() with a realistic cookie;
 *  - talk:    the 2009 Firefox 3.5 XMLHttpRequest poll behind the "871 bytes
 *             of headers" figure. Its published request headers plus the
 *             published response headers add up to 872 bytes by our count
 *             without line endings (the talk rounds it to 871); here the
 *             request line and Host are ours, the other request headers are
 *             the published ones, and the response is what this server sends.
 */
export type HeaderProfileName = 'minimal' | 'browser' | 'talk';
export const HEADER_PROFILES: HeaderProfileName[] = ['minimal', 'browser', 'talk'];

const BROWSER: [string, string][] = [
  ['Connection', 'keep-alive'],
  ['sec-ch-ua-platform', '"Windows"'],
  ['User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'],
  ['sec-ch-ua', '"Chromium";v="142", "Google Chrome";v="142", "Not_A Brand";v="99"'],
  ['sec-ch-ua-mobile', '?0'],
  ['Accept', '*/*'],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Sec-Fetch-Mode', 'cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Referer', 'https://app.example.com/dashboard'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  [
    'Cookie',
    '_ga=GA1.1.1843020911.1761234567; _ga_7QK2Z4PX1B=GS2.1.s1764012345$o12$g1$t1764012399$j6$l0$h0; ' +
      'session=eyJ1aWQiOjQ4MjE5LCJyb2xlIjoidXNlciIsImV4cCI6MTc2NDA5ODc2NX0.k3Jf9QzV2mXl0aP7uYb1sRt4wEc8nHd6; ' +
      'csrftoken=Zr8WqL2nX5vB9mK4pT7yH3jD6fG1sA0e; theme=dark; tz=Europe%2FLondon',
  ],
];

const TALK: [string, string][] = [
  ['User-Agent', 'Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Language', 'en-us'],
  ['Accept-Encoding', 'gzip,deflate'],
  ['Accept-Charset', 'ISO-8859-1,utf-8;q=0.7,*;q=0.7'],
  ['Keep-Alive', '300'],
  ['Connection', 'keep-alive'],
  ['Referer', 'http://www.example.com/PollingStock/'],
  [
    'Cookie',
    'showInheritedConstant=false; showInheritedProtectedConstant=false; showInheritedProperty=false; ' +
      'showInheritedProtectedProperty=false; showInheritedMethod=false; showInheritedProtectedMethod=false; ' +
      'showInheritedEvent=false; showInheritedStyle=false; showInheritedEffect=false',
  ],
];

const PROFILES: Record<HeaderProfileName, [string, string][]> = { minimal: [], browser: BROWSER, talk: TALK };

/** The headers after Host as name/value pairs (autocannon's poll-ceiling run sends the same). */
export function profileHeaders(profile: HeaderProfileName): readonly [string, string][] {
  return PROFILES[profile];
}

/** The header lines after Host, each ending in CRLF, ready to splice into a request head. */
export function profileLines(profile: HeaderProfileName): string {
  return PROFILES[profile].map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

/** A complete GET request head. */
export function requestHead(path: string, host: string, profile: HeaderProfileName, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${profileLines(profile)}${extra}\r\n`;
}

/**
 * The Accept-Encoding line a polling client adds when it asks for gzip: none
 * when the profile already sends its own (browser and talk do, and list gzip).
 */
export function acceptEncodingLine(profile: HeaderProfileName, gzip: boolean | undefined): string {
  if (!gzip || PROFILES[profile].some(([name]) => name.toLowerCase() === 'accept-encoding')) return '';
  return 'Accept-Encoding: gzip\r\n';
}
