// Training jobs picked for comparison, kept for this tab only (sessionStorage holds job names, never credentials).
const KEY = 'sagebrush-compare';
const read = () => new Set(JSON.parse(sessionStorage.getItem(KEY) || '[]'));
const write = (s) => sessionStorage.setItem(KEY, JSON.stringify([...s].slice(0, 8)));
export const selection = {
  has: (n) => read().has(n),
  add: (n) => { const s = read(); s.add(n); write(s); },
  delete: (n) => { const s = read(); s.delete(n); write(s); },
  all: () => [...read()],
  set: (names) => write(new Set(names)),
};
