// Preloaded (--require) by the command-line tests: any native addon load fails, as it would
// before `npm install` built anything.
process.dlopen = (): never => {
  throw new Error('test: native addons are not available in this process');
};
