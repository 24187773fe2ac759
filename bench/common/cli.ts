// The command lines of the bench tools (bench, bench:micro, bench:gc-race, soak): `--help` is
// answered before anything native is loaded or built, a bad command line is one line on stderr
// with exit code 2, and any other failure a stack with exit code 1.

/** A command line the tool cannot run: reported in one line, exit code 2. */
export class UsageError extends Error {}

const isParseError = (error: unknown): error is Error =>
  error instanceof TypeError && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS');

/** Runs `main` unless the command line asks for help. `main` resolves to an exit code (or
 * nothing for 0) and loads what it needs itself (dynamic `import()`). */
export function runCli(tool: string, help: string, argv: string[], main: () => Promise<number | void>): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help);
    return;
  }
  main().then(
    (code) => {
      if (typeof code === 'number' && code !== 0) process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError || isParseError(error)) {
        process.stderr.write(`${tool}: ${error.message} (see --help)\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${tool}: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    }
  );
}
