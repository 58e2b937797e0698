export const CORE = 'core';
