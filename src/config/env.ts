/** The only module that reads process.env. Everything else receives a typed Config. */
export type RawEnv = Readonly<Record<string, string | undefined>>;

export function readEnv(): RawEnv {
  return { ...process.env };
}
