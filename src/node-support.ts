/**
 * The Node.js versions Tribe runs on (README "Node.js support"): 20.19 or later; Node 24 LTS is the
 * production target. Must match package.json `engines.node`, which npm only warns about.
 */
export const MIN_NODE_VERSION = '20.19.0';

function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  return [major, minor, patch];
}

/** Why `version` (e.g. process.versions.node) cannot run Tribe, or undefined when it can. */
export function unsupportedNodeReason(version: string): string | undefined {
  const have = parts(version);
  const need = parts(MIN_NODE_VERSION);
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!) {
      return (
        `Tribe needs Node.js ${MIN_NODE_VERSION} or later (Node 24 LTS in production); this is Node ${version}. ` +
        'Install a supported Node.js (https://nodejs.org/en/download) and start again.'
      );
    }
  }
  return undefined;
}
