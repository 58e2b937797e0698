// Placeholder until packages/db provides the migration runner (issue 2).
export default async function setup(): Promise<void> {}
