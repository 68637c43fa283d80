// jsdom brings its own typed arrays, but TextEncoder and WebCrypto are Node's: jose's
// `instanceof Uint8Array` checks need the one realm, so the tests put Node's back.
globalThis.Uint8Array = Object.getPrototypeOf(Buffer.prototype).constructor;
