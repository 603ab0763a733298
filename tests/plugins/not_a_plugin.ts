// A module whose default export is not a plugin (for the error-case tests).
export default 42;
