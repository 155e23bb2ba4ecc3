// `npm run build`: the speaker bundle the image ships (dist/speaker/main.mjs; see src/lab/speaker-bundle.ts).
import { statSync } from 'node:fs';
import { buildSpeakerBundle } from '../src/lab/speaker-bundle.ts';

const out = buildSpeakerBundle();
process.stdout.write(`${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)\n`);
