// Types of dev-secret-file.mjs, for the TypeScript that imports it (the web app's settings).
/** The secret saved in `file`, or a new one saved there when it is missing or shorter than `minLength`. */
export declare function readOrCreateDevSecret(file: string, minLength: number): string;
