// A plugin that takes a built-in's name prefix (for the error-case tests).
export default { name: "whistler:mine", setup() {} };
