/** `util.inspect.custom`: a registered symbol, so the published declarations need no Node types. */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom');
