// Module hooks for startup-probe.mjs: reports every module URL that gets resolved.
let port
export function initialize(data) {
  port = data.port
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  port.postMessage(result.url)
  return result
}
