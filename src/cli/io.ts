// What a CLI command may touch: two output streams. Commands return their exit code instead of exiting,
// so tests call them in-process.
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;
