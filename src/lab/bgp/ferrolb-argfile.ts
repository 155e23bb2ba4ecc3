// `node ferrolb-argfile.ts ANNOUNCE_FILE bgp ARGS...`: bin/ferrolb.ts with one `--announce IP` added
// per line of ANNOUNCE_FILE, for announcement lists too long for argv (the benchmark's 50,000).
import { readFileSync } from 'node:fs';
import { main } from '../../cli/main.ts';

const [file, ...rest] = process.argv.slice(2);
if (file === undefined || rest.length === 0) {
  process.stderr.write('usage: ferrolb-argfile.ts ANNOUNCE_FILE bgp ARGS...\n');
  process.exit(2);
}
const ips = readFileSync(file, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
if (ips.length === 0) {
  process.stderr.write(`ferrolb-argfile: ${file} lists no address\n`);
  process.exit(2);
}
process.exitCode = await main([...rest, ...ips.flatMap((ip) => ['--announce', ip])], {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
