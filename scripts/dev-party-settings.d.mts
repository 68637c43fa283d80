// Types of dev-party-settings.mjs, for the TypeScript that imports it (the browser tests).
/** The party settings `npm run dev` sets where they differ from production's defaults. */
export declare const DEV_PARTY_SETTINGS: Readonly<Record<string, string>>;
