// Loaded with `node --import` where /usr/bin/time is missing: writes the process's peak resident set (KiB) to the
// file named by SPIKECHIP_PEAK_RSS_FILE when it exits, so a test can bound the memory a command took.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.SPIKECHIP_PEAK_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
