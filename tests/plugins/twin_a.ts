// Two plugins with one name, twin_a.ts and twin_b.ts (for the error-case tests).
export default { name: "twin", setup() {} };
