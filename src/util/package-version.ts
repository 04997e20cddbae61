/** The package's own version, read from package.json so it is written in one place. */
import { createRequire } from 'node:module';

// From src/util/ and from dist/util/ alike, the package root is two levels up.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const PACKAGE_VERSION = version;
