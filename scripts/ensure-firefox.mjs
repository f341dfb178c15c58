// Makes sure Firefox exists for the Firefox end-to-end tests. On Debian as root it installs the
// `firefox-esr` package; elsewhere it only says how. Never fails: without Firefox those tests are skipped
// (with the reason), and the rest of `npm test` runs. FIREFOX_PATH overrides the path;
// CAM_LENS_SKIP_FIREFOX=1 skips the install and the tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FIREFOX } from './firefox.mjs';

if (process.env.CAM_LENS_SKIP_FIREFOX) {
  console.log('CAM_LENS_SKIP_FIREFOX is set: not installing Firefox; the Firefox end-to-end tests will be skipped.');
} else if (!existsSync(FIREFOX)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !process.env.FIREFOX_PATH;
  if (!canInstall) {
    console.log(`Firefox not found at ${FIREFOX}: the Firefox end-to-end tests will be skipped (Debian/Ubuntu: sudo apt-get install -y firefox-esr, or set FIREFOX_PATH).`);
  } else {
    console.log('Installing Firefox ESR (apt-get install -y firefox-esr)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync('apt-get', ['install', '-y', '-qq', 'firefox-esr'], { stdio: 'inherit', env });
    } catch (e) {
      console.log(`Installing firefox-esr failed (${e.message}): the Firefox end-to-end tests will be skipped.`);
    }
    if (!existsSync(FIREFOX)) console.log(`${FIREFOX} is still missing: the Firefox end-to-end tests will be skipped.`);
  }
}
