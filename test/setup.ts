process.env.TZ = 'UTC';
// Keep test output free of progress bars and colours, as in CI.
process.env.CI = process.env.CI ?? 'true';
