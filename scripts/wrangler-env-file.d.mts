// Types of wrangler-env-file.mjs, for the TypeScript that imports it (the test harness).
/**
 * Writes `vars` as a dotenv file only its owner can read, for `wrangler dev --env-file <file>`,
 * so no setting (the secret above all) is on the process's command line.
 *
 * @example
 * writeWranglerEnvFile(".data/party-dev.env", { HERENOW_SECRET: secret });
 */
export declare function writeWranglerEnvFile(file: string, vars: Record<string, string>): void;
