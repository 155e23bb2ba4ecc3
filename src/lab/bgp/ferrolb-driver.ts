// `node ferrolb-driver.ts ARGS...`: the `ferrolb bgp` speaker (runBgp from src/cli/bgp.ts, same flags
// and stdout events) driven over stdin, for tests that change what is announced while the session
// stays up — the way the speaker's desired-state setter is used in the cluster:
//   set IP [IP...]      announce exactly these addresses (pool "cli" of the simple form)
//   stop cease|restart  shut down (NOTIFICATION Cease) or close without NOTIFICATION (graceful restart)
// Each command is acknowledged on stdout with `ok <command>` or `error <reason>`.
import { createInterface } from 'node:readline';
import { runBgp } from '../../cli/bgp.ts';

const io = { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) };
const run = await runBgp(process.argv.slice(2), io);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  if (cmd === 'set') {
    if (!run.speaker) return io.stdout('error speaker not running\n');
    run.speaker.setAnnouncements(rest.map((ip) => ({ ip, pool: 'cli' })));
    io.stdout(`ok set ${rest.length}\n`);
  } else if (cmd === 'stop' && (rest[0] === 'cease' || rest[0] === 'restart')) {
    io.stdout(`ok stop ${rest[0]}\n`);
    run.stop(rest[0]);
  } else if (cmd) {
    io.stdout(`error unknown command ${JSON.stringify(line)}\n`);
  }
});
process.on('SIGTERM', () => run.stop('cease'));
process.on('SIGUSR2', () => run.stop('restart'));
process.exitCode = await run.done;
rl.close();
