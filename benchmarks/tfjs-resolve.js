/**
 * A Node module-resolution hook for the benchmark only: tfjs-core publishes its
 * gradient registrations (dist/register_all_gradients.js) as ES modules with
 * extensionless relative imports, which Node's ESM loader refuses. This adds
 * the '.js' (or '/index.js'). The registrations land in tfjs's global registries, shared with
 * the CommonJS bundle the backends use.
 */
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith('.') && context.parentURL?.includes('/@tensorflow/');
    if (!relative || (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw e;
    // './gradients' may name both dist/gradients.js and a folder dist/gradients/: the file wins.
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
