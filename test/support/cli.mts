// Runs the CLI from source (under tsx), so end-to-end tests exercise the current code
// without a build step.
import { main } from '../../src/cli.ts';

await main(process.argv);
