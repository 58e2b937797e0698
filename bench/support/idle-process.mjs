// An idle Node.js process that prints its RSS once settled: run with and without `--import tsx` to see what
// the TypeScript loader alone adds to every process the benches start from sources.
setTimeout(() => {
  console.log(`rss ${process.memoryUsage().rss}`);
  process.exit(0);
}, 1_000);
