// Types of dev-secret.mjs, for the TypeScript that imports it (the crowd script).
export declare const repoRoot: string;
export declare const devSecretFile: string;
/** HERENOW_SECRET from the environment, else the shared development secret (created on first use). */
export declare function devSecret(): string;
