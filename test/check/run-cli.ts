// Runs the CLI from source, for tests that start it as a process:
// `node --import tsx test/check/run-cli.ts check ...`.
import { main } from '../../src/cli.ts';

await main(process.argv);
