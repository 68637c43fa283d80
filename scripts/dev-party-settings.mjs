// The party settings `npm run dev` gives its room where they differ from production's defaults,
// and why; the browser test that reloads under `next dev` starts its party with the same.

/**
 * The away grace of a 1001 close under `npm run dev`: 5 s, the leave grace, instead of 1.5 s.
 * `next dev` compiles and renders a page on request with React's development build, so a
 * reloaded page opens its socket again 1.5 to 3.5 s after the old one closed (measured on a
 * 2-core machine): a production build comes back within the 1.5 s, a page under `next dev`
 * does not, and every such reload would read as a leave and a join.
 */
export const DEV_PARTY_SETTINGS = { HERENOW_AWAY_GRACE_MS: "5000" };
