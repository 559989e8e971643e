// Setting a parsed key on a record's fields safely: a key named "__proto__" must stay data, not a prototype.

export function setField(fields: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  else fields[key] = value;
}
