/**
 * The kernel modules assembled at build time. `npm run build` (scripts/build-wasm.mjs)
 * replaces this file's compiled form in dist/ with the four variants' bytes (base64)
 * and writes them beside it as .wasm files; from source (tests, a checkout without
 * a build) this is null and the modules are assembled on first use. Both give the
 * same bytes: a test compares them.
 */
export const PREBUILT: Readonly<Record<string, string>> | null = null;

/** The key of one variant: relaxed-SIMD or plain, shared (threads) or not. */
export function variantKey(relaxed: boolean, shared: boolean): string {
  return `${relaxed ? 'relaxed' : 'simd'}-${shared ? 'shared' : 'plain'}`;
}
