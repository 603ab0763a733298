// A plugin, exported as "plugin", without setup() (for the error-case tests).
export const plugin = { name: "no-setup" };
