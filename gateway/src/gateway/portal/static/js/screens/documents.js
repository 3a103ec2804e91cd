// Placeholder: filled in by its own change.
export const menu = [];
export const routes = [];
