// Container health check (compose and the Dockerfile's HEALTHCHECK): GET a probe on localhost.
// Usage: node infra/healthcheck.mjs <port> [path=/readyz]. Exit 0 when it answers 2xx.
const [port = '3000', path = '/readyz'] = process.argv.slice(2);
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_500) }).then(
  (r) => process.exit(r.ok ? 0 : 1),
  () => process.exit(1),
);
