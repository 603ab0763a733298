// A plugin without a name (for the error-case tests).
export default { setup() {} };
